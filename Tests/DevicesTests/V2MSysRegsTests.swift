import Testing
@testable import Devices

/// The V2M motherboard configuration bus as Linux's vexpress-config driver drives it: data, then
/// STAT cleared, then CTRL with START; poll STAT.COMPLETE; read DATA back.
@Suite struct V2MSysRegsTests {
    static let start: UInt64 = 1 << 31, write: UInt64 = 1 << 30

    /// SYS_CFGCTRL for FUNCTION, SITE, POSITION, DEVICE.
    func ctrl(function: UInt64, site: UInt64 = 1, position: UInt64 = 0, device: UInt64) -> UInt64 {
        function << 20 | site << 16 | position << 12 | device
    }

    func transfer(_ r: V2MSysRegs, _ command: UInt64, data: UInt64 = 0xDEAD_BEEF) -> (stat: UInt64, ctrl: UInt64, data: UInt64) {
        r.write(offset: 0xA0, size: 4, value: data)
        r.write(offset: 0xA8, size: 4, value: 0)
        r.write(offset: 0xA4, size: 4, value: command | Self.start)
        return (r.read(offset: 0xA8, size: 4), r.read(offset: 0xA4, size: 4), r.read(offset: 0xA0, size: 4))
    }

    @Test func oscillatorWriteThenRead() {
        let r = V2MSysRegs()
        let osc1 = ctrl(function: 1, device: 1)
        let first = transfer(r, osc1)
        #expect(first.stat & 1 == 1 && first.ctrl & Self.start == 0 && first.data == 0)
        let w = transfer(r, osc1 | Self.write, data: 23_750_000)
        #expect(w.stat & 1 == 1)
        #expect(transfer(r, osc1).data == 23_750_000)
        #expect(transfer(r, ctrl(function: 1, device: 2)).data == 0)   // another oscillator
    }

    @Test func shutdownAndRebootCallTheBoard() {
        let r = V2MSysRegs()
        var events: [String] = []
        r.onShutdown = { events.append("shutdown") }
        r.onReboot = { events.append("reboot") }
        _ = transfer(r, ctrl(function: 8, device: 0))            // a read does nothing
        #expect(events.isEmpty)
        _ = transfer(r, ctrl(function: 8, device: 0) | Self.write, data: 0)
        _ = transfer(r, ctrl(function: 9, device: 0) | Self.write, data: 0)
        #expect(events == ["shutdown", "reboot"])
    }

    @Test func identificationAndFlags() {
        let r = V2MSysRegs()
        #expect(r.read(offset: 0, size: 4) == 0x1190_F500)
        r.write(offset: 0x30, size: 4, value: 0x5)
        r.write(offset: 0x30, size: 4, value: 0x8)
        r.write(offset: 0x34, size: 4, value: 0x1)
        #expect(r.read(offset: 0x30, size: 4) == 0xC)
        #expect(r.read(offset: 0x24, size: 4) == 0)                   // unmodelled: reads as zero
    }
}
