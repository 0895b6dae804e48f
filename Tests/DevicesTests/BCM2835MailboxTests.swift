import Testing
@testable import Devices

/// The VideoCore mailbox answering the firmware's property channel, as Linux and U-Boot use it.
@Suite struct BCM2835MailboxTests {
    final class Line: InterruptSink {
        var level = false
        func setLevel(intid: Int, asserted: Bool) { if intid == 65 { level = asserted } }
    }

    static func words(_ w: [UInt32]) -> [UInt8] { w.flatMap { v in (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } } }

    @Test func propertyTagsAreAnsweredThroughTheBusAlias() throws {
        let ram = VirtIOTestRAM(base: 0, size: 1 << 20)
        let line = Line()
        let fw = BCM2835Mailbox.Firmware(boardRevision: 0xA020D3, armMemory: 0x3C00_0000, vcMemory: 0x400_0000,
                                         serial: 0x1122_3344_5566_7788, mac: [1, 2, 3, 4, 5, 6], revision: 1234)
        let mbox = BCM2835Mailbox(firmware: fw, memory: ram, irq: 65, sink: line)
        let buf: UInt64 = 0x1000
        // {size, code, tags..., end}: board revision, ARM memory, an unknown tag, UART clock rate.
        ram.put(buf, Self.words([0x50, 0,
                                 0x0001_0002, 4, 0, 0,
                                 0x0001_0005, 8, 0, 0, 0,
                                 0x0004_0099, 4, 0, 0xDEAD,
                                 0x0003_0002, 8, 4, 2, 0,
                                 0, 0]))
        mbox.write(offset: 0x1C, size: 4, value: 1)                       // IRQ when mailbox 0 has data
        mbox.write(offset: 0x20, size: 4, value: 0xC000_0000 | buf | 8)   // channel 8, uncached bus alias
        #expect(mbox.read(offset: 0x18, size: 4) == 1 << 30)              // the answer takes a moment
        mbox.tick(now: 1)
        #expect(line.level)
        #expect(mbox.read(offset: 0x18, size: 4) == 0)
        #expect(mbox.read(offset: 0x00, size: 4) == 0xC000_0000 | buf | 8)
        #expect(!line.level)
        let w = (0..<21).map { ram.get32(buf + UInt64(4 * $0)) }
        #expect(w[1] == 0x8000_0000)                                      // request successful
        #expect(w[4] == 0x8000_0004 && w[5] == 0xA020D3)
        #expect(w[8] == 0x8000_0008 && w[9] == 0 && w[10] == 0x3C00_0000)
        #expect(w[13] == 0 && w[14] == 0xDEAD)                            // unknown tag left alone
        #expect(w[17] == 0x8000_0008 && w[18] == 2 && w[19] == 48_000_000)
    }

    @Test func powerManagementNeedsThePassword() {
        let pm = BCM2835PM()
        var off = 0, reset = 0
        pm.onPowerOff = { off += 1 }
        pm.onReset = { reset += 1 }
        pm.write(offset: 0x1C, size: 4, value: 0x20)                      // no password: ignored
        #expect(off == 0 && reset == 0)
        pm.write(offset: 0x1C, size: 4, value: 0x5A00_0020)               // full reset
        #expect(reset == 1)
        pm.write(offset: 0x20, size: 4, value: 0x5A00_0555)               // partition 63: halt
        pm.write(offset: 0x1C, size: 4, value: 0x5A00_0020)
        #expect(off == 1 && reset == 1)
    }
}
