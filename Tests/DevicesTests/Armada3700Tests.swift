import Testing
@testable import Devices

/// The Armada 3700 UART and the register banks of the ESPRESSObin's syscons.
@Suite struct Armada3700Tests {
    func make() -> (Armada3700UART, SerialBackend, RecordingSink) {
        let backend = SerialBackend(handle: nil)
        let sink = RecordingSink()
        return (Armada3700UART(name: "uart", backend: backend, lines: (43, 44, 45), sink: sink), backend, sink)
    }

    @Test func idleStatusIsWhatEarlyconAndUBootWaitFor() {
        let (u, backend, _) = make()
        var lines: [String] = []
        backend.onLine = { lines.append($0) }
        let stat = u.read(offset: 0x0C, size: 4)
        #expect(stat & (1 << 13) != 0, "TX_FIFO_EMP")
        #expect(stat & (1 << 6) != 0, "TX_EMP")
        #expect(stat & (1 << 5) != 0, "TX_RDY")
        #expect(stat & (1 << 11) == 0, "never TX_FIFO_FUL")
        #expect(stat & (1 << 4) == 0, "no RX_RDY without input")
        for c in "ok\n".utf8 { u.write(offset: 0x04, size: 4, value: UInt64(c)) }
        #expect(lines == ["ok"])
        #expect(u.read(offset: 0x10, size: 4) == 13, "BRDV as firmware leaves it for 115200 baud at 25 MHz")
    }

    @Test func receiveRaisesTheRXLineOnlyWhenEnabled() {
        let (u, backend, sink) = make()
        backend.enqueueInput([0x61, 0x62])
        u.tick(now: 0)
        #expect(sink.levels[45] != true, "RX interrupt disabled")
        #expect(u.read(offset: 0x0C, size: 4) & (1 << 4) != 0, "RX_RDY")
        u.write(offset: 0x08, size: 4, value: 1 << 4)
        #expect(sink.levels[45] == true)
        #expect(sink.levels[43] == true, "the summary line follows")
        #expect(sink.levels[44] != true, "TX interrupt disabled")
        #expect(u.read(offset: 0x00, size: 4) == 0x61)
        #expect(u.read(offset: 0x00, size: 4) == 0x62)
        #expect(sink.levels[45] == false, "drops when the FIFO empties")
        u.write(offset: 0x08, size: 4, value: 1 << 5)
        #expect(sink.levels[44] == true, "TX ready interrupt: the transmitter is always ready")
    }

    @Test func rxFIFOResetDropsInput() {
        let (u, backend, _) = make()
        backend.enqueueInput([1, 2, 3])
        u.tick(now: 0)
        u.write(offset: 0x08, size: 4, value: 1 << 14)
        #expect(u.read(offset: 0x0C, size: 4) & (1 << 4) == 0)
    }

    @Test func registerBankKeepsWritesAndHonoursReadOnlyBits() {
        let bank = RegisterBank(name: "syscon", size: 0x20, values: [0x04: 0x1234_5678, 0x10: 0x8], readOnly: [0x10: 0xF])
        #expect(bank.read(offset: 0x04, size: 4) == 0x1234_5678)
        #expect(bank.read(offset: 0x06, size: 2) == 0x1234)
        bank.write(offset: 0x05, size: 1, value: 0xAB)
        #expect(bank.read(offset: 0x04, size: 4) == 0x1234_AB78)
        bank.write(offset: 0x10, size: 4, value: 0xF0)
        #expect(bank.read(offset: 0x10, size: 4) == 0xF8, "bits 3:0 keep their reset value")
        var seen: [(UInt64, UInt32)] = []
        bank.onWrite = { seen.append(($0, $1)) }
        bank.write(offset: 0x18, size: 8, value: 0x1_0000_0002)
        #expect(bank.read(offset: 0x18, size: 8) == 0x1_0000_0002)
        #expect(seen.map { $0.0 } == [0x18, 0x1C])
    }

    /// Two chained descriptors on channel 1 (a copy, then an XOR of two sources), as mv_xor's
    /// self-tests build them; the causes, the interrupt line and write-0-to-clear.
    @Test func xorEngineRunsADescriptorChain() {
        let ram = VirtIOTestRAM()
        let sink = RecordingSink()
        let xor = Armada3700XOR(name: "xor", memory: ram, lines: [79, 80], sink: sink)
        func le(_ words: [UInt32]) -> [UInt8] { words.flatMap { w in (0..<4).map { UInt8(truncatingIfNeeded: w >> (8 * UInt32($0))) } } }
        let base: UInt32 = 0x4000_0000
        _ = ram.dmaWrite(UInt64(base + 0x1000), (0..<256).map { UInt8($0) })                 // source A
        _ = ram.dmaWrite(UInt64(base + 0x2000), [UInt8](repeating: 0xFF, count: 256))        // source B
        let copy = le([1 << 31, 0, 2 << 24, base + 0x40, 256, base + 0x3000, base + 0x1000] + [UInt32](repeating: 0, count: 9))
        let xorDesc = le([1 << 31, 0, 1 << 31 | 0 << 24 | 0b11, 0, 256, base + 0x4000, base + 0x1000, base + 0x2000] + [UInt32](repeating: 0, count: 8))
        _ = ram.dmaWrite(UInt64(base), copy)
        _ = ram.dmaWrite(UInt64(base + 0x40), xorDesc)
        xor.write(offset: 0x14, size: 4, value: 7)                  // channel 1: operation in the descriptor
        xor.write(offset: 0x40, size: 4, value: 0xFFFF_0000)        // channel 1's interrupts unmasked
        xor.write(offset: 0x204, size: 4, value: UInt64(base))      // NEXT_DESC
        xor.write(offset: 0x24, size: 4, value: 1)                  // activate
        #expect(ram.dmaRead(UInt64(base + 0x3000), count: 256) == (0..<256).map { UInt8($0) })
        #expect(ram.dmaRead(UInt64(base + 0x4000), count: 256) == (0..<256).map { ~UInt8($0) })
        #expect(ram.dmaRead(UInt64(base), count: 4) == [0, 0, 0, 0x40], "status: success, no longer owned")
        #expect(xor.read(offset: 0x214, size: 4) == UInt64(base + 0x40), "CURR_DESC: the last one done")
        #expect((xor.read(offset: 0x24, size: 4) >> 4) & 3 == 0, "idle")
        #expect(xor.read(offset: 0x30, size: 4) >> 16 == 0x7, "end of descriptor, of chain, stopped")
        #expect(sink.levels[80] == true && sink.levels[79] != true)
        xor.write(offset: 0x30, size: 4, value: ~UInt64(0x7_0000) & 0xFFFF_FFFF)
        #expect(xor.read(offset: 0x30, size: 4) == 0)
        #expect(sink.levels[80] == false)
    }
}
