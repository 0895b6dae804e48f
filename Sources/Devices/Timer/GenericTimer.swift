/// The per-CPU timers of the Generic Timer (Arm ARM D11 "The Generic Timer in AArch64 state"):
/// EL1 physical (CNTP), virtual (CNTV, offset by CNTVOFF_EL2), EL2 physical (CNTHP) and secure
/// physical (CNTPS). Each raises its PPI (level) while ENABLE = 1, IMASK = 0 and the counter has
/// reached CVAL. The counter itself is the machine's: simulated cycles at the counter frequency.
public final class GenericTimers {
    public enum Kind: Int, CaseIterable, Sendable {
        case physical, virtual, hypervisor, secure
    }

    struct Timer {
        var control: UInt64 = 0
        var compare: UInt64 = 0
        var asserted = false
    }

    public let cpuCount: Int
    /// INTID of each kind's PPI.
    public let intids: [Kind: Int]
    var timers: [[Timer]]
    public var virtualOffset: [UInt64]
    /// Drives a PPI of a CPU: (cpu, intid, asserted).
    public var raise: ((Int, Int, Bool) -> Void)?

    public init(cpuCount: Int, intids: [Kind: Int]) {
        self.cpuCount = cpuCount
        self.intids = intids
        timers = [[Timer]](repeating: [Timer](repeating: Timer(), count: 4), count: cpuCount)
        virtualOffset = [UInt64](repeating: 0, count: cpuCount)
    }

    /// The count a timer compares against: the physical count, less CNTVOFF for the virtual timer.
    func count(_ kind: Kind, cpu: Int, physical: UInt64) -> UInt64 {
        kind == .virtual ? physical &- virtualOffset[cpu] : physical
    }

    /// CNTx_CTL as read: ISTATUS (bit 2) reports the condition whatever IMASK says.
    public func control(_ kind: Kind, cpu: Int, physical: UInt64) -> UInt64 {
        let t = timers[cpu][kind.rawValue]
        let met = t.control & 1 != 0 && count(kind, cpu: cpu, physical: physical) >= t.compare
        return (t.control & 3) | (met ? 4 : 0)
    }

    public func compare(_ kind: Kind, cpu: Int) -> UInt64 { timers[cpu][kind.rawValue].compare }

    public func setControl(_ kind: Kind, cpu: Int, _ value: UInt64, physical: UInt64) {
        timers[cpu][kind.rawValue].control = value & 3
        update(cpu: cpu, physical: physical)
    }

    public func setCompare(_ kind: Kind, cpu: Int, _ value: UInt64, physical: UInt64) {
        timers[cpu][kind.rawValue].compare = value
        update(cpu: cpu, physical: physical)
    }

    /// TVAL writes set CVAL to the current count plus the signed 32-bit value.
    public func setTimerValue(_ kind: Kind, cpu: Int, _ value: UInt64, physical: UInt64) {
        let signed = UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: value)))
        setCompare(kind, cpu: cpu, count(kind, cpu: cpu, physical: physical) &+ signed, physical: physical)
    }

    public func timerValue(_ kind: Kind, cpu: Int, physical: UInt64) -> UInt64 {
        (timers[cpu][kind.rawValue].compare &- count(kind, cpu: cpu, physical: physical)) & 0xFFFF_FFFF
    }

    /// Re-evaluates every timer of `cpu` against the counter and drives the PPIs.
    public func update(cpu: Int, physical: UInt64) {
        for kind in Kind.allCases {
            let t = timers[cpu][kind.rawValue]
            let fire = t.control & 3 == 1 && count(kind, cpu: cpu, physical: physical) >= t.compare
            if fire != t.asserted {
                timers[cpu][kind.rawValue].asserted = fire
                if let intid = intids[kind] { raise?(cpu, intid, fire) }
            }
        }
    }

    /// The earliest physical count at which an enabled, unmasked timer of any CPU will fire
    /// (and has not yet), or nil: lets idle machines skip straight to the next event.
    public func nextEvent(physical: UInt64) -> UInt64? {
        var best: UInt64?
        for cpu in 0..<cpuCount {
            for kind in Kind.allCases {
                let t = timers[cpu][kind.rawValue]
                guard t.control & 3 == 1, !t.asserted else { continue }
                let offset = kind == .virtual ? virtualOffset[cpu] : 0
                let at = t.compare &+ offset
                // A compare value already behind the counter fires at the next update.
                let when = at < physical ? physical : at
                if best == nil || when < best! { best = when }
            }
        }
        return best
    }
}
