import Foundation

/// `--timeline FILE.json`: the run as a trace in the Chrome/Perfetto trace-event format (JSON
/// object form), with simulated time on the axis (`ts` in microseconds from reset). One track per
/// core shows what runs there as slices (firmware, hypervisor, "VMID n vCPU m", EL1/EL0 without
/// stage 2, idle in WFI/WFE); instants mark every exception taken to EL2 with its class, PSCI
/// calls, list-register injections, and the guest's own markers (`HINT #0x7A`, see
/// `Core.timelineMarker`); a counter per core follows list-register occupancy; console lines are
/// global markers. The run is deterministic, so the file is too. Events are written as they
/// happen: cores run in quanta, so `ts` is ordered per track only, which viewers accept.
public final class Timeline {
    private let handle: FileHandle
    private var buffer = ""
    private let cyclesPerMicrosecond: Double
    /// Per core: the open slice and when it began (cycles).
    private var open: [(name: String, start: UInt64)?]
    /// Per core: list registers in use, as last reported.
    var occupancy: [Int]

    public init(handle: FileHandle, cpus: Int, cpuHz: UInt64, board: String) {
        self.handle = handle
        cyclesPerMicrosecond = Double(cpuHz) / 1e6
        open = Array(repeating: nil, count: cpus)
        occupancy = Array(repeating: 0, count: cpus)
        buffer = "{\"displayTimeUnit\":\"ns\",\"otherData\":{\"generator\":\"sim --timeline\",\"board\":\(Timeline.quoted(board)),"
            + "\"clock\":\"simulated\"},\"traceEvents\":[\n"
        buffer += "{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":0,\"tid\":0,\"args\":{\"name\":\(Timeline.quoted("sim " + board))}}"
        for c in 0..<cpus {
            buffer += ",\n{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":0,\"tid\":\(c),\"args\":{\"name\":\"cpu\(c)\"}}"
            buffer += ",\n{\"ph\":\"M\",\"name\":\"thread_sort_index\",\"pid\":0,\"tid\":\(c),\"args\":{\"sort_index\":\(c)}}"
        }
    }

    /// JSON string literal.
    static func quoted(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 || u.value == 0x7F { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }

    private func ts(_ cycles: UInt64) -> String { String(format: "%.3f", Double(cycles) / cyclesPerMicrosecond) }

    private func emit(_ event: String) {
        buffer += ",\n"
        buffer += event
        if buffer.utf8.count > 1 << 16 { flush() }
    }

    private func flush() {
        handle.write(Data(buffer.utf8))
        buffer = ""
    }

    /// From `cycles` on, core `core` runs `name` (nil: nothing, powered off); the slice before ends.
    func enter(core: Int, _ name: String?, at cycles: UInt64) {
        if let o = open[core] {
            if o.name == name { return }
            if cycles > o.start {
                emit("{\"ph\":\"X\",\"name\":\(Timeline.quoted(o.name)),\"cat\":\"run\",\"pid\":0,\"tid\":\(core),"
                     + "\"ts\":\(ts(o.start)),\"dur\":\(ts(cycles - o.start))}")
            }
        }
        open[core] = name.map { ($0, cycles) }
    }

    /// A point event on core `core`'s track; `args` values are JSON already.
    func instant(core: Int, _ name: String, category: String, at cycles: UInt64, args: [(String, String)] = []) {
        let a = args.map { "\(Timeline.quoted($0.0)):\($0.1)" }.joined(separator: ",")
        emit("{\"ph\":\"i\",\"s\":\"t\",\"name\":\(Timeline.quoted(name)),\"cat\":\"\(category)\",\"pid\":0,\"tid\":\(core),"
             + "\"ts\":\(ts(cycles)),\"args\":{\(a)}}")
    }

    /// A counter sample (a track of its own per name).
    func counter(_ name: String, value: Int, at cycles: UInt64) {
        emit("{\"ph\":\"C\",\"name\":\(Timeline.quoted(name)),\"pid\":0,\"ts\":\(ts(cycles)),\"args\":{\"value\":\(value)}}")
    }

    /// A console line, as a marker across every track.
    public func consoleLine(_ text: String, at cycles: UInt64) {
        emit("{\"ph\":\"i\",\"s\":\"g\",\"name\":\(Timeline.quoted(text)),\"cat\":\"console\",\"pid\":0,\"tid\":0,\"ts\":\(ts(cycles))}")
    }

    /// Ends every open slice at its core's time and completes the file.
    public func finish(cycles: [UInt64]) {
        for c in open.indices { enter(core: c, nil, at: cycles[c]) }
        buffer += "\n]}\n"
        flush()
    }

    static func hex(_ v: UInt64) -> String { "\"0x\(String(v, radix: 16))\"" }
}
