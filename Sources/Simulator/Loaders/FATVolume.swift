import Foundation

/// Read-only FAT12/16/32 access to a disk image's boot partition, as the Raspberry Pi's GPU
/// firmware has it: the first MBR partition of a FAT type (or a partitionless volume), files
/// of its root directory by long or 8.3 name, case-insensitively (Microsoft's FAT specification,
/// "FAT: General Overview of On-Disk Format": BPB, FAT, directory entries, long names).
struct FATVolume {
    enum Problem: Error, CustomStringConvertible {
        case noVolume(String), corrupt(String)
        var description: String {
            switch self {
            case .noVolume(let s): return s
            case .corrupt(let s): return "the FAT file system is corrupt: \(s)"
            }
        }
    }

    private let disk: FileHandle
    private let diskSize: UInt64
    private let bytesPerSector: UInt64, sectorsPerCluster: UInt64
    private let fatStart: UInt64, dataStart: UInt64
    private let clusterCount: UInt32
    private let fatBits: Int
    /// FAT12/16: the fixed root directory (offset, bytes); FAT32: its first cluster.
    private let fixedRoot: (UInt64, UInt64)?
    private let rootCluster: UInt32

    init(image path: String) throws {
        guard let h = FileHandle(forReadingAtPath: path) else { throw Problem.noVolume("cannot open the image") }
        let size = (try? h.seekToEnd()) ?? 0
        disk = h
        diskSize = size
        func read(_ at: UInt64, _ n: Int) throws -> [UInt8] {
            guard at + UInt64(n) <= size else { throw Problem.noVolume("the image ends at \(size) bytes, before its file system does (truncated?)") }
            try h.seek(toOffset: at)
            return [UInt8](h.readData(ofLength: n))
        }
        let mbr = try read(0, 512)
        guard mbr[510] == 0x55, mbr[511] == 0xAA else { throw Problem.noVolume("no boot sector signature (not a disk image?)") }
        var start: UInt64 = 0
        if !Self.isBPB(mbr) {
            let fatTypes: Set<UInt8> = [0x01, 0x04, 0x06, 0x0B, 0x0C, 0x0E]
            guard let p = (0..<4).first(where: { fatTypes.contains(mbr[446 + $0 * 16 + 4]) }) else {
                throw Problem.noVolume("no FAT partition in the partition table")
            }
            start = UInt64(Self.le32(mbr, 446 + p * 16 + 8)) * 512
        }
        let bpb = try read(start, 512)
        guard Self.isBPB(bpb) else { throw Problem.noVolume("the first FAT partition holds no FAT boot sector") }
        bytesPerSector = UInt64(Self.le16(bpb, 11))
        sectorsPerCluster = UInt64(bpb[13])
        let reserved = UInt64(Self.le16(bpb, 14)), fats = UInt64(bpb[16]), rootEntries = UInt64(Self.le16(bpb, 17))
        let total = Self.le16(bpb, 19) != 0 ? UInt64(Self.le16(bpb, 19)) : UInt64(Self.le32(bpb, 32))
        let fatSize = Self.le16(bpb, 22) != 0 ? UInt64(Self.le16(bpb, 22)) : UInt64(Self.le32(bpb, 36))
        let rootSectors = (rootEntries * 32 + bytesPerSector - 1) / bytesPerSector
        fatStart = start + reserved * bytesPerSector
        let firstData = reserved + fats * fatSize + rootSectors
        dataStart = start + firstData * bytesPerSector
        guard total > firstData, fatSize > 0 else { throw Problem.corrupt("its boot sector describes no data area") }
        clusterCount = UInt32((total - firstData) / sectorsPerCluster)
        fatBits = clusterCount < 4085 ? 12 : clusterCount < 65525 ? 16 : 32
        if fatBits == 32 {
            fixedRoot = nil
            rootCluster = Self.le32(bpb, 44)
        } else {
            fixedRoot = (start + (reserved + fats * fatSize) * bytesPerSector, rootEntries * 32)
            rootCluster = 0
        }
        guard start + total * UInt64(Self.le16(bpb, 11)) <= size else {
            throw Problem.noVolume("the image ends at \(size) bytes, inside its FAT partition (truncated?)")
        }
    }

    private static func isBPB(_ s: [UInt8]) -> Bool {
        let bps = le16(s, 11), spc = s[13]
        return (s[0] == 0xEB || s[0] == 0xE9) && [512, 1024, 2048, 4096].contains(bps) && spc != 0 && spc & (spc - 1) == 0 && s[16] >= 1
    }
    private static func le16(_ b: [UInt8], _ i: Int) -> UInt16 { UInt16(b[i]) | UInt16(b[i + 1]) << 8 }
    private static func le32(_ b: [UInt8], _ i: Int) -> UInt32 { UInt32(le16(b, i)) | UInt32(le16(b, i + 2)) << 16 }

    private func read(_ at: UInt64, _ n: Int) throws -> [UInt8] {
        guard at + UInt64(n) <= diskSize else { throw Problem.corrupt("a read at byte \(at) runs past the image") }
        try disk.seek(toOffset: at)
        return [UInt8](disk.readData(ofLength: n))
    }

    private var clusterBytes: UInt64 { bytesPerSector * sectorsPerCluster }

    private func next(_ cluster: UInt32) throws -> UInt32? {
        let entry: UInt32
        switch fatBits {
        case 12:
            let b = try read(fatStart + UInt64(cluster) * 3 / 2, 2)
            let v = UInt32(b[0]) | UInt32(b[1]) << 8
            entry = cluster & 1 == 0 ? v & 0xFFF : v >> 4
            return entry >= 0xFF8 ? nil : entry
        case 16:
            let b = try read(fatStart + UInt64(cluster) * 2, 2)
            entry = UInt32(b[0]) | UInt32(b[1]) << 8
            return entry >= 0xFFF8 ? nil : entry
        default:
            entry = Self.le32(try read(fatStart + UInt64(cluster) * 4, 4), 0) & 0x0FFF_FFFF
            return entry >= 0x0FFF_FFF8 ? nil : entry
        }
    }

    /// The bytes of a cluster chain, up to `limit` (nil: to its end, for a directory, which has no size).
    private func chain(_ first: UInt32, limit: UInt64?, what: String) throws -> [UInt8] {
        var out: [UInt8] = []
        var c: UInt32? = first
        var steps: UInt32 = 0
        while let cluster = c, UInt64(out.count) < limit ?? UInt64.max {
            guard cluster >= 2, cluster < clusterCount + 2, steps <= clusterCount else {
                throw Problem.corrupt("\(what) reaches cluster \(cluster), outside the volume's \(clusterCount)")
            }
            out += try read(dataStart + UInt64(cluster - 2) * clusterBytes, Int(clusterBytes))
            c = try next(cluster)
            steps += 1
        }
        guard let limit else { return out }
        guard UInt64(out.count) >= limit else { throw Problem.corrupt("\(what) ends after \(out.count) of its \(limit) bytes") }
        return Array(out.prefix(Int(limit)))
    }

    struct Entry { let name: String; let cluster: UInt32; let size: UInt32; let directory: Bool }

    /// The root directory's entries, with long names where present.
    func rootEntries() throws -> [Entry] {
        let raw: [UInt8]
        if let (at, n) = fixedRoot { raw = try read(at, Int(n)) } else { raw = try chain(rootCluster, limit: nil, what: "the root directory") }
        var entries: [Entry] = []
        var long: [UInt16] = []
        var i = 0
        while i + 32 <= raw.count {
            let e = Array(raw[i..<(i + 32)])
            i += 32
            if e[0] == 0 { break }
            if e[0] == 0xE5 { long = []; continue }
            if e[11] == 0x0F {                                  // long-name piece (stored last first)
                var part: [UInt16] = []
                for o in [1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30] { part.append(Self.le16(e, o)) }
                long = part + long
                continue
            }
            if e[11] & 0x08 != 0 { long = []; continue }        // volume label
            var name: String
            if !long.isEmpty {
                name = String(decoding: long.prefix { $0 != 0 && $0 != 0xFFFF }, as: UTF16.self)
            } else {
                let base = String(decoding: e[0..<8], as: UTF8.self).trimmingCharacters(in: .whitespaces)
                let ext = String(decoding: e[8..<11], as: UTF8.self).trimmingCharacters(in: .whitespaces)
                name = ext.isEmpty ? base : base + "." + ext
            }
            long = []
            let cluster = UInt32(Self.le16(e, 26)) | UInt32(Self.le16(e, 20)) << 16
            entries.append(Entry(name: name, cluster: cluster, size: Self.le32(e, 28), directory: e[11] & 0x10 != 0))
        }
        return entries
    }

    /// A root-directory file's bytes, nil when there is no such file.
    func file(_ name: String) throws -> [UInt8]? {
        guard let e = try rootEntries().first(where: { !$0.directory && $0.name.lowercased() == name.lowercased() }) else { return nil }
        if e.size == 0 { return [] }
        return try chain(e.cluster, limit: UInt64(e.size), what: name)
    }

}
