import CSlirp
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A bad `--net` option, named in a one-line message.
public struct NetOptionError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// User-mode networking options, in QEMU's `-netdev user` syntax:
/// `user[,net=ADDR/PREFIX][,host=ADDR][,dhcpstart=ADDR][,dns=ADDR][,restrict=on|off]`
/// `[,hostfwd=[tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT]...` with QEMU's defaults
/// (10.0.2.0/24, gateway 10.0.2.2, DNS 10.0.2.3, the guest's lease 10.0.2.15), and two options
/// QEMU lacks: `dnsforward=off` (nothing answers or forwards DNS at the DNS address) and
/// `outbound=ADDR` (host sockets for the guest's connections bind to ADDR; 127.0.0.1 keeps every
/// guest connection on the host's loopback, which the tests use).
public struct UserNetOptions: Equatable {
    public struct Forward: Equatable {
        public var udp = false
        /// Host address to listen on; empty means every address (QEMU's default).
        public var hostAddress = ""
        public var hostPort: UInt16
        /// Guest address; empty means the first DHCP address.
        public var guestAddress = ""
        public var guestPort: UInt16
    }

    public var network = "10.0.2.0"
    public var prefixLength = 24
    public var host = "10.0.2.2"
    public var dhcpStart = "10.0.2.15"
    public var dns = "10.0.2.3"
    /// Isolates the guest from the host network (forwards still work), as QEMU's restrict=on.
    public var restrict = false
    /// Forward the guest's DNS queries to the host's resolvers (libslirp's default).
    public var dnsForward = true
    /// Local address for host sockets opened on the guest's behalf (empty: any).
    public var outbound = ""
    public var forwards: [Forward] = []

    public init() {}

    /// Parses `user,...`; errors name the offending part.
    public static func parse(_ spec: String) throws -> UserNetOptions {
        var parts = spec.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard parts.first == "user" else {
            throw NetOptionError("--net \(spec): only user networking is supported (user,hostfwd=...)")
        }
        parts.removeFirst()
        var o = UserNetOptions()
        for part in parts {
            guard let eq = part.firstIndex(of: "=") else { throw NetOptionError("--net: expected KEY=VALUE, not '\(part)'") }
            let key = String(part[..<eq]), value = String(part[part.index(after: eq)...])
            switch key {
            case "hostfwd": o.forwards.append(try parseForward(value))
            case "net":
                let p = value.split(separator: "/", omittingEmptySubsequences: false)
                guard p.count <= 2, isIPv4(String(p[0])) else { throw NetOptionError("--net: net=\(value): expected ADDR/PREFIX") }
                o.network = String(p[0])
                if p.count == 2 {
                    guard let n = Int(p[1]), (8...30).contains(n) else { throw NetOptionError("--net: net=\(value): prefix length must be 8 to 30") }
                    o.prefixLength = n
                }
            case "host", "dhcpstart", "dns":
                guard isIPv4(value) else { throw NetOptionError("--net: \(key)=\(value) is not an IPv4 address") }
                switch key {
                case "host": o.host = value
                case "dhcpstart": o.dhcpStart = value
                default: o.dns = value
                }
            case "restrict", "dnsforward":
                let on: Bool
                switch value {
                case "on", "yes", "y": on = true
                case "off", "no", "n": on = false
                default: throw NetOptionError("--net: \(key)=\(value): expected on or off")
                }
                if key == "restrict" { o.restrict = on } else { o.dnsForward = on }
            case "outbound":
                guard isIPv4(value) else { throw NetOptionError("--net: outbound=\(value) is not an IPv4 address") }
                o.outbound = value
            default:
                throw NetOptionError("--net: unknown option '\(key)' (known: hostfwd, net, host, dhcpstart, dns, restrict, dnsforward, outbound)")
            }
        }
        return o
    }

    static func isIPv4(_ s: String) -> Bool {
        var a = in_addr()
        return inet_pton(AF_INET, s, &a) == 1
    }

    /// `[tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT`
    static func parseForward(_ s: String) throws -> Forward {
        let bad = NetOptionError("--net: hostfwd=\(s): expected [tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT")
        let sides = s.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard sides.count == 2 else { throw bad }
        var host = sides[0].split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        let guest = sides[1].split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        var udp = false
        if host.count == 3 {
            switch host[0] {
            case "tcp", "": udp = false
            case "udp": udp = true
            default: throw bad
            }
            host.removeFirst()
        }
        guard host.count == 2, guest.count == 2 else { throw bad }
        func port(_ p: String) throws -> UInt16 {
            guard let n = UInt16(p), n != 0 else { throw NetOptionError("--net: hostfwd=\(s): '\(p)' is not a port number") }
            return n
        }
        for a in [host[0], guest[0]] where !a.isEmpty && !isIPv4(a) {
            throw NetOptionError("--net: hostfwd=\(s): '\(a)' is not an IPv4 address")
        }
        return Forward(udp: udp, hostAddress: host[0], hostPort: try port(host[1]), guestAddress: guest[0], guestPort: try port(guest[1]))
    }
}

/// User-mode networking with libslirp (Debian's libslirp-dev), as QEMU's `-netdev user`: NAT to the
/// host's network, a DHCP server and DNS forwarder for the guest, and host port forwarding.
/// Everything runs on the simulator's thread: `poll` services the sockets without blocking.
public final class SlirpBackend: NetBackend {
    /// One libslirp timer (used for IPv6 router advertisements; TCP timers run inside polls).
    final class Timer {
        let callback: SlirpTimerCb
        let opaque: UnsafeMutableRawPointer?
        var expireMs: Int64 = -1
        init(callback: @escaping SlirpTimerCb, opaque: UnsafeMutableRawPointer?) {
            self.callback = callback
            self.opaque = opaque
        }
    }

    public let options: UserNetOptions
    public var receiver: (([UInt8]) -> Void)?
    /// Where libslirp's complaints about guest packets go (default: standard error).
    public var log: ((String) -> Void)? = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }

    private var slirp: OpaquePointer?
    private let callbacks: UnsafeMutablePointer<SlirpCb>
    private var timers: [ObjectIdentifier: Timer] = [:]
    private var pollFDs: [pollfd] = []
    /// Storage for SlirpConfig.outbound_addr, which libslirp keeps a pointer to.
    private let outboundAddress: UnsafeMutablePointer<sockaddr_in>

    public convenience init(_ spec: String) throws {
        try self.init(options: UserNetOptions.parse(spec))
    }

    public init(options: UserNetOptions) throws {
        self.options = options
        func addr(_ s: String) -> in_addr {
            var a = in_addr()
            _ = inet_pton(AF_INET, s, &a)
            return a
        }
        var cfg = SlirpConfig()
        cfg.version = 3     // outbound_addr (2), disable_dns (3)
        cfg.restricted = options.restrict ? 1 : 0
        cfg.in_enabled = true
        cfg.vnetwork = addr(options.network)
        cfg.vnetmask = in_addr(s_addr: UInt32(0xFFFF_FFFF << (32 - options.prefixLength) & 0xFFFF_FFFF).bigEndian)
        cfg.vhost = addr(options.host)
        cfg.vdhcp_start = addr(options.dhcpStart)
        cfg.vnameserver = addr(options.dns)
        cfg.in6_enabled = false
        cfg.disable_dns = !options.dnsForward
        outboundAddress = .allocate(capacity: 1)
        outboundAddress.initialize(to: sockaddr_in())
        if !options.outbound.isEmpty {
            outboundAddress.pointee.sin_family = sa_family_t(AF_INET)
            outboundAddress.pointee.sin_addr = addr(options.outbound)
            cfg.outbound_addr = outboundAddress
        }

        callbacks = .allocate(capacity: 1)
        callbacks.initialize(to: SlirpCb())
        callbacks.pointee.send_packet = { buf, len, opaque in
            let me = Unmanaged<SlirpBackend>.fromOpaque(opaque!).takeUnretainedValue()
            me.receiver?(Array(UnsafeRawBufferPointer(start: buf, count: len)))
            return len
        }
        callbacks.pointee.guest_error = { msg, opaque in
            let me = Unmanaged<SlirpBackend>.fromOpaque(opaque!).takeUnretainedValue()
            me.log?("slirp: \(msg.map { String(cString: $0) } ?? "guest error")")
        }
        callbacks.pointee.clock_get_ns = { _ in SlirpBackend.nowNs() }
        callbacks.pointee.timer_new = { cb, cbOpaque, opaque in
            let me = Unmanaged<SlirpBackend>.fromOpaque(opaque!).takeUnretainedValue()
            let t = Timer(callback: cb!, opaque: cbOpaque)
            me.timers[ObjectIdentifier(t)] = t
            return Unmanaged.passUnretained(t).toOpaque()
        }
        callbacks.pointee.timer_free = { timer, opaque in
            let me = Unmanaged<SlirpBackend>.fromOpaque(opaque!).takeUnretainedValue()
            let t = Unmanaged<Timer>.fromOpaque(timer!).takeUnretainedValue()
            me.timers[ObjectIdentifier(t)] = nil
        }
        callbacks.pointee.timer_mod = { timer, expire, _ in
            Unmanaged<Timer>.fromOpaque(timer!).takeUnretainedValue().expireMs = expire
        }
        callbacks.pointee.register_poll_fd = { _, _ in }
        callbacks.pointee.unregister_poll_fd = { _, _ in }
        callbacks.pointee.notify = { _ in }

        slirp = slirp_new(&cfg, callbacks, Unmanaged.passUnretained(self).toOpaque())
        guard slirp != nil else {
            callbacks.deallocate()
            outboundAddress.deallocate()
            throw NetOptionError("--net: libslirp refused the configuration (network \(options.network)/\(options.prefixLength))")
        }
        for f in options.forwards {
            let hostAddr = f.hostAddress.isEmpty ? in_addr(s_addr: 0) : addr(f.hostAddress)
            let guestAddr = addr(f.guestAddress.isEmpty ? options.dhcpStart : f.guestAddress)
            if slirp_add_hostfwd(slirp, f.udp ? 1 : 0, hostAddr, Int32(f.hostPort), guestAddr, Int32(f.guestPort)) < 0 {
                let what = "\(f.udp ? "udp" : "tcp"):\(f.hostAddress):\(f.hostPort)"
                close()
                throw NetOptionError("--net: hostfwd=\(what): cannot listen on the host port (in use?)")
            }
        }
    }

    deinit { close() }

    static func nowNs() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    public func send(_ frame: [UInt8]) {
        guard let slirp else { return }
        frame.withUnsafeBufferPointer { slirp_input(slirp, $0.baseAddress, Int32($0.count)) }
    }

    /// Fires due timers, then polls libslirp's sockets with a zero timeout.
    public func poll() { service(waitingUpTo: 0) }

    /// Blocks until one of libslirp's sockets is ready, one of its timers is due, or
    /// `nanoseconds` pass, then services them.
    public func wait(nanoseconds: Int64) { service(waitingUpTo: nanoseconds) }

    private func service(waitingUpTo nanoseconds: Int64) {
        guard let slirp else { return }
        let nowMs = Self.nowNs() / 1_000_000
        for t in timers.values where t.expireMs >= 0 && t.expireMs <= nowMs {
            t.expireMs = -1
            t.callback(t.opaque)
        }
        pollFDs.removeAll(keepingCapacity: true)
        // libslirp lowers the timeout to what its TCP timers need (2 ms fast, ~500 ms slow).
        var timeout = UInt32(clamping: (max(nanoseconds, 0) + 999_999) / 1_000_000)
        for t in timers.values where t.expireMs >= 0 { timeout = min(timeout, UInt32(clamping: max(t.expireMs - nowMs, 0))) }
        let me = Unmanaged.passUnretained(self).toOpaque()
        slirp_pollfds_fill(slirp, &timeout, { fd, events, opaque in
            let me = Unmanaged<SlirpBackend>.fromOpaque(opaque!).takeUnretainedValue()
            me.pollFDs.append(pollfd(fd: fd, events: SlirpBackend.toPoll(events), revents: 0))
            return Int32(me.pollFDs.count - 1)
        }, me)
        let rc = pollFDs.withUnsafeMutableBufferPointer { Glibc.poll($0.baseAddress, nfds_t($0.count), Int32(clamping: timeout)) }
        slirp_pollfds_poll(slirp, rc < 0 ? 1 : 0, { idx, opaque in
            let me = Unmanaged<SlirpBackend>.fromOpaque(opaque!).takeUnretainedValue()
            guard idx >= 0, Int(idx) < me.pollFDs.count else { return 0 }
            return SlirpBackend.fromPoll(me.pollFDs[Int(idx)].revents)
        }, me)
    }

    static func toPoll(_ e: Int32) -> Int16 {
        var p: Int32 = 0
        if e & Int32(SLIRP_POLL_IN) != 0 { p |= POLLIN }
        if e & Int32(SLIRP_POLL_OUT) != 0 { p |= POLLOUT }
        if e & Int32(SLIRP_POLL_PRI) != 0 { p |= POLLPRI }
        if e & Int32(SLIRP_POLL_ERR) != 0 { p |= POLLERR }
        if e & Int32(SLIRP_POLL_HUP) != 0 { p |= POLLHUP }
        return Int16(p)
    }

    static func fromPoll(_ r: Int16) -> Int32 {
        let r = Int32(r)
        var e: Int32 = 0
        if r & POLLIN != 0 { e |= Int32(SLIRP_POLL_IN) }
        if r & POLLOUT != 0 { e |= Int32(SLIRP_POLL_OUT) }
        if r & POLLPRI != 0 { e |= Int32(SLIRP_POLL_PRI) }
        if r & POLLERR != 0 { e |= Int32(SLIRP_POLL_ERR) }
        if r & POLLHUP != 0 { e |= Int32(SLIRP_POLL_HUP) }
        return e
    }

    /// Closes every socket (listening forwards included). Idempotent.
    public func close() {
        guard let s = slirp else { return }
        slirp = nil
        slirp_cleanup(s)
        timers.removeAll()
        callbacks.deallocate()
        outboundAddress.deallocate()
    }
}
