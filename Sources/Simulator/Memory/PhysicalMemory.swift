import Foundation
import Devices

/// RAM or ROM backed by host memory, with a lazily allocated table of predecoded pages.
public final class MemoryRegion {
    public let name: String
    public let base: UInt64
    public let size: UInt64
    public let host: UnsafeMutableRawPointer
    /// ROM (flash) regions reject guest writes (external abort); loaders may still fill them.
    public let writable: Bool
    /// Predecoded instructions per 4 KiB page; nil until code runs from the page.
    let codePages: UnsafeMutablePointer<UnsafeMutablePointer<Insn>?>

    init(name: String, base: UInt64, size: UInt64, writable: Bool) throws {
        guard let p = mmap(nil, Int(size), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0),
              p != MAP_FAILED else {
            throw SimError.resource("cannot reserve \(size >> 20) MiB of host memory for \(name)")
        }
        self.name = name
        self.base = base
        self.size = size
        self.host = p
        self.writable = writable
        let pages = Int(size >> 12)
        codePages = .allocate(capacity: pages)
        codePages.initialize(repeating: nil, count: pages)
    }

    deinit {
        for i in 0..<Int(size >> 12) { codePages[i]?.deallocate() }
        codePages.deallocate()
        munmap(host, Int(size))
    }

    @inline(__always) func contains(_ pa: UInt64) -> Bool { pa >= base && pa - base < size }

    /// The predecoded page for the page holding `pa`, created empty on first use.
    func codePage(_ pa: UInt64) -> (UnsafeMutablePointer<Insn>, created: Bool) {
        let idx = Int((pa - base) >> 12)
        if let p = codePages[idx] { return (p, false) }
        // The slots, then the page's translations (JITTable) in the same allocation.
        let raw = UnsafeMutableRawPointer.allocate(byteCount: 1025 * MemoryLayout<Insn>.stride + JITTable.bytes,
                                                   alignment: MemoryLayout<Insn>.alignment)
        let p = raw.bindMemory(to: Insn.self, capacity: 1025)
        p.initialize(repeating: .undecoded, count: 1024)
        (p + 1024).initialize(to: .pageEnd)
        JITTable.initialize(p)
        codePages[idx] = p
        return (p, true)
    }

    /// Forgets every predecoded instruction (a debugger starts looking at each one).
    func forgetDecodedCode() {
        for i in 0..<Int(size >> 12) {
            guard let page = codePages[i] else { continue }
            page.update(repeating: .undecoded, count: 1024)
            JITTable.clear(page)
        }
    }

    /// Forgets predecoded instructions overlapping [pa, pa+len): the bytes changed.
    func invalidateCode(_ pa: UInt64, _ len: Int) {
        var a = pa & ~3
        let end = pa + UInt64(len)
        while a < end {
            if let page = codePages[Int((a - base) >> 12)] {
                let slot = Int((a & 0xFFF) >> 2)
                page[slot] = .undecoded
                // The slot before may hold this word fused into it (Fusion): forget it too.
                if slot > 0 { page[slot - 1] = .undecoded }
                // And the translations that cover the word.
                JITTable.forget(page, slot: slot)
            }
            a += 4
        }
    }

    func hasCode(_ pa: UInt64) -> Bool { codePages[Int((pa - base) >> 12)] != nil }
}

/// A memory region as plain data (see `MemoryRegion`).
public struct MemoryRange {
    public let base: UInt64
    public let size: UInt64
    public let host: UnsafeMutableRawPointer
    public let writable: Bool
    let codePages: UnsafeMutablePointer<UnsafeMutablePointer<Insn>?>

    @inline(__always) func hasCode(_ pa: UInt64) -> Bool { codePages[Int((pa &- base) >> 12)] != nil }
}

/// The physical address space: memory regions and device windows. Accesses here are the slow
/// path; the cores' software TLBs hold direct host pointers for RAM.
public final class PhysicalMemory {
    public private(set) var regions: [MemoryRegion] = []
    public private(set) var devices: [(base: UInt64, device: MMIODevice)] = []
    /// Called with a page's host address when code is first predecoded from it, so cores drop
    /// write fast paths to that page (writes must then invalidate predecoded instructions).
    var onNewCodePage: ((UnsafeMutableRawPointer) -> Void)?
    /// Set by `--trace mmio`.
    public var mmioTrace: ((String) -> Void)?
    /// Translated code of this address space's pages (nil where the host is not x86-64), made on
    /// first use with `jitCacheBytes` of room.
    var jitCacheBytes = JITArena.defaultSize
    lazy var jitArena: JITArena? = {
        #if arch(x86_64)
        return JITArena(size: jitCacheBytes)
        #else
        return nil
        #endif
    }()

    public init() {}

    public func addRegion(name: String, base: UInt64, size: UInt64, writable: Bool = true) throws {
        try checkFree(name: name, base: base, size: size)
        let region = try MemoryRegion(name: name, base: base, size: size, writable: writable)
        regions.append(region)
        let old = ranges
        ranges = .allocate(capacity: regions.count)
        for (i, r) in regions.enumerated() {
            ranges[i] = MemoryRange(base: r.base, size: r.size, host: r.host, writable: r.writable, codePages: r.codePages)
        }
        old.deallocate()
    }

    public func addDevice(_ device: MMIODevice, at base: UInt64) throws {
        try checkFree(name: device.name, base: base, size: device.size)
        devices.append((base, device))
        devices.sort { $0.base < $1.base }
    }

    private func checkFree(name: String, base: UInt64, size: UInt64) throws {
        for r in regions where base < r.base + r.size && r.base < base + size {
            throw SimError.config("\(name) at 0x\(String(base, radix: 16)) overlaps \(r.name)")
        }
        for d in devices where base < d.base + d.device.size && d.base < base + size {
            throw SimError.config("\(name) at 0x\(String(base, radix: 16)) overlaps \(d.device.name)")
        }
    }

    /// The regions as plain data, for lookups on hot slow paths (table walks, TLB fills) without
    /// reference counting.
    public private(set) var ranges = UnsafeMutableBufferPointer<MemoryRange>(start: nil, count: 0)

    public func region(_ pa: UInt64) -> MemoryRegion? {
        for r in regions where r.contains(pa) { return r }
        return nil
    }

    /// The memory range holding `pa`, or nil.
    @inline(__always) public func range(_ pa: UInt64) -> UnsafeMutablePointer<MemoryRange>? {
        guard let base = ranges.baseAddress else { return nil }
        for i in 0..<ranges.count where pa &- base[i].base < base[i].size { return base + i }
        return nil
    }

    /// Reads 8 bytes of RAM/ROM at `pa` (page-table walks); nil outside memory.
    @inline(__always) func read64(_ pa: UInt64) -> UInt64? {
        guard let r = range(pa), pa & 7 == 0 else { return readPhysical(pa, size: 8) }
        return (r.pointee.host + Int(pa &- r.pointee.base)).load(as: UInt64.self)
    }

    public func device(_ pa: UInt64) -> (MMIODevice, UInt64)? {
        for d in devices where pa >= d.base && pa - d.base < d.device.size { return (d.device, pa - d.base) }
        return nil
    }

    /// Copies `bytes` into memory (loaders, DMA). Throws if any byte falls outside RAM/ROM.
    public func write(_ bytes: UnsafeRawBufferPointer, at pa: UInt64) throws {
        guard !bytes.isEmpty else { return }
        guard let r = region(pa), pa + UInt64(bytes.count) <= r.base + r.size, pa + UInt64(bytes.count) >= pa else {
            throw SimError.config("[0x\(String(pa, radix: 16)), 0x\(String(pa &+ UInt64(bytes.count), radix: 16))) is not inside RAM")
        }
        (r.host + Int(pa - r.base)).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        r.invalidateCode(pa, bytes.count)
    }

    func forgetDecodedCode() { for r in regions { r.forgetDecodedCode() } }

    public func write(_ bytes: [UInt8], at pa: UInt64) throws {
        try bytes.withUnsafeBytes { try write($0, at: pa) }
    }

    /// Copies `count` bytes out of memory, or nil if outside RAM/ROM.
    public func read(_ pa: UInt64, count: Int) -> [UInt8]? {
        guard let r = region(pa), pa + UInt64(count) <= r.base + r.size else { return nil }
        return Array(UnsafeRawBufferPointer(start: r.host + Int(pa - r.base), count: count))
    }

    /// A single access of 1, 2, 4 or 8 bytes that does not cross a page; nil is an external abort.
    func readPhysical(_ pa: UInt64, size: Int) -> UInt64? {
        if let r = region(pa) {
            let p = r.host + Int(pa - r.base)
            switch size {
            case 1: return UInt64(p.load(as: UInt8.self))
            case 2: return UInt64(p.loadUnaligned(as: UInt16.self))
            case 4: return UInt64(p.loadUnaligned(as: UInt32.self))
            default: return p.loadUnaligned(as: UInt64.self)
            }
        }
        if let (dev, off) = device(pa) {
            let v = dev.read(offset: off, size: size)
            mmioTrace?("read  \(dev.name)+0x\(String(off, radix: 16)) size \(size) -> 0x\(String(v, radix: 16))")
            return v
        }
        mmioTrace?("read  0x\(String(pa, radix: 16)) size \(size): no device (external abort)")
        return nil
    }

    /// A single write; false is an external abort (nothing there, or ROM).
    func writePhysical(_ pa: UInt64, size: Int, value: UInt64) -> Bool {
        if let r = region(pa) {
            guard r.writable else { return false }
            let p = r.host + Int(pa - r.base)
            switch size {
            case 1: p.storeBytes(of: UInt8(truncatingIfNeeded: value), as: UInt8.self)
            case 2: p.storeBytes(of: UInt16(truncatingIfNeeded: value), toByteOffset: 0, as: UInt16.self)
            case 4: p.storeBytes(of: UInt32(truncatingIfNeeded: value), toByteOffset: 0, as: UInt32.self)
            default: p.storeBytes(of: value, toByteOffset: 0, as: UInt64.self)
            }
            if r.hasCode(pa) { r.invalidateCode(pa, size) }
            return true
        }
        if let (dev, off) = device(pa) {
            mmioTrace?("write \(dev.name)+0x\(String(off, radix: 16)) size \(size) <- 0x\(String(value, radix: 16))")
            dev.write(offset: off, size: size, value: value)
            return true
        }
        mmioTrace?("write 0x\(String(pa, radix: 16)) size \(size): no device (external abort)")
        return false
    }
}

extension PhysicalMemory: GuestMemory {
    public func dmaRead(_ pa: UInt64, count: Int) -> [UInt8]? { read(pa, count: count) }

    public func dmaWrite(_ pa: UInt64, _ bytes: [UInt8]) -> Bool { (try? write(bytes, at: pa)) != nil }
}
