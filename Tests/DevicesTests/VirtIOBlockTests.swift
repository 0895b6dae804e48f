import Foundation
import Testing
@testable import Devices

/// The virtio block device ("Block Device") on host image files in each mode.
@Suite struct VirtIOBlockTests {
    typealias T = VirtIOBlock.RequestType

    func header(_ type: UInt32, sector: UInt64) -> [UInt8] {
        VirtIOLE.bytes(type) + VirtIOLE.bytes(UInt32(0)) + VirtIOLE.bytes(sector)
    }

    func make(_ path: String, _ mode: DiskImage.Mode) throws -> VirtIOTestDriver {
        let d = VirtIOTestDriver(device: try VirtIOBlock(path: path, mode: mode))
        d.start(queueSizes: [16])
        return d
    }

    /// Reads `count` sectors; returns (status, data, used length).
    func read(_ d: VirtIOTestDriver, sector: UInt64, count: Int, indirect: Bool = false) -> (UInt8, [UInt8], UInt32) {
        let s = d.submit(0, [.out(header(T.input, sector: sector)), .in(512 * count), .in(1)], indirect: indirect)
        let used = d.used(0)
        return (d.ram.get(s.inAddresses[1], 1)[0], d.ram.get(s.inAddresses[0], 512 * count), used.last?.len ?? 0)
    }

    func write(_ d: VirtIOTestDriver, sector: UInt64, _ data: [UInt8]) -> UInt8 {
        let s = d.submit(0, [.out(header(T.output, sector: sector)), .out(data), .in(1)])
        _ = d.used(0)
        return d.ram.get(s.inAddresses[0], 1)[0]
    }

    func request(_ d: VirtIOTestDriver, _ type: UInt32) -> UInt8 {
        let s = d.submit(0, [.out(header(type, sector: 0)), .in(1)])
        _ = d.used(0)
        return d.ram.get(s.inAddresses[0], 1)[0]
    }

    func sector(_ n: Int) -> [UInt8] { [UInt8](repeating: UInt8(truncatingIfNeeded: n), count: 512) }

    @Test func readSectors() throws {
        let path = VirtIOTempFile.disk(sectors: 64)
        defer { VirtIOTempFile.remove(path) }
        let d = try make(path, .readOnly)
        #expect(d.r(0x008) == 2)
        #expect(d.transport.read(offset: 0x100, size: 8) == 64, "capacity in sectors")
        let (status, data, len) = read(d, sector: 3, count: 2)
        #expect(status == VirtIOBlock.RequestStatus.ok)
        #expect(data == sector(3) + sector(4))
        #expect(len == 1025)
        #expect(d.line)
        let (s2, d2, _) = read(d, sector: 63, count: 1, indirect: true)
        #expect(s2 == 0 && d2 == sector(63))
        #expect(!d.needsReset)
        d.transport.close()
    }

    @Test func readOnlyRefusesWrites() throws {
        let path = VirtIOTempFile.disk(sectors: 8)
        defer { VirtIOTempFile.remove(path) }
        let before = VirtIOTempFile.contents(path)
        let d = try make(path, .readOnly)
        #expect(d.deviceFeatures & VirtIOBlock.Feature.readOnly != 0)
        #expect(write(d, sector: 1, sector(0xAA)) == VirtIOBlock.RequestStatus.ioError)
        #expect(request(d, T.flush) == VirtIOBlock.RequestStatus.ok)
        d.transport.close()
        #expect(VirtIOTempFile.contents(path) == before)
    }

    @Test func readWriteReachesTheFile() throws {
        let path = VirtIOTempFile.disk(sectors: 8)
        defer { VirtIOTempFile.remove(path) }
        let d = try make(path, .readWrite)
        #expect(d.deviceFeatures & VirtIOBlock.Feature.readOnly == 0)
        #expect(d.deviceFeatures & VirtIOBlock.Feature.flush != 0)
        #expect(write(d, sector: 2, sector(0xAA) + sector(0xBB)) == 0)
        // pwrite: the data is in the file before any flush or close.
        let now = VirtIOTempFile.contents(path)
        #expect(Array(now[1024..<2048]) == sector(0xAA) + sector(0xBB))
        #expect(Array(now[0..<1024]) == sector(0) + sector(1))
        #expect(request(d, T.flush) == 0)
        let (s, data, _) = read(d, sector: 1, count: 3)
        #expect(s == 0 && data == sector(1) + sector(0xAA) + sector(0xBB))
        d.transport.close()
        d.transport.close()   // idempotent
        #expect(VirtIOTempFile.contents(path).count == 8 * 512)
        // The lock went with close: the image opens again for writing.
        let again = try VirtIOBlock(path: path, mode: .readWrite)
        again.close()
    }

    @Test func snapshotKeepsTheFile() throws {
        let path = VirtIOTempFile.disk(sectors: 8)
        defer { VirtIOTempFile.remove(path) }
        let before = VirtIOTempFile.contents(path)
        let d = try make(path, .snapshot)
        #expect(d.deviceFeatures & VirtIOBlock.Feature.readOnly == 0)
        #expect(write(d, sector: 3, sector(0xCC)) == 0)
        #expect(write(d, sector: 5, sector(0xDD) + sector(0xEE)) == 0)
        #expect(request(d, T.flush) == 0)
        let (s, data, _) = read(d, sector: 2, count: 6)
        #expect(s == 0)
        #expect(data == sector(2) + sector(0xCC) + sector(4) + sector(0xDD) + sector(0xEE) + sector(7))
        d.transport.close()
        #expect(VirtIOTempFile.contents(path) == before)
    }

    @Test func badRequestsGetStatus() throws {
        let path = VirtIOTempFile.disk(sectors: 8)
        defer { VirtIOTempFile.remove(path) }
        let d = try make(path, .readWrite)
        #expect(read(d, sector: 7, count: 2).0 == VirtIOBlock.RequestStatus.ioError, "past the end")
        #expect(read(d, sector: UInt64.max / 256, count: 1).0 == VirtIOBlock.RequestStatus.ioError, "sector overflow")
        #expect(write(d, sector: 8, sector(1)) == VirtIOBlock.RequestStatus.ioError)
        #expect(write(d, sector: 0, [1, 2, 3]) == VirtIOBlock.RequestStatus.ioError, "not whole sectors")
        #expect(request(d, 11) == VirtIOBlock.RequestStatus.unsupported, "discard not offered")
        #expect(request(d, 0x1234) == VirtIOBlock.RequestStatus.unsupported)
        #expect(!d.needsReset, "bad requests are answered, not fatal")
        d.transport.close()
        #expect(VirtIOTempFile.contents(path) == (0..<8).flatMap { sector($0) })
    }

    @Test func getID() throws {
        let path = VirtIOTempFile.disk(sectors: 1)
        defer { VirtIOTempFile.remove(path) }
        let d = VirtIOTestDriver(device: try VirtIOBlock(path: path, mode: .readOnly, serial: "minos-disk0"))
        d.start(queueSizes: [16])
        let s = d.submit(0, [.out(header(T.getID, sector: 0)), .in(20), .in(1)])
        #expect(d.ram.get(s.inAddresses[1], 1) == [0])
        #expect(d.ram.get(s.inAddresses[0], 20) == Array("minos-disk0".utf8) + [UInt8](repeating: 0, count: 9))
        #expect(d.used(0).map(\.len) == [21])
        d.transport.close()
    }

    @Test func anyDescriptorLayout() throws {
        // The device must not assume framing: header split over two descriptors, data and
        // status sharing one.
        let path = VirtIOTempFile.disk(sectors: 4)
        defer { VirtIOTempFile.remove(path) }
        let d = try make(path, .snapshot)
        let h = header(T.input, sector: 1)
        let s = d.submit(0, [.out(Array(h[0..<5])), .out(Array(h[5...])), .in(513)])
        #expect(d.ram.get(s.inAddresses[0], 513) == sector(1) + [0])
        let w = d.submit(0, [.out(header(T.output, sector: 2) + sector(0x77)), .in(1)])
        #expect(d.ram.get(w.inAddresses[0], 1) == [0])
        #expect(read(d, sector: 2, count: 1).1 == sector(0x77))
        d.transport.close()
    }

    @Test func requestWithoutStatusNeedsReset() throws {
        let path = VirtIOTempFile.disk(sectors: 4)
        defer { VirtIOTempFile.remove(path) }
        let d = try make(path, .readOnly)
        d.submit(0, [.out(header(T.input, sector: 0))])
        #expect(d.needsReset)
        #expect(d.r(0x60) & 2 != 0, "configuration change notification")
        #expect(d.line)
        #expect(d.transport.lastError?.contains("status byte") == true)
        d.transport.close()
    }

    // MARK: Opening images

    func openError(_ path: String, _ mode: DiskImage.Mode) -> String? {
        do {
            let b = try VirtIOBlock(path: path, mode: mode)
            b.close()
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func openErrorsNameTheFile() {
        let missing = "/nonexistent/minos/disk.img"
        #expect(openError(missing, .readOnly) == "\(missing): no such file")
        let odd = VirtIOTempFile.make([UInt8](repeating: 0, count: 1000))
        defer { VirtIOTempFile.remove(odd) }
        #expect(openError(odd, .readWrite) == "\(odd): size 1000 bytes is not a multiple of 512")
        let empty = VirtIOTempFile.make([])
        defer { VirtIOTempFile.remove(empty) }
        #expect(openError(empty, .snapshot) == "\(empty): empty disk image")
        let dir = FileManager.default.temporaryDirectory.path
        #expect(openError(dir, .readOnly) == "\(dir): is a directory")
    }

    @Test(.enabled(if: getuid() != 0, "root reads any file"))
    func unreadableImage() throws {
        let path = VirtIOTempFile.disk(sectors: 1)
        defer { VirtIOTempFile.remove(path) }
        chmod(path, 0)
        #expect(openError(path, .readOnly)?.hasPrefix("\(path): cannot open for reading") == true)
    }

    @Test func secondWriterIsLockedOut() throws {
        let path = VirtIOTempFile.disk(sectors: 2)
        defer { VirtIOTempFile.remove(path) }
        let writer = try VirtIOBlock(path: path, mode: .readWrite)
        #expect(openError(path, .readWrite) == "\(path): locked by another writer")
        #expect(openError(path, .readOnly) == "\(path): locked by another writer", "a reader would see torn data")
        writer.close()
        let reader = try VirtIOBlock(path: path, mode: .snapshot)
        let reader2 = try VirtIOBlock(path: path, mode: .readOnly)
        #expect(openError(path, .readWrite) == "\(path): locked by another writer", "readers hold it shared")
        reader.close()
        reader2.close()
        #expect(openError(path, .readWrite) == nil)
    }
}
