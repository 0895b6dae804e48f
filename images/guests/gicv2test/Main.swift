// gicv2test: a GICv2 with the virtualization extensions (GIC-400; QEMU virt gic-version=2), by
// polling from EL2 with interrupts masked: distributor registers, SGI targeting between two CPUs
// (CPU 1 started by PSCI CPU_ON), priorities, preemption and the priority mask, active state and
// split EOI/deactivation, then the hypervisor interface's list registers with a guest at EL1
// reading the virtual CPU interface, and the maintenance interrupt. Each check prints
// "PASS <name>" or "FAIL <name>: <detail>"; the last line is "gicv2test: N passed, M failed",
// then PSCI SYSTEM_OFF over SMC.

/// HCR_EL2 for the EL1 bodies: EL1 is AArch64 (RW); physical IRQs/FIQs go to EL2 and the virtual
/// CPU interface's vIRQ/vFIQ to EL1 (IMO, FMO). No stage 2: EL1 reaches GICV by its address.
let hcrEL2: UInt64 = 1 << 31 | 1 << 4 | 1 << 3

/// Lower.swift's hooks: nothing is armed here; EL1 gets our vectors and MMU off.
var armed = false
func initCurrentEL() { initEL1() }

var unexpectedCount: UInt64 = 0

/// Run one check from the clean GIC state, then clean up after it; `clean: false` leaves the state
/// to the next check (the virtual checks that follow one interrupt through several steps).
func check(_ name: StaticString, clean: Bool = true, _ body: () -> Void) {
    checkFailed = false
    body()
    if clean { cleanUp() }
    report(name)
}

/// Undo what a (possibly failed) check left: the test SPIs and the maintenance PPI off and idle,
/// any interrupt still signalled acknowledged, the CPU interface's active priorities cleared
/// (GICC_APR0 = 0, the value the spec allows besides one read back), the hypervisor interface off.
func cleanUp() {
    quiesce(Intid.spiA); quiesce(Intid.spiB); quiesce(Intid.spiC); quiesce(Intid.maintenance)
    setGICC(GICC.ctlr, GICC.enable)
    setGICC(GICC.pmr, 0xF0)
    var n = 0
    while n < 32 {
        let iar = acknowledge()
        if iar & 0x3FF >= 1020 { break }
        endOfInterrupt(iar)
        fail("left signalled, GICC_IAR", got: iar, want: Intid.spurious)
        n += 1
    }
    if rpr() != idlePriority {
        fail("left active, GICC_RPR", got: rpr(), want: idlePriority)
        setGICC(0xD0, 0)
    }
    setGICH(GICH.hcr, 0)
    for lr in 0..<UInt(4) { setGICH(GICH.lr &+ lr * 4, 0) }
}

func finish() -> Never {
    writeSummary("gicv2test")
    powerOff(enteredAt: 2)
}

@_cdecl("guest_exception")
func handleException(_ frame: UnsafeMutablePointer<UInt64>) -> UInt64 {
    let offset = frame[Slot.offset], kind = offset & 0x180, esr = frame[Slot.esr]
    let ec = esr >> 26
    // HVC #0xFFFF from EL1: a call_lower body is done.
    if frame[Slot.el] == 2 && offset >= 0x400 && kind == 0 && ec == 0x16 && esr & 0xFFFF == 0xFFFF { return 1 }
    unexpectedCount &+= 1
    write("gicv2test: unexpected exception at EL"); writeDecimal(frame[Slot.el])
    write(" vector +"); writeHex(offset)
    write(" ESR "); writeHex(esr)
    write(" ELR "); writeHex(frame[Slot.elr]); write("\n")
    fail("unexpected exception, vector offset", got: offset, want: 0)
    if kind == 0x80 && frame[Slot.el] == 2 {
        // A physical IRQ: acknowledge it so that it does not come straight back.
        let iar = acknowledge()
        if iar & 0x3FF < 1020 {
            endOfInterrupt(iar)
            if gicc(GICC.ctlr) & UInt64(GICC.eoiMode) != 0 { setGICC(GICC.dir, UInt32(iar)) }
        }
    } else if kind == 0 && ec != 0x16 {
        frame[Slot.elr] &+= 4
    }
    if unexpectedCount > 16 {
        write("gicv2test: too many unexpected exceptions, stopping\n")
        finish()
    }
    return 0
}

@_cdecl("gicv2test_main")
public func gicv2testMain() -> Never {
    let el = readCurrentEL()
    if el != 2 {
        write("gicv2test: must start at EL2, started at EL"); writeDecimal(el); write("\n")
        failed = 1
        finish()
    }
    writeVBAR_EL2(vectorsEL2())
    writeSCTLR_EL2(sctlrEL2Base)
    writeHCR_EL2(hcrEL2)
    gicInit()

    distributorChecks()
    sgiChecks()
    priorityChecks()
    activeChecks()
    virtualChecks()
    finish()
}
