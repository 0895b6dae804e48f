/// Where a virtio-net device's Ethernet frames go: a host network stack (`SlirpBackend`) or a test double.
public protocol NetBackend: AnyObject {
    /// Frames for the guest are handed to this (the device sets it).
    var receiver: (([UInt8]) -> Void)? { get set }
    /// An Ethernet frame from the guest (without the virtio-net header).
    func send(_ frame: [UInt8])
    /// Services host sockets and timers without blocking; may call `receiver`.
    func poll()
    /// Blocks until host-side work is ready (a socket, a timer) or `nanoseconds` pass, then
    /// services it like `poll`. The machine calls this instead of skipping idle time.
    func wait(nanoseconds: Int64)
    func close()
}

extension NetBackend {
    /// Back-ends without host sockets have nothing to wait for.
    public func wait(nanoseconds: Int64) { poll() }
}

/// OASIS VIRTIO 1.2, "Network Device": receiveq 0 and transmitq 1, no control queue, no offloads.
/// Offers VIRTIO_NET_F_MAC and VIRTIO_NET_F_STATUS (link always up). Each receive buffer must hold a
/// whole frame (no VIRTIO_NET_F_MRG_RXBUF); Linux posts 1518-byte buffers without offloads.
public final class VirtIONet: VirtIODevice {
    /// Feature bits from "Network Device: Feature bits".
    public enum Feature {
        public static let mac: UInt64 = 1 << 5
        public static let mergeableRXBuffers: UInt64 = 1 << 15
        public static let status: UInt64 = 1 << 16
    }
    static let receiveQueue = 0, transmitQueue = 1
    /// Frames waiting for receive buffers beyond this are dropped (TCP retransmits).
    static let maxPending = 1024
    /// Largest frame accepted from the guest (64 KiB plus an Ethernet header).
    static let maxFrame = 65_550
    /// QEMU's default MAC address.
    public static let defaultMAC: [UInt8] = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56]

    public let backend: NetBackend
    public let mac: [UInt8]
    public let queueSizes: [UInt16]
    /// The backend is polled every this many transport ticks (block boundaries).
    public var pollInterval: Int = 16
    /// Counts of frames dropped: no room in a receive buffer, receive backlog full, bad transmit.
    public private(set) var dropped = 0

    /// struct virtio_net_hdr: 12 bytes with VIRTIO_F_VERSION_1 (num_buffers included), 10 for legacy.
    private var headerLength = 12
    private var pending: [[UInt8]] = []
    private var starved = false
    private var ticks = 0

    public init(backend: NetBackend, mac: [UInt8] = VirtIONet.defaultMAC, queueSize: UInt16 = 256) {
        precondition(mac.count == 6, "a MAC address has 6 bytes")
        self.backend = backend
        self.mac = mac
        queueSizes = [queueSize, queueSize]
        backend.receiver = { [unowned self] frame in
            guard self.pending.count < Self.maxPending else { self.dropped += 1; return }
            self.pending.append(frame)
        }
    }

    public var deviceID: UInt32 { VirtIODeviceID.net }
    public var features: UInt64 { Feature.mac | Feature.status }

    /// struct virtio_net_config: mac, status (VIRTIO_NET_S_LINK_UP), max_virtqueue_pairs, mtu.
    public var configSpace: [UInt8] { mac + VirtIOLE.bytes(UInt16(1)) + VirtIOLE.bytes(UInt16(1)) + VirtIOLE.bytes(UInt16(1500)) }

    public func activate(features: UInt64) {
        headerLength = features & (VirtIOFeature.version1 | Feature.mergeableRXBuffers) != 0 ? 12 : 10
    }

    public func reset() {
        pending.removeAll()
        starved = false
        headerLength = 12
    }

    public func close() { backend.close() }

    public func queueNotified(_ queue: Virtqueue) throws {
        guard queue.index == Self.transmitQueue else { starved = false; return }
        while let chain = try queue.pop() {
            let total = chain.readableLength
            if total >= headerLength && total - headerLength <= Self.maxFrame {
                backend.send(try queue.read(chain, at: headerLength, count: total - headerLength))
            } else {
                dropped += 1
            }
            try queue.push(chain, written: 0)
        }
    }

    /// Frames to deliver, or time to poll the host side.
    public var hasPendingInput: Bool {
        if !pending.isEmpty && !starved { return true }
        ticks &+= 1
        return ticks % pollInterval == 0
    }

    public func poll(_ queues: [Virtqueue]) throws {
        backend.poll()
        let rx = queues[Self.receiveQueue]
        while !pending.isEmpty {
            guard let chain = try rx.pop() else { starved = true; return }
            let frame = pending.removeFirst()
            var header = [UInt8](repeating: 0, count: headerLength)
            if headerLength == 12 { header[10] = 1 }   // num_buffers
            guard header.count + frame.count <= chain.writableLength else {
                dropped += 1
                try rx.push(chain, written: 0)
                continue
            }
            try rx.write(chain, header + frame, at: 0)
            try rx.push(chain, written: header.count + frame.count)
        }
    }
}
