// The virtualization extensions (IHI 0048B chapter 5): EL2 programs list registers through GICH,
// EL1 (HCR_EL2.IMO: the virtual CPU interface's vIRQ goes to it) acknowledges and ends virtual
// interrupts through GICV with IRQs masked, and EL2 checks the list registers, the status
// registers and the maintenance interrupt (PPI 25, kept disabled while EL1 runs: a physical IRQ
// routed to EL2 is not masked at EL1).

@_silgen_name("read_isr_el1") func readISR_EL1() -> UInt64

/// GICH_LRn: VirtualID [9:0], PhysicalID [19:10] (HW = 1) or EOI [19] and CPUID [12:10]
/// (HW = 0), Priority [27:23] (the top 5 bits), State [29:28], Grp1 [30], HW [31].
enum LR {
    static let pending: UInt32 = 1 << 28, active: UInt32 = 2 << 28, eoi: UInt32 = 1 << 19
    static let grp1: UInt32 = 1 << 30, hw: UInt32 = 1 << 31
    static func make(_ vid: UInt64, priority: UInt64, _ flags: UInt32) -> UInt32 {
        UInt32(vid) | UInt32(priority >> 3) << 23 | flags
    }
}
func lr(_ n: UInt) -> UInt64 { gich(GICH.lr &+ n * 4) }
func setLR(_ n: UInt, _ value: UInt32) { setGICH(GICH.lr &+ n * 4, value) }
func lrState(_ n: UInt) -> UInt64 { (lr(n) >> 28) & 3 }

/// GICH_VMCR: VMPriMask [31:27] 0xF8, VMBP [23:21] 2 (group priority [7:3]),
/// VMABP [20:18] 3, VMGrp0En [0]; EOImode 0, FIQEn 0: Group 0 virtual interrupts as vIRQ.
func vmcr(priorityMask: UInt64) -> UInt32 { UInt32(priorityMask >> 3) << 27 | 2 << 21 | 3 << 18 | 1 }

/// What the last EL1 body saw: ISR_EL1, GICV_HPPIR, GICV_IAR, GICV_RPR (and GICV_CTLR, GICV_PMR,
/// GICV_BPR for gicv.vmcr-alias).
var el1ISR: UInt64 = 0, el1HPPIR: UInt64 = 0, el1IAR: UInt64 = 0, el1RPR: UInt64 = 0
var el1CTLR: UInt64 = 0, el1PMR: UInt64 = 0, el1BPR: UInt64 = 0, el1PMRAll: UInt64 = 0
var el1EOIValue: UInt64 = 0

/// EL1 acknowledges at GICV, recording what it saw first.
func el1Acknowledge() {
    _ = run(at: 1) {
        el1ISR = readISR_EL1()
        el1HPPIR = gicv(GICC.hppir) & 0x1FFF
        el1IAR = gicv(GICC.iar) & 0x1FFF
        el1RPR = gicv(GICC.rpr) & 0xFF
        return 0
    }
}

/// EL1 writes `iar` to GICV_EOIR.
func el1EndOfInterrupt(_ iar: UInt64) {
    el1EOIValue = iar
    _ = run(at: 1) {
        setGICV(GICC.eoir, UInt32(el1EOIValue))
        return 0
    }
}

/// The virtual interface on with the priority mask at `mask`, list registers empty.
func virtualInit(priorityMask mask: UInt64 = 0xF8) {
    for n in 0..<UInt(4) { setLR(n, 0) }
    setGICH(GICH.vmcr, vmcr(priorityMask: mask))
    setGICH(GICH.hcr, GICH.en)
}

func maintenancePending() -> UInt64 { bit(GICD.ispendr, Intid.maintenance) }

func virtualChecks() {
    var lrCount: UInt64 = 4
    // The GIC-400's (and QEMU's) 4 list registers; 5 priority bits, as the LR format has.
    check("gich.vtr") {
        let vtr = gich(GICH.vtr)
        lrCount = (vtr & 0x3F) + 1
        expect("GICH_VTR.ListRegs + 1", lrCount, 4)
        expect("GICH_VTR.PRIbits", vtr >> 29, 4)
    }
    if lrCount > 4 { lrCount = 4 }
    let empty: UInt64 = (1 << lrCount) - 1

    // Empty list registers: all in GICH_ELRSR0, none in GICH_EISR0, no maintenance; a list
    // register holds what is written to it, and a pending one is not empty.
    check("gich.list-registers") {
        virtualInit()
        expect("GICH_HCR", gich(GICH.hcr), 1)
        expect("GICH_ELRSR0, all empty", gich(GICH.elrsr0), empty)
        expect("GICH_EISR0", gich(GICH.eisr0), 0)
        expect("GICH_MISR", gich(GICH.misr), 0)
        expect("GICH_APR", gich(GICH.apr), 0)
        let value = LR.make(0x123, priority: 0xF8, LR.pending | LR.grp1 | LR.eoi | 5 << 10)
        setLR(0, value)
        expect("GICH_LR0 read back", lr(0), UInt64(value))
        expect("GICH_ELRSR0, LR0 pending", gich(GICH.elrsr0), empty & ~1)
        setLR(0, 0)
        expect("GICH_ELRSR0, LR0 cleared", gich(GICH.elrsr0), empty)
    }

    // GICV_CTLR, GICV_PMR and GICV_BPR are views of GICH_VMCR; GICV_PMR has the 5 bits.
    check("gicv.vmcr-alias") {
        virtualInit()
        _ = run(at: 1) {
            el1CTLR = gicv(GICC.ctlr)
            el1PMR = gicv(GICC.pmr)
            el1BPR = gicv(GICC.bpr)
            setGICV(GICC.pmr, 0xFF)
            el1PMRAll = gicv(GICC.pmr)
            setGICV(GICC.pmr, 0x80)
            return 0
        }
        expect("GICV_CTLR", el1CTLR, 1)
        expect("GICV_PMR", el1PMR, 0xF8)
        expect("GICV_BPR", el1BPR, 2)
        expect("GICV_PMR after 0xFF", el1PMRAll, 0xF8)
        expect("GICH_VMCR.VMPriMask after GICV_PMR = 0x80", gich(GICH.vmcr) >> 27, 0x10)
    }

    // Two pending list registers: EL1 sees a vIRQ, and GICV_IAR returns the higher priority one
    // (LR1), which becomes active in its list register and in GICH_APR (bit 0x10 >> 3).
    check("gicv.acknowledge", clean: false) {
        virtualInit()
        setLR(0, LR.make(77, priority: 0x30, LR.pending | LR.eoi))
        setLR(1, LR.make(78, priority: 0x10, LR.pending | LR.eoi))
        expect("GICH_ELRSR0", gich(GICH.elrsr0), empty & ~3)
        el1Acknowledge()
        expect("ISR_EL1.I at EL1", (el1ISR >> 7) & 1, 1)
        expect("GICV_HPPIR", el1HPPIR, 78)
        expect("GICV_IAR", el1IAR, 78)
        expect("GICV_RPR", el1RPR, 0x10)
        expect("GICH_LR1.State active", lrState(1), 2)
        expect("GICH_LR0.State pending", lrState(0), 1)
        expect("GICH_APR", gich(GICH.apr), 1 << 2)
    }

    // EOI of LR1 (EOI bit set): the list register goes invalid but is not empty until EL2 takes
    // note (ELRSR needs EOI = 0 or HW = 1: GICH_ELRSRn), it is in GICH_EISR0, GICH_MISR.EOI is set and
    // the maintenance interrupt is asserted; clearing LR1 ends it.
    check("gicv.eoi-maintenance", clean: false) {
        el1EndOfInterrupt(78)
        expect("GICH_LR1.State", lrState(1), 0)
        expect("GICH_APR", gich(GICH.apr), 0)
        expect("GICH_EISR0", gich(GICH.eisr0), 0b10)
        expect("GICH_ELRSR0", gich(GICH.elrsr0), empty & ~3)
        expect("GICH_MISR.EOI", gich(GICH.misr) & 1, 1)
        expect("maintenance interrupt pending", maintenancePending(), 1)
        setBit(GICD.isenabler, Intid.maintenance)
        expect("GICC_HPPIR", hppir(), Intid.maintenance)
        setBit(GICD.icenabler, Intid.maintenance)
        setLR(1, 0)
        expect("GICH_EISR0 after clearing LR1", gich(GICH.eisr0), 0)
        expect("GICH_ELRSR0 after clearing LR1", gich(GICH.elrsr0), empty & ~1)
        expect("GICH_MISR after clearing LR1", gich(GICH.misr), 0)
        expect("maintenance interrupt after clearing LR1", maintenancePending(), 0)
    }

    // Then LR0 (the lower priority, still pending) is signalled.
    check("gicv.eoi") {
        el1Acknowledge()
        expect("GICV_IAR", el1IAR, 77)
        expect("GICV_RPR", el1RPR, 0x30)
        el1EndOfInterrupt(77)
        expect("GICH_LR0.State", lrState(0), 0)
        expect("GICH_EISR0", gich(GICH.eisr0), 1)
        setLR(0, 0)
        expect("GICH_ELRSR0", gich(GICH.elrsr0), empty)
    }

    // GICH_HCR.UIE: underflow (at most one valid list register) asserts maintenance.
    check("gich.underflow") {
        virtualInit()
        setLR(0, LR.make(80, priority: 0x40, LR.pending))
        setLR(1, LR.make(81, priority: 0x40, LR.pending))
        setGICH(GICH.hcr, GICH.en | GICH.uie)
        expect("GICH_MISR.U with two valid", (gich(GICH.misr) >> 1) & 1, 0)
        expect("maintenance with two valid", maintenancePending(), 0)
        setLR(1, 0)
        expect("GICH_MISR.U with one valid", (gich(GICH.misr) >> 1) & 1, 1)
        expect("maintenance with one valid", maintenancePending(), 1)
        setGICH(GICH.hcr, GICH.en)
        expect("GICH_MISR.U without UIE", (gich(GICH.misr) >> 1) & 1, 0)
        expect("maintenance without UIE", maintenancePending(), 0)
    }

    // A virtual SGI's GICV_IAR carries the source CPU from the list register's CPUID field.
    check("gicv.sgi-source") {
        virtualInit()
        setLR(0, LR.make(3, priority: 0x20, LR.pending | 1 << 10))
        el1Acknowledge()
        expect("GICV_IAR", el1IAR, 0x403)
        el1EndOfInterrupt(0x403)
        expect("GICH_LR0.State", lrState(0), 0)
        expect("GICH_ELRSR0", gich(GICH.elrsr0), empty)
    }

    // GICH_VMCR.VMPriMask masks virtual interrupts of equal or lower priority.
    check("gicv.priority-mask") {
        virtualInit(priorityMask: 0x80)
        setLR(0, LR.make(90, priority: 0x80, LR.pending))
        el1Acknowledge()
        expect("ISR_EL1.I, masked", (el1ISR >> 7) & 1, 0)
        expect("GICV_IAR, masked", el1IAR, Intid.spurious)
        setGICH(GICH.vmcr, vmcr(priorityMask: 0x90))
        el1Acknowledge()
        expect("ISR_EL1.I", (el1ISR >> 7) & 1, 1)
        expect("GICV_IAR", el1IAR, 90)
        el1EndOfInterrupt(90)
        expect("GICH_LR0.State", lrState(0), 0)
    }

    // HW = 1: the hypervisor acknowledged a physical SPI and dropped its priority (EOImode 1);
    // the guest's EOI of the linked virtual interrupt deactivates the physical one.
    check("gicv.hw-deactivate") {
        let b = Intid.spiB
        setGICC(GICC.ctlr, GICC.enable | GICC.eoiMode)
        configureSPI(b, priority: 0x40)
        pend(b)
        let iar = acknowledge()
        expect("GICC_IAR", iar, b)
        endOfInterrupt(iar)
        expect("GICD_ISACTIVER after priority drop", bit(GICD.isactiver, b), 1)
        virtualInit()
        setLR(0, LR.make(b, priority: 0x40, LR.pending | LR.hw | UInt32(b) << 10))
        el1Acknowledge()
        expect("GICV_IAR", el1IAR, b)
        expect("GICD_ISACTIVER while virtual active", bit(GICD.isactiver, b), 1)
        el1EndOfInterrupt(b)
        expect("GICD_ISACTIVER after GICV_EOIR", bit(GICD.isactiver, b), 0)
        expect("GICH_LR0.State", lrState(0), 0)
        expect("GICH_ELRSR0", gich(GICH.elrsr0), empty)
        expect("GICH_EISR0", gich(GICH.eisr0), 0)
    }
}
