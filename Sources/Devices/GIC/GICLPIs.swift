/// Locality-specific peripheral interrupts (GICv3 specification, "LPIs"): message-based, edge,
/// Group 1, no active state. Their priority and enable live in the LPI configuration table in
/// memory (GICR_PROPBASER, a byte per LPI from INTID 8192), which the GIC may cache: software
/// changing it issues the ITS's INV or INVALL, which reload the cache here. Pending state is kept
/// here rather than in the pending tables (GICR_PENDBASER), as a GIC with a pending cache may.
struct LPIState {
    static let first = 8192
    /// INTIDs up to 2^16 (GICD_TYPER.IDbits = 15).
    static let idBits = 16
    /// GICR_CTLR.EnableLPIs, GICR_PROPBASER and GICR_PENDBASER of each redistributor.
    var enabled: [Bool]
    var propBase: [UInt64]
    var pendBase: [UInt64]
    /// Per CPU: pending LPIs.
    var pending: [Set<Int>]
    /// Cached configuration bytes (priority 7:2, enable 0) by INTID.
    var config: [Int: UInt8] = [:]

    init(cpus: Int) {
        enabled = [Bool](repeating: false, count: cpus)
        propBase = [UInt64](repeating: 0, count: cpus)
        pendBase = [UInt64](repeating: 0, count: cpus)
        pending = [Set<Int>](repeating: [], count: cpus)
    }
}

extension GICv3 {
    /// Reloads LPI `intid`'s configuration byte from `cpu`'s LPI configuration table.
    func reloadLPIConfig(_ intid: Int, cpu: Int) {
        let base = lpis.propBase[cpu] & 0x000F_FFFF_FFFF_F000
        let idBits = Int(lpis.propBase[cpu] & 0x1F) + 1
        guard intid >= LPIState.first, intid < 1 << min(idBits, LPIState.idBits),
              let b = memory?.dmaRead(base + UInt64(intid - LPIState.first), count: 1) else { lpis.config[intid] = nil; return }
        lpis.config[intid] = b[0]
    }

    /// An LPI becomes pending at `cpu`'s redistributor (an MSI through the ITS, or the INT command).
    func setLPIPending(_ intid: Int, cpu: Int, _ pending: Bool) {
        guard cpu < cpuCount else { return }
        if pending { lpis.pending[cpu].insert(intid) } else { lpis.pending[cpu].remove(intid) }
        update()
    }

    /// The highest-priority enabled pending LPI of `cpu` (ties to the lowest INTID), if LPIs are on.
    func highestPendingLPI(cpu: Int) -> (Int, UInt8)? {
        guard lpis.enabled[cpu], distributorControl & 2 != 0 else { return nil }
        var best: (Int, UInt8)?
        for intid in lpis.pending[cpu] {
            guard let c = lpis.config[intid], c & 1 != 0 else { continue }
            let p = c & 0xF8
            if best == nil || p < best!.1 || (p == best!.1 && intid < best!.0) { best = (intid, p) }
        }
        return best
    }
}
