// Virtual exceptions (HCR_EL2.VI/VF/VSE), the generic timers seen from EL2
// (CNTVOFF_EL2, the EL2 physical timer, the virtual timer while EL1 runs),
// and the GICv3 virtual CPU interface: list registers, ICV_* at EL1,
// maintenance interrupts, and the HW-linked virtual timer.

/// At EL1 or EL2: spin until `done` or `us` microseconds of counter time pass.
func spin(us: UInt64, _ done: () -> Bool) {
    let deadline = readCNTPCT_EL0() &+ ticks(us: us)
    while !done() && readCNTPCT_EL0() < deadline {}
}

func virtualExceptionChecks() {
    check("virq.vi") {
        withHCR(HCR.vi)
        let isr = callEL1({ _ in
            let isr = readISR_EL1()
            irqUnmask()
            spin(us: 20_000) { virt.irqs != 0 }
            return isr
        }, 0)
        expect("ISR_EL1.I at EL1", (isr >> 7) & 1, 1)
        expect("ISR_EL1.F at EL1", (isr >> 6) & 1, 0)
        expect("virtual IRQs taken at EL1", virt.irqs, 1)
        expect("EL1 vector offset", virt.offset, 0x280)
        expect("HCR_EL2.VI still set", readHCR_EL2() & HCR.vi, HCR.vi)
    }
    check("virq.vf") {
        withHCR(HCR.vf)
        let isr = callEL1({ _ in
            let isr = readISR_EL1()
            fiqUnmask()
            spin(us: 20_000) { virt.fiqs != 0 }
            return isr
        }, 0)
        expect("ISR_EL1.F at EL1", (isr >> 6) & 1, 1)
        expect("ISR_EL1.I at EL1", (isr >> 7) & 1, 0)
        expect("virtual FIQs taken at EL1", virt.fiqs, 1)
        expect("EL1 vector offset", virt.offset, 0x300)
    }
    check("virq.vse") {
        withHCR(HCR.vse)
        let isr = callEL1({ _ in
            let isr = readISR_EL1()
            serrorUnmask()
            spin(us: 20_000) { virt.serrors != 0 }
            return isr
        }, 0)
        expect("ISR_EL1.A at EL1", (isr >> 8) & 1, 1)
        expect("virtual SErrors taken at EL1", virt.serrors, 1)
        expect("EL1 vector offset", virt.offset, 0x380)
        // Without RAS the ISS is IMPLEMENTATION DEFINED: only EC and IL are checked.
        expect("ESR_EL1.EC", Syndrome(esr: virt.esr).ec, EC.serror)
        expect("ESR_EL1.IL", Syndrome(esr: virt.esr).il, 1)
        expect("HCR_EL2.VSE cleared when taken", readHCR_EL2() & HCR.vse, 0)
    }
    check("virq.vi-needs-imo") {
        writeHCR_EL2((HCR.base & ~HCR.imo) | HCR.vi)
        _ = callEL1({ _ in
            irqUnmask()
            spin(us: 2_000) { virt.irqs != 0 }
            irqMask()
            return 0
        }, 0)
        expect("virtual IRQs taken with IMO = 0", virt.irqs, 0)
    }
}

func timerChecks() {
    check("timer.cntvoff") {
        let offset: UInt64 = 0x0123_4567_89ab
        writeCNTVOFF_EL2(offset)
        let out = UnsafeMutablePointer<UInt64>(bitPattern: UInt(pool(Pool.scratch)))!
        _ = callEL1({ a in el1ReadCounters(UnsafeMutablePointer<UInt64>(bitPattern: UInt(a))!); return 0 },
                    pool(Pool.scratch))
        let physical = out[1] &+ offset                                  // CNTVCT = CNTPCT - CNTVOFF
        expectTrue("CNTVCT_EL0 + CNTVOFF_EL2 >= earlier CNTPCT_EL0", physical >= out[0], got: out[1])
        expectTrue("CNTVCT_EL0 + CNTVOFF_EL2 <= later CNTPCT_EL0", physical <= out[2], got: out[1])
    }
    check("timer.cntvoff-compare") {
        // CNTV_CVAL_EL0 compares with the virtual count: with a large CNTVOFF_EL2
        // a deadline ahead of CNTVCT is not met, one behind it is (IMASK set).
        writeCNTVOFF_EL2(readCNTPCT_EL0() &+ (1 << 40))
        let status = callEL1({ _ in
            writeCNTV_CTL_EL0(3)                                         // ENABLE, IMASK
            writeCNTV_CVAL_EL0(readCNTVCT_EL0() &+ ticks(us: 50_000))
            let ahead = (readCNTV_CTL_EL0() >> 2) & 1
            writeCNTV_CVAL_EL0(readCNTVCT_EL0() &- 1)
            let behind = (readCNTV_CTL_EL0() >> 2) & 1
            writeCNTV_CTL_EL0(0)
            return ahead | behind << 1
        }, 0)
        expect("CNTV_CTL_EL0.ISTATUS, deadline ahead", status & 1, 0)
        expect("CNTV_CTL_EL0.ISTATUS, deadline behind", status >> 1, 1)
    }
    check("timer.cnthp-el2") {
        enablePPI(Intid.hypTimer)
        writeCNTHP_CVAL_EL2(readCNTPCT_EL0() &+ ticks(us: 100))
        writeCNTHP_CTL_EL2(1)                                            // ENABLE, IMASK = 0
        irqUnmask()
        spin(us: 50_000) { irqCount != 0 }
        irqMask()
        disablePPI(Intid.hypTimer)
        expect("physical IRQs at EL2", irqCount, 1)
        expect("INTID", lastIRQ, Intid.hypTimer)
        expect("CNTHP_CTL_EL2 (handler disabled it)", readCNTHP_CTL_EL2() & 1, 0)
    }
    check("timer.cnthp-istatus") {
        writeCNTHP_CVAL_EL2(readCNTPCT_EL0())
        writeCNTHP_CTL_EL2(3)                                            // ENABLE, IMASK
        expect("CNTHP_CTL_EL2.ISTATUS", (readCNTHP_CTL_EL2() >> 2) & 1, 1)
        writeCNTHP_CTL_EL2(0)
    }
    check("timer.vtimer-to-el2") {
        // With IMO = 1 the virtual timer's physical PPI interrupts EL1 into EL2,
        // whatever EL1's PSTATE.I says.
        enablePPI(Intid.vtimer)
        _ = callEL1({ _ in
            writeCNTV_CVAL_EL0(readCNTVCT_EL0() &+ ticks(us: 100))
            writeCNTV_CTL_EL0(1)
            spin(us: 50_000) { irqCount != 0 }
            return 0
        }, 0)
        disablePPI(Intid.vtimer)
        expect("physical IRQs at EL2", irqCount, 1)
        expect("INTID", lastIRQ, Intid.vtimer)
        expect("virtual IRQs at EL1", virt.irqs, 0)
    }
}

/// Virtual CPU interface on, Group 1 enabled, priority mask `pmr`; EL1 acknowledges via ICV.
func vgicOn(pmr: UInt64 = 0xff, hcr: UInt64 = 0) {
    writeICH_VMCR_EL2(ICH.vpmr(pmr) | ICH.veng1)
    writeICH_HCR_EL2(ICH.en | hcr)
    el1UsesGIC = true
}

/// At EL1: HPPIR, then unmask IRQs and wait for `count` virtual IRQs. Returns ICV_HPPIR1_EL1.
let el1TakeIRQs: Body = { count in
    virt.isr = readISR_EL1()
    let hppir = readICC_HPPIR1_EL1() & 0xff_ffff
    irqUnmask()
    spin(us: 20_000) { virt.irqs >= count }
    irqMask()
    return hppir
}

/// The maintenance interrupt is pending at EL2: poll, then `clear` its cause and complete it.
func expectMaintenance(_ clear: () -> Void) {
    enablePPI(Intid.maintenance)
    let intid = pollIAR()
    clear()
    completeIRQ(intid)
    expect("ICC_IAR1_EL1 at EL2 (maintenance)", intid, Intid.maintenance)
    expect("ICC_IAR1_EL1 again after clearing the cause", pollIAR(us: 1_000), 1023)
    disablePPI(Intid.maintenance)
}

func vgicChecks() {
    check("vgic.vtr") {
        let vtr = readICH_VTR_EL2()
        expectTrue("ICH_VTR_EL2.ListRegs + 1 >= 4", vtr & 0x1f >= 3, got: vtr)
        expectTrue("ICH_VTR_EL2.PRIbits >= 4 (32 levels)", (vtr >> 29) & 7 >= 4, got: vtr)
        expectTrue("ICH_VTR_EL2.PREbits >= 4", (vtr >> 26) & 7 >= 4, got: vtr)
        expectTrue("ICH_VTR_EL2.PREbits <= PRIbits", (vtr >> 26) & 7 <= (vtr >> 29) & 7, got: vtr)
    }
    check("vgic.lr-readback") {
        let values: [UInt64] = [LR.pending | LR.group1 | LR.priority(0xa0) | 40,
                                LR.active | LR.group1 | LR.priority(0x80) | LR.eoi | 41,
                                LR.pending | LR.group1 | LR.hw | LR.priority(0x10) | 27 << 32 | 27,
                                LR.pending | LR.active | LR.priority(0xf8) | 1020 - 1]
        for n in 0..<4 { writeLR(n, values[n]) }
        for n in 0..<4 { expect("ICH_LR<n>_EL2 read back", readLR(n), values[n]) }
        expect("ICH_ELRSR_EL2 with four valid LRs", readICH_ELRSR_EL2() & 0xf, 0)
        for n in 0..<4 { writeLR(n, 0) }
        expect("ICH_ELRSR_EL2 with four empty LRs", readICH_ELRSR_EL2() & 0xf, 0xf)
    }
    check("vgic.vmcr") {
        writeICH_HCR_EL2(ICH.en)
        writeICH_VMCR_EL2(0)
        let physical = readICC_PMR_EL1()
        let pmr = callEL1({ _ in
            writeICC_PMR_EL1(0xf0)                   // ICV_PMR_EL1 (HCR_EL2.IMO = 1)
            writeICC_IGRPEN1_EL1(1)                  // ICV_IGRPEN1_EL1
            return readICC_PMR_EL1()
        }, 0)
        let vmcr = readICH_VMCR_EL2()
        expect("ICV_PMR_EL1 read at EL1", pmr, 0xf0)
        expect("ICH_VMCR_EL2.VPMR", vmcr >> 24 & 0xff, 0xf0)
        expect("ICH_VMCR_EL2.VENG1", vmcr & ICH.veng1, ICH.veng1)
        expect("physical ICC_PMR_EL1 untouched", readICC_PMR_EL1(), physical)
    }
    check("vgic.inject") {
        vgicOn()
        writeLR(0, LR.pending | LR.group1 | LR.priority(0xa0) | 100)
        expect("ICH_ELRSR_EL2.Status0 while pending", readICH_ELRSR_EL2() & 1, 0)
        let hppir = callEL1(el1TakeIRQs, 1)
        expect("ICV_HPPIR1_EL1 at EL1", hppir, 100)
        expect("ISR_EL1.I at EL1 (list register pending)", (virt.isr >> 7) & 1, 1)
        expect("virtual IRQs at EL1", virt.irqs, 1)
        expect("EL1 vector offset", virt.offset, 0x280)
        expect("ICV_IAR1_EL1", virt.intid, 100)
        expect("ICV_RPR_EL1 while active", virt.rpr, 0xa0)
        expect("ICH_LR0_EL2.State after EOI", readLR(0) & LR.stateMask, 0)
        expect("ICH_ELRSR_EL2.Status0", readICH_ELRSR_EL2() & 1, 1)
        expect("ICH_EISR_EL2 (no EOI maintenance asked)", readICH_EISR_EL2() & 0xf, 0)
        expect("ICH_MISR_EL2", readICH_MISR_EL2(), 0)
        expect("ICH_AP1R0_EL2 after the priority drop", readICH_AP1R0_EL2(), 0)
        expect("physical IRQs at EL2", irqCount, 0)
    }
    check("vgic.en-off") {
        vgicOn()
        writeICH_HCR_EL2(0)                                              // En = 0
        writeLR(0, LR.pending | LR.group1 | LR.priority(0xa0) | 107)
        let isr = callEL1({ _ in
            let isr = readISR_EL1()
            irqUnmask()
            spin(us: 2_000) { virt.irqs != 0 }
            irqMask()
            return isr
        }, 0)
        expect("ISR_EL1.I with ICH_HCR_EL2.En = 0", (isr >> 7) & 1, 0)
        expect("virtual IRQs with ICH_HCR_EL2.En = 0", virt.irqs, 0)
        expect("ICH_LR0_EL2 still pending", readLR(0) & LR.stateMask, LR.pending)
    }
    check("vgic.veoimode") {
        // ICH_VMCR_EL2.VEOIM = 1: the EOI only drops priority; ICV_DIR_EL1 deactivates.
        vgicOn()
        writeICH_VMCR_EL2(ICH.vpmr(0xff) | ICH.veng1 | 1 << 9)
        writeLR(0, LR.pending | LR.group1 | LR.priority(0xa0) | 108)
        _ = callEL1(el1TakeIRQs, 1)
        expect("ICV_IAR1_EL1", virt.intid, 108)
        expect("ICH_LR0_EL2.State after EOI with VEOIM", readLR(0) & LR.stateMask, LR.active)
        expect("ICH_AP1R0_EL2 after the priority drop", readICH_AP1R0_EL2(), 0)
        _ = callEL1({ id in writeICC_DIR_EL1(id); return 0 }, 108)
        expect("ICH_LR0_EL2.State after ICV_DIR_EL1", readLR(0) & LR.stateMask, 0)
    }
    check("vgic.tall1") {
        vgicOn(hcr: 1 << 12)                                             // TALL1
        expectSysTrap(.rIccIar1, sysISS(3, 0, 12, 12, 0, rt: 3, read: true))
    }
    check("vgic.tc") {
        vgicOn(hcr: 1 << 10)                                             // TC
        expectSysTrap(.rIccPmr, sysISS(3, 0, 4, 6, 0, rt: 3, read: true))
    }
    check("vgic.pmr-masks") {
        vgicOn(pmr: 0x80)
        writeLR(0, LR.pending | LR.group1 | LR.priority(0xa0) | 101)
        let r = callEL1({ _ in
            irqUnmask()
            spin(us: 2_000) { virt.irqs != 0 }
            let masked = virt.irqs
            writeICC_PMR_EL1(0xff)
            spin(us: 20_000) { virt.irqs != 0 }
            irqMask()
            return masked
        }, 0)
        expect("virtual IRQs below the priority mask", r, 0)
        expect("virtual IRQs after opening the mask", virt.irqs, 1)
        expect("ICV_IAR1_EL1", virt.intid, 101)
    }
    check("vgic.priority-order") {
        vgicOn()
        writeLR(0, LR.pending | LR.group1 | LR.priority(0xc0) | 110)
        writeLR(1, LR.pending | LR.group1 | LR.priority(0x40) | 111)
        let hppir = callEL1(el1TakeIRQs, 2)
        expect("ICV_HPPIR1_EL1 (higher priority first)", hppir, 111)
        expect("virtual IRQs at EL1", virt.irqs, 2)
        expect("last ICV_IAR1_EL1 (lower priority last)", virt.intid, 110)
        expect("ICH_ELRSR_EL2", readICH_ELRSR_EL2() & 3, 3)
    }
    check("vgic.eoi-maintenance") {
        vgicOn()
        writeLR(0, LR.pending | LR.group1 | LR.eoi | LR.priority(0xa0) | 102)
        _ = callEL1(el1TakeIRQs, 1)
        expect("ICV_IAR1_EL1", virt.intid, 102)
        expect("ICH_LR0_EL2.State", readLR(0) & LR.stateMask, 0)
        expect("ICH_EISR_EL2", readICH_EISR_EL2() & 0xf, 1)
        expect("ICH_ELRSR_EL2.Status0 (EOI maintenance pending)", readICH_ELRSR_EL2() & 1, 0)
        expect("ICH_MISR_EL2", readICH_MISR_EL2(), ICH.misrEOI)
        expectMaintenance { writeLR(0, 0) }
        expect("ICH_MISR_EL2 after clearing the LR", readICH_MISR_EL2(), 0)
    }
    check("vgic.underflow") {
        vgicOn(hcr: ICH.uie)
        writeLR(0, LR.pending | LR.group1 | LR.priority(0xa0) | 103)
        writeLR(1, LR.pending | LR.group1 | LR.priority(0xa0) | 104)
        expect("ICH_MISR_EL2.U with two valid LRs", readICH_MISR_EL2() & ICH.misrU, 0)
        writeLR(1, 0)
        expect("ICH_MISR_EL2.U with one valid LR", readICH_MISR_EL2() & ICH.misrU, ICH.misrU)
        expectMaintenance { writeICH_HCR_EL2(ICH.en) }
    }
    check("vgic.no-pending") {
        vgicOn(hcr: ICH.npie)
        writeLR(0, LR.pending | LR.group1 | LR.priority(0xa0) | 105)
        expect("ICH_MISR_EL2.NP with a pending LR", readICH_MISR_EL2() & ICH.misrNP, 0)
        writeLR(0, LR.active | LR.group1 | LR.priority(0xa0) | 105)
        expect("ICH_MISR_EL2.NP with only an active LR", readICH_MISR_EL2() & ICH.misrNP, ICH.misrNP)
        expectMaintenance { writeICH_HCR_EL2(ICH.en) }
    }
    check("vgic.vgrp1-enable") {
        writeICH_VMCR_EL2(0)
        writeICH_HCR_EL2(ICH.en | ICH.vgrp1die | ICH.vgrp1eie)
        expect("ICH_MISR_EL2.VGrp1D/E with VENG1 = 0", readICH_MISR_EL2() & 0xc0, ICH.misrVGrp1D)
        writeICH_VMCR_EL2(ICH.veng1)
        expect("ICH_MISR_EL2.VGrp1D/E with VENG1 = 1", readICH_MISR_EL2() & 0xc0, ICH.misrVGrp1E)
        expectMaintenance { writeICH_HCR_EL2(ICH.en) }
    }
    check("vgic.eoicount") {
        // EL1 acknowledges, EL2 (HVC #1) empties the LR, EL1's EOI then finds no LR.
        vgicOn(hcr: ICH.lrenpie)
        el1HVCBeforeEOI = true
        hvc1Action = 1
        writeLR(0, LR.pending | LR.group1 | LR.priority(0xa0) | 106)
        _ = callEL1(el1TakeIRQs, 1)
        expect("ICV_IAR1_EL1", virt.intid, 106)
        expect("HVC #1 from the EL1 handler", hvc1Count, 1)
        expectTrue("ICH_AP1R0_EL2 while active", hvc1AP1R0 != 0, got: hvc1AP1R0)
        expect("ICH_AP1R0_EL2 after EOI", readICH_AP1R0_EL2(), 0)
        expect("ICH_HCR_EL2.EOIcount", readICH_HCR_EL2() >> 27, 1)
        expect("ICH_MISR_EL2.LRENP", readICH_MISR_EL2() & ICH.misrLRENP, ICH.misrLRENP)
        expectMaintenance { writeICH_HCR_EL2(ICH.en) }
    }
    check("vgic.hw-vtimer") {
        // EL2 takes physical 27, drops its priority (EOImode = 1) and forwards it
        // with HW = 1; EL1's virtual EOI deactivates the physical interrupt.
        vgicOn()
        hwLink = true
        enablePPI(Intid.vtimer)
        _ = callEL1({ _ in
            writeCNTV_CVAL_EL0(readCNTVCT_EL0() &+ ticks(us: 100))
            writeCNTV_CTL_EL0(1)
            irqUnmask()
            spin(us: 50_000) { virt.irqs != 0 }
            irqMask()
            return 0
        }, 0)
        let active = gicrSGI(GICR.isactiver0)
        disablePPI(Intid.vtimer)
        expect("physical IRQs at EL2", irqCount, 1)
        expect("physical INTID", lastIRQ, Intid.vtimer)
        expect("GICR_ISACTIVER0[27] after the priority drop", activeAfterDrop, 1)
        expect("virtual IRQs at EL1", virt.irqs, 1)
        expect("ICV_IAR1_EL1", virt.intid, Intid.vtimer)
        expect("ICH_LR0_EL2.State after the virtual EOI", readLR(0) & LR.stateMask, 0)
        expect("ICH_ELRSR_EL2.Status0", readICH_ELRSR_EL2() & 1, 1)
        expect("GICR_ISACTIVER0[27] after the virtual EOI", (active >> 27) & 1, 0)
        if (active >> 27) & 1 == 1 { setGICRSGI(GICR.icactiver0, 1 << 27) }
    }
}
