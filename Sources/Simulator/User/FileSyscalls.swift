import Foundation
import CHost

/// File-system system calls for `sim user`: guest file descriptors are host descriptors and guest
/// paths are host paths, as with qemu-user without `-L`.
extension UserProcess {
    /// AT_FDCWD and the flags whose values differ between AArch64 Linux and the host (x86-64 Linux
    /// shares the generic values except O_DIRECTORY/O_NOFOLLOW/O_DIRECT/O_LARGEFILE).
    static let atFDCWD: Int32 = -100

    static func hostOpenFlags(_ g: UInt64) -> Int32 {
        var f = Int32(truncatingIfNeeded: g & 0o3 | g & 0o100 | g & 0o200 | g & 0o1000 | g & 0o2000 | g & 0o4000
                      | g & 0o4010000 | g & 0o2000000 | g & 0o10000000 | g & 0o20000000)
        if g & 0o40000 != 0 { f |= O_DIRECTORY }
        if g & 0o100000 != 0 { f |= O_NOFOLLOW }
        return f
    }

    func dirfd(_ v: UInt64) -> Int32 { Int32(truncatingIfNeeded: v) }

    /// A guest path, with /proc/self/exe naming the guest program rather than the simulator.
    func guestPath(_ addr: UInt64) -> String? {
        guard let p = guestString(addr) else { return nil }
        return p == "/proc/self/exe" ? programPath : p
    }

    /// Writes a Linux AArch64 `struct stat` (generic layout, 128 bytes).
    func putStat(_ st: stat, at addr: UInt64) -> Bool {
        guard let p = guestBytes(addr, 128, writable: true) else { return false }
        memset(p, 0, 128)
        p.storeBytes(of: UInt64(st.st_dev), toByteOffset: 0, as: UInt64.self)
        p.storeBytes(of: UInt64(st.st_ino), toByteOffset: 8, as: UInt64.self)
        p.storeBytes(of: UInt32(st.st_mode), toByteOffset: 16, as: UInt32.self)
        p.storeBytes(of: UInt32(st.st_nlink), toByteOffset: 20, as: UInt32.self)
        p.storeBytes(of: UInt32(st.st_uid), toByteOffset: 24, as: UInt32.self)
        p.storeBytes(of: UInt32(st.st_gid), toByteOffset: 28, as: UInt32.self)
        p.storeBytes(of: UInt64(st.st_rdev), toByteOffset: 32, as: UInt64.self)
        p.storeBytes(of: Int64(st.st_size), toByteOffset: 48, as: Int64.self)
        p.storeBytes(of: Int32(st.st_blksize), toByteOffset: 56, as: Int32.self)
        p.storeBytes(of: Int64(st.st_blocks), toByteOffset: 64, as: Int64.self)
        p.storeBytes(of: Int64(st.st_atim.tv_sec), toByteOffset: 72, as: Int64.self)
        p.storeBytes(of: Int64(st.st_atim.tv_nsec), toByteOffset: 80, as: Int64.self)
        p.storeBytes(of: Int64(st.st_mtim.tv_sec), toByteOffset: 88, as: Int64.self)
        p.storeBytes(of: Int64(st.st_mtim.tv_nsec), toByteOffset: 96, as: Int64.self)
        p.storeBytes(of: Int64(st.st_ctim.tv_sec), toByteOffset: 104, as: Int64.self)
        p.storeBytes(of: Int64(st.st_ctim.tv_nsec), toByteOffset: 112, as: Int64.self)
        return true
    }

    /// Handles a file-system call; nil when `number` is not one.
    func fileSyscall(_ number: UInt64, _ r: UnsafeMutablePointer<UInt64>) -> Int64? {
        func result(_ rc: Int) -> Int64 { rc < 0 ? -Int64(errno) : Int64(rc) }
        func result32(_ rc: Int32) -> Int64 { result(Int(rc)) }
        let efault = -Errno.EFAULT.rawValue
        switch number {
        case 63: // read
            guard let p = guestBytes(r[1], Int(truncatingIfNeeded: r[2]), writable: true) else { return efault }
            if let interrupted = waitForDescriptor(Int32(truncatingIfNeeded: r[0]), events: POLLIN) { return interrupted }
            let n = Foundation.read(Int32(truncatingIfNeeded: r[0]), p, Int(r[2]))
            if n > 0 { machine.memory.region(r[1])?.invalidateCode(r[1], n) }
            return result(n)
        case 64: // write
            guard let p = guestBytes(r[1], Int(truncatingIfNeeded: r[2])) else { return efault }
            if let interrupted = waitForDescriptor(Int32(truncatingIfNeeded: r[0]), events: POLLOUT) { return interrupted }
            return result(Foundation.write(Int32(truncatingIfNeeded: r[0]), p, Int(r[2])))
        case 29: // ioctl: TCGETS answers whether the descriptor is a terminal; TIOCGWINSZ its size
            let fd = Int32(truncatingIfNeeded: r[0])
            switch r[1] {
            case 0x5401: return isatty(fd) != 0 ? 0 : -Errno.ENOTTY.rawValue
            case 0x5413:
                var ws = winsize()
                guard ioctl(fd, UInt(TIOCGWINSZ), &ws) == 0 else { return -Int64(errno) }
                guard let p = guestBytes(r[2], 8, writable: true) else { return efault }
                p.storeBytes(of: ws, as: winsize.self)
                return 0
            default: return -Errno.ENOTTY.rawValue
            }
        case 73: return ppoll(r)
        case 72: return pselect(r)
        case 56: // openat
            guard let path = guestPath(r[1]) else { return efault }
            return result32(openat(dirfd(r[0]), path, UserProcess.hostOpenFlags(r[2]), mode_t(r[3] & 0o7777)))
        case 57: // close (never the simulator's own signalfd)
            guard Int32(truncatingIfNeeded: r[0]) != hostSignals else { return -Errno.EBADF.rawValue }
            directories.removeValue(forKey: Int32(truncatingIfNeeded: r[0]))?.close()
            return result32(close(Int32(truncatingIfNeeded: r[0])))
        case 62: // lseek
            return result(Int(lseek(Int32(truncatingIfNeeded: r[0]), off_t(Int64(bitPattern: r[1])), Int32(truncatingIfNeeded: r[2]))))
        case 80: // fstat
            var st = stat()
            let rc = fstat(Int32(truncatingIfNeeded: r[0]), &st)
            if rc < 0 { return result32(rc) }
            return putStat(st, at: r[1]) ? 0 : efault
        case 79: // newfstatat
            guard let path = guestPath(r[1]) else { return efault }
            var st = stat()
            let flags = Int32(truncatingIfNeeded: r[3])
            var hostFlags: Int32 = 0
            if flags & 0x100 != 0 { hostFlags |= AT_SYMLINK_NOFOLLOW }
            if flags & 0x1000 != 0 { hostFlags |= 0x1000 } // AT_EMPTY_PATH
            let rc = fstatat(dirfd(r[0]), path, &st, hostFlags)
            if rc < 0 { return result32(rc) }
            return putStat(st, at: r[2]) ? 0 : efault
        case 78: // readlinkat
            guard let path = guestString(r[1]), let buf = guestBytes(r[2], Int(truncatingIfNeeded: r[3]), writable: true) else { return efault }
            if path == "/proc/self/exe" {
                let bytes = Array(programPath.utf8.prefix(Int(r[3])))
                buf.copyMemory(from: bytes, byteCount: bytes.count)
                return Int64(bytes.count)
            }
            return result(readlinkat(dirfd(r[0]), path, buf.assumingMemoryBound(to: CChar.self), Int(r[3])))
        case 61: // getdents64
            return getdents64(Int32(truncatingIfNeeded: r[0]), r[1], Int(truncatingIfNeeded: r[2]))
        case 48: // faccessat
            guard let path = guestString(r[1]) else { return efault }
            return result32(faccessat(dirfd(r[0]), path, Int32(truncatingIfNeeded: r[2]), 0))
        case 35: // unlinkat
            guard let path = guestString(r[1]) else { return efault }
            return result32(unlinkat(dirfd(r[0]), path, r[2] & 0x200 != 0 ? AT_REMOVEDIR : 0))
        case 34: // mkdirat
            guard let path = guestString(r[1]) else { return efault }
            return result32(mkdirat(dirfd(r[0]), path, mode_t(r[2] & 0o7777)))
        case 38, 276: // renameat, renameat2 (flags 0 only)
            guard let a = guestString(r[1]), let b = guestString(r[3]) else { return efault }
            if number == 276 && r[4] != 0 { return -Errno.EINVAL.rawValue }
            return result32(renameat(dirfd(r[0]), a, dirfd(r[2]), b))
        case 53: // fchmodat
            guard let path = guestString(r[1]) else { return efault }
            return result32(fchmodat(dirfd(r[0]), path, mode_t(r[2] & 0o7777), 0))
        case 52: // fchmod
            return result32(fchmod(Int32(truncatingIfNeeded: r[0]), mode_t(r[1] & 0o7777)))
        case 46: // ftruncate
            return result32(ftruncate(Int32(truncatingIfNeeded: r[0]), off_t(Int64(bitPattern: r[1]))))
        case 17: // getcwd
            guard let buf = guestBytes(r[0], Int(truncatingIfNeeded: r[1]), writable: true) else { return efault }
            guard getcwd(buf.assumingMemoryBound(to: CChar.self), Int(r[1])) != nil else { return -Int64(errno) }
            return Int64(strlen(buf.assumingMemoryBound(to: CChar.self)) + 1)
        case 50: return result32(fchdir(Int32(truncatingIfNeeded: r[0])))   // fchdir
        case 49: // chdir
            guard let path = guestString(r[0]) else { return efault }
            return result32(chdir(path))
        case 23: // dup
            return result32(dup(Int32(truncatingIfNeeded: r[0])))
        case 24: // dup3
            let new = Int32(truncatingIfNeeded: r[1])
            guard r[0] != r[1] else { return -Errno.EINVAL.rawValue }
            guard new != hostSignals, Int32(truncatingIfNeeded: r[0]) != hostSignals else { return -Errno.EBADF.rawValue }
            let rc = dup2(Int32(truncatingIfNeeded: r[0]), new)
            if rc >= 0 && r[2] & 0o2000000 != 0 { _ = fcntl(new, F_SETFD, FD_CLOEXEC) }
            return result32(rc)
        case 25: // fcntl: commands without pointer arguments pass through (F_DUPFD, F_[GS]ETFD, F_[GS]ETFL, F_DUPFD_CLOEXEC, F_[GS]ETPIPE_SZ)
            let cmd = Int32(truncatingIfNeeded: r[1])
            guard [0, 1, 2, 3, 4, 1030, 1031, 1032].contains(cmd) else { return -Errno.EINVAL.rawValue }
            return result32(fcntl(Int32(truncatingIfNeeded: r[0]), cmd, Int32(truncatingIfNeeded: r[2])))
        case 59: // pipe2
            guard let p = guestBytes(r[0], 8, writable: true) else { return efault }
            var fds: [Int32] = [0, 0]
            guard r[1] & ~UInt64(0o2000000 | 0o4000 | 0o40000) == 0 else { return -Errno.EINVAL.rawValue }  // CLOEXEC, NONBLOCK, DIRECT
            let rc = fds.withUnsafeMutableBufferPointer { CHost.pipe2($0.baseAddress, UserProcess.hostOpenFlags(r[1])) }
            if rc < 0 { return result32(rc) }
            p.storeBytes(of: fds[0], toByteOffset: 0, as: Int32.self)
            p.storeBytes(of: fds[1], toByteOffset: 4, as: Int32.self)
            return 0
        case 65, 66: // readv, writev
            var total: Int64 = 0
            for i in 0..<Int(min(r[2], 1024)) {
                guard let iov = guestBytes(r[1] + UInt64(16 * i), 16) else { return efault }
                let base = iov.load(as: UInt64.self), len = iov.load(fromByteOffset: 8, as: UInt64.self)
                guard let buf = guestBytes(base, Int(truncatingIfNeeded: len), writable: number == 65) else { return efault }
                let fd = Int32(truncatingIfNeeded: r[0])
                if total == 0, let interrupted = waitForDescriptor(fd, events: number == 65 ? POLLIN : POLLOUT) { return interrupted }
                let n = number == 65 ? read(fd, buf, Int(len)) : write(fd, buf, Int(len))
                if n < 0 { return total > 0 ? total : -Int64(errno) }
                if number == 65 && n > 0 { machine.memory.region(base)?.invalidateCode(base, n) }   // code read in runs anew
                total += Int64(n)
                if n < Int(len) { break }
            }
            return total
        case 67, 68: // pread64, pwrite64
            guard let buf = guestBytes(r[1], Int(truncatingIfNeeded: r[2]), writable: number == 67) else { return efault }
            let fd = Int32(truncatingIfNeeded: r[0]), off = off_t(Int64(bitPattern: r[3]))
            let n = number == 67 ? pread(fd, buf, Int(r[2]), off) : pwrite(fd, buf, Int(r[2]), off)
            if number == 67 && n > 0 { machine.memory.region(r[1])?.invalidateCode(r[1], n) }
            return result(n)
        case 54: // fchownat
            guard let path = guestPath(r[1]) else { return efault }
            return result32(fchownat(dirfd(r[0]), path, uid_t(truncatingIfNeeded: r[2]), gid_t(truncatingIfNeeded: r[3]),
                                     r[4] & 0x100 != 0 ? AT_SYMLINK_NOFOLLOW : 0))
        case 88: // utimensat: struct timespec[2] has the same layout on the host
            let path = r[1] == 0 ? nil : guestPath(r[1])
            if r[1] != 0 && path == nil { return efault }
            var times = [timespec(), timespec()]
            if r[2] != 0 {
                guard let p = guestBytes(r[2], 32) else { return efault }
                for i in 0..<2 {
                    times[i].tv_sec = Int(p.load(fromByteOffset: 16 * i, as: Int64.self))
                    times[i].tv_nsec = Int(p.load(fromByteOffset: 16 * i + 8, as: Int64.self))
                }
            }
            let flags: Int32 = r[3] & 0x100 != 0 ? AT_SYMLINK_NOFOLLOW : 0
            // A null path (futimens) operates on the descriptor itself.
            let rc: Int32
            if let path { rc = r[2] == 0 ? utimensat(dirfd(r[0]), path, nil, flags) : utimensat(dirfd(r[0]), path, times, flags) }
            else { rc = r[2] == 0 ? futimens(dirfd(r[0]), nil) : futimens(dirfd(r[0]), times) }
            return result32(rc)
        case 36: // symlinkat
            guard let target = guestString(r[0]), let path = guestString(r[2]) else { return efault }
            return result32(symlinkat(target, dirfd(r[1]), path))
        case 37: // linkat
            guard let a = guestString(r[1]), let b = guestString(r[3]) else { return efault }
            return result32(linkat(dirfd(r[0]), a, dirfd(r[2]), b, r[4] & 0x400 != 0 ? AT_SYMLINK_FOLLOW : 0))
        case 33: // mknodat: FIFOs and regular files (device nodes would reach the host's devices)
            guard let path = guestString(r[1]) else { return efault }
            let type = r[2] & 0o170000
            guard type == 0 || type == 0o100000 || type == 0o10000 else { return -Errno.EPERM.rawValue }
            return result32(mknodat(dirfd(r[0]), path, mode_t(r[2] & 0o177777), 0))
        case 43, 44: // statfs, fstatfs: Linux's generic struct statfs, all words 64-bit as on the host
            var st = statfs()
            let rc: Int32
            if number == 43 {
                guard let path = guestPath(r[0]) else { return efault }
                rc = statfs(path, &st)
            } else { rc = fstatfs(Int32(truncatingIfNeeded: r[0]), &st) }
            if rc < 0 { return result32(rc) }
            guard let p = guestBytes(r[1], 120, writable: true) else { return efault }
            memset(p, 0, 120)
            let words: [UInt64] = [UInt64(bitPattern: Int64(st.f_type)), UInt64(bitPattern: Int64(st.f_bsize)),
                                   UInt64(st.f_blocks), UInt64(st.f_bfree), UInt64(st.f_bavail), UInt64(st.f_files), UInt64(st.f_ffree)]
            for (i, w) in words.enumerated() { p.storeBytes(of: w, toByteOffset: 8 * i, as: UInt64.self) }
            withUnsafeBytes(of: st.f_fsid) { p.advanced(by: 56).copyMemory(from: $0.baseAddress!, byteCount: min(8, $0.count)) }
            p.storeBytes(of: Int64(st.f_namelen), toByteOffset: 64, as: Int64.self)
            p.storeBytes(of: Int64(st.f_frsize), toByteOffset: 72, as: Int64.self)
            p.storeBytes(of: Int64(st.f_flags), toByteOffset: 80, as: Int64.self)
            return 0
        case 71: // sendfile: copied through our memory
            return -Errno.ENOSYS.rawValue
        default:
            return nil
        }
    }

    /// getdents64 from the host directory stream, as `struct linux_dirent64` records.
    func getdents64(_ fd: Int32, _ addr: UInt64, _ count: Int) -> Int64 {
        guard let out = guestBytes(addr, count, writable: true) else { return -Errno.EFAULT.rawValue }
        let stream: DirectoryStream
        if let s = directories[fd] { stream = s } else {
            guard let s = DirectoryStream(fd: fd) else { return -Int64(errno) }
            directories[fd] = s
            stream = s
        }
        var used = 0
        while let entry = stream.peek() {
            let name = Array(entry.name.utf8)
            let reclen = (19 + name.count + 1 + 7) & ~7
            if used + reclen > count { break }
            let p = out + used
            memset(p, 0, reclen)
            p.storeBytes(of: entry.inode, toByteOffset: 0, as: UInt64.self)
            p.storeBytes(of: Int64(used + reclen), toByteOffset: 8, as: Int64.self)
            p.storeBytes(of: UInt16(reclen), toByteOffset: 16, as: UInt16.self)
            p.storeBytes(of: entry.type, toByteOffset: 18, as: UInt8.self)
            (p + 19).copyMemory(from: name, byteCount: name.count)
            used += reclen
            stream.advance()
        }
        if used == 0 && stream.peek() != nil { return -Errno.EINVAL.rawValue }
        return Int64(used)
    }
}

/// A host directory read with readdir on a duplicate of the guest's descriptor.
final class DirectoryStream {
    private let dir: OpaquePointer
    private var pending: (name: String, inode: UInt64, type: UInt8)?

    init?(fd: Int32) {
        let copy = dup(fd)
        guard copy >= 0, let d = fdopendir(copy) else { return nil }
        dir = d
    }

    func peek() -> (name: String, inode: UInt64, type: UInt8)? {
        if let p = pending { return p }
        guard let e = readdir(dir) else { return nil }
        let name = withUnsafeBytes(of: e.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
        pending = (name, UInt64(e.pointee.d_ino), e.pointee.d_type)
        return pending
    }

    func advance() { pending = nil }

    func close() { closedir(dir) }
}
