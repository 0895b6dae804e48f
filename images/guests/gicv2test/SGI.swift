// SGIs between CPU 0 (this code) and CPU 1 (boot.S's cpu1_entry loop, started by PSCI CPU_ON),
// through GICD_SGIR's three target list filters (IHI 0048B, GICD_SGIR). CPU 1 reports what it
// acknowledged in a mailbox; CPU 0 polls with bounds, never relying on timing.
import _Volatile

@_silgen_name("psci_cpu_on") func psciCPUOn(_ mpidr: UInt64, _ entry: UInt64, _ context: UInt64) -> Int64
@_silgen_name("addr_cpu1_entry") func cpu1EntryAddress() -> UInt64
@_silgen_name("mailbox_address") func mailboxAddress() -> UInt

/// boot.S's MB_* words.
enum Mailbox {
    static let ready: UInt = 0, stop: UInt = 4, stopped: UInt = 8, other: UInt = 12, targets: UInt = 16
    static func count(_ sgi: UInt32) -> UInt { 32 + UInt(sgi) * 4 }
    static func last(_ sgi: UInt32) -> UInt { 96 + UInt(sgi) * 4 }
}

func mailbox(_ offset: UInt) -> UInt64 { UInt64(mmio(mailboxAddress() &+ offset).load()) }

/// Wait (bounded) until mailbox word `offset` reads at least `value`; returns what it read.
func waitMailbox(_ offset: UInt, atLeast value: UInt64) -> UInt64 {
    var n = 0
    var got = mailbox(offset)
    while got < value && n < 10_000_000 { got = mailbox(offset); n += 1 }
    return got
}

/// Nothing is signalled to CPU 0 and SGI `id` is not pending for it.
func expectNothingForCPU0(_ id: UInt64) {
    expect("CPU 0 GICD_ISPENDR0 bit", bit(GICD.ispendr, id), 0)
    expect("CPU 0 GICC_HPPIR", hppir(), Intid.spurious)
}

func sgiChecks() {
    var cpu1Up = false
    check("sgi.cpu1-online") {
        let status = psciCPUOn(1, cpu1EntryAddress(), 0)
        expect("PSCI CPU_ON status", UInt64(bitPattern: status), 0)
        cpu1Up = waitMailbox(Mailbox.ready, atLeast: 1) == 1
        expectTrue("CPU 1 ready", cpu1Up, got: 0)
        expect("GICD_ITARGETSR0 on CPU 1", mailbox(Mailbox.targets), 0x0202_0202)
    }
    if !cpu1Up {
        skip("sgi.target-list"); skip("sgi.target-list-both"); skip("sgi.all-but-self")
        skip("sgi.self"); skip("sgi.source-cpu"); skip("sgi.cpu1-received")
        return
    }

    // Filter 0 with CPU 1 alone in the list: CPU 1 gets SGI 1 from CPU 0 (IAR CPUID 0).
    check("sgi.target-list") {
        sendSGI(filter: 0, targets: 0b10, id: 1)
        expect("CPU 1's SGI 1 count", waitMailbox(Mailbox.count(1), atLeast: 1), 1)
        expect("CPU 1's GICC_IAR for SGI 1", mailbox(Mailbox.last(1)), 0x001)
        expectNothingForCPU0(1)
    }

    // Filter 0 with both CPUs in the list: each gets its own copy.
    check("sgi.target-list-both") {
        sendSGI(filter: 0, targets: 0b11, id: 2)
        let iar = acknowledgeWaiting()
        expect("CPU 0 GICC_IAR", iar, 0x002)
        if iar & 0x3FF != Intid.spurious { endOfInterrupt(iar) }
        expect("CPU 1's SGI 2 count", waitMailbox(Mailbox.count(2), atLeast: 1), 1)
        expect("CPU 1's GICC_IAR for SGI 2", mailbox(Mailbox.last(2)), 0x002)
    }

    // Filter 1: every CPU but the writer.
    check("sgi.all-but-self") {
        sendSGI(filter: 1, targets: 0, id: 3)
        expect("CPU 1's SGI 3 count", waitMailbox(Mailbox.count(3), atLeast: 1), 1)
        expect("CPU 1's GICC_IAR for SGI 3", mailbox(Mailbox.last(3)), 0x003)
        expectNothingForCPU0(3)
    }

    // Filter 2: the writer only (the target list is ignored).
    check("sgi.self") {
        sendSGI(filter: 2, targets: 0b10, id: 4)
        let iar = acknowledgeWaiting()
        expect("CPU 0 GICC_IAR", iar, 0x004)
        if iar & 0x3FF != Intid.spurious { endOfInterrupt(iar) }
    }

    // CPU 1 answers SGI 6 with SGI 7 to CPU 0: GICC_IAR [12:10] names CPU 1 as the source, and
    // GICC_EOIR takes the whole value back.
    check("sgi.source-cpu") {
        sendSGI(filter: 0, targets: 0b10, id: 6)
        let iar = acknowledgeWaiting()
        expect("CPU 0 GICC_IAR (CPUID 1, SGI 7)", iar, 0x407)
        expect("GICD_ISACTIVER0 SGI 7 while active", bit(GICD.isactiver, 7), 1)
        if iar & 0x3FF != Intid.spurious { endOfInterrupt(iar) }
        expect("GICD_ISACTIVER0 SGI 7 after EOI", bit(GICD.isactiver, 7), 0)
    }

    // All CPU 1 acknowledged, once SGI 6 (sent last) is in: SGIs 1, 2, 3 and 6 once each, not
    // SGI 4 (self only) nor anything else.
    check("sgi.cpu1-received") {
        _ = waitMailbox(Mailbox.count(6), atLeast: 1)
        var sgi: UInt32 = 0
        while sgi < 16 {
            let want: UInt64 = sgi == 1 || sgi == 2 || sgi == 3 || sgi == 6 ? 1 : 0
            let got = mailbox(Mailbox.count(sgi))
            expect("CPU 1's SGI ID << 8 | count", UInt64(sgi) << 8 | got, UInt64(sgi) << 8 | want)
            sgi += 1
        }
        expect("CPU 1's other interrupts", mailbox(Mailbox.other), 0)
    }

    // CPU 1 closes its interface and waits; nothing else is sent its way.
    mmio(mailboxAddress() &+ Mailbox.stop).store(1)
    _ = waitMailbox(Mailbox.stopped, atLeast: 1)
}
