import Foundation
import Testing
@testable import Devices

/// The standard SDHCI as U-Boot's sdhci.c drives it (PIO and SDMA, with the buffer boundary), and
/// the SPI NOR flash behind the Armada 3700 SPI controller.
@Suite struct SDHCITests {
    func make(blocks: Int = 2048) throws -> (SDHCI, VirtIOTestRAM, RecordingSink, () -> Void) {
        let (img, path) = try BCM2835SDHostTests.image(blocks: blocks)
        let ram = VirtIOTestRAM()
        let sink = RecordingSink()
        let h = SDHCI(name: "sdhci", card: SDCard(image: img), memory: ram, irq: 57, sink: sink)
        h.write(offset: 0x29, size: 1, value: 0x0F)                      // bus power on, 3.3 V
        h.write(offset: 0x34, size: 4, value: 0xFFFF_FFFF)               // every status latches
        return (h, ram, sink, { img.close(); try? FileManager.default.removeItem(atPath: path) })
    }

    /// Command register value: index, data present, response type (1: 136-bit, 2: 48-bit, 3: busy).
    func send(_ h: SDHCI, _ index: UInt16, _ arg: UInt32, response: UInt16 = 2, data: Bool = false, mode: UInt16 = 0) {
        h.write(offset: 0x08, size: 4, value: UInt64(arg))
        h.write(offset: 0x0C, size: 4, value: UInt64(mode) | UInt64(index << 8 | (data ? 1 << 5 : 0) | response) << 16)
    }

    func clear(_ h: SDHCI) { h.write(offset: 0x30, size: 4, value: 0xFFFF_FFFF) }

    func identify(_ h: SDHCI) -> UInt32 {
        send(h, 0, 0, response: 0); clear(h)
        send(h, 8, 0x1AA); clear(h)
        send(h, 55, 0); clear(h)
        send(h, 41, 0x4030_0000); clear(h)
        send(h, 2, 0, response: 1); clear(h)
        send(h, 3, 0); clear(h)
        let rca = UInt32(h.read(offset: 0x10, size: 4) >> 16)
        send(h, 7, rca << 16, response: 3)
        #expect(h.read(offset: 0x30, size: 2) & 3 == 3, "R1b: command and transfer complete")
        clear(h)
        return rca
    }

    @Test func clockStabilisesAndCapabilitiesAdvertiseSDMA() throws {
        let (h, _, _, done) = try make(); defer { done() }
        h.write(offset: 0x2C, size: 2, value: 1)
        #expect(h.read(offset: 0x2C, size: 2) & 2 != 0, "internal clock stable")
        #expect(h.read(offset: 0x40, size: 4) & (1 << 22) != 0)
        #expect(h.read(offset: 0xFE, size: 2) & 0xFF == 2, "spec version 3.00")
        #expect(h.read(offset: 0x24, size: 4) & (1 << 16) != 0, "card inserted")
        h.write(offset: 0x170, size: 4, value: 1 << 31)
        #expect(h.read(offset: 0x170, size: 4) & (1 << 31) == 0, "Xenon PHY initialisation completes")
    }

    @Test func identifiesAndReadsByPIO() throws {
        let (h, _, _, done) = try make(); defer { done() }
        let rca = identify(h)
        send(h, 9, rca << 16, response: 1)
        // CSD without its CRC byte (RESP[119:0] = CSD[127:8]): C_SIZE, CSD bits 69:48, at 61:40.
        let csd = (0..<4).map { UInt32(h.read(offset: 0x10 + UInt64($0) * 4, size: 4)) }
        let cSize = (csd[1] >> 8) & 0x3F_FFFF
        #expect((cSize + 1) * 512 * 1024 == 1 << 20)
        clear(h)
        h.write(offset: 0x04, size: 2, value: 512)
        send(h, 17, 5, data: true, mode: 1 << 4)
        #expect(h.read(offset: 0x30, size: 2) & (1 << 5) != 0, "buffer read ready")
        var got: [UInt8] = []
        for _ in 0..<128 { let w = h.read(offset: 0x20, size: 4); got += (0..<4).map { UInt8(truncatingIfNeeded: w >> (8 * UInt64($0))) } }
        #expect(got == (0..<512).map { UInt8(truncatingIfNeeded: (5 * 512 + $0) / 512 &* 7 &+ (5 * 512 + $0)) })
        #expect(h.read(offset: 0x30, size: 2) & (1 << 1) != 0, "transfer complete")
    }

    @Test func sdmaStopsAtTheBufferBoundaryUntilTheNextAddress() throws {
        let (h, ram, _, done) = try make(); defer { done() }
        _ = identify(h)
        h.write(offset: 0x00, size: 4, value: 0x4000_0000)
        h.write(offset: 0x04, size: 2, value: 512)                       // 4 KiB boundary
        h.write(offset: 0x06, size: 2, value: 16)                        // 16 blocks = 8 KiB
        send(h, 18, 0, data: true, mode: 1 | 1 << 1 | 1 << 2 | 1 << 4 | 1 << 5)
        #expect(h.read(offset: 0x30, size: 2) & (1 << 3) != 0, "DMA interrupt at the 4 KiB boundary")
        #expect(h.read(offset: 0x30, size: 2) & (1 << 1) == 0)
        #expect(h.read(offset: 0x00, size: 4) == 0x4000_1000)
        h.write(offset: 0x30, size: 2, value: 1 << 3)
        h.write(offset: 0x00, size: 4, value: 0x4000_1000)
        #expect(h.read(offset: 0x30, size: 2) & (1 << 1) != 0, "transfer complete after the second half")
        let block9 = ram.dmaRead(0x4000_0000 + 9 * 512, count: 512)!
        #expect(block9 == (0..<512).map { UInt8(truncatingIfNeeded: (9 * 512 + $0) / 512 &* 7 &+ (9 * 512 + $0)) })
    }

    @Test func noCardTimesOut() throws {
        let sink = RecordingSink()
        let h = SDHCI(name: "emmc", card: nil, memory: VirtIOTestRAM(), irq: 58, sink: sink)
        h.write(offset: 0x34, size: 4, value: 0xFFFF_FFFF)
        h.write(offset: 0x38, size: 4, value: 0xFFFF_FFFF)
        send(h, 0, 0, response: 0)
        #expect(h.read(offset: 0x32, size: 2) & 1 != 0, "command timeout")
        #expect(h.read(offset: 0x30, size: 2) & (1 << 15) != 0, "error summary")
        #expect(sink.levels[58] == true)
    }

    @Test func spiNORFlashProgramsAndErasesLikeNOR() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("minos-nor-\(UUID().uuidString).img").path
        FileManager.default.createFile(atPath: path, contents: Data(repeating: 0xFF, count: 4 << 20))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let image = try DiskImage(path: path, mode: .readWrite)
        defer { image.close() }
        let flash = try #require(SPINORFlash(image: image))
        let spi = Armada3700SPI(name: "spi", flash: [0: flash])
        func cycle(_ bytes: [UInt8]) -> [UInt8] {
            spi.write(offset: 0x00, size: 4, value: 1 << 16)               // chip select 0
            let out = bytes.map { b -> UInt8 in spi.write(offset: 0x08, size: 4, value: UInt64(b)); return UInt8(spi.read(offset: 0x0C, size: 4)) }
            spi.write(offset: 0x00, size: 4, value: 0)
            return out
        }
        #expect(Array(cycle([0x9F, 0, 0, 0]).dropFirst()) == [0xC2, 0x20, 0x16])
        _ = cycle([0x02, 0x3F, 0x00, 0x10, 0x12])                        // no WREN: ignored
        #expect(cycle([0x03, 0x3F, 0x00, 0x10, 0])[4] == 0xFF)
        _ = cycle([0x06]); _ = cycle([0x02, 0x3F, 0x00, 0x10, 0x12, 0x34])
        _ = cycle([0x06]); _ = cycle([0x02, 0x3F, 0x00, 0x10, 0xF0])     // programming only clears bits
        #expect(Array(cycle([0x03, 0x3F, 0x00, 0x10, 0, 0]).suffix(2)) == [0x10, 0x34])
        _ = cycle([0x06]); _ = cycle([0x20, 0x3F, 0x00, 0x00])           // 4 KiB sector erase
        #expect(Array(cycle([0x0B, 0x3F, 0x00, 0x10, 0, 0]).suffix(1)) == [0xFF])
        spi.write(offset: 0x04, size: 4, value: 1 << 9)
        #expect(spi.read(offset: 0x04, size: 4) & (1 << 9) == 0, "FIFO flush completes at once")
        #expect(spi.read(offset: 0x00, size: 4) & 2 != 0, "transfer ready")
    }
}
