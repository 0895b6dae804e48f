import Testing
@testable import Devices

final class RecordingSink: InterruptSink {
    var levels: [Int: Bool] = [:]
    func setLevel(intid: Int, asserted: Bool) { levels[intid] = asserted }
}

/// PL011 registers as the PrimeCell UART TRM describes them.
@Suite struct PL011Tests {
    func make() -> (PL011, SerialBackend, RecordingSink) {
        let backend = SerialBackend(handle: nil)
        let sink = RecordingSink()
        return (PL011(name: "uart", backend: backend, irq: 33, clockHz: 24_000_000, sink: sink), backend, sink)
    }

    @Test func transmitsAndSplitsLines() {
        let (u, backend, _) = make()
        var lines: [String] = []
        backend.onLine = { lines.append($0) }
        for c in "hi\r\nthere\n".utf8 { u.write(offset: 0, size: 4, value: UInt64(c)) }
        #expect(lines == ["hi", "there"])
        #expect(u.read(offset: 0x18, size: 4) & 0x80 != 0, "TXFE: transmit FIFO empty")
        #expect(u.read(offset: 0x18, size: 4) & 0x20 == 0, "never TXFF")
    }

    @Test func receiveFIFOAndInterrupts() {
        let (u, backend, sink) = make()
        #expect(u.read(offset: 0x18, size: 4) & 0x10 != 0, "RXFE when nothing received")
        u.write(offset: 0x38, size: 4, value: 0x50)   // IMSC: RX and RX timeout
        backend.enqueueInput([0x41, 0x42])
        u.tick(now: 0)
        #expect(sink.levels[33] == true)
        #expect(u.read(offset: 0x40, size: 4) & 0x50 != 0, "MIS shows RX")
        #expect(u.read(offset: 0x18, size: 4) & 0x10 == 0)
        #expect(u.read(offset: 0x00, size: 4) == 0x41)
        // FIFO disabled: one entry at a time, refilled from the backend.
        #expect(u.read(offset: 0x00, size: 4) == 0x42)
        #expect(sink.levels[33] == false, "line drops when the FIFO empties")
        #expect(u.read(offset: 0x18, size: 4) & 0x10 != 0)
    }

    @Test func txInterruptClearedByICR() {
        let (u, _, sink) = make()
        u.write(offset: 0x38, size: 4, value: 0x20)   // TXIM
        u.write(offset: 0, size: 4, value: 0x41)
        #expect(u.read(offset: 0x3C, size: 4) & 0x20 != 0)
        #expect(sink.levels[33] == true)
        u.write(offset: 0x44, size: 4, value: 0x20)   // ICR
        #expect(u.read(offset: 0x3C, size: 4) & 0x20 == 0)
        #expect(sink.levels[33] == false)
    }

    @Test func identification() {
        let (u, _, _) = make()
        let ids = (0..<8).map { u.read(offset: 0xFE0 + UInt64($0) * 4, size: 4) }
        #expect(ids == [0x11, 0x10, 0x14, 0x00, 0x0D, 0xF0, 0x05, 0xB1])
    }
}

@Suite struct DeviceTreeTests {
    @Test func writeThenPatch() throws {
        let w = try DeviceTreeWriter()
        try w.beginNode("")
        try w.property("#address-cells", cells: [2])
        try w.beginNode("chosen")
        try w.endNode()
        try w.endNode()
        var blob = try DeviceTreeBlob(try w.finish())
        try blob.set("/chosen", "bootargs", string: "console=ttyAMA0")
        try blob.set("/memory@40000000", "reg", cells: [0, 0x4000_0000, 0, 0x1000_0000])
        let again = try DeviceTreeBlob(blob.packed())
        #expect(again.get("/chosen", "bootargs") == Array("console=ttyAMA0".utf8) + [0])
        #expect(again.cells("/memory@40000000", "reg") == [0, 0x4000_0000, 0, 0x1000_0000])
    }

    @Test func rejectsGarbage() {
        #expect(throws: DeviceTreeError.self) { try DeviceTreeBlob(Array("not a device tree, just some text".utf8) + [UInt8](repeating: 0, count: 40)) }
        #expect(throws: DeviceTreeError.self) { try DeviceTreeBlob([0xD0, 0x0D]) }
    }
}
