/// Where a GIC delivers its output: the IRQ and FIQ inputs of each core.
public protocol GICOutput: AnyObject {
    func setInterruptLines(cpu: Int, irq: Bool, fiq: Bool)
    /// Virtual IRQ/FIQ from the virtual CPU interface (list registers), taken at EL1 under HCR_EL2.IMO/FMO.
    func setVirtualInterruptLines(cpu: Int, irq: Bool, fiq: Bool)
}

/// Per-interrupt configuration and state (Arm GICv3/v4 Architecture Specification, "Interrupt
/// state machine" and the distributor/redistributor register descriptions). One record per SGI/PPI
/// per CPU, one per SPI.
struct InterruptRecord {
    var enabled = false
    /// Group 1 (IGROUPR = 1); with a single security state, Group 0 signals FIQ, Group 1 IRQ.
    var group1 = false
    var groupModifier = false
    var priority: UInt8 = 0
    /// Edge-triggered (ICFGR = 0b10); SGIs are always edge-triggered.
    var edge = false
    /// Pending latch: set by an edge, ISPENDR or an SGI; cleared by acknowledge or ICPENDR.
    var latch = false
    /// Current input level for level-sensitive interrupts.
    var level = false
    var active = false

    /// Pending state as the state machine defines it.
    var pending: Bool { latch || (!edge && level) }
}

/// The GIC as one object: distributor, redistributors and CPU interfaces share the interrupt
/// state. A single security state (GICD_CTLR.DS = 1), affinity routing always enabled, no LPIs
/// or ITS — the configuration QEMU's virt and Linux use when no secure firmware owns the GIC.
/// With `architecture` .v2 the same state machine is a GIC-400 (GICv2 without the Security
/// Extensions, as QEMU's non-secure virt): SPIs go to the CPUs of their ITARGETSR mask, SGIs
/// remember their source CPUs, and the CPU, hypervisor and virtual interfaces are memory-mapped
/// (GICv2*.swift) instead of system registers.
public final class GICv3 {
    public enum Architecture: Sendable { case v2, v3 }
    public let architecture: Architecture
    public let cpuCount: Int
    /// Number of SPIs (a multiple of 32).
    public let spiCount: Int
    /// MPIDR affinity (Aff3:Aff2:Aff1:Aff0 as bits 39:32, 23:0) of each CPU interface.
    public let affinity: [UInt64]
    public weak var output: GICOutput?

    var local: [InterruptRecord]   // cpuCount * 32, SGIs and PPIs
    var spis: [InterruptRecord]
    /// IROUTER per SPI: affinity and Interrupt_Routing_Mode (bit 31).
    var route: [UInt64]
    /// GICD_CTLR EnableGrp0 (bit 0) and EnableGrp1 (bit 1).
    var distributorControl: UInt32 = 0
    public private(set) var interfaces: [GICCPUInterface] = []
    public private(set) var virtualInterfaces: [GICVirtualInterface] = []
    /// INTID of the virtual interface maintenance interrupt (PPI 9 on both boards).
    public var maintenanceIntid = 25
    /// GICR_WAKER.ProcessorSleep per redistributor (reset: asleep).
    var processorSleep: [Bool]
    private var lastLines: [(Bool, Bool)]
    /// GICv2: GICD_ITARGETSR per SPI, a mask of CPU interfaces.
    var targets: [UInt8]
    /// GICv2: per target CPU and SGI (cpu * 16 + id), the source CPUs whose copy is pending.
    var sgiSources: [UInt8]
    /// LPIs (GICLPIs.swift), with an ITS; `memory` holds their configuration tables.
    var lpis: LPIState
    public var hasLPIs = false
    public weak var memory: GuestMemory?

    public init(cpuCount: Int, spiCount: Int, affinity: [UInt64], architecture: Architecture = .v3) {
        self.architecture = architecture
        targets = [UInt8](repeating: 0, count: spiCount)
        sgiSources = [UInt8](repeating: 0, count: cpuCount * 16)
        lpis = LPIState(cpus: cpuCount)
        self.cpuCount = cpuCount
        self.spiCount = spiCount
        self.affinity = affinity
        local = [InterruptRecord](repeating: InterruptRecord(), count: cpuCount * 32)
        for c in 0..<cpuCount { for i in 0..<16 { local[c * 32 + i].edge = true } }
        spis = [InterruptRecord](repeating: InterruptRecord(), count: spiCount)
        route = [UInt64](repeating: 0, count: spiCount)
        processorSleep = [Bool](repeating: true, count: cpuCount)
        lastLines = [(Bool, Bool)](repeating: (false, false), count: cpuCount)
        interfaces = (0..<cpuCount).map { GICCPUInterface(gic: self, cpu: $0) }
        virtualInterfaces = (0..<cpuCount).map { GICVirtualInterface(gic: self, cpu: $0) }
    }

    /// The record of `intid` as seen by `cpu`; nil for INTIDs that do not exist.
    func withRecord<T>(_ intid: Int, cpu: Int, _ body: (inout InterruptRecord) -> T) -> T? {
        if intid < 32 { return body(&local[cpu * 32 + intid]) }
        let s = intid - 32
        guard s < spiCount else { return nil }
        return body(&spis[s])
    }

    func record(_ intid: Int, cpu: Int) -> InterruptRecord? {
        if intid < 32 { return local[cpu * 32 + intid] }
        let s = intid - 32
        return s < spiCount ? spis[s] : nil
    }

    /// The CPU an SPI is routed to: the IROUTER affinity, or for 1-of-N routing the lowest-numbered
    /// CPU whose interface has the group enabled (deterministic).
    func target(ofSPI s: Int) -> Int? {
        let r = route[s]
        if r & (1 << 31) != 0 {
            let g1 = spis[s].group1
            return interfaces.firstIndex { g1 ? $0.groupEnable1 : $0.groupEnable0 } ?? 0
        }
        let aff = (r & 0xFF_FFFF) | ((r >> 32) & 0xFF) << 32
        return affinity.firstIndex(of: aff)
    }

    /// Whether SPI `s` is signalled to `cpu`: its IROUTER target (GICv3), or any CPU of its
    /// ITARGETSR mask (GICv2: each sees it pending; the first to acknowledge takes it).
    func routes(spi s: Int, to cpu: Int) -> Bool {
        architecture == .v2 ? targets[s] & (1 << UInt8(cpu & 7)) != 0 : target(ofSPI: s) == cpu
    }

    /// A device drives an interrupt line (SPI or PPI for `cpu`).
    public func setLevel(intid: Int, cpu: Int = 0, asserted: Bool) {
        _ = withRecord(intid, cpu: cpu) { r in
            if r.edge {
                if asserted && !r.level { r.latch = true }
            }
            r.level = asserted
        }
        update()
    }

    /// Recomputes every CPU interface's highest-priority pending interrupt and drives the lines.
    public func update() {
        for c in 0..<cpuCount {
            let (irq, fiq) = interfaces[c].signals()
            if lastLines[c] != (irq, fiq) {
                lastLines[c] = (irq, fiq)
                output?.setInterruptLines(cpu: c, irq: irq, fiq: fiq)
            }
        }
    }

    /// Highest-priority pending, enabled, inactive interrupt for `cpu` in an enabled group:
    /// (intid, priority, group1); ties go to the lowest INTID.
    func highestPending(cpu: Int) -> (Int, UInt8, Bool)? {
        var best: (Int, UInt8, Bool)?
        func consider(_ intid: Int, _ r: InterruptRecord) {
            guard r.enabled, r.pending, !r.active else { return }
            guard r.group1 ? distributorControl & 2 != 0 : distributorControl & 1 != 0 else { return }
            if best == nil || r.priority < best!.1 { best = (intid, r.priority, r.group1) }
        }
        for i in 0..<32 { consider(i, local[cpu * 32 + i]) }
        for s in 0..<spiCount where spis[s].enabled && spis[s].pending && routes(spi: s, to: cpu) {
            consider(s + 32, spis[s])
        }
        if hasLPIs, let (intid, p) = highestPendingLPI(cpu: cpu), best == nil || p < best!.1 { best = (intid, p, true) }
        return best
    }

    /// Generates SGIs from an ICC_SGI0R/SGI1R write by `cpu` (register layout of ICC_SGI1R_EL1).
    func generateSGI(from cpu: Int, value: UInt64, group1: Bool) {
        let intid = Int((value >> 24) & 0xF)
        let targets = value & 0xFFFF
        let aff1 = (value >> 16) & 0xFF, aff2 = (value >> 32) & 0xFF, aff3 = (value >> 48) & 0xFF
        let rs = (value >> 44) & 0xF
        let broadcast = value & (1 << 40) != 0
        for c in 0..<cpuCount {
            let a = affinity[c]
            let selected: Bool
            if broadcast {
                selected = c != cpu
            } else {
                let aff0 = a & 0xFF
                selected = (a >> 8) & 0xFF == aff1 && (a >> 16) & 0xFF == aff2 && (a >> 32) & 0xFF == aff3
                    && aff0 >> 4 == rs && targets & (1 << (aff0 & 0xF)) != 0
            }
            // An SGI is forwarded only if its configured group matches the register used.
            if selected && local[c * 32 + intid].group1 == group1 { local[c * 32 + intid].latch = true }
        }
        update()
    }

    /// GICv2: GICD_SGIR from `cpu` (TargetListFilter 25:24, CPUTargetList 23:16, SGIINTID 3:0).
    /// Each target CPU gets the SGI pending from this source.
    func generateSGIv2(from cpu: Int, value: UInt64) {
        let intid = Int(value & 0xF)
        let list: UInt64
        switch (value >> 24) & 3 {
        case 0: list = (value >> 16) & 0xFF
        case 1: list = 0xFF & ~(1 << UInt64(cpu))
        case 2: list = 1 << UInt64(cpu)
        default: list = 0
        }
        for c in 0..<min(cpuCount, 8) where list & (1 << UInt64(c)) != 0 {
            sgiSources[c * 16 + intid] |= 1 << UInt8(cpu)
            local[c * 32 + intid].latch = true
        }
        update()
    }

    /// GICv2: GICD_SPENDSGIR/CPENDSGIR (`set`) for `cpu`, one byte of source bits per SGI.
    func writeSGISources(cpu: Int, first: Int, size: Int, value: UInt64, set: Bool) {
        for k in 0..<size where first + k < 16 {
            let bits = UInt8(truncatingIfNeeded: value >> UInt64(8 * k))
            let i = cpu * 16 + first + k
            sgiSources[i] = set ? sgiSources[i] | bits : sgiSources[i] & ~bits
            local[cpu * 32 + first + k].latch = sgiSources[i] != 0
        }
        update()
    }

    func readSGISources(cpu: Int, first: Int, size: Int) -> UInt64 {
        var v: UInt64 = 0
        for k in 0..<size where first + k < 16 { v |= UInt64(sgiSources[cpu * 16 + first + k]) << UInt64(8 * k) }
        return v
    }
}
