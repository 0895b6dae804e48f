import Foundation

/// `--stats`: what the run did, per core and in all, one `key value` line each (README,
/// "Statistics"). Deterministic: the same run prints the same lines.
extension Machine {
    public func statsReport() -> String {
        var lines: [String] = []
        func add(_ key: String, _ value: UInt64) { lines.append("\(key) \(value)") }
        lines.append("timing \(config.timing.rawValue)")
        add("cpu_hz", board.cpuHz)
        for c in cores {
            let p = "cpu\(c.index)."
            add(p + "instructions", c.state.pointee.retired)
            add(p + "cycles", c.state.pointee.cycles)
            if let a = c.a53 {
                add(p + "loads", a.loads)
                add(p + "stores", a.stores)
                add(p + "l1d_accesses", a.l1d.accesses)
                add(p + "l1d_misses", a.l1d.misses)
                add(p + "l1d_writebacks", a.l1d.writebacks)
                add(p + "prefetched_lines", a.prefetched)
                add(p + "utlb_misses", a.microMisses)
                add(p + "tlb_misses", a.mainMisses)
                add(p + "memory_stall_cycles", a.stallCycles)
                add(p + "branches_predicted", a.predictor.predictions)
                add(p + "branches_mispredicted", a.predictor.mispredictions)
            }
        }
        if let l2 = cores.first?.a53?.l2 {
            add("l2.accesses", l2.accesses)
            add("l2.misses", l2.misses)
            add("l2.writebacks", l2.writebacks)
        }
        add("instructions", retired)
        add("cycles", cores.map { $0.state.pointee.cycles }.max() ?? 0)
        return lines.joined(separator: "\n") + "\n"
    }
}
