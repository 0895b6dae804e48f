// hvguest: one EL1 test program for the hypervisor; /chosen/bootargs
// `test=<name>` picks hello, vtimer, smp, sgi, passthrough, isolation, echo, crash, reset,
// busy, wakeup, vpmu (VPMU.swift), dma-attack or dma-victim (DMA.swift).
// Every test ends with a `PASS <name>` or `FAIL <name>: why` line, then
// powers its VM off through PSCI SYSTEM_OFF. No heap: nothing allocates.
import _Volatile

@_silgen_name("secondary_start_address") func secondaryStartAddress() -> UInt
@_silgen_name("image_start_address") func imageStartAddress() -> UInt

/// Shared words (see `shared`): counters the IRQ/sync handlers update.
enum Slot {
    static let vtimerTicks = 0, sgiOnCPU1 = 1, sgiOnCPU0 = 2, cpuUp = 3   // 3..10: one per vCPU
    static let ptimerTicks = 11, syncCount = 12, lastESR = 13, mode = 14, release = 15, failures = 16
    /// A word nothing sets; the PMU interrupt's record (3 per vCPU, 20..43); vCPUs done (48..55).
    static let never = 17, pmu = 20, done = 48
}

enum Mode: UInt64 { case hello = 1, vtimer, smp, sgi, passthrough, isolation, echo, crash, reset, busy, wakeup, vpmu, dmaAttack, dmaVictim }

/// `test=<name>` in the boot arguments at `args`.
func parseMode(_ args: UInt?) -> Mode {
    guard var p = args else { return .hello }
    func at(_ a: UInt) -> UInt8 { UnsafePointer<UInt8>(bitPattern: a)!.pointee }
    func matches(_ a: UInt, _ s: StaticString) -> Bool {
        s.withUTF8Buffer { buf in
            for (i, b) in buf.enumerated() where at(a &+ UInt(i)) != b { return false }
            let next = at(a &+ UInt(buf.count))
            return next == 0 || next == 32
        }
    }
    while at(p) != 0 {
        if at(p) == 116, at(p &+ 1) == 101, at(p &+ 2) == 115, at(p &+ 3) == 116, at(p &+ 4) == 61 {   // "test="
            let v = p &+ 5
            if matches(v, "vtimer") { return .vtimer }
            if matches(v, "smp") { return .smp }
            if matches(v, "sgi") { return .sgi }
            if matches(v, "passthrough") { return .passthrough }
            if matches(v, "isolation") { return .isolation }
            if matches(v, "echo") { return .echo }
            if matches(v, "crash") { return .crash }
            if matches(v, "reset") { return .reset }
            if matches(v, "busy") { return .busy }
            if matches(v, "wakeup") { return .wakeup }
            if matches(v, "vpmu") { return .vpmu }
            if matches(v, "dma-attack") { return .dmaAttack }
            if matches(v, "dma-victim") { return .dmaVictim }
            return .hello
        }
        p &+= 1
    }
    return .hello
}

@_cdecl("guest_main")
public func guestMain(dtb: UInt) -> Never {
    let mode = parseMode(deviceTreeProperty(dtb, "bootargs"))
    shared(Slot.mode).store(mode.rawValue)
    Console.write("hvguest: vCPU "); Console.dec(cpuIndex()); Console.write(" at EL"); Console.dec(currentEL())
    Console.write(", image at "); Console.hex(imageStartAddress()); Console.write(", test ")
    switch mode {
    case .hello: Console.line("hello"); helloTest()
    case .vtimer: Console.line("vtimer"); vtimerTest()
    case .smp: Console.line("smp"); smpTest()
    case .sgi: Console.line("sgi"); sgiTest()
    case .passthrough: Console.line("passthrough"); passthroughTest()
    case .isolation: Console.line("isolation"); isolationTest()
    case .echo: Console.line("echo"); echoTest()
    case .crash: Console.line("crash"); crashTest()
    case .reset: Console.line("reset"); resetTest()
    case .busy: Console.line("busy"); busyTest()
    case .wakeup: Console.line("wakeup"); wakeupTest()
    case .vpmu: Console.line("vpmu"); vpmuTest()
    case .dmaAttack:
        Console.line("dma-attack")
        // `pci=<ECAM>` (and `window=<BAR window>`): a virtio-blk-pci function on bus 0; else the
        // virtio-mmio slot at `dev=` or the board's first.
        let args = deviceTreeProperty(dtb, "bootargs")
        if let ecam = bootArgumentHex(args, "pci=") {
            let window = bootArgumentHex(args, "window=") ?? 0x1000_0000
            var probe = VirtIOPCIBlockProbe(ecam: ecam, window: window, area: dmaQueueArea())
            dmaAttackTest(&probe)
        } else {
            var probe = VirtIOBlockProbe(base: bootArgumentHex(args, "dev=") ?? boardVirtioBase(), area: dmaQueueArea())
            dmaAttackTest(&probe)
        }
    case .dmaVictim: Console.line("dma-victim"); dmaVictimTest()
    }
    powerOff()
}

@_cdecl("guest_secondary")
public func guestSecondary(index: UInt) -> Never {
    let i = Int(index)
    if shared(Slot.mode).load() == Mode.vpmu.rawValue {
        IRQ.initCPU()
        IRQ.enablePrivate(PMU.intid)
        vpmuChecks()
        shared(Slot.done + i).store(1)
    } else if shared(Slot.mode).load() == Mode.sgi.rawValue {
        IRQ.initCPU()
        IRQ.enablePrivate(1)
        irqEnable()
        shared(Slot.cpuUp + i).store(1)
        // Masked check then WFI, as in waitUntil: the release's SGI may land between them.
        while true {
            irqDisable()
            if shared(Slot.release).load() != 0 { break }
            waitForInterrupt()
            irqEnable()
        }
        irqEnable()
    } else {
        Console.write("hvguest: vCPU "); Console.dec(index); Console.write(" up at EL"); Console.dec(currentEL()); Console.end()
        shared(Slot.cpuUp + i).store(1)
    }
    _ = hvc(PSCI.cpuOff, 0, 0, 0)
    Console.line("FAIL smp: CPU_OFF returned")
    halt()
}

/// Synchronous exceptions the hypervisor injected (or the CPU raised): count, remember ESR, skip.
@_cdecl("guest_sync")
public func guestSync(esr: UInt, elr: UInt, far: UInt) -> UInt {
    shared(Slot.syncCount).store(shared(Slot.syncCount).load() &+ 1)
    shared(Slot.lastESR).store(UInt64(esr))
    return elr &+ 4
}

@_cdecl("guest_irq")
public func guestIRQ(esr: UInt, elr: UInt, far: UInt) -> UInt {
    while true {
        let iar = IRQ.acknowledge()
        let intid = iar & 0x3FF
        if intid >= 1020 { break }
        switch intid {
        case 27:
            let n = shared(Slot.vtimerTicks).load() &+ 1
            shared(Slot.vtimerTicks).store(n)
            if n < 5 { vtimerArm(readCNTFRQ() / 100) } else { vtimerStop() }
        case 30:
            shared(Slot.ptimerTicks).store(shared(Slot.ptimerTicks).load() &+ 1)
            ptimerStop()
        case 1:                                 // on vCPU 1: answer with SGI 2 to vCPU 0
            shared(Slot.sgiOnCPU1).store(shared(Slot.sgiOnCPU1).load() &+ 1)
            IRQ.sendSGI(2, to: 0)
        case 2:
            shared(Slot.sgiOnCPU0).store(shared(Slot.sgiOnCPU0).load() &+ 1)
        case UInt(PMU.intid):
            PMUIRQ.taken()
        default:
            Console.write("hvguest: unexpected interrupt "); Console.dec(intid); Console.end()
        }
        IRQ.endOfInterrupt(iar)
    }
    return elr
}

/// Wait (WFI) until `done` or `seconds` of virtual time pass; IRQs are enabled on entry and exit.
/// The check and the WFI run with IRQs masked: an interrupt that makes `done` true between the
/// two would otherwise be handled before the WFI, which then sleeps with nothing left to wake it.
/// WFI still wakes on the pending (masked) interrupt, which is taken once IRQs are unmasked.
func waitUntil(seconds: UInt, _ done: () -> Bool) -> Bool {
    let end = readCNTVCT() &+ readCNTFRQ() &* seconds
    while true {
        irqDisable()
        if done() { irqEnable(); return true }
        if readCNTVCT() > end { irqEnable(); return false }
        waitForInterrupt()
        irqEnable()
    }
}

/// Spin (no WFI) for waits no interrupt ends.
func spinUntil(seconds: UInt, _ done: () -> Bool) -> Bool {
    let end = readCNTVCT() &+ readCNTFRQ() &* seconds
    while !done() { if readCNTVCT() > end { return false } }
    return true
}

func check(_ ok: Bool, _ why: StaticString) {
    if !ok { Console.write("FAIL "); Console.line(why); powerOff() }
}

func helloTest() {
    check(hvc(PSCI.version, 0, 0, 0) == 0x1_0000, "hello: PSCI_VERSION is not 1.0")
    check(hvc(PSCI.features, PSCI.cpuOn, 0, 0) == 0, "hello: PSCI_FEATURES(CPU_ON) not supported")
    check(currentEL() == 1, "hello: not at EL1")
    check(fpTouch(21) == 42, "hello: FP/SIMD result wrong")
    Console.line("Hello from a Minos VM: EL1, PSCI 1.0, FP/SIMD usable")
    Console.line("PASS hello")
}

func vtimerTest() {
    IRQ.initCPU()
    IRQ.enablePrivate(27)
    IRQ.enablePrivate(30)
    irqEnable()
    let start = readCNTVCT()
    vtimerArm(readCNTFRQ() / 100)
    check(waitUntil(seconds: 5) { shared(Slot.vtimerTicks).load() >= 5 }, "vtimer: fewer than 5 virtual timer interrupts")
    let ms = (readCNTVCT() &- start) &* 1000 / readCNTFRQ()
    check(ms >= 40, "vtimer: 5 ticks of 10 ms came too early")
    Console.write("PASS vtimer: 5 virtual timer interrupts in "); Console.dec(ms); Console.line(" ms")
    ptimerArm(readCNTFRQ() / 200)
    check(waitUntil(seconds: 5) { shared(Slot.ptimerTicks).load() >= 1 }, "ptimer: no EL1 physical timer interrupt")
    Console.line("PASS ptimer: emulated EL1 physical timer interrupt")
}

func smpTest() {
    var started = 0
    for i in 1..<8 {
        let r = hvc(PSCI.cpuOn, UInt(i), secondaryStartAddress(), UInt(i))
        if r == -2 { break }                    // INVALID_PARAMETERS: no such vCPU
        check(r == 0, "smp: CPU_ON failed")
        started += 1
    }
    check(started >= 1, "smp: no secondary vCPU")
    for i in 1...started {
        check(spinUntil(seconds: 5) { shared(Slot.cpuUp + i).load() == 1 }, "smp: a vCPU never ran")
        check(spinUntil(seconds: 5) { hvc(PSCI.affinityInfo, UInt(i), 0, 0) == 1 }, "smp: a vCPU never turned off")
    }
    Console.write("PASS smp: "); Console.dec(started); Console.line(" secondary vCPUs started, ran and stopped")
}

func sgiTest() {
    IRQ.initCPU()
    IRQ.enablePrivate(2)
    irqEnable()
    check(hvc(PSCI.cpuOn, 1, secondaryStartAddress(), 1) == 0, "sgi: CPU_ON(1) failed")
    check(spinUntil(seconds: 5) { shared(Slot.cpuUp + 1).load() == 1 }, "sgi: vCPU 1 never ready")
    IRQ.sendSGI(1, to: 1)            // SGI 1 to vCPU 1 (TargetList bit 1)
    check(waitUntil(seconds: 5) { shared(Slot.sgiOnCPU0).load() >= 1 }, "sgi: no SGI 2 came back from vCPU 1")
    shared(Slot.release).store(1)
    IRQ.sendSGI(1, to: 1)            // wake vCPU 1 so it sees the release
    Console.line("PASS sgi: vCPU 1 got SGI 1, vCPU 0 got SGI 2")
    _ = spinUntil(seconds: 2) { hvc(PSCI.affinityInfo, 1, 0, 0) == 1 }
}

func passthroughTest() {
    let magic = reg32(boardVirtioBase()).load()
    check(magic == 0x7472_6976, "passthrough: no virtio-mmio magic at the passed-through device")
    Console.write("PASS passthrough: virtio-mmio at "); Console.hex(boardVirtioBase()); Console.line(" answers with magic 'virt'")
}

/// Every access outside the VM must fault, every bogus call must fail.
func expectFault(_ what: StaticString, ec: UInt64, _ access: () -> Void) {
    let before = shared(Slot.syncCount).load()
    access()
    let got = shared(Slot.syncCount).load() != before
    let esrEC = (shared(Slot.lastESR).load() >> 26) & 0x3F
    Console.write("isolation: "); Console.write(what)
    if got && esrEC == ec { Console.write(": faulted, EC "); Console.hex(UInt(ec)); Console.end() }
    else { Console.line(": NOT faulted as expected"); shared(Slot.failures).store(shared(Slot.failures).load() &+ 1) }
}

func expectError(_ what: StaticString, _ result: Int, _ wanted: Int) {
    Console.write("isolation: "); Console.write(what)
    if result == wanted { Console.write(": refused, "); Console.dec(result); Console.end() }
    else { Console.write(": returned "); Console.dec(result); Console.end(); shared(Slot.failures).store(shared(Slot.failures).load() &+ 1) }
}

func isolationTest() {
    let myBase = imageStartAddress() & ~UInt(0x7FF_FFFF)
    let hypervisorImage = boardHypervisorImage()
    expectFault("read hypervisor memory", ec: 0x25) { _ = reg32(hypervisorImage).load() }
    expectFault("write the next VM's memory", ec: 0x25) { reg32(myBase &+ 0x800_0000).store(0xBAD) }
    expectFault("write below own memory", ec: 0x25) { reg32(myBase &- 0x1000).store(0xBAD) }
    expectFault("read an unowned device", ec: 0x25) { _ = reg32(boardVirtioBase()).load() }
    if IRQ.isGICv2 {
        // The distributor is followed by the CPU interface (the hardware's GICV, 8 KiB) on a GICv2.
        expectFault("read beyond the GIC CPU interface", ec: 0x25) { _ = reg32(boardGICCBase() &+ 0x2000).load() }
        expectFault("read the GIC's virtual interface control", ec: 0x25) { _ = reg32(boardGICHBase()).load() }
    } else if IRQ.hasGIC {
        expectFault("read beyond the GIC distributor", ec: 0x25) { _ = reg32(boardGICDBase() &+ 0x1_0000).load() }
    } else {
        expectFault("read beyond the local interrupt controller", ec: 0x25) { _ = reg32(IRQ.local &+ 0x100).load() }
    }
    expectFault("read HCR_EL2 from EL1", ec: 0x00) { _ = readHCREL2() }
    expectError("bogus HVC function", hvc(0xC600_0000, 0, 0, 0), -1)
    expectError("bogus SMC function", smc(0xC600_0001, 0, 0, 0), -1)
    expectError("HVC with immediate 1", hvcImm1(PSCI.version, 0, 0, 0), -1)
    expectError("CPU_ON for a vCPU the VM does not have", hvc(PSCI.cpuOn, 7, secondaryStartAddress(), 0), -2)
    expectError("CPU_ON of itself", hvc(PSCI.cpuOn, 0, secondaryStartAddress(), 0), -4)
    // The PMU is the VM's own (what it enables reads back; test=vpmu checks what it counts); the
    // debug registers stay the pCPU's: a breakpoint written reads as zero.
    writePMCR(PMU.e)
    writePMCNTENSET(~0)
    let pmcr = readPMCR(), enabled = readPMCNTENSET()
    writePMCNTENCLR(~0)
    writePMCR(0)
    writeDBGBCR0(1)
    let breakpoint = readDBGBCR0()
    let counters = PMU.n(pmcr)
    Console.write("isolation: its own PMU and no breakpoints")
    if pmcr & PMU.e != 0 && counters >= 1 && enabled == (1 << 31 | (1 << counters) - 1) && breakpoint == 0 {
        Console.write(": PMCR_EL0.N "); Console.dec(counters); Console.line(", enables read back, DBGBCR0_EL1 reads as zero")
    } else {
        Console.write(": PMCR_EL0 "); Console.hex(pmcr); Console.write(", PMCNTENSET_EL0 "); Console.hex(enabled)
        Console.write(", DBGBCR0_EL1 "); Console.hex(breakpoint); Console.end()
        shared(Slot.failures).store(shared(Slot.failures).load() &+ 1)
    }
    if shared(Slot.failures).load() == 0 { Console.line("PASS isolation: 6 accesses faulted, 5 bogus calls refused, PMU its own, debug hidden") }
    else { Console.line("FAIL isolation: some checks did not fault or fail") }
}

/// Console input through the VM's virtual UART: PASS once "ok" arrives.
func echoTest() {
    let base = boardUARTBase()
    var previous: UInt32 = 0
    Console.line("echo: waiting for 'ok' on the console")
    let got = spinUntil(seconds: 30) {
        guard reg32(base &+ 0x18).load() & (1 << 4) == 0 else { return false }   // FR.RXFE
        let c = reg32(base).load() & 0xFF
        defer { previous = c }
        return previous == 111 && c == 107                                       // "ok"
    }
    check(got, "echo: no 'ok' arrived on the virtual UART")
    Console.line("PASS echo: console input reached the VM")
}

@_silgen_name("drop_vectors") func dropVectors()

/// A guest that faults with no vector table: the hypervisor must stop this VM
/// (and only it) rather than loop injecting aborts or panic.
func crashTest() {
    Console.line("crash: dropping VBAR_EL1, then touching unmapped memory")
    dropVectors()
    _ = reg32(0x1000).load()
    Console.line("FAIL crash: the access returned")
}

@_silgen_name("reset_marker_address") func resetMarkerAddress() -> UInt

/// PSCI SYSTEM_RESET restarts only this VM, from its entry, with its device tree.
func resetTest() {
    let marker = reg64(resetMarkerAddress())
    if marker.load() == 0 {
        marker.store(1)
        Console.line("reset: first boot, calling SYSTEM_RESET")
        _ = hvc(0x8400_0009, 0, 0, 0)
        Console.line("FAIL reset: SYSTEM_RESET returned")
    } else {
        Console.line("PASS reset: the VM restarted after SYSTEM_RESET")
    }
}

/// Spin without WFI (and without exits) until the counter has advanced by `ms` milliseconds.
/// The counter runs while the vCPU is descheduled: this is a stretch of wall time the vCPU
/// wants the CPU for, not an amount of work.
func spin(ms: UInt) {
    let end = readCNTVCT() &+ readCNTFRQ() &* ms / 1000
    while readCNTVCT() < end {}
}

/// CPU-bound: 200 ms of spinning between a start and a done line. On a pCPU it shares,
/// the scheduler decides who runs meanwhile (scenario `priority` checks the order).
func busyTest() {
    Console.line("busy: start")
    spin(ms: 200)
    Console.line("PASS busy: done")
}

/// Sleeps 50 ms in WFI on the virtual timer, then spins 300 ms. With a higher priority than
/// a busy vCPU on the same pCPU, the timer interrupt must take the pCPU back from it.
func wakeupTest() {
    IRQ.initCPU()
    IRQ.enablePrivate(27)
    irqEnable()
    Console.line("wakeup: sleeping 50 ms")
    let deadline = readCNTVCT() &+ readCNTFRQ() / 20
    vtimerArm(readCNTFRQ() / 20)
    check(waitUntil(seconds: 5) { shared(Slot.vtimerTicks).load() >= 1 }, "wakeup: no virtual timer interrupt")
    vtimerStop()
    let late = (readCNTVCT() &- deadline) &* 1000 / readCNTFRQ()
    Console.write("wakeup: woke "); Console.dec(late); Console.line(" ms after the timer")
    spin(ms: 300)
    Console.line("PASS wakeup: done")
}

/// Every vCPU the VM has (CPU_ON until INVALID_PARAMETERS) runs `vpmuChecks` on itself at once,
/// so with `vcpu_affinity` sharing pCPUs they measure while the others run.
func vpmuTest() {
    IRQ.initCPU()
    IRQ.enablePrivate(PMU.intid)
    var started = 0
    for i in 1..<8 {
        let r = hvc(PSCI.cpuOn, UInt(i), secondaryStartAddress(), UInt(i))
        if r != 0 { break }
        started += 1
    }
    vpmuChecks()
    if started > 0 {
        for i in 1...started {
            check(spinUntil(seconds: 30) { shared(Slot.done + i).load() == 1 }, "vpmu: a secondary vCPU never finished")
        }
    }
    if shared(Slot.failures).load() == 0 {
        Console.write("PASS vpmu: "); Console.dec(started + 1); Console.line(" vCPU(s) counted exactly their own execution")
    }
}
