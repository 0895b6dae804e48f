import Foundation
import Testing
@testable import Devices

/// Records frames from the guest; frames pushed with `inject` go to the guest at the next poll.
final class VirtIOLoopbackNet: NetBackend {
    var receiver: (([UInt8]) -> Void)?
    var sent: [[UInt8]] = []
    var inbox: [[UInt8]] = []
    var closed = false
    func send(_ frame: [UInt8]) { sent.append(frame) }
    func poll() { for f in inbox { receiver?(f) }; inbox.removeAll() }
    func close() { closed = true }
}

/// Ethernet/ARP/IPv4/UDP/BOOTP frames for driving libslirp from the guest side.
enum VirtIOPackets {
    static let guestMAC: [UInt8] = VirtIONet.defaultMAC
    static let broadcast: [UInt8] = [UInt8](repeating: 0xFF, count: 6)

    static func be16(_ v: Int) -> [UInt8] { [UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
    static func ip(_ s: String) -> [UInt8] { s.split(separator: ".").map { UInt8($0)! } }

    static func arp(op: Int, senderMAC: [UInt8], senderIP: String, targetMAC: [UInt8], targetIP: String, to dst: [UInt8]) -> [UInt8] {
        dst + senderMAC + be16(0x0806) + be16(1) + be16(0x0800) + [6, 4] + be16(op)
            + senderMAC + ip(senderIP) + targetMAC + ip(targetIP)
    }

    static func ipv4Checksum(_ h: [UInt8]) -> Int {
        var sum = 0
        for i in stride(from: 0, to: h.count, by: 2) { sum += Int(h[i]) << 8 | Int(h[i + 1]) }
        while sum > 0xFFFF { sum = (sum & 0xFFFF) + (sum >> 16) }
        return ~sum & 0xFFFF
    }

    static func udp(from src: String, to dst: String, sport: Int, dport: Int, _ payload: [UInt8], ethDst: [UInt8]) -> [UInt8] {
        let udp = be16(sport) + be16(dport) + be16(8 + payload.count) + be16(0) + payload
        var h = [0x45, 0] + be16(20 + udp.count) + be16(0) + be16(0) + [64, 17] + be16(0) + ip(src) + ip(dst)
        h.replaceSubrange(10..<12, with: be16(ipv4Checksum(h)))
        return ethDst + guestMAC + be16(0x0800) + h + udp
    }

    /// DHCPDISCOVER with a full-size BOOTP record (libslirp checks the length).
    static func dhcpDiscover(xid: [UInt8] = [1, 2, 3, 4]) -> [UInt8] {
        var b: [UInt8] = [1, 1, 6, 0] + xid + be16(0) + be16(0x8000)
        b += [UInt8](repeating: 0, count: 16)                      // ciaddr, yiaddr, siaddr, giaddr
        b += guestMAC + [UInt8](repeating: 0, count: 10)           // chaddr
        b += [UInt8](repeating: 0, count: 64 + 128)                // sname, file
        var vend: [UInt8] = [99, 130, 83, 99, 53, 1, 1, 255]
        vend += [UInt8](repeating: 0, count: 312 - vend.count)
        return udp(from: "0.0.0.0", to: "255.255.255.255", sport: 68, dport: 67, b + vend, ethDst: broadcast)
    }

    static func etherType(_ f: [UInt8]) -> Int { Int(f[12]) << 8 | Int(f[13]) }
}

@Suite struct VirtIONetTests {
    func make(_ backend: NetBackend, version: UInt32 = 2) -> (VirtIOTestDriver, VirtIONet) {
        let net = VirtIONet(backend: backend)
        net.pollInterval = 1
        let d = VirtIOTestDriver(device: net, version: version)
        d.start(queueSizes: [16, 16])
        return (d, net)
    }

    /// Posts a receive buffer of `size` bytes.
    func postRX(_ d: VirtIOTestDriver, _ size: Int = 1536) -> UInt64 { d.submit(0, [.in(size)]).inAddresses[0] }

    // MARK: Device

    @Test func configAndFeatures() {
        let (d, _) = make(VirtIOLoopbackNet())
        #expect(d.r(0x008) == 1)
        #expect(d.deviceFeatures & VirtIONet.Feature.mac != 0)
        #expect((0..<6).map { UInt8(d.transport.read(offset: 0x100 + UInt64($0), size: 1)) } == VirtIONet.defaultMAC)
        #expect(d.transport.read(offset: 0x106, size: 2) == 1, "link up")
    }

    @Test func transmitStripsHeader() {
        let backend = VirtIOLoopbackNet()
        let (d, _) = make(backend)
        let frame = VirtIOPackets.broadcast + VirtIOPackets.guestMAC + [0x88, 0xB5, 1, 2, 3]
        d.submit(1, [.out([UInt8](repeating: 0, count: 12)), .out(frame)])
        #expect(backend.sent == [frame])
        #expect(d.used(1).map(\.len) == [0])
        d.submit(1, [.out([0, 0, 0])])   // shorter than the header: dropped, buffer returned
        #expect(backend.sent.count == 1)
        #expect(d.used(1).count == 1)
        #expect(!d.needsReset)
    }

    @Test func receiveAddsHeader() {
        let backend = VirtIOLoopbackNet()
        let (d, net) = make(backend)
        let a = postRX(d)
        let frame = VirtIOPackets.guestMAC + [1, 2, 3, 4, 5, 6, 0x08, 0x00] + [UInt8](repeating: 7, count: 50)
        backend.inbox = [frame, frame]
        d.transport.tick(now: 0)
        #expect(d.used(0).map(\.len) == [UInt32(12 + frame.count)])
        let got = d.ram.get(a, 12 + frame.count)
        #expect(Array(got[0..<12]) == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0], "num_buffers 1")
        #expect(Array(got[12...]) == frame)
        #expect(d.line)
        // The second frame waits for a buffer; posting one delivers it.
        d.ack()
        _ = postRX(d)
        #expect(d.used(0).count == 1)
        #expect(d.line)
        // A buffer too small for the frame is returned empty and the frame dropped.
        backend.inbox = [frame]
        _ = postRX(d, 20)
        d.transport.tick(now: 0)
        #expect(d.used(0).map(\.len) == [0])
        #expect(net.dropped == 1)
        d.transport.close()
        #expect(backend.closed)
    }

    @Test func legacyHeaderIsTenBytes() {
        let backend = VirtIOLoopbackNet()
        let (d, _) = make(backend, version: 1)
        let frame = [UInt8](repeating: 0xAB, count: 60)
        d.submit(1, [.out([UInt8](repeating: 0, count: 10) + frame)])
        #expect(backend.sent == [frame])
    }

    // MARK: Options

    @Test func parseOptions() throws {
        let o = try UserNetOptions.parse("user,hostfwd=tcp:127.0.0.1:2222-:22,hostfwd=udp::5353-10.0.2.15:53")
        #expect(o.forwards == [
            .init(udp: false, hostAddress: "127.0.0.1", hostPort: 2222, guestAddress: "", guestPort: 22),
            .init(udp: true, hostAddress: "", hostPort: 5353, guestAddress: "10.0.2.15", guestPort: 53),
        ])
        #expect(o.network == "10.0.2.0" && o.dhcpStart == "10.0.2.15")
        let p = try UserNetOptions.parse("user,net=192.168.76.0/24,host=192.168.76.2,dhcpstart=192.168.76.9,dns=192.168.76.3,restrict=on")
        #expect(p.network == "192.168.76.0" && p.prefixLength == 24 && p.host == "192.168.76.2" && p.restrict)
        #expect(try UserNetOptions.parse("user,hostfwd=:8080-:80").forwards[0].hostPort == 8080)
        #expect(try UserNetOptions.parse("user") == UserNetOptions())
        let q = try UserNetOptions.parse("user,dnsforward=off,outbound=127.0.0.1")
        #expect(!q.dnsForward && q.outbound == "127.0.0.1" && UserNetOptions().dnsForward)
    }

    @Test(arguments: [
        ("tap,ifname=tap0", "only user networking"),
        ("user,hostfwd=tcp:127.0.0.1:2222:22", "expected [tcp|udp]"),
        ("user,hostfwd=sctp::1-:2", "expected [tcp|udp]"),
        ("user,hostfwd=tcp::99999-:22", "'99999' is not a port number"),
        ("user,hostfwd=tcp:localhost:2222-:22", "'localhost' is not an IPv4 address"),
        ("user,net=10.0.2.0/33", "prefix length"),
        ("user,dns=8.8.8", "is not an IPv4 address"),
        ("user,smb=/tmp", "unknown option 'smb'"),
        ("user,restrict", "expected KEY=VALUE"),
        ("user,dnsforward=maybe", "dnsforward=maybe: expected on or off"),
        ("user,outbound=localhost", "outbound=localhost is not an IPv4 address"),
    ])
    func badOptions(spec: String, message: String) {
        #expect(throws: NetOptionError.self) { try UserNetOptions.parse(spec) }
        do { _ = try UserNetOptions.parse(spec) } catch { #expect("\(error)".contains(message), "\(error)") }
    }

    // MARK: libslirp

    /// Ticks the transport until a received frame satisfies `match`, answering slirp's ARP requests
    /// for the guest on the way; gives up after `seconds` of host time.
    func awaitFrame(_ d: VirtIOTestDriver, seconds: Double = 3, _ match: ([UInt8]) -> Bool) -> [UInt8]? {
        let deadline = Date().addingTimeInterval(seconds)
        var addr = postRX(d)   // one receive buffer outstanding at a time
        while Date() < deadline {
            d.transport.tick(now: 0)
            guard let u = d.used(0).first else { usleep(2000); continue }
            let f = Array(d.ram.get(addr, Int(u.len)).dropFirst(12))
            if match(f) { return f }
            if VirtIOPackets.etherType(f) == 0x0806, f[21] == 1, Array(f[38..<42]) == VirtIOPackets.ip("10.0.2.15") {
                d.submit(1, [.out([UInt8](repeating: 0, count: 12)),
                             .out(VirtIOPackets.arp(op: 2, senderMAC: VirtIOPackets.guestMAC, senderIP: "10.0.2.15",
                                                    targetMAC: Array(f[22..<28]), targetIP: "10.0.2.2", to: Array(f[6..<12])))])
            }
            addr = postRX(d)
        }
        return nil
    }

    @Test func slirpAnswersARP() throws {
        let (d, _) = make(try SlirpBackend("user"))
        defer { d.transport.close() }
        d.submit(1, [.out([UInt8](repeating: 0, count: 12)),
                     .out(VirtIOPackets.arp(op: 1, senderMAC: VirtIOPackets.guestMAC, senderIP: "10.0.2.15",
                                            targetMAC: [0, 0, 0, 0, 0, 0], targetIP: "10.0.2.2", to: VirtIOPackets.broadcast))])
        let reply = awaitFrame(d) { VirtIOPackets.etherType($0) == 0x0806 }
        let f = try #require(reply)
        #expect(Array(f[0..<6]) == VirtIOPackets.guestMAC)
        #expect(f[21] == 2, "ARP reply")
        #expect(Array(f[28..<32]) == VirtIOPackets.ip("10.0.2.2"))
    }

    @Test func slirpOffersDHCPLease() throws {
        let (d, _) = make(try SlirpBackend("user"))
        defer { d.transport.close() }
        d.submit(1, [.out([UInt8](repeating: 0, count: 12)), .out(VirtIOPackets.dhcpDiscover())])
        let offer = awaitFrame(d) { f in
            VirtIOPackets.etherType(f) == 0x0800 && f[23] == 17 && f.count > 42 + 20 && f[36] == 0 && f[37] == 68
        }
        let f = try #require(offer, "no DHCP reply")
        let bootp = Array(f[42...])
        #expect(bootp[0] == 2, "BOOTREPLY")
        #expect(Array(bootp[4..<8]) == [1, 2, 3, 4], "xid echoed")
        #expect(Array(bootp[16..<20]) == VirtIOPackets.ip("10.0.2.15"), "yiaddr: QEMU's default lease")
        #expect(Array(bootp[236..<240]) == [99, 130, 83, 99])
        #expect(Array(bootp[240..<243]) == [53, 1, 2], "DHCPOFFER")
    }

    /// A free TCP port on 127.0.0.1 (bound, read back, released).
    func freePort() -> UInt16 {
        let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { Glibc.close(s) }
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(s, $0, len) } }
        _ = withUnsafeMutablePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(s, $0, &len) } }
        return UInt16(bigEndian: a.sin_port)
    }

    @Test func hostForwardReachesTheGuest() throws {
        let port = freePort()
        let (d, _) = make(try SlirpBackend("user,hostfwd=tcp:127.0.0.1:\(port)-:8080"))
        defer { d.transport.close() }
        let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        defer { Glibc.close(s) }
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_port = port.bigEndian
        a.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        _ = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(s, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        // slirp accepts, then opens the connection to the guest: a SYN to 10.0.2.15:8080.
        let syn = awaitFrame(d, seconds: 5) { f in
            VirtIOPackets.etherType(f) == 0x0800 && f[23] == 6 && Array(f[30..<34]) == VirtIOPackets.ip("10.0.2.15")
                && Int(f[36]) << 8 | Int(f[37]) == 8080 && f[47] & 0x02 != 0
        }
        #expect(syn != nil, "no SYN for the forwarded connection")
    }

    /// `wait` blocks on slirp's sockets and returns when a forwarded connection arrives, having
    /// handed the guest slirp's first frame for it (an ARP request or the SYN), well before its timeout.
    @Test func waitReturnsOnHostInput() throws {
        let port = freePort()
        let backend = try SlirpBackend("user,dnsforward=off,outbound=127.0.0.1,hostfwd=tcp:127.0.0.1:\(port)-:8080")
        defer { backend.close() }
        var frames = 0
        backend.receiver = { _ in frames += 1 }
        backend.wait(nanoseconds: 1_000_000)   // nothing pending: returns after its timeout
        #expect(frames == 0)
        let client = Thread {
            usleep(50_000)
            let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var a = sockaddr_in()
            a.sin_family = sa_family_t(AF_INET)
            a.sin_port = port.bigEndian
            a.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
            _ = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(s, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            usleep(500_000)
            Glibc.close(s)
        }
        client.start()
        let started = Date()
        while frames == 0 && Date().timeIntervalSince(started) < 20 { backend.wait(nanoseconds: 10_000_000_000) }
        #expect(frames > 0, "no frame for the guest after the host connected")
        #expect(Date().timeIntervalSince(started) < 9, "wait did not return on the host connection")
    }

    @Test func hostForwardPortInUse() throws {
        let port = freePort()
        let first = try SlirpBackend("user,hostfwd=tcp:127.0.0.1:\(port)-:22")
        defer { first.close() }
        #expect(throws: NetOptionError.self) { _ = try SlirpBackend("user,hostfwd=tcp:127.0.0.1:\(port)-:22") }
        do { _ = try SlirpBackend("user,hostfwd=tcp:127.0.0.1:\(port)-:22") } catch {
            #expect("\(error)" == "--net: hostfwd=tcp:127.0.0.1:\(port): cannot listen on the host port (in use?)")
        }
    }
}
