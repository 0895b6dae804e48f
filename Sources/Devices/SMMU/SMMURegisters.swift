/// SMMUv3 register offsets and fields (Arm IHI 0070, chapter 6, "Memory map and registers"),
/// for the model in SMMUv3.swift. Page 0 at the base, page 1 at +64 KiB.
enum SMMUReg {
    static let idr0: UInt64 = 0x00, idr1: UInt64 = 0x04, idr2: UInt64 = 0x08, idr3: UInt64 = 0x0C
    static let idr4: UInt64 = 0x10, idr5: UInt64 = 0x14, iidr: UInt64 = 0x18, aidr: UInt64 = 0x1C
    static let cr0: UInt64 = 0x20, cr0ack: UInt64 = 0x24, cr1: UInt64 = 0x28, cr2: UInt64 = 0x2C
    static let statusr: UInt64 = 0x40, gbpa: UInt64 = 0x44, agbpa: UInt64 = 0x48
    static let irqCtrl: UInt64 = 0x50, irqCtrlAck: UInt64 = 0x54
    static let gerror: UInt64 = 0x60, gerrorn: UInt64 = 0x64
    static let gerrorIRQCfg0: UInt64 = 0x68, gerrorIRQCfg1: UInt64 = 0x70, gerrorIRQCfg2: UInt64 = 0x74
    static let strtabBase: UInt64 = 0x80, strtabBaseCfg: UInt64 = 0x88
    static let cmdqBase: UInt64 = 0x90, cmdqProd: UInt64 = 0x98, cmdqCons: UInt64 = 0x9C
    static let eventqBase: UInt64 = 0xA0
    static let eventqIRQCfg0: UInt64 = 0xB0, eventqIRQCfg1: UInt64 = 0xB8, eventqIRQCfg2: UInt64 = 0xBC
    static let priqBase: UInt64 = 0xC0
    static let priqIRQCfg0: UInt64 = 0xD0, priqIRQCfg1: UInt64 = 0xD8, priqIRQCfg2: UInt64 = 0xDC
    /// Page 1: the event and PRI queues' producer and consumer indexes.
    static let eventqProd: UInt64 = 0x1_00A8, eventqCons: UInt64 = 0x1_00AC
    static let priqProd: UInt64 = 0x1_00C8, priqCons: UInt64 = 0x1_00CC
    /// The whole frame: two 64 KiB pages.
    static let frameSize: UInt64 = 0x2_0000
}

/// SMMU_CR0 fields.
enum SMMUCR0 {
    static let smmuen: UInt32 = 1 << 0, priqen: UInt32 = 1 << 1, eventqen: UInt32 = 1 << 2, cmdqen: UInt32 = 1 << 3
    /// The bits this model implements (ATSCHK and VMW need features it does not have).
    static let implemented: UInt32 = 0xF
}

/// SMMU_IRQ_CTRL enables, and the GERROR bits (each toggles; active while GERROR != GERRORN).
enum SMMUIRQ {
    static let gerrorEnable: UInt32 = 1 << 0, priqEnable: UInt32 = 1 << 1, eventqEnable: UInt32 = 1 << 2
    static let cmdqErr: UInt32 = 1 << 0, eventqAbtErr: UInt32 = 1 << 2
}

/// SMMU_GBPA: what transactions do while SMMUEN = 0. UPDATE (31) completes at once here.
enum SMMUGBPA {
    static let update: UInt32 = 1 << 31, abort: UInt32 = 1 << 20
    /// The writable fields: ABORT 20, INSTCFG 19:18, PRIVCFG 17:16, SHCFG 13:12, ALLOCCFG 11:8,
    /// MTCFG 4, MemAttr 3:0.
    static let fields: UInt32 = abort | 0x3 << 18 | 0x3 << 16 | 0x3 << 12 | 0xF << 8 | 1 << 4 | 0xF
    /// SHCFG = 0b01, "use incoming", as QEMU resets it; ABORT clear: devices bypass until software
    /// enables the SMMU (Linux on a board with no driver for it keeps working).
    static let reset: UInt32 = 1 << 12
}

/// SMMU_CMDQ_CONS.ERR values (IHI 0070 4.5 "Command errors").
enum SMMUCommandError: UInt32 {
    case none = 0, illegal = 1, abort = 2, atcInvalidationSync = 3
}

/// A queue's base register and indexes (IHI 0070 3.5): LOG2SIZE in base[4:0], the entry address
/// in base[51:5]; an index is the slot in its low LOG2SIZE bits with the wrap bit above, and an
/// event queue producer carries an overflow flag in bit 31.
struct SMMUQueue {
    var base: UInt64 = 0
    var prod: UInt32 = 0
    var cons: UInt32 = 0
    let entryBytes: UInt64
    let maxLog2: UInt32

    var log2Size: UInt32 { min(UInt32(base & 0x1F), maxLog2) }
    var address: UInt64 { base & 0x000F_FFFF_FFFF_FFE0 }
    private var mask: UInt32 { (1 << (log2Size + 1)) - 1 }
    var isEmpty: Bool { prod & mask == cons & mask }
    var isFull: Bool { (prod ^ cons) & mask == 1 << log2Size }
    func slot(_ index: UInt32) -> UInt64 { address + UInt64(index & ((1 << log2Size) - 1)) * entryBytes }
    /// `index` moved on by one, wrap bit included, other bits (overflow, error) kept.
    func advanced(_ index: UInt32) -> UInt32 { (index & ~mask) | ((index & mask) &+ 1) & mask }
}
