import Foundation

/// Memory system calls for `sim user`: mmap, munmap, mprotect, mremap, brk and madvise on the
/// process's `UserAddressSpace`, with Linux's argument checks and errors.
extension UserProcess {
    /// mmap flags (the generic values AArch64 Linux uses).
    enum MapFlag {
        static let shared: UInt64 = 0x01, privateMap: UInt64 = 0x02, fixed: UInt64 = 0x10, anonymous: UInt64 = 0x20
        static let fixedNoReplace: UInt64 = 0x10_0000
    }

    func memorySyscall(_ number: UInt64, _ r: UnsafeMutablePointer<UInt64>) -> Int64? {
        switch number {
        case 222: return mmap(address: r[0], length: r[1], prot: r[2], flags: r[3], fd: Int32(truncatingIfNeeded: r[4]), offset: r[5])
        case 215: // munmap
            guard UserAddressSpace.pageAligned(r[0]), r[1] > 0, let range = userRange(r[0], r[1]) else { return -Errno.EINVAL.rawValue }
            space.unmap(range)
            flushTranslations()
            return 0
        case 226: // mprotect
            guard UserAddressSpace.pageAligned(r[0]), let range = userRange(r[0], r[1]) else { return -Errno.EINVAL.rawValue }
            guard r[2] & ~7 == 0 else { return -Errno.EINVAL.rawValue }
            guard space.protect(range, prot: Int32(r[2])) else { return -Errno.ENOMEM.rawValue }
            flushTranslations()
            return 0
        case 216: return mremap(r[0], oldLength: r[1], newLength: r[2], flags: r[3], newAddress: r[4])
        case 214: return Int64(setBreak(r[0]))
        case 233: // madvise: MADV_DONTNEED empties private anonymous pages; other advice is a hint
            guard UserAddressSpace.pageAligned(r[0]), let range = userRange(r[0], r[1]) else { return -Errno.EINVAL.rawValue }
            guard space.allowsAny(range) else { return -Errno.ENOMEM.rawValue }
            if r[2] == 4 { space.zero(range) }
            return 0
        case 227, 228, 229, 230, 231, 232: return 0   // msync, mlock, munlock, mlockall, munlockall, mincore
        default: return nil
        }
    }

    /// [address, address + length rounded up to pages), or nil when it leaves the user space.
    func userRange(_ address: UInt64, _ length: UInt64) -> Range<UInt64>? {
        let end = UserAddressSpace.roundUp(address &+ length)
        guard length < UserProcess.spaceSize, end >= address, end <= UserProcess.spaceSize else { return nil }
        return address..<end
    }

    /// The CPUs' cached translations after a change to the page tables (Linux's TLBI).
    func flushTranslations() {
        machine.flushTLBs(from: core, scope: .allEL1, broadcast: true)
    }

    func mmap(address: UInt64, length: UInt64, prot: UInt64, flags: UInt64, fd: Int32, offset: UInt64) -> Int64 {
        let kind = flags & 3
        guard length > 0, kind == MapFlag.shared || kind == MapFlag.privateMap, prot & ~7 == 0,
              UserAddressSpace.pageAligned(offset) else { return -Errno.EINVAL.rawValue }
        let size = UserAddressSpace.roundUp(length)
        guard size >= length, size < UserProcess.spaceSize else { return -Errno.ENOMEM.rawValue }
        guard offset <= UInt64(Int64.max) - size else { return -Int64(EOVERFLOW) }
        let fixed = flags & (MapFlag.fixed | MapFlag.fixedNoReplace) != 0
        let start: UInt64
        if fixed {
            guard UserAddressSpace.pageAligned(address) else { return -Errno.EINVAL.rawValue }
            guard address >= UserAddressSpace.minAddress, address <= UserProcess.spaceSize - size else { return -Errno.ENOMEM.rawValue }
            if flags & MapFlag.fixedNoReplace != 0 && space.overlaps(address..<(address + size)) { return -Errno.EEXIST.rawValue }
            start = address
        } else if address >= UserAddressSpace.minAddress, UserAddressSpace.pageAligned(address), size <= mmapTop, address <= mmapTop - size,
                  !space.overlaps(address..<(address + size)) {
            start = address                                 // the hint, when it is free
        } else {
            guard let free = space.findFree(size, below: mmapTop) else { return -Errno.ENOMEM.rawValue }
            start = free
        }
        var contents: [UInt8] = []
        if flags & MapFlag.anonymous == 0 {
            // A file's pages are copied in: private and shared mappings alike see the file as it
            // was (a shared mapping's stores do not reach the file).
            var st = stat()
            guard fstat(fd, &st) == 0 else { return -Errno.EBADF.rawValue }
            let available = Int64(st.st_size) - Int64(offset)
            if available > 0 {
                contents = [UInt8](repeating: 0, count: Int(min(UInt64(available), length)))
                let n = contents.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(offset)) }
                guard n >= 0 else { return -Int64(errno) }
                contents.removeLast(contents.count - n)
            }
        }
        space.map(start..<(start + size), prot: Int32(prot))
        if !contents.isEmpty { try? machine.memory.write(contents, at: start) }
        flushTranslations()
        return Int64(start)
    }

    func mremap(_ old: UInt64, oldLength: UInt64, newLength: UInt64, flags: UInt64, newAddress: UInt64) -> Int64 {
        let mayMove = flags & 1 != 0, fixed = flags & 2 != 0, dontUnmap = flags & 4 != 0
        // MREMAP_DONTUNMAP: a move of the same size that leaves the old range mapped and empty.
        guard !dontUnmap || (mayMove && oldLength == newLength) else { return -Errno.EINVAL.rawValue }
        guard UserAddressSpace.pageAligned(old), newLength > 0, flags & ~7 == 0, !fixed || mayMove,
              let from = userRange(old, oldLength), let grown = userRange(old, newLength) else { return -Errno.EINVAL.rawValue }
        guard let prot = space.mapping(at: old)?.prot, space.allowsAny(from) else { return -Errno.EFAULT.rawValue }
        defer { flushTranslations() }
        let newSize = grown.upperBound - old
        func moveTo(_ target: UInt64) -> Int64 {
            let keep = min(from.upperBound - old, newSize)
            space.map(target..<(target + newSize), prot: prot)
            space.move(old..<(old + keep), to: target)
            if dontUnmap { space.zero(from) } else { space.unmap(from) }
            return Int64(target)
        }
        if fixed {
            guard UserAddressSpace.pageAligned(newAddress), let to = userRange(newAddress, newLength), !to.overlaps(from) else {
                return -Errno.EINVAL.rawValue
            }
            return moveTo(newAddress)
        }
        if dontUnmap {
            guard let target = space.findFree(newSize, below: mmapTop) else { return -Errno.ENOMEM.rawValue }
            return moveTo(target)
        }
        if grown.upperBound <= from.upperBound {
            space.unmap(grown.upperBound..<from.upperBound)
            return Int64(old)
        }
        let extra = from.upperBound..<grown.upperBound
        if extra.upperBound <= mmapTop && !space.overlaps(extra) {
            space.map(extra, prot: prot)
            return Int64(old)
        }
        guard mayMove, let target = space.findFree(newSize, below: mmapTop) else { return -Errno.ENOMEM.rawValue }
        return moveTo(target)
    }

    /// brk: the heap grows into free pages only and shrinks page by page; the result is the
    /// break, unchanged when the request cannot be met (Linux's convention).
    func setBreak(_ want: UInt64) -> UInt64 {
        guard want >= brkStart, want < mmapTop else { return brk }
        let current = UserAddressSpace.roundUp(brk), wanted = UserAddressSpace.roundUp(want)
        if wanted > current {
            guard !space.overlaps(current..<wanted) else { return brk }
            space.map(current..<wanted, prot: PROT_READ | PROT_WRITE)
        } else if wanted < current {
            space.unmap(wanted..<current)
        }
        flushTranslations()
        brk = want
        return brk
    }
}
