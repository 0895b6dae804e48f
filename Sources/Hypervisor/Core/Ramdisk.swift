/// The boot ramdisk: the guests' images in one newc cpio archive that the boot loader places
/// and names in /chosen (linux,initrd-start/end) — the Pi firmware's `initramfs` line, U-Boot's
/// `booti kernel initrd:size dtb`, QEMU's `-initrd` — so a board whose firmware loads only a
/// kernel, a tree and one ramdisk can still start several VMs. /vms nodes name files in it
/// (`kernel_image`, `initrd_image`) and the hypervisor copies each into its VM's memory.
/// Format: newc ("070701"), as cpio -H newc writes it (Linux's initramfs buffer format).
struct Ramdisk {
    struct File {
        let name: String
        /// Offset of the data from the archive's start, and its size.
        let offset: Int
        let size: Int
    }

    let files: [File]

    /// Parses the archive; nil when it is not newc cpio or a header runs past the end.
    init?(_ bytes: UnsafeRawBufferPointer) {
        var files: [File] = []
        var at = 0
        func hex(_ off: Int) -> Int? {
            var v = 0
            for i in 0..<8 {
                let c = bytes[off + i]
                let d: Int
                switch c {
                case 48...57: d = Int(c) - 48
                case 65...70: d = Int(c) - 55
                case 97...102: d = Int(c) - 87
                default: return nil
                }
                v = v << 4 | d
            }
            return v
        }
        while true {
            guard at + 110 <= bytes.count else { return nil }
            for (i, m) in "070701".utf8.enumerated() where bytes[at + i] != m { return nil }
            guard let mode = hex(at + 14), let fileSize = hex(at + 54), let nameSize = hex(at + 94), nameSize >= 1 else { return nil }
            let nameStart = at + 110
            guard nameStart + nameSize <= bytes.count else { return nil }
            let name = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[nameStart..<(nameStart + nameSize - 1)]), as: UTF8.self)
            let dataStart = (nameStart + nameSize + 3) & ~3
            guard dataStart + fileSize <= bytes.count else { return nil }
            if name == "TRAILER!!!" { break }
            if mode & 0o170000 == 0o100000 {                    // regular files only
                files.append(File(name: name.hasPrefix("./") ? String(name.dropFirst(2)) : name, offset: dataStart, size: fileSize))
            }
            at = (dataStart + fileSize + 3) & ~3
        }
        self.files = files
    }

    func file(_ name: String) -> File? { files.first { $0.name == name } }
}
