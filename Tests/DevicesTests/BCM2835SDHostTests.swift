import Foundation
import Testing
@testable import Devices

/// The sdhost controller and SD card as U-Boot's and Linux's drivers use them: identification,
/// a single- and multi-block read through the FIFO, a write, and a guest poking at random.
@Suite struct BCM2835SDHostTests {
    static func image(blocks: Int) throws -> (DiskImage, String) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("minos-sd-\(UUID().uuidString).img").path
        let bytes = (0..<(blocks * 512)).map { UInt8(truncatingIfNeeded: $0 / 512 &* 7 &+ $0) }
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return (try DiskImage(path: path, mode: .snapshot), path)
    }

    /// Sends a command as the drivers do (SDARG, then SDCMD with NEW); returns SDCMD after it.
    @discardableResult
    static func send(_ h: BCM2835SDHost, _ index: UInt32, _ arg: UInt32, flags: UInt32 = 0) -> UInt32 {
        h.write(offset: 0x04, size: 4, value: UInt64(arg))
        h.write(offset: 0x00, size: 4, value: UInt64(0x8000 | flags | index))
        return UInt32(h.read(offset: 0x00, size: 4))
    }

    @Test func identifyReadAndWrite() throws {
        let (img, path) = try Self.image(blocks: 2048)   // 1 MiB
        defer { img.close(); try? FileManager.default.removeItem(atPath: path) }
        let h = BCM2835SDHost(card: SDCard(image: img))
        h.write(offset: 0x30, size: 4, value: 1)                        // power on
        Self.send(h, 0, 0, flags: 0x400)
        #expect(Self.send(h, 8, 0x1AA) & 0x4000 == 0)
        #expect(h.read(offset: 0x10, size: 4) == 0x1AA)                  // R7 echoes the check pattern
        Self.send(h, 55, 0)
        Self.send(h, 41, 0x4030_0000)
        #expect(h.read(offset: 0x10, size: 4) >> 30 == 3)                // powered up, high capacity
        Self.send(h, 2, 0, flags: 0x200)
        Self.send(h, 3, 0)
        let rca = UInt32(h.read(offset: 0x10, size: 4) >> 16)
        Self.send(h, 9, rca << 16, flags: 0x200)
        let csd1 = UInt32(h.read(offset: 0x18, size: 4)), csd2 = UInt32(h.read(offset: 0x14, size: 4))
        let cSize = (csd1 & 0x3F) << 16 | csd2 >> 16
        #expect((cSize + 1) * 512 * 1024 == 1 << 20)                     // CSD v2 capacity
        Self.send(h, 7, rca << 16, flags: 0x800)
        #expect(h.read(offset: 0x20, size: 4) & 0x400 != 0)              // busy done
        h.write(offset: 0x20, size: 4, value: 0x400)
        // CMD18 from block 3: two blocks through the FIFO, then CMD12.
        h.write(offset: 0x3C, size: 4, value: 512)
        Self.send(h, 18, 3, flags: 0x40)
        var got: [UInt8] = []
        while got.count < 1024 {
            let fill = (h.read(offset: 0x34, size: 4) >> 4) & 0x1F
            #expect(fill > 0)
            for _ in 0..<fill { let w = UInt32(h.read(offset: 0x40, size: 4)); got += (0..<4).map { UInt8(truncatingIfNeeded: w >> (8 * $0)) } }
        }
        #expect(got == (3 * 512..<5 * 512).map { UInt8(truncatingIfNeeded: $0 / 512 &* 7 &+ $0) })
        Self.send(h, 12, 0, flags: 0x800)
        #expect(h.read(offset: 0x34, size: 4) & 0xF == 1)               // back in data mode
        // CMD24 to block 5, read back with CMD17.
        Self.send(h, 24, 5, flags: 0x80)
        for i in 0..<128 { h.write(offset: 0x40, size: 4, value: UInt64(0xA5A5_0000 | UInt32(i))) }
        Self.send(h, 17, 5, flags: 0x40)
        #expect(h.read(offset: 0x40, size: 4) == 0xA5A5_0000)
        #expect(h.read(offset: 0x40, size: 4) == 0xA5A5_0001)
    }

    /// The card answers only while GPIO 48-53 are in ALT0 (the Pi's SD pins on sdhost).
    @Test func cardFollowsTheGPIORouting() throws {
        let (img, path) = try Self.image(blocks: 1024)
        defer { img.close(); try? FileManager.default.removeItem(atPath: path) }
        let gpio = BCM2835GPIO()
        let h = BCM2835SDHost(card: SDCard(image: img))
        h.cardRouted = { (48...53).allSatisfy { gpio.function(pin: $0) == 4 } }
        h.write(offset: 0x30, size: 4, value: 1)
        #expect(Self.send(h, 8, 0x1AA) & 0x4000 == 0)                    // firmware default: ALT0
        gpio.write(offset: 0x14, size: 4, value: 7 | 7 << 3 | 7 << 6 | 7 << 9)   // GPIO 50-53 to ALT3 (SDHCI)
        #expect(Self.send(h, 8, 0x1AA) & 0x4000 != 0)
        gpio.write(offset: 0x14, size: 4, value: 4 | 4 << 3 | 4 << 6 | 4 << 9)
        #expect(Self.send(h, 8, 0x1AA) & 0x4000 == 0)
    }

    @Test func noCardTimesOut() {
        let h = BCM2835SDHost(card: nil)
        h.write(offset: 0x30, size: 4, value: 1)
        #expect(Self.send(h, 8, 0x1AA) & 0x4000 != 0)                    // FAIL
        #expect(h.read(offset: 0x20, size: 4) & 0x40 != 0)               // command timeout
    }

    /// Whatever a guest writes where, the model answers without trapping.
    @Test func randomAccessesNeverCrash() throws {
        let (img, path) = try Self.image(blocks: 1024)
        defer { img.close(); try? FileManager.default.removeItem(atPath: path) }
        let h = BCM2835SDHost(card: SDCard(image: img))
        var seed: UInt64 = 0x5EED
        for _ in 0..<200_000 {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            let offset = (seed >> 33) % 0x60 & ~3, value = seed >> 7
            if seed & 1 == 0 { _ = h.read(offset: offset, size: 4) } else { h.write(offset: offset, size: 4, value: value) }
        }
    }
}
