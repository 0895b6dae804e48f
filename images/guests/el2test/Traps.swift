// Traps from EL1 to EL2: HCR_EL2 (WFx, SMC, HVC, virtual memory controls, ID
// groups, ACTLR, cache and TLB maintenance, DC ZVA), CPTR_EL2 (FP, CPACR),
// MDCR_EL2 (debug, PMU), CNTHCTL_EL2 (physical counter and timer).

/// ISS of a trapped MSR/MRS/SYS (EC 0x18): Op0 [21:20], Op2 [19:17], Op1 [16:14],
/// CRn [13:10], Rt [9:5], CRm [4:1], Direction [0] (1 = read).
func sysISS(_ op0: UInt64, _ op1: UInt64, _ crn: UInt64, _ crm: UInt64, _ op2: UInt64, rt: UInt64, read: Bool) -> UInt64 {
    op0 << 20 | op2 << 17 | op1 << 14 | crn << 10 | rt << 5 | crm << 1 | (read ? 1 : 0)
}

/// ISS [24:20] of WFx (EC 0x01) and FP (EC 0x07) traps from AArch64: CV = 1, COND = 0b1110.
let cvCond: UInt64 = 1 << 24 | 0xe << 20

/// Probe `p` traps with EC 0x18 and ISS; a trapped read returns readMarker in Xt.
func expectSysTrap(_ p: P, arg: UInt64 = 0, _ iss: UInt64) {
    arm()
    let r = runProbe(p, arg)
    disarm()
    expectTrap(ec: EC.sys, elr: insn(p))
    expect("ESR_EL2.ISS [21:0]", taken.esr & 0x3f_ffff, iss)
    if iss & 1 == 1 { expect("Xt written by the EL2 emulation", r, readMarker) }
}

/// Probe `p` runs at EL1 without trapping; returns its result.
func expectNoTrap(_ p: P, arg: UInt64 = 0) -> UInt64 {
    arm()
    let r = runProbe(p, arg)
    disarm()
    expect("exceptions taken", takenCount, 0)
    return r
}

func withHCR(_ bits: UInt64) { writeHCR_EL2(HCR.base | bits) }

func trapChecks() {
    check("vpidr") {
        let midr = readMIDR_EL1()
        writeVPIDR_EL2(midr ^ 0xff0)                                     // another part number
        let seen = callEL1({ _ in readMIDR_EL1() }, 0)
        expect("MIDR_EL1 at EL1 (VPIDR_EL2)", seen, midr ^ 0xff0)
        expect("MIDR_EL1 at EL2", readMIDR_EL1(), midr)
        writeVPIDR_EL2(midr)
    }
    check("vmpidr") {
        let mpidr = readMPIDR_EL1()
        writeVMPIDR_EL2(mpidr | 0x0302)                                  // Aff1 = 3, Aff0 = 2
        let seen = callEL1({ _ in readMPIDR_EL1() }, 0)
        expect("MPIDR_EL1 at EL1 (VMPIDR_EL2)", seen & 0xff_00ff_ffff, (mpidr | 0x0302) & 0xff_00ff_ffff)
        expect("MPIDR_EL1 at EL2", readMPIDR_EL1(), mpidr)
        writeVMPIDR_EL2(mpidr)
    }
    check("hcr.twi") {
        withHCR(HCR.twi)
        arm()
        _ = runProbe(.wfi)
        disarm()
        expectTrap(ec: EC.wfx, elr: insn(.wfi))
        expect("ESR_EL2.ISS", taken.esr & 0x1ff_ffff, cvCond | 0)
    }
    check("hcr.twe") {
        // A WFE may complete instead of trapping (Arm ARM: the WFx traps are
        // only guaranteed when the instruction would not complete); a trap
        // taken must be this one, with TI = 1.
        withHCR(HCR.twe)
        arm()
        _ = runProbe(.wfe)
        disarm()
        expectTrue("at most one trap", takenCount <= 1, got: takenCount)
        if takenCount == 1 {
            expectTrap(ec: EC.wfx, elr: insn(.wfe))
            expect("ESR_EL2.ISS", taken.esr & 0x1ff_ffff, cvCond | 1)
        }
    }
    check("hcr.tsc") {
        withHCR(HCR.tsc)
        arm()
        _ = runProbe(.smc)
        disarm()
        expectTrap(ec: EC.smc, elr: insn(.smc))           // ELR is the SMC itself
        expect("ESR_EL2.ISS", taken.esr & 0x1ff_ffff, 0x77)
    }
    check("hvc") {
        arm()
        _ = runProbe(.hvc)
        disarm()
        expectTrap(ec: EC.hvc, elr: insn(.hvc))           // ELR is the instruction after the HVC
        expect("ESR_EL2.ISS", taken.esr & 0x1ff_ffff, 0x1234)
    }

    check("hcr.tvm.sctlr") {
        withHCR(HCR.tvm)
        expectSysTrap(.wSctlr, arg: sctlrEL1Base | 1 << 12, sysISS(3, 0, 1, 0, 0, rt: 0, read: false))
        expect("SCTLR_EL1 unchanged", readSCTLR_EL1(), sctlrEL1Base)
    }
    check("hcr.tvm.ttbr0") {
        writeTTBR0_EL1(0)
        withHCR(HCR.tvm)
        expectSysTrap(.wTtbr0, arg: 0x1234_5000, sysISS(3, 0, 2, 0, 0, rt: 0, read: false))
        expect("TTBR0_EL1 unchanged", readTTBR0_EL1(), 0)
    }
    check("hcr.tvm.tcr") {
        writeTCR_EL1(0)
        withHCR(HCR.tvm)
        expectSysTrap(.wTcr, arg: 25, sysISS(3, 0, 2, 0, 2, rt: 0, read: false))
        expect("TCR_EL1 unchanged", readTCR_EL1(), 0)
    }
    check("hcr.tvm.mair") {
        writeMAIR_EL1(0)
        withHCR(HCR.tvm)
        expectSysTrap(.wMair, arg: 0xff, sysISS(3, 0, 10, 2, 0, rt: 0, read: false))
        expect("MAIR_EL1 unchanged", readMAIR_EL1(), 0)
    }
    check("hcr.tvm.contextidr") {
        writeCONTEXTIDR_EL1(0)
        withHCR(HCR.tvm)
        expectSysTrap(.wContextidr, arg: 0x42, sysISS(3, 0, 13, 0, 1, rt: 0, read: false))
        expect("CONTEXTIDR_EL1 unchanged", readCONTEXTIDR_EL1(), 0)
    }
    check("hcr.tvm.reads-not-trapped") {
        withHCR(HCR.tvm)
        expect("SCTLR_EL1 read at EL1", expectNoTrap(.rSctlr), sctlrEL1Base)
    }
    check("hcr.trvm.sctlr") { withHCR(HCR.trvm); expectSysTrap(.rSctlr, sysISS(3, 0, 1, 0, 0, rt: 3, read: true)) }
    check("hcr.trvm.ttbr1") { withHCR(HCR.trvm); expectSysTrap(.rTtbr1, sysISS(3, 0, 2, 0, 1, rt: 3, read: true)) }
    check("hcr.trvm.far") { withHCR(HCR.trvm); expectSysTrap(.rFar, sysISS(3, 0, 6, 0, 0, rt: 3, read: true)) }
    check("hcr.trvm.writes-not-trapped") {
        withHCR(HCR.trvm)
        _ = expectNoTrap(.wContextidr, arg: 0x77)
        expect("CONTEXTIDR_EL1 written at EL1", readCONTEXTIDR_EL1(), 0x77)
        writeCONTEXTIDR_EL1(0)
    }

    check("hcr.tid3.off") {
        expect("ID_AA64PFR0_EL1 at EL1", expectNoTrap(.rPfr0), readID_AA64PFR0_EL1())
    }
    check("hcr.tid3.pfr0") { withHCR(HCR.tid3); expectSysTrap(.rPfr0, sysISS(3, 0, 0, 4, 0, rt: 3, read: true)) }
    check("hcr.tid3.mmfr0") { withHCR(HCR.tid3); expectSysTrap(.rMmfr0, sysISS(3, 0, 0, 7, 0, rt: 3, read: true)) }
    check("hcr.tid1.revidr") { withHCR(HCR.tid1); expectSysTrap(.rRevidr, sysISS(3, 0, 0, 0, 6, rt: 3, read: true)) }
    check("hcr.tid1.aidr") { withHCR(HCR.tid1); expectSysTrap(.rAidr, sysISS(3, 1, 0, 0, 7, rt: 3, read: true)) }
    check("hcr.tid2.ctr") { withHCR(HCR.tid2); expectSysTrap(.rCtr, sysISS(3, 3, 0, 0, 1, rt: 3, read: true)) }
    check("hcr.tid2.ccsidr") { withHCR(HCR.tid2); expectSysTrap(.rCcsidr, sysISS(3, 1, 0, 0, 0, rt: 3, read: true)) }
    check("hcr.tid2.clidr") { withHCR(HCR.tid2); expectSysTrap(.rClidr, sysISS(3, 1, 0, 0, 1, rt: 3, read: true)) }
    check("hcr.tid2.csselr") { withHCR(HCR.tid2); expectSysTrap(.wCsselr, sysISS(3, 2, 0, 0, 0, rt: 0, read: false)) }
    check("hcr.tacr.read") { withHCR(HCR.tacr); expectSysTrap(.rActlr, sysISS(3, 0, 1, 0, 1, rt: 3, read: true)) }
    check("hcr.tacr.write") { withHCR(HCR.tacr); expectSysTrap(.wActlr, sysISS(3, 0, 1, 0, 1, rt: 0, read: false)) }

    check("hcr.tsw.isw") { withHCR(HCR.tsw); expectSysTrap(.dcIsw, sysISS(1, 0, 7, 6, 2, rt: 0, read: false)) }
    check("hcr.tsw.csw") { withHCR(HCR.tsw); expectSysTrap(.dcCsw, sysISS(1, 0, 7, 10, 2, rt: 0, read: false)) }
    check("hcr.tsw.cisw") { withHCR(HCR.tsw); expectSysTrap(.dcCisw, sysISS(1, 0, 7, 14, 2, rt: 0, read: false)) }
    let line = pool(Pool.scratch)
    check("hcr.tpc.civac") { withHCR(HCR.tpc); expectSysTrap(.dcCivac, arg: line, sysISS(1, 3, 7, 14, 1, rt: 0, read: false)) }
    check("hcr.tpc.cvac") { withHCR(HCR.tpc); expectSysTrap(.dcCvac, arg: line, sysISS(1, 3, 7, 10, 1, rt: 0, read: false)) }
    check("hcr.tpc.ivac") { withHCR(HCR.tpc); expectSysTrap(.dcIvac, arg: line, sysISS(1, 0, 7, 6, 1, rt: 0, read: false)) }
    check("hcr.tpu.cvau") { withHCR(HCR.tpu); expectSysTrap(.dcCvau, arg: line, sysISS(1, 3, 7, 11, 1, rt: 0, read: false)) }
    check("hcr.tpu.ivau") { withHCR(HCR.tpu); expectSysTrap(.icIvau, arg: line, sysISS(1, 3, 7, 5, 1, rt: 0, read: false)) }
    check("hcr.tpu.iallu") { withHCR(HCR.tpu); expectSysTrap(.icIallu, sysISS(1, 0, 7, 5, 0, rt: 31, read: false)) }
    check("hcr.ttlb.vmalle1") { withHCR(HCR.ttlb); expectSysTrap(.tlbiVmalle1, sysISS(1, 0, 8, 7, 0, rt: 31, read: false)) }
    check("hcr.ttlb.vae1") { withHCR(HCR.ttlb); expectSysTrap(.tlbiVae1, arg: 0x1234, sysISS(1, 0, 8, 7, 1, rt: 0, read: false)) }
    check("hcr.tdz.zva") { withHCR(HCR.tdz); expectSysTrap(.dcZva, arg: line, sysISS(1, 3, 7, 4, 1, rt: 0, read: false)) }
    check("hcr.tdz.dczid") {
        let open = expectNoTrap(.rDczid)
        withHCR(HCR.tdz)
        let closed = expectNoTrap(.rDczid)
        expect("DCZID_EL0.DZP at EL1 without TDZ", (open >> 4) & 1, 0)
        expect("DCZID_EL0.DZP at EL1 with TDZ", (closed >> 4) & 1, 1)
        expect("DCZID_EL0.BS unchanged", closed & 0xf, open & 0xf)
    }

    check("cptr.tfp") {
        writeCPTR_EL2(cptrBase | 1 << 10)
        arm()
        _ = runProbe(.fmov, 1)
        disarm()
        expectTrap(ec: EC.fp, elr: insn(.fmov))
        expect("ESR_EL2.ISS", taken.esr & 0x1ff_ffff, cvCond)
    }
    check("cptr.tcpac") {
        writeCPTR_EL2(cptrBase | 1 << 31)
        expectSysTrap(.rCpacr, sysISS(3, 0, 1, 0, 2, rt: 3, read: true))
    }
    check("mdcr.tda") {
        writeMDCR_EL2((readMDCR_EL2() & 0x1f) | 1 << 9)
        expectSysTrap(.rMdscr, sysISS(2, 0, 0, 2, 2, rt: 3, read: true))
    }
    check("mdcr.tpm") {
        writeMDCR_EL2((readMDCR_EL2() & 0x1f) | 1 << 6)
        expectSysTrap(.rPmcr, sysISS(3, 3, 9, 12, 0, rt: 3, read: true))
    }
    check("cnthctl.el1pcten") {
        writeCNTHCTL_EL2(2)
        expectSysTrap(.rCntpct, sysISS(3, 3, 14, 0, 1, rt: 3, read: true))
    }
    check("cnthctl.el1pcen") {
        writeCNTHCTL_EL2(1)
        expectSysTrap(.rCntpCtl, sysISS(3, 3, 14, 2, 1, rt: 3, read: true))
        expectSysTrap(.wCntpCval, arg: 1, sysISS(3, 3, 14, 2, 2, rt: 0, read: false))
    }
    check("cnthctl.open") {
        let before = readCNTPCT_EL0()
        let v = expectNoTrap(.rCntpct)
        expectTrue("CNTPCT_EL0 at EL1 not below EL2's earlier read", v >= before, got: v)
    }
}
