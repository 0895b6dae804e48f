import Foundation
import Simulator
#if canImport(Glibc)
import Glibc
#endif

/// Output files named on the command line (`--serial file:`, `--trace ...:FILE`, `--dump-dtb`),
/// opened in place with O_CREAT|O_TRUNC. FileManager.createFile writes a new file and renames it
/// over the path, which replaces a device node or symlink (`/dev/null`, `/dev/stdout`) with a
/// regular file for every later program on the machine.
enum OutputFile {
    static func open(_ path: String, what: String) throws -> FileHandle {
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SimError.file(path: path, problem: "cannot create \(what): \(String(cString: strerror(errno)))") }
        return FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    }

    /// Writes all of `bytes`; false on a host error.
    static func write(_ handle: FileHandle, _ bytes: [UInt8]) -> Bool {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(handle.fileDescriptor, $0.baseAddress! + done, bytes.count - done) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return false }
            done += n
        }
        return true
    }
}
