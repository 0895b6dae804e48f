// The GICv2 at EL2 through MMIO (MMU off): distributor, this CPU's interface, the hypervisor
// control interface and the virtual CPU interface. Offsets and fields: Arm GIC Architecture
// Specification v2.0 (IHI 0048B), chapters 4 and 5.
import _Volatile

@_silgen_name("board_gicc_base") func boardGICCBase() -> UInt
@_silgen_name("board_gich_base") func boardGICHBase() -> UInt
@_silgen_name("board_gicv_base") func boardGICVBase() -> UInt

enum GICD {
    static let ctlr: UInt = 0x000, typer: UInt = 0x004, iidr: UInt = 0x008
    static let isenabler: UInt = 0x100, icenabler: UInt = 0x180, ispendr: UInt = 0x200, icpendr: UInt = 0x280
    static let isactiver: UInt = 0x300, icactiver: UInt = 0x380, ipriorityr: UInt = 0x400
    static let itargetsr: UInt = 0x800, icfgr: UInt = 0xC00, sgir: UInt = 0xF00, pidr2: UInt = 0xFE8
}

/// GICC_* and GICV_* (the virtual CPU interface has the same layout).
enum GICC {
    static let ctlr: UInt = 0x00, pmr: UInt = 0x04, bpr: UInt = 0x08, iar: UInt = 0x0C, eoir: UInt = 0x10
    static let rpr: UInt = 0x14, hppir: UInt = 0x18, iidr: UInt = 0xFC, dir: UInt = 0x1000
    /// GICC_CTLR bit 9: EOImodeNS in the Non-secure view, EOImodeS in the Secure one and without
    /// the Security Extensions; either way the one for the interrupts this guest sees.
    static let eoiMode: UInt32 = 1 << 9
    /// Both group enables: bits 0 and 1 without the Security Extensions, bit 0 in the NS view.
    static let enable: UInt32 = 3
}

enum GICH {
    static let hcr: UInt = 0x000, vtr: UInt = 0x004, vmcr: UInt = 0x008, misr: UInt = 0x010
    static let eisr0: UInt = 0x020, elrsr0: UInt = 0x030, apr: UInt = 0x0F0, lr: UInt = 0x100
    /// GICH_HCR: En [0], UIE [1]. GICH_MISR: EOI [0], U [1].
    static let en: UInt32 = 1, uie: UInt32 = 2
}

/// INTIDs: the GIC-400's maintenance PPI (virt's too), the virtual timer PPI, and three SPIs no
/// virt device drives (SPIs 10-12).
enum Intid {
    static let maintenance: UInt64 = 25, vtimer: UInt64 = 27
    static let spiA: UInt64 = 42, spiB: UInt64 = 43, spiC: UInt64 = 44
    static let spurious: UInt64 = 1023
}

func mmio(_ address: UInt) -> VolatileMappedRegister<UInt32> { .init(unsafeBitPattern: address) }
func gicd(_ offset: UInt) -> UInt64 { UInt64(mmio(boardGICDBase() &+ offset).load()) }
func setGICD(_ offset: UInt, _ value: UInt32) { mmio(boardGICDBase() &+ offset).store(value) }
func gicc(_ offset: UInt) -> UInt64 { UInt64(mmio(boardGICCBase() &+ offset).load()) }
func setGICC(_ offset: UInt, _ value: UInt32) { mmio(boardGICCBase() &+ offset).store(value) }
func gich(_ offset: UInt) -> UInt64 { UInt64(mmio(boardGICHBase() &+ offset).load()) }
func setGICH(_ offset: UInt, _ value: UInt32) { mmio(boardGICHBase() &+ offset).store(value) }
func gicv(_ offset: UInt) -> UInt64 { UInt64(mmio(boardGICVBase() &+ offset).load()) }
func setGICV(_ offset: UInt, _ value: UInt32) { mmio(boardGICVBase() &+ offset).store(value) }

/// Bit `id` of a one-bit-per-INTID register array (GICD_ISENABLERn and the like).
func bit(_ base: UInt, _ id: UInt64) -> UInt64 { (gicd(base &+ UInt(id / 32) * 4) >> (id % 32)) & 1 }
func setBit(_ base: UInt, _ id: UInt64) { setGICD(base &+ UInt(id / 32) * 4, 1 << UInt32(id % 32)) }

/// Byte `id` of a byte-per-INTID array (GICD_IPRIORITYRn, GICD_ITARGETSRn), by word accesses.
func byteField(_ base: UInt, _ id: UInt64) -> UInt64 { (gicd(base &+ UInt(id & ~3)) >> ((id & 3) * 8)) & 0xFF }
func setByteField(_ base: UInt, _ id: UInt64, _ value: UInt64) {
    let offset = base &+ UInt(id & ~3), shift = (id & 3) * 8
    let word = (gicd(offset) & ~(0xFF << shift)) | ((value & 0xFF) << shift)
    setGICD(offset, UInt32(truncatingIfNeeded: word))
}

/// GICD_ICFGRn Int_config[1] of `id`: 1 edge-triggered, 0 level-sensitive.
func setEdge(_ id: UInt64, _ edge: Bool) {
    let offset = GICD.icfgr &+ UInt(id / 16) * 4, b = UInt64(1) << ((id % 16) * 2 + 1)
    let word = edge ? gicd(offset) | b : gicd(offset) & ~b
    setGICD(offset, UInt32(truncatingIfNeeded: word))
}
func isEdge(_ id: UInt64) -> UInt64 { (gicd(GICD.icfgr &+ UInt(id / 16) * 4) >> ((id % 16) * 2 + 1)) & 1 }

/// GICD_SGIR: TargetListFilter [25:24], CPUTargetList [23:16], SGIINTID [3:0] (NSATT 0).
func sendSGI(filter: UInt32, targets: UInt32, id: UInt32) {
    setGICD(GICD.sgir, filter << 24 | targets << 16 | id)
}

/// An SPI of this guest as the priority checks use it: CPU 0 only, edge-triggered, inactive, not
/// pending, enabled, at `priority`.
func configureSPI(_ id: UInt64, priority: UInt64) {
    setBit(GICD.icenabler, id)
    setBit(GICD.icpendr, id)
    setBit(GICD.icactiver, id)
    setByteField(GICD.itargetsr, id, 0x01)
    setEdge(id, true)
    setByteField(GICD.ipriorityr, id, priority)
    setBit(GICD.isenabler, id)
}

/// Disabled, not pending, inactive.
func quiesce(_ id: UInt64) {
    setBit(GICD.icenabler, id)
    setBit(GICD.icpendr, id)
    setBit(GICD.icactiver, id)
}

func pend(_ id: UInt64) { setBit(GICD.ispendr, id) }

/// GICC_IAR's INTID with its source CPU (the whole value, [12:0]), or 1023: acknowledges.
func acknowledge() -> UInt64 { gicc(GICC.iar) & 0x1FFF }
func endOfInterrupt(_ iar: UInt64) { setGICC(GICC.eoir, UInt32(iar)) }
func hppir() -> UInt64 { gicc(GICC.hppir) & 0x1FFF }
func rpr() -> UInt64 { gicc(GICC.rpr) & 0xFF }

/// GICC_IAR polled until it returns something other than 1023 (an SGI sent by a write the GIC
/// may take a while to deliver); 1023 after the bound.
func acknowledgeWaiting() -> UInt64 {
    var n = 0
    while n < 1_000_000 {
        let iar = acknowledge()
        if iar & 0x3FF != Intid.spurious { return iar }
        n += 1
    }
    return Intid.spurious
}

/// GICC_RPR with no active interrupt: the idle priority (IHI 0048B, GICC_RPR).
let idlePriority: UInt64 = 0xFF
/// Implemented priority bits as GICD_IPRIORITYR reads back 0xFF (gicd.ipriorityr sets it).
var priorityMask: UInt64 = 0xF0

/// The physical GIC as every check starts: distributor and CPU interface on, EOImode 0, priority
/// mask 0xF0, binary point 2 (group priority [7:3] or [7:2]: this guest's priorities are multiples
/// of 0x20, so they differ in group priority whatever the minimum binary point is), SGIs enabled
/// at priority 0x80, the test SPIs off and idle.
func gicInit() {
    setGICD(GICD.ctlr, GICC.enable)
    setGICD(GICD.isenabler, 0xFFFF)
    for n in 0..<UInt(4) { setGICD(GICD.ipriorityr &+ n * 4, 0x8080_8080) }
    quiesce(Intid.spiA); quiesce(Intid.spiB); quiesce(Intid.spiC)
    quiesce(Intid.maintenance); quiesce(Intid.vtimer)
    setByteField(GICD.ipriorityr, Intid.maintenance, 0x80)
    setGICC(GICC.pmr, 0xF0)
    setGICC(GICC.bpr, 2)
    setGICC(GICC.ctlr, GICC.enable)
}
