/// An Arm SMMUv3 (IHI 0070) with stage-1 and stage-2 translation, each alone or nested (or
/// only the stages `stages` names: QEMU 7.2's has stage 1 only): the register file, the stream
/// table (linear and 2-level) with STEs and context descriptors cached until software
/// invalidates them, the stage-1 and stage-2 walkers with a translation cache (by VMID, ASID and
/// page) that TLBI commands empty, the command queue (run when CMDQ_PROD moves, so runs stay
/// deterministic), the event queue and its interrupt, GERROR, and GBPA for when the SMMU is off.
/// Devices do DMA through `SMMUStream`, which asks `translate` for each page. Wired interrupts
/// are edge-triggered pulses, as QEMU's virt wires them (eventq, priq, cmdq-sync, gerror).
public final class SMMUv3: MMIODevice {
    public struct Interrupts: Sendable {
        public let eventq: Int, priq: Int, cmdqSync: Int, gerror: Int
        public init(eventq: Int, priq: Int, cmdqSync: Int, gerror: Int) {
            self.eventq = eventq; self.priq = priq; self.cmdqSync = cmdqSync; self.gerror = gerror
        }
    }

    let memory: GuestMemory
    let sink: InterruptSink
    public let interrupts: Interrupts
    /// Where a guest programming error is reported (commands the SMMU refuses).
    public var log: ((String) -> Void)?

    /// IDR0: S2P 0 and S1P 1 as `stages` says, TTF = AArch64, COHACC, ASID16, VMID16, TTENDIAN =
    /// little-endian only, STALL_MODEL = 0b01 (no stalls), TERM_MODEL (faults abort), ST_LEVEL =
    /// 2-level; no MSI, SEV, HYP, ATS, PRI or HTTU (QEMU's stage-2 SMMU reports 0x0D441019).
    var idr0: UInt32 {
        (stages.contains(.stage2) ? 1 : 0) | (stages.contains(.stage1) ? 2 : 0)
            | 2 << 2 | 1 << 4 | 1 << 12 | 1 << 18 | 2 << 21 | 1 << 24 | 1 << 26 | 1 << 27
    }
    /// IDR1: SIDSIZE 16 bits, no substreams, command and event queues up to 2^19 entries.
    public static let streamIDBits: UInt32 = 16
    static let idr1: UInt32 = streamIDBits | 19 << 16 | 19 << 21
    /// IDR5: OAS 48 bits, 4 KiB, 16 KiB and 64 KiB granules.
    static let idr5: UInt32 = 5 | 1 << 4 | 1 << 5 | 1 << 6
    static let oasBits: UInt32 = 48

    var cr0: UInt32 = 0, cr1: UInt32 = 0, cr2: UInt32 = 0
    var gbpa: UInt32 = SMMUGBPA.reset
    var irqCtrl: UInt32 = 0
    var gerror: UInt32 = 0, gerrorn: UInt32 = 0
    var gerrorIRQCfg0: UInt64 = 0, gerrorIRQCfg1: UInt32 = 0, gerrorIRQCfg2: UInt32 = 0
    var eventqIRQCfg0: UInt64 = 0, eventqIRQCfg1: UInt32 = 0, eventqIRQCfg2: UInt32 = 0
    var strtabBase: UInt64 = 0, strtabBaseCfg: UInt32 = 0
    var cmdq = SMMUQueue(entryBytes: 16, maxLog2: 19)
    var eventq = SMMUQueue(entryBytes: 32, maxLog2: 19)
    var priqBase: UInt64 = 0, priqProd: UInt32 = 0, priqCons: UInt32 = 0

    public let stages: SMMUStages
    /// Configuration cache: STEs and CDs as fetched, by StreamID, until CMD_CFGI_* (nil: not cached).
    var steCache: [UInt32: StreamTableEntry] = [:]
    var cdCache: [UInt32: ContextDescriptor] = [:]
    /// Translation cache, until CMD_TLBI_*: stage-2 results (asid -1) by VMID and 4 KiB IPA page,
    /// stage-1 results (the IPA of a nested stream, else the PA) by VMID, ASID and 4 KiB VA page.
    struct TLBKey: Hashable { let vmid: UInt16; let asid: Int32; let page: UInt64; let privileged: Bool }
    struct CachedTranslation { let block: Range<UInt64>; let pa: UInt64; let readable: Bool; let writable: Bool }
    var tlb: [TLBKey: CachedTranslation] = [:]
    static let tlbCapacity = 4096

    public init(name: String, memory: GuestMemory, sink: InterruptSink, interrupts: Interrupts, stages: SMMUStages = .both) {
        self.stages = stages
        self.memory = memory
        self.sink = sink
        self.interrupts = interrupts
        super.init(name: name, size: SMMUReg.frameSize)
    }

    public var enabled: Bool { cr0 & SMMUCR0.smmuen != 0 }

    // MARK: Registers

    public override func read(offset: UInt64, size: Int) -> UInt64 {
        let base = offset & ~7
        let v: UInt64
        switch base {
        case SMMUReg.idr0: v = UInt64(idr0) | UInt64(Self.idr1) << 32
        case SMMUReg.idr2: v = 0                                        // IDR2, IDR3
        case SMMUReg.idr4: v = UInt64(Self.idr5) << 32
        case SMMUReg.iidr: v = 0                                        // IIDR, AIDR: SMMUv3.0
        case SMMUReg.cr0: v = UInt64(cr0) | UInt64(cr0) << 32           // CR0, CR0ACK
        case SMMUReg.cr1: v = UInt64(cr1) | UInt64(cr2) << 32
        case SMMUReg.statusr: v = UInt64(gbpa) << 32                    // STATUSR, GBPA
        case SMMUReg.agbpa: v = 0
        case SMMUReg.irqCtrl: v = UInt64(irqCtrl) | UInt64(irqCtrl) << 32
        case SMMUReg.gerror: v = UInt64(gerror) | UInt64(gerrorn) << 32
        case SMMUReg.gerrorIRQCfg0: v = gerrorIRQCfg0
        case SMMUReg.gerrorIRQCfg1: v = UInt64(gerrorIRQCfg1) | UInt64(gerrorIRQCfg2) << 32
        case SMMUReg.strtabBase: v = strtabBase
        case SMMUReg.strtabBaseCfg: v = UInt64(strtabBaseCfg)
        case SMMUReg.cmdqBase: v = cmdq.base
        case SMMUReg.cmdqProd: v = UInt64(cmdq.prod) | UInt64(cmdq.cons) << 32
        case SMMUReg.eventqBase: v = eventq.base
        case 0xA8, SMMUReg.eventqProd: v = UInt64(eventq.prod) | UInt64(eventq.cons) << 32
        case SMMUReg.eventqIRQCfg0: v = eventqIRQCfg0
        case SMMUReg.eventqIRQCfg1: v = UInt64(eventqIRQCfg1) | UInt64(eventqIRQCfg2) << 32
        case SMMUReg.priqBase: v = priqBase
        case 0xC8, SMMUReg.priqProd: v = UInt64(priqProd) | UInt64(priqCons) << 32
        case 0xFE0: v = 0x84 | UInt64(0xB4) << 32                       // PIDR0, PIDR1: Arm, part 0x484
        case 0xFE8: v = 0x0B | UInt64(0) << 32                          // PIDR2, PIDR3
        case 0xFF0: v = 0x0D | UInt64(0xF0) << 32                       // CIDR0, CIDR1
        case 0xFF8: v = 0x05 | UInt64(0xB1) << 32                       // CIDR2, CIDR3
        default: v = 0
        }
        if size == 8 { return v }
        let word = offset & 4 != 0 ? v >> 32 : v & 0xFFFF_FFFF
        return size == 4 ? word : (word >> (8 * (offset & 3))) & ((1 << UInt64(8 * size)) - 1)
    }

    public override func write(offset: UInt64, size: Int, value: UInt64) {
        let base = offset & ~7, high = offset & 4 != 0
        let w = UInt32(truncatingIfNeeded: value)
        func merged(_ old: UInt64) -> UInt64 {
            if size == 8 { return value }
            return high ? (old & 0xFFFF_FFFF) | (value & 0xFFFF_FFFF) << 32 : (old & ~0xFFFF_FFFF) | (value & 0xFFFF_FFFF)
        }
        switch (base, high || size == 8) {
        case (SMMUReg.cr0, _) where !high: setCR0(w & SMMUCR0.implemented)
        case (SMMUReg.cr1, _): if high { cr2 = w & 7 } else { cr1 = w & 0xFFF; if size == 8 { cr2 = UInt32(truncatingIfNeeded: value >> 32) & 7 } }
        case (SMMUReg.statusr, true):                                  // GBPA, completes at once
            if (size == 8 ? UInt32(truncatingIfNeeded: value >> 32) : w) & SMMUGBPA.update != 0 {
                gbpa = (size == 8 ? UInt32(truncatingIfNeeded: value >> 32) : w) & SMMUGBPA.fields
            }
        case (SMMUReg.irqCtrl, _) where !high: irqCtrl = w & 7
        case (SMMUReg.gerror, true):                                    // GERRORN: acknowledges, may resume the queue
            gerrorn = (size == 8 ? UInt32(truncatingIfNeeded: value >> 32) : w) & 0x1FD
            processCommands()
        case (SMMUReg.gerrorIRQCfg0, _): gerrorIRQCfg0 = merged(gerrorIRQCfg0) & 0x000F_FFFF_FFFF_FFFC
        case (SMMUReg.gerrorIRQCfg1, _): if high { gerrorIRQCfg2 = w } else { gerrorIRQCfg1 = w }
        case (SMMUReg.strtabBase, _): strtabBase = merged(strtabBase) & (1 << 62 | 0x000F_FFFF_FFFF_FFC0)
        case (SMMUReg.strtabBaseCfg, _) where !high: strtabBaseCfg = w & (3 << 16 | 0x1F << 6 | 0x3F)
        case (SMMUReg.cmdqBase, _) where !enabledQueue(SMMUCR0.cmdqen): cmdq.base = merged(cmdq.base) & (1 << 62 | 0x000F_FFFF_FFFF_FFFF)
        case (SMMUReg.cmdqProd, _):
            if !high { cmdq.prod = w & 0xF_FFFF; processCommands() }
            if high || size == 8 { if !enabledQueue(SMMUCR0.cmdqen) { cmdq.cons = UInt32(truncatingIfNeeded: size == 8 ? value >> 32 : value) & 0x7F0F_FFFF } }
        case (SMMUReg.eventqBase, _) where !enabledQueue(SMMUCR0.eventqen): eventq.base = merged(eventq.base) & (1 << 62 | 0x000F_FFFF_FFFF_FFFF)
        case (0xA8, _), (SMMUReg.eventqProd, _):
            if !high && !enabledQueue(SMMUCR0.eventqen) { eventq.prod = w & 0x800F_FFFF }
            if high || size == 8 { eventq.cons = UInt32(truncatingIfNeeded: size == 8 ? value >> 32 : value) & 0x800F_FFFF }
        case (SMMUReg.eventqIRQCfg0, _): eventqIRQCfg0 = merged(eventqIRQCfg0) & 0x000F_FFFF_FFFF_FFFC
        case (SMMUReg.eventqIRQCfg1, _): if high { eventqIRQCfg2 = w } else { eventqIRQCfg1 = w }
        case (SMMUReg.priqBase, _): priqBase = merged(priqBase)
        case (0xC8, _), (SMMUReg.priqProd, _): if high || size == 8 { priqCons = UInt32(truncatingIfNeeded: size == 8 ? value >> 32 : value) } else { priqProd = w }
        default: break                                                  // ID and read-only registers
        }
    }

    private func enabledQueue(_ bit: UInt32) -> Bool { cr0 & bit != 0 }

    private func setCR0(_ value: UInt32) {
        let was = cr0
        cr0 = value
        // A command queue that is turned on runs what is already there.
        if was & SMMUCR0.cmdqen == 0 && value & SMMUCR0.cmdqen != 0 { processCommands() }
    }

    // MARK: Interrupts and errors

    /// Wired interrupts only (IDR0.MSI = 0): the IRQ_CFG registers are kept but never used.
    func pulse(_ intid: Int) {
        sink.setLevel(intid: intid, asserted: true)
        sink.setLevel(intid: intid, asserted: false)
    }

    /// A global error: its GERROR bit toggles (active until software toggles GERRORN to match).
    func raiseGlobalError(_ bit: UInt32) {
        guard (gerror ^ gerrorn) & bit == 0 else { return }         // already active
        gerror ^= bit
        if irqCtrl & SMMUIRQ.gerrorEnable != 0 { pulse(interrupts.gerror) }
    }

    // MARK: Event queue

    /// Writes an event record, when the queue is on and has room; a full queue loses it and
    /// toggles EVENTQ_PROD.OVFLG.
    func record(_ e: SMMUEvent) {
        onEvent?(e)
        guard enabledQueue(SMMUCR0.eventqen) else { return }
        if eventq.isFull { eventq.prod ^= 1 << 31; return }
        var bytes: [UInt8] = []
        for d in e.record { withUnsafeBytes(of: d.littleEndian) { bytes.append(contentsOf: $0) } }
        guard memory.dmaWrite(eventq.slot(eventq.prod), bytes) else {
            raiseGlobalError(SMMUIRQ.eventqAbtErr)
            return
        }
        eventq.prod = eventq.advanced(eventq.prod)
        if irqCtrl & SMMUIRQ.eventqEnable != 0 { pulse(interrupts.eventq) }
    }

    /// Sees every event, queue on or not (tests, traces).
    public var onEvent: ((SMMUEvent) -> Void)?
}
