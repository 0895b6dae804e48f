/// A gdb remote serial protocol stub (`sim --gdb tcp::PORT`), all-stop: each core is a thread
/// (id = core index + 1); a stop pauses the whole machine where it is; registers and memory are
/// those of the selected core, memory through its current translation regime (`monitor phys`,
/// `monitor el1|el2|el3`, `monitor virt` change that). Breakpoints (Z0/Z1), write, read and
/// access watchpoints (Z2-Z4) and steps are `DebugControl`'s, and leave guest memory alone. Ctrl-C interrupts.
public final class GDBServer {
    unowned let machine: Machine
    private let conn: GDBConnection
    /// Core for register and memory access (Hg), and for `s`/`c` without a thread (Hc).
    private var selected = 0
    private var stepThread: Int?
    private var lastStop: (core: Int, reason: DebugStop) = (0, .interrupt)
    /// gdb resumed the target and waits for a stop reply.
    private var awaitingStop = false
    /// Memory packets' addresses: physical, or virtual in a given regime (nil: the core's own).
    private var physical = false
    private var regime: Int?

    public var port: Int { conn.port }

    /// Listens on `host:port` (port 0 picks a free one: `port`).
    public init(machine: Machine, host: String = "127.0.0.1", port: Int) throws {
        self.machine = machine
        conn = try GDBConnection(host: host, port: port)
        machine.debug.onStop = { [unowned self] core, reason in self.stopped(core: core.index, reason: reason, inside: true) }
    }

    /// Waits for gdb and serves it until it resumes the machine (`--gdb-wait`, QEMU's -S).
    public func waitForDebugger() {
        conn.accept(wait: true)
        stopped(core: 0, reason: .interrupt, inside: false)
    }

    /// Between quanta while running: a newly connected gdb finds the machine stopped; Ctrl-C stops it.
    public func poll() {
        if !conn.connected {
            if conn.accept(wait: false) { stopped(core: selected, reason: .interrupt, inside: false) }
            return
        }
        if conn.interruptRequested() { stopped(core: selected, reason: .interrupt, inside: false) }
    }

    /// The machine is stopped (`inside`: at an instruction boundary inside core `core`'s run).
    /// Serves packets until gdb resumes, detaches or kills.
    private func stopped(core: Int, reason: DebugStop, inside: Bool) {
        guard conn.connected else { return }
        lastStop = (core, reason)
        selected = core
        if awaitingStop { conn.send(packet: stopReply()); awaitingStop = false }
        while true {
            guard let packet = conn.receive() else { detach(inside: inside ? core : nil); return }
            switch command(packet) {
            case .reply(let r): conn.send(packet: r)
            case .none: break
            case .resume(let step):
                machine.debug.resume(step: step, from: inside ? core : nil)
                awaitingStop = true
                return
            case .detach:
                conn.send(packet: "OK")
                detach(inside: inside ? core : nil)
                return
            case .kill(let reply):
                if reply { conn.send(packet: "OK") }
                machine.debug.removeAll()
                machine.debug.resume(step: nil, from: nil)
                conn.disconnect()
                machine.finish(.interrupted)
                return
            }
        }
    }

    private func detach(inside: Int?) {
        machine.debug.removeAll()
        machine.debug.resume(step: nil, from: inside)
        awaitingStop = false
        conn.disconnect()
    }

    private func stopReply() -> String {
        let thread = "thread:\(String(lastStop.core + 1, radix: 16));"
        switch lastStop.reason {
        case .interrupt: return "T02" + thread
        case .breakpoint, .step: return "T05" + thread
        case .watchpoint(let va, let kind):
            let name = kind == .write ? "watch" : (kind == .read ? "rwatch" : "awatch")
            return "T05\(name):\(String(va, radix: 16));" + thread
        }
    }

    enum Action {
        case reply(String)
        case none
        case resume(step: Int?)
        case detach
        /// `reply`: vKill wants an OK; k gets none.
        case kill(reply: Bool)
    }

    /// One packet's meaning (the subset gdb needs for AArch64 system debugging; "" = unsupported).
    func command(_ p: String) -> Action {
        let cores = machine.cores.count
        func thread(_ s: Substring) -> Int? {
            if s == "-1" || s == "0" { return nil }
            guard let t = Int(s, radix: 16), t >= 1, t <= cores else { return -1 }
            return t - 1
        }
        switch p.first {
        case "\u{03}": return .reply(stopReply())
        case "?": return .reply(stopReply())
        case "g":
            return .reply((0..<GDBRegisters.count).map { hex(GDBRegisters.read($0, of: machine.cores[selected])) }.joined())
        case "G":
            var bytes = unhex(p.dropFirst())[...]
            for n in 0..<GDBRegisters.count {
                let size = GDBRegisters.size(n)
                guard bytes.count >= size else { break }
                _ = GDBRegisters.write(n, of: machine.cores[selected], Array(bytes.prefix(size)))
                bytes = bytes.dropFirst(size)
            }
            return .reply("OK")
        case "p":
            guard let n = Int(p.dropFirst(), radix: 16), n < GDBRegisters.count else { return .reply("E01") }
            return .reply(hex(GDBRegisters.read(n, of: machine.cores[selected])))
        case "P":
            let parts = p.dropFirst().split(separator: "=", maxSplits: 1)
            guard parts.count == 2, let n = Int(parts[0], radix: 16), n < GDBRegisters.count,
                  GDBRegisters.write(n, of: machine.cores[selected], unhex(parts[1])) else { return .reply("E01") }
            return .reply("OK")
        case "m":
            let parts = p.dropFirst().split(separator: ",")
            guard parts.count == 2, let a = UInt64(parts[0], radix: 16), let n = Int(parts[1], radix: 16),
                  let bytes = readMemory(a, count: min(n, 0x2000)) else { return .reply("E14") }
            return .reply(hex(bytes))
        case "M":
            let head = p.dropFirst().split(separator: ":", maxSplits: 1)
            let parts = head.first?.split(separator: ",") ?? []
            guard head.count == 2, parts.count == 2, let a = UInt64(parts[0], radix: 16), let n = Int(parts[1], radix: 16),
                  case let bytes = unhex(head[1]), bytes.count == n, writeMemory(a, bytes) else { return .reply("E14") }
            return .reply("OK")
        case "Z", "z":
            let parts = p.dropFirst().split(separator: ",")
            guard parts.count >= 3, let a = UInt64(parts[1], radix: 16), let len = Int(parts[2], radix: 16) else { return .reply("E01") }
            let insert = p.first == "Z"
            switch parts[0] {
            case "0", "1":
                if insert { machine.debug.insertBreakpoint(a) } else { machine.debug.removeBreakpoint(a) }
                return .reply("OK")
            case "2", "3", "4":
                let kind: WatchKind = parts[0] == "2" ? .write : (parts[0] == "3" ? .read : .access)
                guard insert else { machine.debug.removeWatchpoint(va: a, length: len, kind: kind); return .reply("OK") }
                guard len > 0, len <= 8, let pa = translate(a),
                      machine.debug.insertWatchpoint(va: a, pa: pa, length: len, kind: kind) else { return .reply("E01") }
                return .reply("OK")
            default: return .reply("")
            }
        case "H":
            let kind = p.dropFirst().first
            guard let t = thread(p.dropFirst(2)) else {
                if kind == "c" { stepThread = nil }
                return .reply("OK")
            }
            guard t >= 0 else { return .reply("E01") }
            if kind == "g" { selected = t } else { stepThread = t }
            return .reply("OK")
        case "T":
            guard let t = thread(p.dropFirst()), t >= 0 else { return .reply("E01") }
            return .reply("OK")
        case "c", "C": return .resume(step: nil)
        case "s", "S": return .resume(step: stepThread ?? selected)
        case "D": return .detach
        case "k": return .kill(reply: false)
        case "v":
            if p == "vCont?" { return .reply("vCont;c;C;s;S") }
            if p.hasPrefix("vCont;") {
                var step: Int?
                for action in p.dropFirst(6).split(separator: ";") {
                    let fields = action.split(separator: ":", maxSplits: 1)
                    guard let verb = fields.first?.first, verb == "s" || verb == "S" else { continue }
                    let t = fields.count == 2 ? thread(fields[1]) : nil
                    step = (t ?? -1) >= 0 ? t : (stepThread ?? selected)
                }
                return .resume(step: step)
            }
            if p.hasPrefix("vKill") { return .kill(reply: true) }
            return .reply("")
        case "q", "Q": return query(p)
        default: return .reply("")
        }
    }

    private func query(_ p: String) -> Action {
        let cores = machine.cores.count
        if p.hasPrefix("qSupported") { return .reply("PacketSize=4000;qXfer:features:read+;QStartNoAckMode+;vContSupported+") }
        if p == "QStartNoAckMode" { conn.send(packet: "OK"); conn.acknowledging = false; return .none }
        if p == "qAttached" { return .reply("1") }
        if p == "qC" { return .reply("QC" + String(selected + 1, radix: 16)) }
        if p == "qfThreadInfo" { return .reply("m" + (1...cores).map { String($0, radix: 16) }.joined(separator: ",")) }
        if p == "qsThreadInfo" { return .reply("l") }
        if p.hasPrefix("qThreadExtraInfo,"), let t = Int(p.dropFirst(17), radix: 16), t >= 1, t <= cores {
            let c = machine.cores[t - 1]
            let what = c.power == .off ? "off" : "EL\(c.state.pointee.el)" + (c.power == .on ? "" : " waiting")
            return .reply(hex(Array("cpu\(t - 1) \(what)".utf8)))
        }
        if p.hasPrefix("qXfer:features:read:target.xml:") {
            let range = p.dropFirst("qXfer:features:read:target.xml:".count).split(separator: ",")
            guard range.count == 2, let off = Int(range[0], radix: 16), let len = Int(range[1], radix: 16) else { return .reply("E01") }
            let xml = Array(GDBRegisters.targetXML.utf8)
            guard off <= xml.count else { return .reply("E01") }
            let end = min(xml.count, off + len)
            return .reply((end < xml.count ? "m" : "l") + String(decoding: xml[off..<end], as: UTF8.self))
        }
        if p.hasPrefix("qRcmd,") { return monitor(String(decoding: unhex(p.dropFirst(6)), as: UTF8.self)) }
        return .reply("")
    }

    /// `monitor` commands.
    private func monitor(_ command: String) -> Action {
        let words = command.split(separator: " ")
        var text: String
        switch words.first {
        case "phys": physical = true; text = "memory accesses use physical addresses\n"
        case "virt": physical = false; regime = nil; text = "memory accesses use the selected core's current translation regime\n"
        case "el1", "el2", "el3":
            physical = false
            regime = Int(String(words[0].dropFirst(2)))
            text = "memory accesses translate through the EL\(regime!) regime\n"
        default:
            text = "monitor commands: phys (physical addresses), virt (the core's current regime), el1|el2|el3 (that regime)\n"
        }
        conn.send(packet: "O" + hex(Array(text.utf8)))
        return .reply("OK")
    }

    // MARK: Memory

    /// The physical address of `va` as memory packets see it (no fault is taken, no TLB changes).
    private func translate(_ va: UInt64) -> UInt64? {
        if physical { return va }
        let core = machine.cores[selected]
        // A table walk costs the core cycles; the debugger's must not (the run would change).
        let cycles = core.state.pointee.cycles
        defer { core.state.pointee.cycles = cycles }
        switch core.translate(va, .read, asEL0: false, el: regime ?? core.state.pointee.el, stage2Output: true) {
        case .success(let t): return t.pa
        default: return nil
        }
    }

    /// RAM only: a debugger read must not touch a device register (a UART's data register pops a byte).
    private func readMemory(_ va: UInt64, count: Int) -> [UInt8]? {
        var out: [UInt8] = []
        var a = va
        while out.count < count {
            let chunk = min(count - out.count, Int(0x1000 - (a & 0xFFF)))
            guard let pa = translate(a), let bytes = machine.memory.read(pa, count: chunk) else { break }
            out += bytes
            a &+= UInt64(chunk)
        }
        return out.isEmpty && count > 0 ? nil : out
    }

    private func writeMemory(_ va: UInt64, _ bytes: [UInt8]) -> Bool {
        var done = 0, a = va
        while done < bytes.count {
            let chunk = min(bytes.count - done, Int(0x1000 - (a & 0xFFF)))
            guard let pa = translate(a), (try? machine.memory.write(Array(bytes[done..<done + chunk]), at: pa)) != nil else { return false }
            done += chunk
            a &+= UInt64(chunk)
        }
        return true
    }

    private func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format2: $0) }.joined() }

    private func unhex<S: StringProtocol>(_ s: S) -> [UInt8] {
        var out: [UInt8] = []
        var it = s.utf8.makeIterator()
        while let h = it.next(), let l = it.next() {
            guard let v = UInt8(String(decoding: [h, l], as: UTF8.self), radix: 16) else { break }
            out.append(v)
        }
        return out
    }
}
