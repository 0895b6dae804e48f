/// OASIS VIRTIO 1.2, "Console Device": a single port (no VIRTIO_CONSOLE_F_MULTIPORT), receiveq 0 fed
/// from the serial backend's input and transmitq 1 sent to the backend (so output is split into
/// lines and matched like the UART's). Linux names it hvc0. VIRTIO_CONSOLE_F_EMERG_WRITE is offered:
/// a write to emerg_wr in the configuration space transmits one byte.
public final class VirtIOConsole: VirtIODevice {
    /// Feature bits from "Console Device: Feature bits".
    public enum Feature {
        public static let size: UInt64 = 1 << 0
        public static let multiport: UInt64 = 1 << 1
        public static let emergWrite: UInt64 = 1 << 2
    }
    static let receiveQueue = 0, transmitQueue = 1
    /// Largest piece of a transmit buffer read from guest memory at once.
    static let chunk = 64 * 1024

    public let backend: SerialBackend
    /// True when the receive queue had no buffer; input waits until the driver adds one.
    private var starved = false

    public init(backend: SerialBackend, queueSize: UInt16 = 128) {
        self.backend = backend
        queueSizes = [queueSize, queueSize]
    }

    public var deviceID: UInt32 { VirtIODeviceID.console }
    public var features: UInt64 { Feature.emergWrite }
    public let queueSizes: [UInt16]

    /// struct virtio_console_config: cols, rows (unused without F_SIZE), max_nr_ports, emerg_wr.
    public var configSpace: [UInt8] { VirtIOLE.bytes(UInt16(0)) + VirtIOLE.bytes(UInt16(0)) + VirtIOLE.bytes(UInt32(1)) + VirtIOLE.bytes(UInt32(0)) }

    public func writeConfig(offset: Int, bytes: [UInt8]) {
        if offset == 8, let byte = bytes.first { backend.transmit(byte) }
    }

    public func reset() { starved = false }

    public func queueNotified(_ queue: Virtqueue) throws {
        switch queue.index {
        case Self.transmitQueue:
            while let chain = try queue.pop() {
                var offset = 0
                let total = chain.readableLength
                while offset < total {
                    let n = min(Self.chunk, total - offset)
                    for byte in try queue.read(chain, at: offset, count: n) { backend.transmit(byte) }
                    offset += n
                }
                try queue.push(chain, written: 0)
            }
        default:
            starved = false
            try receive(queue)
        }
    }

    public var hasPendingInput: Bool { backend.hasInput && !starved }

    public func poll(_ queues: [Virtqueue]) throws {
        try receive(queues[Self.receiveQueue])
    }

    /// Fills receive buffers with backend input, one buffer per pass, as long as both last.
    private func receive(_ queue: Virtqueue) throws {
        while backend.hasInput {
            guard let chain = try queue.pop() else { starved = true; return }
            var bytes: [UInt8] = []
            let room = chain.writableLength
            while bytes.count < room, let b = backend.receive() { bytes.append(b) }
            try queue.write(chain, bytes, at: 0)
            try queue.push(chain, written: bytes.count)
        }
    }
}
