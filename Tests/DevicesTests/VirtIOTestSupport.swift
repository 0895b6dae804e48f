import Foundation
@testable import Devices

/// Guest RAM for virtio tests: a byte array at `base`, with a bump allocator for rings and buffers.
final class VirtIOTestRAM: GuestMemory {
    let base: UInt64
    var bytes: [UInt8]
    private var next: UInt64

    init(base: UInt64 = 0x4000_0000, size: Int = 4 << 20) {
        self.base = base
        bytes = [UInt8](repeating: 0, count: size)
        next = base
    }

    private func range(_ pa: UInt64, _ count: Int) -> Range<Int>? {
        guard pa >= base, pa - base <= UInt64(bytes.count), UInt64(count) <= UInt64(bytes.count) - (pa - base) else { return nil }
        let start = Int(pa - base)
        return start..<(start + count)
    }

    func dmaRead(_ pa: UInt64, count: Int) -> [UInt8]? {
        guard let r = range(pa, count) else { return nil }
        return Array(bytes[r])
    }

    func dmaWrite(_ pa: UInt64, _ data: [UInt8]) -> Bool {
        guard let r = range(pa, data.count) else { return false }
        bytes.replaceSubrange(r, with: data)
        return true
    }

    func alloc(_ count: Int, align: UInt64 = 16) -> UInt64 {
        next = (next + align - 1) & ~(align - 1)
        let pa = next
        next += UInt64(max(count, 1))
        precondition(next <= base + UInt64(bytes.count), "test RAM exhausted")
        return pa
    }

    func put(_ pa: UInt64, _ data: [UInt8]) { precondition(dmaWrite(pa, data)) }
    func get(_ pa: UInt64, _ count: Int) -> [UInt8] { dmaRead(pa, count: count)! }
    func put16(_ pa: UInt64, _ v: UInt16) { put(pa, VirtIOLE.bytes(v)) }
    func get16(_ pa: UInt64) -> UInt16 { VirtIOLE.u16(get(pa, 2), 0) }
    func get32(_ pa: UInt64) -> UInt32 { VirtIOLE.u32(get(pa, 4), 0) }
}

/// Records the interrupt line and counts rising edges.
final class VirtIOTestSink: InterruptSink {
    var level: [Int: Bool] = [:]
    var rises = 0
    func setLevel(intid: Int, asserted: Bool) {
        if asserted && level[intid] != true { rises += 1 }
        level[intid] = asserted
    }
}

/// The driver side of a virtio-mmio transport, as the spec's "Device Initialization" and
/// "Supplying Buffers to The Device" describe it: negotiates features, lays out split rings in
/// test RAM, builds descriptor chains (direct or through an indirect table) and reads the used ring.
final class VirtIOTestDriver {
    struct Queue {
        var size: UInt16
        var desc: UInt64, avail: UInt64, used: UInt64
        var nextDesc: UInt16 = 0
        var availIdx: UInt16 = 0
        var lastUsed: UInt16 = 0
    }
    /// A buffer in a chain: bytes the device reads, or room for the device to write.
    enum Buffer {
        case out([UInt8])
        case `in`(Int)
    }
    struct Submitted {
        var head: UInt16
        /// Guest addresses of the `.in` buffers, in order.
        var inAddresses: [UInt64]
    }

    let transport: VirtIOMMIO
    let ram: VirtIOTestRAM
    let sink: VirtIOTestSink
    var queues: [Int: Queue] = [:]
    var features: UInt64 = 0
    /// With EVENT_IDX, `used` moves used_event past what it took.
    var autoUsedEvent = true

    init(device: VirtIODevice?, version: UInt32 = 2, irq: Int = 48) {
        ram = VirtIOTestRAM()
        sink = VirtIOTestSink()
        transport = VirtIOMMIO(name: "virtio_mmio@a000000", device: device, memory: ram, irq: irq, sink: sink, version: version)
        transport.log = nil
    }

    func r(_ offset: UInt64) -> UInt32 { UInt32(transport.read(offset: offset, size: 4)) }
    func w(_ offset: UInt64, _ value: UInt32) { transport.write(offset: offset, size: 4, value: UInt64(value)) }

    var status: UInt32 { r(0x70) }
    var needsReset: Bool { status & VirtIOStatus.deviceNeedsReset != 0 }
    var line: Bool { sink.level[transport.irq] == true }

    var deviceFeatures: UInt64 {
        w(0x14, 0); let lo = UInt64(r(0x10))
        w(0x14, 1); let hi = UInt64(r(0x10))
        return hi << 32 | lo
    }

    /// Status handshake up to FEATURES_OK (version 2); returns whether the device accepted `accept`.
    @discardableResult
    func negotiate(_ accept: (UInt64) -> UInt64 = { $0 }) -> Bool {
        w(0x70, 0)
        w(0x70, VirtIOStatus.acknowledge)
        w(0x70, VirtIOStatus.acknowledge | VirtIOStatus.driver)
        features = accept(deviceFeatures)
        w(0x24, 0); w(0x20, UInt32(truncatingIfNeeded: features))
        w(0x24, 1); w(0x20, UInt32(truncatingIfNeeded: features >> 32))
        if transport.version == 1 { return true }
        w(0x70, VirtIOStatus.acknowledge | VirtIOStatus.driver | VirtIOStatus.featuresOK)
        return status & VirtIOStatus.featuresOK != 0
    }

    func setupQueue(_ index: Int, size: UInt16) {
        w(0x30, UInt32(index))
        precondition(r(0x34) >= size, "queue \(index) too small")
        w(0x38, UInt32(size))
        let n = UInt64(size)
        if transport.version == 1 {
            w(0x28, 4096)
            w(0x3C, 4096)
            let availEnd = 16 * n + 6 + 2 * n
            let usedOffset = (availEnd + 4095) & ~4095
            let base = ram.alloc(Int(usedOffset + 6 + 8 * n), align: 4096)
            queues[index] = Queue(size: size, desc: base, avail: base + 16 * n, used: base + usedOffset)
            w(0x40, UInt32((base) / 4096))
            return
        }
        let q = Queue(size: size, desc: ram.alloc(Int(16 * n), align: 16), avail: ram.alloc(Int(6 + 2 * n), align: 2),
                      used: ram.alloc(Int(6 + 8 * n), align: 4))
        queues[index] = q
        for (reg, pa) in [(0x80, q.desc), (0x90, q.avail), (0xA0, q.used)] as [(UInt64, UInt64)] {
            w(reg, UInt32(truncatingIfNeeded: pa))
            w(reg + 4, UInt32(truncatingIfNeeded: pa >> 32))
        }
        w(0x44, 1)
    }

    func driverOK() {
        w(0x70, status | VirtIOStatus.acknowledge | VirtIOStatus.driver | VirtIOStatus.driverOK)
    }

    /// Full initialization: negotiate, set up `queueSizes.count` queues, DRIVER_OK.
    func start(queueSizes: [UInt16], accept: (UInt64) -> UInt64 = { $0 }) {
        let ok = negotiate(accept)
        precondition(ok, "device refused features")
        for (i, s) in queueSizes.enumerated() { setupQueue(i, size: s) }
        driverOK()
    }

    /// Writes a raw descriptor into queue `qi`'s table (or any table at `table`).
    func putDescriptor(_ table: UInt64, _ i: UInt16, addr: UInt64, len: UInt32, flags: UInt16, next: UInt16) {
        ram.put(table + 16 * UInt64(i), VirtIOLE.bytes(addr) + VirtIOLE.bytes(len) + VirtIOLE.bytes(flags) + VirtIOLE.bytes(next))
    }

    /// Makes head `head` available on queue `qi` and (optionally) notifies.
    func publish(_ qi: Int, head: UInt16, notify: Bool = true) {
        var q = queues[qi]!
        ram.put16(q.avail + 4 + 2 * UInt64(q.availIdx % q.size), head)
        q.availIdx &+= 1
        ram.put16(q.avail + 2, q.availIdx)
        queues[qi] = q
        if notify { w(0x50, UInt32(qi)) }
    }

    /// Builds a chain for `buffers` and makes it available.
    @discardableResult
    func submit(_ qi: Int, _ buffers: [Buffer], indirect: Bool = false, notify: Bool = true) -> Submitted {
        var q = queues[qi]!
        var inAddresses: [UInt64] = []
        var descs: [(UInt64, UInt32, UInt16)] = []
        for b in buffers {
            switch b {
            case .out(let data):
                let pa = ram.alloc(data.count)
                ram.put(pa, data)
                descs.append((pa, UInt32(data.count), 0))
            case .in(let n):
                let pa = ram.alloc(n)
                inAddresses.append(pa)
                descs.append((pa, UInt32(n), Virtqueue.DescFlag.write))
            }
        }
        let head = q.nextDesc
        if indirect {
            let table = ram.alloc(16 * descs.count)
            for (i, d) in descs.enumerated() {
                let last = i == descs.count - 1
                putDescriptor(table, UInt16(i), addr: d.0, len: d.1, flags: d.2 | (last ? 0 : Virtqueue.DescFlag.next), next: last ? 0 : UInt16(i + 1))
            }
            putDescriptor(q.desc, head, addr: table, len: UInt32(16 * descs.count), flags: Virtqueue.DescFlag.indirect, next: 0)
            q.nextDesc = (q.nextDesc + 1) % q.size
        } else {
            for (i, d) in descs.enumerated() {
                let this = q.nextDesc
                let last = i == descs.count - 1
                let next = (this + 1) % q.size
                putDescriptor(q.desc, this, addr: d.0, len: d.1, flags: d.2 | (last ? 0 : Virtqueue.DescFlag.next), next: last ? 0 : next)
                q.nextDesc = next
            }
        }
        queues[qi] = q
        publish(qi, head: head, notify: notify)
        return Submitted(head: head, inAddresses: inAddresses)
    }

    /// Used-ring entries added since the last call.
    func used(_ qi: Int) -> [(id: UInt32, len: UInt32)] {
        var q = queues[qi]!
        let idx = ram.get16(q.used + 2)
        var out: [(UInt32, UInt32)] = []
        while q.lastUsed != idx {
            let e = q.used + 4 + 8 * UInt64(q.lastUsed % q.size)
            out.append((ram.get32(e), ram.get32(e + 4)))
            q.lastUsed &+= 1
        }
        queues[qi] = q
        // As Linux does after taking used buffers: interrupt me for the next one.
        if autoUsedEvent { setUsedEvent(qi, q.lastUsed) }
        return out
    }

    func setUsedEvent(_ qi: Int, _ v: UInt16) {
        let q = queues[qi]!
        ram.put16(q.avail + 4 + 2 * UInt64(q.size), v)
    }

    func availEvent(_ qi: Int) -> UInt16 {
        let q = queues[qi]!
        return ram.get16(q.used + 4 + 8 * UInt64(q.size))
    }

    func setAvailFlags(_ qi: Int, _ flags: UInt16) { ram.put16(queues[qi]!.avail, flags) }

    /// Reads and acknowledges InterruptStatus, as a driver's interrupt handler does.
    @discardableResult
    func ack() -> UInt32 {
        let s = r(0x60)
        w(0x64, s)
        return s
    }
}

/// Temporary files for disk-image tests, removed by `cleanup`.
enum VirtIOTempFile {
    static func make(_ bytes: [UInt8]) -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("minos-virtio-\(UUID().uuidString).img").path
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    /// `sectors` 512-byte sectors, sector i filled with byte i & 0xFF.
    static func disk(sectors: Int) -> String {
        make((0..<sectors).flatMap { [UInt8](repeating: UInt8(truncatingIfNeeded: $0), count: 512) })
    }

    static func contents(_ path: String) -> [UInt8] { [UInt8](FileManager.default.contents(atPath: path) ?? Data()) }

    static func remove(_ path: String) { try? FileManager.default.removeItem(atPath: path) }
}
