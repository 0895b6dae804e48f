import Glibc

/// The gdb remote serial protocol's transport: one TCP client at a time on a listening socket,
/// `$packet#checksum` framing with '+' acknowledgements (until QStartNoAckMode), and the lone
/// 0x03 byte gdb sends to interrupt a running target.
final class GDBConnection {
    private let listener: Int32
    private var client: Int32 = -1
    private var pending: [UInt8] = []
    var acknowledging = true
    let port: Int

    /// Listens on `host:port` (port 0: any free port, reported in `port`).
    init(host: String, port: Int) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SimError.resource("--gdb: cannot create a socket") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, host, &addr.sin_addr) == 1 else {
            close(fd); throw SimError.config("--gdb: '\(host)' is not an IPv4 address")
        }
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 1) == 0 else {
            close(fd); throw SimError.config("--gdb: cannot listen on \(host):\(port) (\(String(cString: strerror(errno))))")
        }
        var actual = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        listener = fd
        self.port = Int(UInt16(bigEndian: actual.sin_port))
    }

    deinit {
        if client >= 0 { close(client) }
        close(listener)
    }

    var connected: Bool { client >= 0 }

    /// Accepts a waiting client; blocks when `wait`.
    @discardableResult
    func accept(wait: Bool) -> Bool {
        guard client < 0 else { return true }
        guard wait || readable(listener, timeout: 0) else { return false }
        let fd = Glibc.accept(listener, nil, nil)
        guard fd >= 0 else { return false }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        client = fd
        acknowledging = true
        pending = []
        return true
    }

    func disconnect() {
        if client >= 0 { close(client) }
        client = -1
        pending = []
    }

    private func readable(_ fd: Int32, timeout: Int32) -> Bool {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&p, 1, timeout) > 0
    }

    /// Reads what has arrived (blocking for at least one byte when `wait`); false when the client went away.
    private func fill(wait: Bool) -> Bool {
        guard client >= 0 else { return false }
        if !wait && !readable(client, timeout: 0) { return true }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { disconnect(); return false }
        pending += buffer[0..<n]
        return true
    }

    /// While the target runs: whether gdb sent the interrupt byte (other bytes are kept).
    func interruptRequested() -> Bool {
        guard fill(wait: false) else { return false }
        if let i = pending.firstIndex(of: 0x03) { pending.remove(at: i); return true }
        return false
    }

    /// The next packet's payload (blocking), acknowledged; nil when the client went away.
    func receive() -> String? {
        while true {
            // Drop acknowledgements and stray bytes before the packet start.
            while let first = pending.first, first != UInt8(ascii: "$") {
                pending.removeFirst()
                if first == 0x03 { return "\u{03}" }
            }
            if let hash = pending.firstIndex(of: UInt8(ascii: "#")), pending.count >= hash + 3 {
                let body = Array(pending[1..<hash])
                let sum = String(decoding: pending[(hash + 1)...(hash + 2)], as: UTF8.self)
                pending.removeFirst(hash + 3)
                let ok = UInt8(sum, radix: 16) == body.reduce(0, &+)
                if acknowledging { send(raw: ok ? "+" : "-") }
                if ok { return String(decoding: unescape(body), as: UTF8.self) }
                continue
            }
            guard fill(wait: true) else { return nil }
        }
    }

    /// Binary data in packets escapes '}', '#', '$' and '*' as '}' then the byte XOR 0x20.
    private func unescape(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var escape = false
        for b in bytes {
            if escape { out.append(b ^ 0x20); escape = false } else if b == UInt8(ascii: "}") { escape = true } else { out.append(b) }
        }
        return out
    }

    func send(packet: String) {
        let body = Array(packet.utf8)
        let sum = body.reduce(UInt8(0), &+)
        send(raw: "$" + packet + "#" + String(format2: sum))
    }

    private func send(raw: String) {
        guard client >= 0 else { return }
        var bytes = Array(raw.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { Glibc.send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { disconnect(); return }
            bytes = bytes.dropFirst(n)
        }
    }
}

extension String {
    /// Two lower-case hex digits.
    init(format2 byte: UInt8) {
        let digits = Array("0123456789abcdef")
        self = String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
    }
}
