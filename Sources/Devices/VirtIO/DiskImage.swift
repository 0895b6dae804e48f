import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A bad disk image or a host I/O failure, naming the file.
public struct DiskImageError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A raw disk image in a host file, in 512-byte sectors.
///
/// - `readOnly`: opened read-only; writes are refused.
/// - `readWrite`: writes go straight to the file with pwrite (so they are in the host's page cache,
///   and reach the file even if the process is then killed); `flush` and `close` fsync it. An
///   exclusive flock guards against a second writer.
/// - `snapshot`: writes stay in a copy-on-write overlay in memory; the file is never modified.
///
/// Read-only and snapshot images hold a shared flock, so they cannot open an image a writer holds
/// (and a writer cannot open one they hold), as QEMU's image locking does.
public final class DiskImage {
    public enum Mode: String, CaseIterable, Sendable {
        case readOnly = "ro", readWrite = "rw", snapshot
    }

    public static let sectorSize = 512

    public let path: String
    public let mode: Mode
    /// Size in bytes (a multiple of the sector size).
    public let size: UInt64
    private var fd: Int32
    /// Snapshot mode: sector number to its current contents.
    private var overlay: [UInt64: [UInt8]] = [:]

    public var isReadOnly: Bool { mode == .readOnly }
    public var sectors: UInt64 { size / UInt64(Self.sectorSize) }

    public init(path: String, mode: Mode) throws {
        self.path = path
        self.mode = mode
        let fd = open(path, (mode == .readWrite ? O_RDWR : O_RDONLY) | O_CLOEXEC)
        guard fd >= 0 else {
            let e = errno
            switch e {
            case ENOENT: throw DiskImageError("\(path): no such file")
            case EACCES, EPERM, EROFS:
                throw DiskImageError("\(path): cannot open for \(mode == .readWrite ? "writing" : "reading") (\(Self.describe(e)))")
            default: throw DiskImageError("\(path): cannot open (\(Self.describe(e)))")
            }
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let e = errno
            Glibc.close(fd)
            throw DiskImageError("\(path): cannot stat (\(Self.describe(e)))")
        }
        if st.st_mode & S_IFMT == S_IFDIR {
            Glibc.close(fd)
            throw DiskImageError("\(path): is a directory")
        }
        guard flock(fd, (mode == .readWrite ? LOCK_EX : LOCK_SH) | LOCK_NB) == 0 else {
            let e = errno
            Glibc.close(fd)
            if e == EWOULDBLOCK { throw DiskImageError("\(path): locked by another writer") }
            throw DiskImageError("\(path): cannot lock (\(Self.describe(e)))")
        }
        // lseek also sizes block devices, where st_size is 0.
        let end = lseek(fd, 0, SEEK_END)
        guard end >= 0 else {
            let e = errno
            Glibc.close(fd)
            throw DiskImageError("\(path): cannot determine size (\(Self.describe(e)))")
        }
        guard end > 0, end % off_t(Self.sectorSize) == 0 else {
            Glibc.close(fd)
            throw DiskImageError(end == 0 ? "\(path): empty disk image"
                                          : "\(path): size \(end) bytes is not a multiple of \(Self.sectorSize)")
        }
        self.fd = fd
        size = UInt64(end)
    }

    deinit { close() }

    private static func describe(_ e: Int32) -> String { String(cString: strerror(e)) }

    private func check(_ offset: UInt64, _ count: Int) throws {
        guard fd >= 0 else { throw DiskImageError("\(path): already closed") }
        let s = UInt64(Self.sectorSize)
        guard offset % s == 0, count % Self.sectorSize == 0, offset <= size, UInt64(count) <= size - offset else {
            throw DiskImageError("\(path): access 0x\(VirtIOLE.hex(offset))+0x\(VirtIOLE.hex(UInt64(count))) outside the image or not sector-aligned")
        }
    }

    /// `count` bytes at byte `offset` (both sector-aligned, inside the image).
    public func read(at offset: UInt64, count: Int) throws -> [UInt8] {
        try check(offset, count)
        var out = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = out.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, count - done, off_t(offset) + off_t(done)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                throw DiskImageError("\(path): read at \(offset + UInt64(done)) failed (\(n == 0 ? "end of file" : Self.describe(errno)))")
            }
            done += n
        }
        if !overlay.isEmpty {
            let first = offset / UInt64(Self.sectorSize)
            for i in 0..<(count / Self.sectorSize) {
                if let sector = overlay[first + UInt64(i)] {
                    out.replaceSubrange((i * Self.sectorSize)..<((i + 1) * Self.sectorSize), with: sector)
                }
            }
        }
        return out
    }

    /// Writes `bytes` at byte `offset` (both sector-aligned, inside the image).
    public func write(_ bytes: [UInt8], at offset: UInt64) throws {
        try check(offset, bytes.count)
        switch mode {
        case .readOnly:
            throw DiskImageError("\(path): read-only")
        case .snapshot:
            let first = offset / UInt64(Self.sectorSize)
            for i in 0..<(bytes.count / Self.sectorSize) {
                overlay[first + UInt64(i)] = Array(bytes[(i * Self.sectorSize)..<((i + 1) * Self.sectorSize)])
            }
        case .readWrite:
            var done = 0
            while done < bytes.count {
                let n = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress! + done, bytes.count - done, off_t(offset) + off_t(done)) }
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else {
                    throw DiskImageError("\(path): write at \(offset + UInt64(done)) failed (\(n == 0 ? "no progress" : Self.describe(errno)))")
                }
                done += n
            }
        }
    }

    /// Makes written data durable (fsync) in read-write mode.
    public func flush() throws {
        guard fd >= 0 else { throw DiskImageError("\(path): already closed") }
        guard mode == .readWrite else { return }
        guard fsync(fd) == 0 else { throw DiskImageError("\(path): fsync failed (\(Self.describe(errno)))") }
    }

    /// Syncs (read-write), drops the lock and closes the file. Idempotent; the snapshot overlay is discarded.
    public func close() {
        guard fd >= 0 else { return }
        if mode == .readWrite { _ = fsync(fd) }
        Glibc.close(fd)
        fd = -1
        overlay.removeAll()
    }
}
