import Foundation

/// OASIS VIRTIO 1.2, "Block Device": one request queue; read, write, flush and get-id requests on a
/// `DiskImage`. Offers VIRTIO_BLK_F_SEG_MAX and VIRTIO_BLK_F_FLUSH, and VIRTIO_BLK_F_RO for a
/// read-only image. Requests are served synchronously when the driver notifies the queue.
public final class VirtIOBlock: VirtIODevice {
    /// Feature bits from "Block Device: Feature bits".
    public enum Feature {
        public static let sizeMax: UInt64 = 1 << 1
        public static let segMax: UInt64 = 1 << 2
        public static let readOnly: UInt64 = 1 << 5
        public static let blockSize: UInt64 = 1 << 6
        public static let flush: UInt64 = 1 << 9
    }
    /// Request types (struct virtio_blk_req.type).
    public enum RequestType {
        public static let input: UInt32 = 0, output: UInt32 = 1, flush: UInt32 = 4, getID: UInt32 = 8
    }
    /// Request status byte values.
    public enum RequestStatus {
        public static let ok: UInt8 = 0, ioError: UInt8 = 1, unsupported: UInt8 = 2
    }
    /// Length of the device ID string returned by VIRTIO_BLK_T_GET_ID.
    public static let idBytes = 20
    /// Largest piece of a request moved between the image and guest memory at once.
    static let chunk = 1 << 20

    public let image: DiskImage
    /// The ID string (VIRTIO_BLK_T_GET_ID): the serial given, or the image's file name.
    public let serial: String
    public let queueSizes: [UInt16]
    /// Called with host I/O failures (the guest sees VIRTIO_BLK_S_IOERR); default standard error.
    public var log: ((String) -> Void)? = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }

    /// Opens `path` (throws `DiskImageError` with a one-line message naming the file).
    public convenience init(path: String, mode: DiskImage.Mode, serial: String? = nil, queueSize: UInt16 = 256) throws {
        self.init(image: try DiskImage(path: path, mode: mode), serial: serial, queueSize: queueSize)
    }

    public init(image: DiskImage, serial: String? = nil, queueSize: UInt16 = 256) {
        self.image = image
        self.serial = serial ?? String(image.path.split(separator: "/").last ?? "")
        queueSizes = [queueSize]
    }

    public var deviceID: UInt32 { VirtIODeviceID.block }

    public var features: UInt64 {
        Feature.segMax | Feature.flush | (image.isReadOnly ? Feature.readOnly : 0)
    }

    /// struct virtio_blk_config up to blk_size: capacity in 512-byte sectors, size_max (unused),
    /// seg_max (the queue size less the header and status descriptors), geometry (unused), blk_size.
    public var configSpace: [UInt8] {
        VirtIOLE.bytes(image.sectors) + VirtIOLE.bytes(UInt32(0)) + VirtIOLE.bytes(UInt32(queueSizes[0]) - 2)
            + VirtIOLE.bytes(UInt32(0)) + VirtIOLE.bytes(UInt32(DiskImage.sectorSize))
    }

    public func close() { image.close() }

    public func queueNotified(_ queue: Virtqueue) throws {
        while let chain = try queue.pop() {
            let written = try serve(chain, queue)
            try queue.push(chain, written: written)
        }
    }

    /// Serves one request (header, data, status byte); returns the bytes written into the buffer.
    private func serve(_ chain: DescriptorChain, _ queue: Virtqueue) throws -> Int {
        guard chain.readableLength >= 16, chain.writableLength >= 1 else {
            throw VirtIOError("block request \(chain.head): \(chain.readableLength) readable and \(chain.writableLength) writable bytes, needs a 16-byte header and a status byte")
        }
        let header = try queue.read(chain, at: 0, count: 16)
        let type = VirtIOLE.u32(header, 0)
        let sector = VirtIOLE.u64(header, 8)
        let statusOffset = chain.writableLength - 1

        func finish(_ status: UInt8, data: Int = 0) throws -> Int {
            try queue.write(chain, [status], at: statusOffset)
            return data + 1
        }
        /// Byte offset of the request's data if `length` bytes from `sector` lie inside the image.
        func range(_ length: Int) -> UInt64? {
            let (start, overflow) = sector.multipliedReportingOverflow(by: UInt64(DiskImage.sectorSize))
            guard !overflow, length % DiskImage.sectorSize == 0, start <= image.size, UInt64(length) <= image.size - start else { return nil }
            return start
        }

        switch type {
        case RequestType.input:
            let length = statusOffset
            guard let start = range(length) else { return try finish(RequestStatus.ioError) }
            var done = 0
            while done < length {
                let n = min(Self.chunk, length - done)
                let data: [UInt8]
                do { data = try image.read(at: start + UInt64(done), count: n) } catch { return try hostError(error, finish) }
                try queue.write(chain, data, at: done)
                done += n
            }
            return try finish(RequestStatus.ok, data: length)
        case RequestType.output:
            let length = chain.readableLength - 16
            guard !image.isReadOnly, let start = range(length) else { return try finish(RequestStatus.ioError) }
            var done = 0
            while done < length {
                let n = min(Self.chunk, length - done)
                let data = try queue.read(chain, at: 16 + done, count: n)
                do { try image.write(data, at: start + UInt64(done)) } catch { return try hostError(error, finish) }
                done += n
            }
            return try finish(RequestStatus.ok)
        case RequestType.flush:
            do { try image.flush() } catch { return try hostError(error, finish) }
            return try finish(RequestStatus.ok)
        case RequestType.getID:
            var id = Array(serial.utf8.prefix(Self.idBytes))
            id += [UInt8](repeating: 0, count: Self.idBytes - id.count)
            let n = min(Self.idBytes, statusOffset)
            try queue.write(chain, Array(id[0..<n]), at: 0)
            return try finish(RequestStatus.ok, data: n)
        default:
            return try finish(RequestStatus.unsupported)
        }
    }

    private func hostError(_ error: Error, _ finish: (UInt8, Int) throws -> Int) throws -> Int {
        log?("\(error)")
        return try finish(RequestStatus.ioError, 0)
    }
}
