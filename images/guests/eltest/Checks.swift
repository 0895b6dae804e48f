// Exception checks: vectors, SVC/HVC/SMC/BRK/UNDEFINED at each EL, ERET down
// to EL0, SPSel banking, alignment faults with the MMU off.

func exceptionChecks() {
    // ERET down one EL at a time; each body runs where it says it does.
    check("eret.el3-el2", at: 2, needs: 3) { expectArrived(el: 2); return 0 }
    check("eret.el2-el1", at: 1, needs: 2) { expectArrived(el: 1); return 0 }
    check("eret.el1-el0", at: 1) {
        // EL0 cannot read CurrentEL: the body returns its SP, which must be SP_EL0.
        let sp = run(at: 0, body(at: addrEL0ReadSP()))
        expect("SP at EL0", sp, elStackTop(0))
        return 0
    }

    check("vbar.el3", at: 3) { expectVectors(el: 3, vbar: readVBAR_EL3(), table: vectorsEL3()); return 0 }
    check("vbar.el2", at: 2) { expectVectors(el: 2, vbar: readVBAR_EL2(), table: vectorsEL2()); return 0 }
    check("vbar.el1", at: 1) { expectVectors(el: 1, vbar: readVBAR_EL1(), table: vectorsEL1()); return 0 }

    check("brk.el3", at: 3) { expectBRK(el: 3); return 0 }
    check("brk.el2", at: 2) { expectBRK(el: 2); return 0 }
    check("brk.el1", at: 1) { expectBRK(el: 1); return 0 }

    check("undef.el3", at: 3) { expectUndefined(el: 3); return 0 }
    check("undef.el2", at: 2) { expectUndefined(el: 2); return 0 }
    check("undef.el1", at: 1) { expectUndefined(el: 1); return 0 }

    check("svc.el1", at: 1) {
        arm()
        probeSVC()
        expectTaken(el: 1, offset: 0x200, ec: EC.svc)
        expect("ESR.ISS", taken.esr & 0x1ff_ffff, 0x1234)
        expect("ELR_EL1", taken.elr, addrProbeSVCNext())
        expectSPSRMode(el: 1, handler: true)
        return 0
    }
    check("svc.el0", at: 1) {
        arm()
        _ = run(at: 0, body(at: addrProbeSVCEL0()))
        expectTaken(el: 1, offset: 0x400, ec: EC.svc)
        expect("ESR.ISS", taken.esr & 0x1ff_ffff, 0x0770)
        expect("ELR_EL1", taken.elr, addrProbeSVCEL0Next())
        expectSPSRMode(el: 0, handler: false)
        return 0
    }
    check("hvc.el1", at: 1, needs: 2) {
        arm()
        probeHVC()
        expectTaken(el: 2, offset: 0x400, ec: EC.hvc)
        expect("ESR.ISS", taken.esr & 0x1ff_ffff, 0x2345)
        expect("ELR_EL2", taken.elr, addrProbeHVCNext())
        expectSPSRMode(el: 1, handler: true)
        return 0
    }
    check("smc.el1", at: 1, needs: 3) { expectSMC(from: 1); return 0 }
    check("smc.el2", at: 2, needs: 3) {
        expect("HCR_EL2.TSC", (readHCR_EL2() >> 19) & 1, 0)
        expectSMC(from: 2)
        return 0
    }

    check("spsel.el3", at: 3) { expectSPSel(el: 3); return 0 }
    check("spsel.el2", at: 2) { expectSPSel(el: 2); return 0 }
    check("spsel.el1", at: 1) { expectSPSel(el: 1); return 0 }

    check("align.el1", at: 1) { expectUnalignedFault(alignmentCheck: true); return 0 }
    check("pcalign.el1", at: 1) {
        let target = misalignedPC()
        arm(.returnToCaller)
        probeBranch(target)
        expectTaken(el: 1, offset: 0x200, ec: EC.pcAlignment)
        expect("ELR_EL1", taken.elr, target)
        expect("FAR_EL1", taken.far, target)
        return 0
    }
}

/// An unaligned 64-bit load at EL1 with the MMU off faults (DFSC 0x21):
/// data accesses are then Device-nGnRnE, and unaligned Device accesses
/// fault whatever SCTLR_EL1.A says. With `alignmentCheck`, SCTLR_EL1.A is
/// set as well, which faults on any memory type: QEMU 7.2 models only that
/// (Device alignment arrived with QEMU 9's TLB_CHECK_ALIGNED).
func expectUnalignedFault(alignmentCheck: Bool) {
    expect("SCTLR_EL1.M", readSCTLR_EL1() & 1, 0)
    let address = pagePoolBase() &+ Pool.scratch &+ 1
    writeSCTLR_EL1(sctlrEL1Base | (alignmentCheck ? 1 << 1 : 0))
    arm()
    _ = probeLoad(address)
    writeSCTLR_EL1(sctlrEL1Base)
    expectDataAbort(dfsc: 0x21, far: address, write: false)
}

func expectArrived(el: UInt64) {
    expect("CurrentEL", readCurrentEL(), el)
    expect("SPSel", readSPSel(), 1)
    expect("DAIF", readDAIF(), 0x3c0)
}

/// VBAR reads back our table, and a BRK here arrives there (current EL, SP_ELx).
func expectVectors(el: UInt64, vbar: UInt64, table: UInt64) {
    expect("VBAR", vbar, table)
    arm()
    probeBRK()
    expect("exceptions taken", takenCount, 1)
    expect("taken to EL", taken.el, el)
    expect("vector offset", taken.offset, 0x200)
}

func expectBRK(el: UInt64) {
    arm()
    probeBRK()
    expectTaken(el: el, offset: 0x200, ec: EC.brk)
    expect("ESR.ISS", taken.esr & 0x1ff_ffff, 0x4242)
    expect("ELR (the BRK itself)", taken.elr, addrProbeBRK())
    expectSPSRMode(el: el, handler: true)
}

func expectUndefined(el: UInt64) {
    arm()
    probeUndef()
    expectTaken(el: el, offset: 0x200, ec: EC.unknown)
    expect("ESR.ISS", taken.esr & 0x1ff_ffff, 0)
    expect("ELR (the instruction)", taken.elr, addrProbeUndef())
}

func expectSMC(from el: UInt64) {
    arm()
    probeSMC()
    expectTaken(el: 3, offset: 0x400, ec: EC.smc)
    expect("ESR.ISS", taken.esr & 0x1ff_ffff, 0x3456)
    expect("ELR_EL3", taken.elr, addrProbeSMCNext())
    expectSPSRMode(el: el, handler: true)
}

/// SP_EL0 and SP_ELx are separate registers, and an exception taken with
/// SPSel = 0 uses the "current EL with SP_EL0" vectors (+0x000).
func expectSPSel(el: UInt64) {
    let sp0 = elStackTop(0) &- 0x100         // EL0's stack is idle: valid, and not our SP
    let out = UnsafeMutablePointer<UInt64>(bitPattern: UInt(pagePoolBase() &+ Pool.scratch &+ 0x100))!
    arm()
    probeSPSel(sp0, out)
    expect("SP with SPSel=0", out[1], sp0)
    expect("SP with SPSel=0 after the exception", out[2], sp0)
    expect("SP with SPSel=1 again", out[3], out[0])
    expectTaken(el: el, offset: 0x000, ec: EC.brk)
    expect("ESR.ISS", taken.esr & 0x1ff_ffff, 0x5350)
    expectSPSRMode(el: el, handler: false)
}
