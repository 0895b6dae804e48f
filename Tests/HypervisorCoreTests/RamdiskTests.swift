import Testing
@testable import HypervisorCore

/// The boot ramdisk's newc cpio reader (what `cpio -o -H newc` writes).
@Suite struct RamdiskTests {
    /// One newc member: 110-byte header, NUL-terminated name padded to 4, data padded to 4.
    func member(_ name: String, _ data: [UInt8], mode: Int = 0o100644) -> [UInt8] {
        func hex(_ v: Int) -> String { let s = String(v, radix: 16); return String(repeating: "0", count: 8 - s.count) + s }
        let fields = [0, mode, 0, 0, 1, 0, data.count, 0, 0, 0, 0, name.utf8.count + 1, 0]
        var out = Array(("070701" + fields.map(hex).joined()).utf8) + Array(name.utf8) + [0]
        while out.count % 4 != 0 { out.append(0) }
        out += data
        while out.count % 4 != 0 { out.append(0) }
        return out
    }

    @Test func findsRegularFilesWithTheirOffsets() {
        let kernel: [UInt8] = Array(repeating: 0xAB, count: 13)
        let archive = member(".", [], mode: 0o040755) + member("./Image", kernel) + member("initrd.gz", [1, 2, 3])
            + member("TRAILER!!!", [])
        archive.withUnsafeBytes { bytes in
            guard let r = Ramdisk(bytes) else { Issue.record("not parsed"); return }
            #expect(r.files.map { $0.name } == ["Image", "initrd.gz"])      // the directory is skipped
            let f = r.file("Image")!
            #expect(f.size == 13 && Array(bytes[f.offset..<(f.offset + f.size)]) == kernel)
            #expect(r.file("initrd.gz")!.size == 3)
            #expect(r.file("missing") == nil)
        }
    }

    @Test func refusesWhatIsNotNewcOrRunsPastTheEnd() {
        [UInt8](repeating: 0x1F, count: 200).withUnsafeBytes { #expect(Ramdisk($0) == nil) }      // gzip, not cpio
        let cut = Array(member("Image", Array(repeating: 1, count: 64)).prefix(150))
        cut.withUnsafeBytes { #expect(Ramdisk($0) == nil) }
        let noTrailer = member("a", [1])
        noTrailer.withUnsafeBytes { #expect(Ramdisk($0) == nil) }
    }
}
