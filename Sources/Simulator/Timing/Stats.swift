import Foundation

/// One statistic of `--stats`: a key, its value and what it means (README, "Statistics").
public struct Statistic {
    public let key: String
    public let value: Double
    public let isInteger: Bool
    public let description: String
}

/// `--stats FILE`: what the run did, per core and in all. Deterministic: the same run gives the
/// same statistics (no host time among them).
extension Machine {
    public func statistics() -> [Statistic] {
        var out: [Statistic] = []
        func add(_ key: String, _ value: UInt64, _ what: String) {
            out.append(Statistic(key: key, value: Double(value), isInteger: true, description: what))
        }
        func ratio(_ key: String, _ n: UInt64, _ d: UInt64, _ what: String) {
            out.append(Statistic(key: key, value: d == 0 ? 0 : Double(n) / Double(d), isInteger: false, description: what))
        }
        for c in cores { c.statsAttribute() }
        let insns = cores.reduce(0) { $0 &+ $1.state.pointee.retired }
        let allCycles = cores.reduce(0) { $0 &+ $1.state.pointee.cycles }
        let cycles = cores.map { $0.state.pointee.cycles }.max() ?? 0
        out.append(Statistic(key: "sim_seconds", value: Double(cycles) / Double(board.cpuHz), isInteger: false,
                             description: "simulated time: the furthest core's cycles at the board's clock"))
        add("sim_cycles", cycles, "cycles of the furthest core")
        add("sim_insts", insns, "instructions retired, all cores")
        ratio("cpi", allCycles, insns, "cycles per instruction, all cores (idle cycles included)")
        add("cpu_hz", board.cpuHz, "core clock (board data)")
        var vmCycles = [UInt64](repeating: 0, count: 256), vmInsns = [UInt64](repeating: 0, count: 256)
        for c in cores {
            let p = "cpu\(c.index).", s = c.stats
            add(p + "instructions", c.state.pointee.retired, "instructions retired")
            add(p + "cycles", c.state.pointee.cycles, "cycles, including idle and powered-off time")
            ratio(p + "cpi", c.state.pointee.cycles, c.state.pointee.retired, "cycles per instruction")
            add(p + "idle_cycles", s.idleCycles, "cycles waiting in WFI or WFE")
            add(p + "off_cycles", s.offCycles, "cycles powered off (before CPU_ON, after CPU_OFF)")
            for el in 0..<4 where s.elCycles[el] != 0 || s.elInstructions[el] != 0 {
                add(p + "el\(el).cycles", s.elCycles[el], "busy cycles at EL\(el)")
                add(p + "el\(el).instructions", s.elInstructions[el], "instructions retired at EL\(el)")
            }
            for vmid in 0..<256 where s.vmCycles[vmid] != 0 || s.vmInstructions[vmid] != 0 {
                add(p + "vmid\(vmid).cycles", s.vmCycles[vmid], "busy cycles below EL2 with stage 2 on, VMID \(vmid)")
                add(p + "vmid\(vmid).instructions", s.vmInstructions[vmid], "instructions retired there")
                vmCycles[vmid] &+= s.vmCycles[vmid]; vmInsns[vmid] &+= s.vmInstructions[vmid]
            }
            add(p + "exceptions", s.exceptionsTaken, "exceptions taken")
            add(p + "exception_returns", s.exceptionReturns, "exception returns (ERET)")
            for el in 1..<4 {
                for k in 0..<CoreStats.classes where s.exceptions[el * CoreStats.classes + k] != 0 {
                    add(p + "exceptions.el\(el).\(CoreStats.className(k))", s.exceptions[el * CoreStats.classes + k],
                        "exceptions of this class taken to EL\(el)")
                }
            }
            if let a = c.a53 {
                add(p + "loads", a.loads, "data reads the model saw (an LDP of X registers is one)")
                add(p + "stores", a.stores, "data writes the model saw")
                add(p + "l1d.accesses", a.l1d.accesses, "L1 data cache lookups")
                add(p + "l1d.misses", a.l1d.misses, "L1 data cache misses (refills)")
                ratio(p + "l1d.miss_rate", a.l1d.misses, a.l1d.accesses, "L1 data cache misses per lookup")
                add(p + "l1d.writebacks", a.l1d.writebacks, "dirty L1 data lines evicted")
                add(p + "l1d.prefetched_lines", a.prefetched, "misses served by the stream prefetcher")
                add(p + "l1d.streamed_lines", a.streamedLines, "lines stores wrote in read-allocate (streaming) mode, not allocated")
                add(p + "l1i.accesses", a.l1i.accesses, "L1 instruction cache lookups (block entries and branch targets)")
                add(p + "l1i.misses", a.l1i.misses, "L1 instruction cache misses")
                add(p + "itlb.micro_misses", a.microIMisses, "instruction micro-TLB misses (10 entries)")
                add(p + "fetch_stall_cycles", a.fetchStallCycles, "cycles instruction fetch added (L1I and TLB misses)")
                add(p + "l2.accesses", a.l2Accesses, "this core's L2 lookups")
                add(p + "l2.misses", a.l2Refills, "this core's L2 misses (DRAM reads)")
                add(p + "dtlb.micro_misses", a.microMisses, "data micro-TLB misses (10 entries)")
                add(p + "dtlb.main_misses", a.mainMisses, "main TLB misses (512 entries): table walks")
                add(p + "dtlb.walk_cycles", a.walkCycles, "cycles of those walks")
                add(p + "memory_stall_cycles", a.stallCycles, "cycles data accesses added beyond an L1 hit")
                add(p + "branches", a.predictor.predictions, "branches predicted: conditional, indirect (BR, BLR) and returns")
                add(p + "branch_mispredictions", a.predictor.mispredictions, "branches mispredicted")
                add(p + "indirect_mispredictions", a.predictor.indirectMispredictions, "BR/BLR whose target was not the last one seen there")
                add(p + "return_mispredictions", a.predictor.returnMispredictions, "RETs the return stack did not predict")
                ratio(p + "branch_misprediction_rate", a.predictor.mispredictions, a.predictor.predictions, "mispredictions per predicted branch")
            } else {
                add(p + "walk_cycles", s.walkCycles, "cycles the table walker charged on translation misses")
            }
        }
        for vmid in 0..<256 where vmCycles[vmid] != 0 || vmInsns[vmid] != 0 {
            add("vmid\(vmid).cycles", vmCycles[vmid], "busy cycles of VMID \(vmid), all cores")
            add("vmid\(vmid).instructions", vmInsns[vmid], "instructions of VMID \(vmid), all cores")
        }
        if let l2 = cores.first?.a53?.l2 {
            add("l2.accesses", l2.accesses, "shared L2 lookups (data and walks), all cores")
            add("l2.misses", l2.misses, "shared L2 misses")
            ratio("l2.miss_rate", l2.misses, l2.accesses, "shared L2 misses per lookup")
            add("l2.writebacks", l2.writebacks, "dirty L2 lines evicted")
        }
        return out
    }

    /// The statistics as text (gem5's form: `key value # description`) or as one JSON object.
    public func statsReport(json: Bool = false) -> String {
        let all = statistics()
        func number(_ s: Statistic) -> String { s.isInteger ? String(UInt64(s.value)) : String(format: "%.6f", s.value) }
        if json {
            let fields = [("timing", "\"\(config.timing.rawValue)\""), ("board", "\"\(board.name)\""), ("cpus", "\(cores.count)")]
                + all.map { ("\($0.key)", number($0)) }
            return "{\n" + fields.map { "  \"\($0.0)\": \($0.1)" }.joined(separator: ",\n") + "\n}\n"
        }
        let width = max(40, all.map(\.key.count).max() ?? 0)
        var lines = ["# sim statistics: board \(board.name), \(cores.count) CPU\(cores.count == 1 ? "" : "s"), timing \(config.timing.rawValue)"]
        for s in all {
            let v = number(s)
            lines.append(s.key.padding(toLength: width, withPad: " ", startingAt: 0) + " " + String(repeating: " ", count: max(0, 16 - v.count)) + v + "   # " + s.description)
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// `--stats-interval N`: a CSV row every N cycles of the machine (at the first quantum boundary
/// at or after each multiple), so a run can be plotted over time.
public final class StatsSampler {
    let interval: UInt64
    var next: UInt64
    let out: FileHandle

    public init(_ h: FileHandle, interval: UInt64) throws {
        guard interval > 0 else { throw SimError.config("--stats-interval: the interval must be at least 1 cycle") }
        self.interval = interval
        next = interval
        out = h
    }

    func header(_ m: Machine) {
        var cols = ["cycle", "sim_seconds", "sim_insts"]
        for c in m.cores {
            let p = "cpu\(c.index)."
            cols += [p + "instructions", p + "cycles", p + "idle_cycles", p + "exceptions"]
            if c.a53 != nil { cols += [p + "l1d.misses", p + "l2.misses", p + "dtlb.main_misses", p + "branch_mispredictions"] }
        }
        out.write(Data((cols.joined(separator: ",") + "\n").utf8))
    }

    func sample(_ m: Machine, at now: UInt64) {
        var cols = [String(now), String(format: "%.9f", Double(now) / Double(m.board.cpuHz)), String(m.retired)]
        for c in m.cores {
            cols += [String(c.state.pointee.retired), String(c.state.pointee.cycles), String(c.stats.idleCycles), String(c.stats.exceptionsTaken)]
            if let a = c.a53 { cols += [String(a.l1d.misses), String(a.l2Refills), String(a.mainMisses), String(a.predictor.mispredictions)] }
        }
        out.write(Data((cols.joined(separator: ",") + "\n").utf8))
        while next <= now { next &+= interval }
    }

    func close() { try? out.close() }
}
