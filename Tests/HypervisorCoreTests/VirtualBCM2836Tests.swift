import Testing
@testable import HypervisorCore

/// The Pi's interrupt controllers as a VM sees them (no GIC: the hypervisor emulates both).
/// Register behaviour from Linux's irq-bcm2836.c / irq-bcm2835.c and the BCM2835 ARM
/// Peripherals manual, as shared/boards/rpi3.md collects it.
@Suite struct VirtualBCM2836Tests {
    /// A 32-bit access to the local block or armctrl; a fault is a test failure.
    @discardableResult
    func access(_ c: inout VirtualBCM2836, armctrl: Bool, _ offset: UInt64, write: Bool, _ value: UInt32 = 0) -> UInt64 {
        let r = armctrl ? c.accessArmctrl(offset: offset, size: 4, write: write, value: value)
                        : c.accessLocal(offset: offset, size: 4, write: write, value: value)
        guard case .handled(let v) = r else { Issue.record("access at \(offset) faulted"); return 0 }
        return v
    }
    func read(_ c: inout VirtualBCM2836, local offset: UInt64) -> UInt64 { access(&c, armctrl: false, offset, write: false) }
    func write(_ c: inout VirtualBCM2836, local offset: UInt64, _ v: UInt32) { access(&c, armctrl: false, offset, write: true, v) }
    func read(_ c: inout VirtualBCM2836, armctrl offset: UInt64) -> UInt64 { access(&c, armctrl: true, offset, write: false) }
    func write(_ c: inout VirtualBCM2836, armctrl offset: UInt64, _ v: UInt32) { access(&c, armctrl: true, offset, write: true, v) }

    @Test func timerInputReachesOnlyItsCoreAndOnlyWhenEnabled() {
        var c = VirtualBCM2836(cpus: 2)
        c.timerLines[1] = 1 << 3                        // vCPU 1's CNTV asserted
        #expect(c.irqSource(1) == 0)                    // not routed yet
        write(&c, local: 0x44, 1 << 3)                  // core 1 timer control: CNTV IRQ
        #expect(read(&c, local: 0x64) == 1 << 3)
        #expect(c.irqSource(0) == 0)
        #expect(c.fiqSource(1) == 0)
        write(&c, local: 0x44, (1 << 3) | (1 << 7))     // FIQ enable wins over IRQ
        #expect(c.irqSource(1) == 0)
        #expect(read(&c, local: 0x74) == 1 << 3)
        c.timerLines[1] = 0                             // a level: gone when the input drops
        #expect(c.fiqSource(1) == 0)
    }

    @Test func mailboxesLatchUntilClearedAndTargetOneCore() {
        var c = VirtualBCM2836(cpus: 4)
        write(&c, local: 0x58, 1)                       // core 2: mailbox 0 IRQ enabled
        write(&c, local: 0x80 + 16 * 2, 0b101)          // set bits 0 and 2 of core 2's mailbox 0
        write(&c, local: 0x80 + 16 * 2, 0b010)          // write-1-to-set accumulates
        #expect(read(&c, local: 0x68) == 1 << 4)
        #expect(read(&c, local: 0xC0 + 16 * 2) == 0b111)
        #expect(read(&c, local: 0x80 + 16 * 2) == 0)    // the set register is write-only
        #expect(c.irqSource(1) == 0 && c.irqSource(3) == 0)
        write(&c, local: 0xC0 + 16 * 2, 0b011)          // write-1-to-clear
        #expect(read(&c, local: 0xC0 + 16 * 2) == 0b100)
        #expect(c.irqSource(2) == 1 << 4)
        write(&c, local: 0xC0 + 16 * 2, 0b100)
        #expect(c.irqSource(2) == 0)
    }

    @Test func coresBeyondTheVMReadZeroAndIgnoreWrites() {
        var c = VirtualBCM2836(cpus: 1)
        write(&c, local: 0x4C, 0xFF)
        #expect(read(&c, local: 0x4C) == 0)
        write(&c, local: 0x80 + 16 * 3, 1)
        #expect(read(&c, local: 0xC0 + 16 * 3) == 0)
        #expect(c.irqSource(3) == 0)
    }

    @Test func armctrlPendingFollowsLevelAndEnable() {
        var c = VirtualBCM2836(cpus: 1)
        c.setGPULine(57, true)                          // the vUART (a shortcut interrupt)
        c.setGPULine(3, true)                           // a bank-1 interrupt without a shortcut
        #expect(read(&c, armctrl: 0x00) == 0)           // nothing enabled: nothing pending
        write(&c, armctrl: 0x14, 1 << (57 - 32))        // enable 2
        write(&c, armctrl: 0x10, 1 << 3)                // enable 1
        #expect(read(&c, armctrl: 0x14) == 1 << (57 - 32))
        #expect(read(&c, armctrl: 0x04) == 1 << 3)
        #expect(read(&c, armctrl: 0x08) == 1 << (57 - 32))
        // 57 has shortcut bit 19 and so does not set bit 9; 3 has none, so bit 8 says bank 1.
        #expect(read(&c, armctrl: 0x00) == (1 << 19) | (1 << 8))
        write(&c, armctrl: 0x1C, 1 << 3)                // disable 1
        #expect(read(&c, armctrl: 0x00) == 1 << 19)
        c.setGPULine(57, false)
        #expect(read(&c, armctrl: 0x00) == 0)
        #expect(c.gpuEnabled(57) && !c.gpuEnabled(3))
    }

    @Test func armctrlOutputGoesToTheRoutedCore() {
        var c = VirtualBCM2836(cpus: 4)
        c.setGPULine(57, true)
        write(&c, armctrl: 0x14, 1 << (57 - 32))
        #expect(c.irqSource(0) == 1 << 8)               // GPU routing 0: core 0
        write(&c, local: 0x0C, 2)                       // IRQs to core 2
        #expect(c.irqSource(0) == 0)
        #expect(read(&c, local: 0x68) == 1 << 8)
        write(&c, armctrl: 0x0C, 0x80 | 57)             // FIQ control: GPU 57 as the FIQ
        write(&c, local: 0x0C, 2 | (3 << 2))            // FIQs to core 3
        #expect(c.fiqSource(3) == 1 << 8)
        #expect(c.fiqSource(2) == 0)
    }

    @Test func onlyAlignedWordAccessesAreAnswered() {
        var c = VirtualBCM2836(cpus: 1)
        if case .handled = c.accessLocal(offset: 0x60, size: 8, write: false, value: 0) { Issue.record("8-byte read answered") }
        if case .handled = c.accessLocal(offset: 0x62, size: 4, write: false, value: 0) { Issue.record("unaligned read answered") }
        if case .handled = c.accessArmctrl(offset: 0x04, size: 2, write: false, value: 0) { Issue.record("halfword read answered") }
        if case .handled = c.accessArmctrl(offset: 0x30, size: 4, write: false, value: 0) { Issue.record("read past armctrl answered") }
    }
}
