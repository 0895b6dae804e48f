import Foundation
import CELF

/// A piece of a payload to copy into physical memory (`size` may exceed `bytes`: zero fill).
public struct Segment {
    public var address: UInt64
    public var bytes: [UInt8]
    public var size: UInt64
    /// ELF only: where the program sees the segment (p_vaddr; `address` is p_paddr, where a
    /// bare-metal loader puts it) and its p_flags (PF_X 1, PF_W 2, PF_R 4), for `sim user`.
    public var virtualAddress: UInt64 = 0
    public var flags: UInt32 = 0
}

/// Reads AArch64 ELF executables with Debian's libelf: PT_LOAD segments at their physical
/// addresses, and the entry point.
public enum ELFLoader {
    public static func isELF(_ data: [UInt8]) -> Bool { data.count >= 4 && data[0..<4].elementsEqual([0x7F, 0x45, 0x4C, 0x46]) }

    public static func load(path: String, data: [UInt8]) throws -> (segments: [Segment], entry: UInt64) {
        func fail(_ problem: String) -> SimError { .file(path: path, problem: problem) }
        _ = elf_version(UInt32(EV_CURRENT))
        return try data.withUnsafeBytes { raw -> ([Segment], UInt64) in
            let base = UnsafeMutableRawPointer(mutating: raw.baseAddress!).assumingMemoryBound(to: CChar.self)
            guard let elf = elf_memory(base, raw.count) else { throw fail("cannot read ELF: \(libelfError())") }
            defer { elf_end(elf) }
            guard elf_kind(elf) == ELF_K_ELF else { throw fail("not an ELF file") }
            guard gelf_getclass(elf) == ELFCLASS64 else { throw fail("not a 64-bit ELF (AArch64 payloads are ELF64)") }
            var ehdr = GElf_Ehdr()
            guard gelf_getehdr(elf, &ehdr) != nil else { throw fail("truncated or corrupt ELF header: \(libelfError())") }
            guard ehdr.e_machine == UInt16(EM_AARCH64) else { throw fail("ELF machine is \(ehdr.e_machine), not AArch64 (\(EM_AARCH64))") }
            guard ehdr.e_ident.5 == UInt8(ELFDATA2LSB) else { throw fail("big-endian ELF is not supported") }
            guard ehdr.e_type == UInt16(ET_EXEC) || ehdr.e_type == UInt16(ET_DYN) else { throw fail("ELF type \(ehdr.e_type) is not an executable") }
            let phEnd = ehdr.e_phoff &+ UInt64(ehdr.e_phnum) &* UInt64(ehdr.e_phentsize)
            guard phEnd <= UInt64(raw.count) else {
                throw fail("truncated: program headers end at byte \(phEnd), file has \(raw.count)")
            }
            var count = 0
            guard elf_getphdrnum(elf, &count) == 0 else { throw fail("truncated or corrupt program headers: \(libelfError())") }
            var segments: [Segment] = []
            for i in 0..<count {
                var ph = GElf_Phdr()
                guard gelf_getphdr(elf, Int32(i), &ph) != nil else { throw fail("truncated program header \(i): \(libelfError())") }
                guard ph.p_type == UInt32(PT_LOAD), ph.p_memsz > 0 else { continue }
                let (end, overflow) = ph.p_offset.addingReportingOverflow(ph.p_filesz)
                guard !overflow, end <= UInt64(raw.count) else {
                    throw fail("truncated: segment \(i) needs bytes up to \(end), file has \(raw.count)")
                }
                guard ph.p_filesz <= ph.p_memsz else { throw fail("segment \(i) has file size above memory size") }
                let bytes = Array(raw[Int(ph.p_offset)..<Int(end)])
                segments.append(Segment(address: ph.p_paddr, bytes: bytes, size: ph.p_memsz, virtualAddress: ph.p_vaddr, flags: ph.p_flags))
            }
            guard !segments.isEmpty else { throw fail("no PT_LOAD segments") }
            return (segments, ehdr.e_entry)
        }
    }

    static func libelfError() -> String {
        guard let msg = elf_errmsg(-1) else { return "unknown error" }
        return String(cString: msg)
    }
}

/// The arm64 Linux Image format (Documentation/arch/arm64/booting.rst): a 64-byte header with
/// text_offset, image_size and the magic "ARM\x64" at offset 0x38.
public enum ImageLoader {
    public static func isImage(_ data: [UInt8]) -> Bool {
        data.count >= 64 && data[0x38..<0x3C].elementsEqual([0x41, 0x52, 0x4D, 0x64])
    }

    static func le64(_ d: [UInt8], _ at: Int) -> UInt64 {
        (0..<8).reduce(0) { $0 | UInt64(d[at + $1]) << UInt64(8 * $1) }
    }

    /// Where the file's data must end: an Image with an EFI stub ("MZ", PE header offset at 0x3C)
    /// lists its sections' file extents; image_size cannot tell, since it also counts the BSS.
    /// nil without a readable PE header (nothing to check against).
    static func peRawDataEnd(_ d: [UInt8]) -> Int? {
        guard d[0] == 0x4D, d[1] == 0x5A else { return nil }
        let le16 = { (at: Int) in Int(d[at]) | Int(d[at + 1]) << 8 }
        let le32 = { (at: Int) in le16(at) | le16(at + 2) << 16 }
        let pe = le32(0x3C)
        guard pe >= 0x40, pe + 24 <= d.count, d[pe..<pe + 4].elementsEqual([0x50, 0x45, 0, 0]) else { return nil }
        let sections = le16(pe + 6), table = pe + 24 + le16(pe + 20)
        guard table + 40 * sections <= d.count else { return table + 40 * sections }
        return (0..<sections).map { le32(table + 40 * $0 + 20) + le32(table + 40 * $0 + 16) }.max() ?? 0
    }

    /// Places the Image as U-Boot's booti does: 2 MiB-aligned plus text_offset, at `preferredBase`
    /// (the board's kernel_addr_r) when its header allows any placement (flags bit 3), else as near
    /// the base of RAM as possible (booting.rst); returns segment and entry.
    public static func load(path: String, data: [UInt8], ramBase: UInt64, preferredBase: UInt64? = nil) throws -> (segment: Segment, entry: UInt64) {
        var textOffset = le64(data, 8)
        var imageSize = le64(data, 16)
        // image_size 0 marks a kernel older than 3.17, whose text_offset is 0x80000 whatever it says.
        if imageSize == 0 { textOffset = 0x80000; imageSize = UInt64(data.count) }
        guard textOffset < 1 << 30 else { throw SimError.file(path: path, problem: "implausible text_offset 0x\(String(textOffset, radix: 16))") }
        if let rawEnd = peRawDataEnd(data), rawEnd > data.count {
            throw SimError.file(path: path, problem: "truncated arm64 Image: \(data.count) bytes, its PE/COFF sections need \(rawEnd)")
        }
        let flags = le64(data, 24)
        guard flags & 1 == 0 else { throw SimError.file(path: path, problem: "big-endian kernel Image is not supported") }
        let anywhere = flags & 8 != 0
        let base = ((anywhere ? preferredBase ?? ramBase : ramBase) + 0x1F_FFFF) & ~0x1F_FFFF
        let address = base + textOffset
        return (Segment(address: address, bytes: data, size: max(imageSize, UInt64(data.count))), address)
    }
}
