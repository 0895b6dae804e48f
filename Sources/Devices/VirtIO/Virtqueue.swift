/// One buffer the driver made available: a descriptor chain flattened into guest-physical segments,
/// device-readable ones first, then device-writable ones ("The Virtqueue Descriptor Table").
public struct DescriptorChain {
    public struct Segment: Equatable {
        public var address: UInt64
        public var length: UInt32
    }
    /// Index of the chain's head descriptor, returned in the used ring.
    public let head: UInt16
    public internal(set) var readable: [Segment] = []
    public internal(set) var writable: [Segment] = []

    public var readableLength: Int { readable.reduce(0) { $0 + Int($1.length) } }
    public var writableLength: Int { writable.reduce(0) { $0 + Int($1.length) } }
}

/// OASIS VIRTIO 1.2, "Split Virtqueues": a descriptor table, the driver area (available ring) and
/// the device area (used ring) in guest memory, with "Used Buffer Notification Suppression"
/// (VIRTQ_AVAIL_F_NO_INTERRUPT, or used_event/avail_event with VIRTIO_F_EVENT_IDX) and
/// indirect descriptor tables (VIRTIO_F_INDIRECT_DESC). Every guest-memory access is checked; a
/// malformed ring throws `VirtIOError` and never traps.
public final class Virtqueue {
    /// Descriptor flags from "The Virtqueue Descriptor Table".
    enum DescFlag {
        static let next: UInt16 = 1, write: UInt16 = 2, indirect: UInt16 = 4
    }
    /// VIRTQ_AVAIL_F_NO_INTERRUPT in the available ring's flags.
    static let availNoInterrupt: UInt16 = 1
    /// Longest chain (direct plus indirect descriptors) accepted before declaring a loop, when the
    /// queue itself is smaller.
    static let chainLimit = 1024

    public let index: Int
    public let maxSize: UInt16
    let memory: GuestMemory

    /// QueueNum as the driver wrote it (validated when the queue is enabled).
    var requestedSize: UInt32
    public internal(set) var size: UInt16 = 0
    public internal(set) var ready = false
    var descTable: UInt64 = 0
    var driverArea: UInt64 = 0
    var deviceArea: UInt64 = 0
    /// Legacy (version 1) QueueAlign and QueuePFN.
    var legacyAlign: UInt32 = 4096
    var legacyPFN: UInt32 = 0

    /// Negotiated ring features.
    var eventIdx = false
    var indirect = false

    /// Next available-ring index the device will consume.
    public private(set) var lastAvail: UInt16 = 0
    /// The used-ring index the device last published.
    public private(set) var usedIdx: UInt16 = 0
    /// `usedIdx` when the device last decided whether to interrupt.
    private var signalledUsed: UInt16 = 0

    init(index: Int, maxSize: UInt16, memory: GuestMemory) {
        self.index = index
        self.maxSize = maxSize
        self.memory = memory
        requestedSize = UInt32(maxSize)
    }

    /// Back to the state after device reset.
    func reset() {
        requestedSize = UInt32(maxSize)
        size = 0
        ready = false
        descTable = 0; driverArea = 0; deviceArea = 0
        legacyAlign = 4096; legacyPFN = 0
        eventIdx = false; indirect = false
        lastAvail = 0; usedIdx = 0; signalledUsed = 0
    }

    /// Checks QueueNum and the three areas, then starts using the queue.
    func enable() throws {
        guard requestedSize >= 1, requestedSize <= UInt32(maxSize), requestedSize & (requestedSize - 1) == 0 else {
            throw VirtIOError("queue \(index): size \(requestedSize) is not a power of two in 1...\(maxSize)")
        }
        let n = UInt64(requestedSize)
        let areas: [(String, UInt64, UInt64, UInt64)] = [
            ("descriptor table", descTable, 16 * n, 16),
            ("driver area", driverArea, 6 + 2 * n, 2),
            ("device area", deviceArea, 6 + 8 * n, 4),
        ]
        for (what, pa, len, align) in areas {
            guard pa % align == 0 else { throw VirtIOError("queue \(index): \(what) at 0x\(VirtIOLE.hex(pa)) is not \(align)-byte aligned") }
            guard memory.dmaRead(pa, count: Int(len)) != nil else {
                throw VirtIOError("queue \(index): \(what) at 0x\(VirtIOLE.hex(pa))+0x\(VirtIOLE.hex(len)) \(unreachable)")
            }
        }
        size = UInt16(requestedSize)
        lastAvail = 0; usedIdx = 0; signalledUsed = 0
        ready = true
    }

    func disable() {
        ready = false
        size = 0
    }

    /// Legacy (version 1) layout from "Legacy Interfaces: Virtqueue Layout": the descriptor table at
    /// the page frame, the available ring right after it, the used ring at the next QueueAlign boundary.
    func enableLegacy(pfn: UInt32, pageSize: UInt32) throws {
        legacyPFN = pfn
        guard pfn != 0 else { disable(); return }
        guard legacyAlign != 0, legacyAlign & (legacyAlign - 1) == 0 else {
            throw VirtIOError("queue \(index): QueueAlign \(legacyAlign) is not a power of two")
        }
        let n = UInt64(requestedSize)
        descTable = UInt64(pfn) * UInt64(pageSize)
        driverArea = descTable + 16 * n
        let align = UInt64(legacyAlign)
        deviceArea = (driverArea + 6 + 2 * n + align - 1) & ~(align - 1)
        try enable()
    }

    // MARK: Guest memory

    /// Why an address could not be used: outside RAM, or (behind an SMMU) not translated for the device.
    private var unreachable: String { memory is SMMUStream ? "is not reachable through the SMMU" : "is outside RAM" }

    private func load(_ pa: UInt64, _ count: Int, _ what: @autoclosure () -> String) throws -> [UInt8] {
        guard let b = memory.dmaRead(pa, count: count) else {
            throw VirtIOError("queue \(index): \(what()) at 0x\(VirtIOLE.hex(pa)) \(unreachable)")
        }
        return b
    }

    private func store(_ pa: UInt64, _ bytes: [UInt8], _ what: @autoclosure () -> String) throws {
        guard memory.dmaWrite(pa, bytes) else {
            throw VirtIOError("queue \(index): \(what()) at 0x\(VirtIOLE.hex(pa)) \(unreachable)")
        }
    }

    private func load16(_ pa: UInt64, _ what: @autoclosure () -> String) throws -> UInt16 {
        VirtIOLE.u16(try load(pa, 2, what()), 0)
    }

    // MARK: Available ring

    /// Whether the driver has made buffers available that the device has not taken yet.
    public func hasAvailable() throws -> Bool {
        guard ready else { return false }
        return try load16(driverArea + 2, "available ring index") != lastAvail
    }

    /// Takes the next available buffer, or nil when the driver has made none available.
    public func pop() throws -> DescriptorChain? {
        guard ready else { return nil }
        let availIdx = try load16(driverArea + 2, "available ring index")
        let pending = availIdx &- lastAvail
        if pending == 0 { return nil }
        guard pending <= size else {
            throw VirtIOError("queue \(index): available index jumped from \(lastAvail) to \(availIdx) (queue size \(size))")
        }
        let slot = UInt64(lastAvail % size)
        let head = try load16(driverArea + 4 + 2 * slot, "available ring entry")
        guard head < size else {
            throw VirtIOError("queue \(index): available ring names descriptor \(head), queue size is \(size)")
        }
        lastAvail &+= 1
        return try walk(head: head)
    }

    /// Follows a chain from `head`, through at most one indirect table.
    private func walk(head: UInt16) throws -> DescriptorChain {
        var chain = DescriptorChain(head: head)
        var table = descTable
        var count = Int(size)
        var i = Int(head)
        var inIndirect = false
        var steps = 0
        let limit = max(Int(size), Self.chainLimit)
        while true {
            steps += 1
            guard steps <= limit else {
                throw VirtIOError("queue \(index): descriptor chain from \(head) is longer than \(limit) (a loop?)")
            }
            let d = try load(table + 16 * UInt64(i), 16, inIndirect ? "indirect descriptor \(i)" : "descriptor \(i)")
            let addr = VirtIOLE.u64(d, 0), len = VirtIOLE.u32(d, 8), flags = VirtIOLE.u16(d, 12), next = VirtIOLE.u16(d, 14)
            if flags & DescFlag.indirect != 0 {
                guard indirect else {
                    throw VirtIOError("queue \(index): descriptor \(i) is indirect but VIRTIO_F_INDIRECT_DESC was not negotiated")
                }
                guard !inIndirect else { throw VirtIOError("queue \(index): indirect descriptor \(i) inside an indirect table") }
                guard flags & DescFlag.next == 0 else {
                    throw VirtIOError("queue \(index): descriptor \(i) has both INDIRECT and NEXT")
                }
                guard len != 0, len % 16 == 0 else {
                    throw VirtIOError("queue \(index): indirect table of descriptor \(i) has length \(len), not a multiple of 16")
                }
                table = addr
                count = Int(len / 16)
                i = 0
                inIndirect = true
                continue
            }
            guard addr <= UInt64.max - UInt64(len) else {
                throw VirtIOError("queue \(index): descriptor \(i) buffer 0x\(VirtIOLE.hex(addr))+0x\(VirtIOLE.hex(UInt64(len))) wraps around")
            }
            if len > 0 {
                let seg = DescriptorChain.Segment(address: addr, length: len)
                if flags & DescFlag.write != 0 {
                    chain.writable.append(seg)
                } else {
                    guard chain.writable.isEmpty else {
                        throw VirtIOError("queue \(index): device-readable descriptor \(i) after a device-writable one")
                    }
                    chain.readable.append(seg)
                }
            }
            guard flags & DescFlag.next != 0 else { return chain }
            guard Int(next) < count else {
                throw VirtIOError("queue \(index): descriptor \(i) links to \(next), \(inIndirect ? "indirect table" : "queue") has \(count)")
            }
            i = Int(next)
        }
    }

    // MARK: Buffers

    /// `count` bytes of the chain's device-readable part, starting `offset` bytes into it.
    public func read(_ chain: DescriptorChain, at offset: Int, count: Int) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(count)
        var skip = offset
        for seg in chain.readable where out.count < count {
            let len = Int(seg.length)
            if skip >= len { skip -= len; continue }
            let n = min(len - skip, count - out.count)
            out += try load(seg.address + UInt64(skip), n, "buffer of descriptor chain \(chain.head)")
            skip = 0
        }
        guard out.count == count else {
            throw VirtIOError("queue \(index): chain \(chain.head) has \(chain.readableLength) readable bytes, needed \(offset + count)")
        }
        return out
    }

    /// Writes `bytes` into the chain's device-writable part, starting `offset` bytes into it.
    public func write(_ chain: DescriptorChain, _ bytes: [UInt8], at offset: Int) throws {
        var done = 0
        var skip = offset
        for seg in chain.writable where done < bytes.count {
            let len = Int(seg.length)
            if skip >= len { skip -= len; continue }
            let n = min(len - skip, bytes.count - done)
            try store(seg.address + UInt64(skip), Array(bytes[done..<(done + n)]), "buffer of descriptor chain \(chain.head)")
            done += n
            skip = 0
        }
        guard done == bytes.count else {
            throw VirtIOError("queue \(index): chain \(chain.head) has \(chain.writableLength) writable bytes, needed \(offset + bytes.count)")
        }
    }

    // MARK: Used ring

    /// Returns a buffer to the driver with `written` bytes written into it.
    public func push(_ chain: DescriptorChain, written: Int) throws {
        let slot = UInt64(usedIdx % size)
        try store(deviceArea + 4 + 8 * slot, VirtIOLE.bytes(UInt32(chain.head)) + VirtIOLE.bytes(UInt32(clamping: written)), "used ring entry")
        usedIdx &+= 1
        try store(deviceArea + 2, VirtIOLE.bytes(usedIdx), "used ring index")
    }

    /// Whether the driver wants a used-buffer notification for what was pushed since the last call:
    /// with VIRTIO_F_EVENT_IDX when the used index stepped past used_event, otherwise unless
    /// VIRTQ_AVAIL_F_NO_INTERRUPT is set.
    func shouldInterrupt() throws -> Bool {
        guard ready, usedIdx != signalledUsed else { return false }
        let old = signalledUsed
        signalledUsed = usedIdx
        if eventIdx {
            let usedEvent = try load16(driverArea + 4 + 2 * UInt64(size), "used_event")
            // The event index lies in the window (old, new]: unsigned 16-bit arithmetic as the spec gives it.
            return usedIdx &- usedEvent &- 1 < usedIdx &- old
        }
        return try load16(driverArea, "available ring flags") & Self.availNoInterrupt == 0
    }

    /// With VIRTIO_F_EVENT_IDX, asks the driver to notify when it makes the next buffer available.
    func publishAvailEvent() throws {
        guard ready, eventIdx else { return }
        try store(deviceArea + 4 + 8 * UInt64(size), VirtIOLE.bytes(lastAvail), "avail_event")
    }
}
