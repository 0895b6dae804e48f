// GICv3 at EL2: distributor and this CPU's redistributor (MMIO), the
// physical CPU interface (ICC_*_EL1 from EL2) and the list registers.
import _Volatile

/// INTIDs (PPIs) used here: the board tables give the same numbers on virt and fvp.
enum Intid {
    static let maintenance: UInt64 = 25, hypTimer: UInt64 = 26, vtimer: UInt64 = 27, physTimer: UInt64 = 30
}

/// GICv3 register offsets (Arm GICv3/v4 architecture specification). GICR
/// registers below 0x10000 are in RD_base, the rest in SGI_base = RD_base + 0x10000.
enum GICR {
    static let ctlr: UInt = 0x0000, waker: UInt = 0x0014
    static let igroupr0: UInt = 0x0080, isenabler0: UInt = 0x0100, icenabler0: UInt = 0x0180
    static let ispendr0: UInt = 0x0200, icpendr0: UInt = 0x0280, isactiver0: UInt = 0x0300
    static let icactiver0: UInt = 0x0380, ipriorityr: UInt = 0x0400
}

func mmio32(_ address: UInt) -> VolatileMappedRegister<UInt32> {
    VolatileMappedRegister<UInt32>(unsafeBitPattern: address)
}
func gicrSGI(_ offset: UInt) -> UInt64 { UInt64(mmio32(boardGICRBase() &+ 0x10000 &+ offset).load()) }
func setGICRSGI(_ offset: UInt, _ value: UInt32) { mmio32(boardGICRBase() &+ 0x10000 &+ offset).store(value) }

/// Wait (bounded) for GICD_CTLR.RWP or GICR_CTLR.RWP (bit 31 and bit 3) to clear.
func waitRWP() {
    var n = 0
    while n < 100_000 && (mmio32(boardGICDBase()).load() >> 31) & 1 == 1 { n += 1 }
    n = 0
    while n < 100_000 && (mmio32(boardGICRBase() &+ GICR.ctlr).load() >> 3) & 1 == 1 { n += 1 }
}

func gicInit() {
    // GICD_CTLR: ARE (bit 4) and group enables; bit 0/1 are EnableGrp0/EnableGrp1 with
    // DS = 1, and EnableGrp1NS/EnableGrp1A in the Non-secure view: 0x13 suits both.
    mmio32(boardGICDBase()).store(0x13)
    waitRWP()
    // Wake the redistributor: clear ProcessorSleep, wait for ChildrenAsleep = 0.
    let waker = mmio32(boardGICRBase() &+ GICR.waker)
    waker.store(waker.load() & ~2)
    var n = 0
    while n < 100_000 && waker.load() & 4 != 0 { n += 1 }
    // SGIs/PPIs: Group 1, disabled, inactive, not pending; PPIs 24-31 at priority 0x80.
    setGICRSGI(GICR.igroupr0, 0xffff_ffff)
    setGICRSGI(GICR.icenabler0, 0xffff_ffff)
    setGICRSGI(GICR.icpendr0, 0xffff_ffff)
    setGICRSGI(GICR.icactiver0, 0xffff_ffff)
    setGICRSGI(GICR.ipriorityr &+ 24, 0x8080_8080)
    setGICRSGI(GICR.ipriorityr &+ 28, 0x8080_8080)
    waitRWP()
    // CPU interface: system registers (ICC_SRE_EL2.SRE, .Enable for EL1), priority
    // mask open, EOImode = 1 (EOIR drops priority, DIR deactivates), Group 1 on.
    writeICC_SRE_EL2(0xf)
    writeICC_SRE_EL1(0x7)
    writeICC_PMR_EL1(0xff)
    writeICC_BPR1_EL1(0)
    writeICC_CTLR_EL1(1 << 1)
    writeICC_IGRPEN1_EL1(1)
}

func enablePPI(_ intid: UInt64) { setGICRSGI(GICR.isenabler0, 1 << UInt32(intid)); waitRWP() }
func disablePPI(_ intid: UInt64) {
    setGICRSGI(GICR.icenabler0, 1 << UInt32(intid))
    waitRWP()
    setGICRSGI(GICR.icpendr0, 1 << UInt32(intid))
}

/// ICH_LR<n>_EL2: vINTID [31:0], pINTID [44:32] (HW = 1) or EOI [41] (HW = 0),
/// Priority [55:48], Group [60], HW [61], State [63:62].
enum LR {
    static let pending: UInt64 = 1 << 62, active: UInt64 = 2 << 62, stateMask: UInt64 = 3 << 62
    static let group1: UInt64 = 1 << 60, hw: UInt64 = 1 << 61, eoi: UInt64 = 1 << 41
    static func priority(_ p: UInt64) -> UInt64 { p << 48 }
}

func writeLR(_ n: Int, _ v: UInt64) {
    switch n {
    case 0: writeICH_LR0_EL2(v)
    case 1: writeICH_LR1_EL2(v)
    case 2: writeICH_LR2_EL2(v)
    default: writeICH_LR3_EL2(v)
    }
}
func readLR(_ n: Int) -> UInt64 {
    switch n {
    case 0: return readICH_LR0_EL2()
    case 1: return readICH_LR1_EL2()
    case 2: return readICH_LR2_EL2()
    default: return readICH_LR3_EL2()
    }
}

/// ICH_HCR_EL2: En [0], UIE [1], LRENPIE [2], NPIE [3], VGrp1EIE [6], VGrp1DIE [7], EOIcount [31:27].
enum ICH {
    static let en: UInt64 = 1, uie: UInt64 = 2, lrenpie: UInt64 = 4, npie: UInt64 = 8
    static let vgrp1eie: UInt64 = 1 << 6, vgrp1die: UInt64 = 1 << 7
    /// ICH_MISR_EL2: EOI [0], U [1], LRENP [2], NP [3], VGrp1E [6], VGrp1D [7].
    static let misrEOI: UInt64 = 1, misrU: UInt64 = 2, misrLRENP: UInt64 = 4, misrNP: UInt64 = 8
    static let misrVGrp1E: UInt64 = 1 << 6, misrVGrp1D: UInt64 = 1 << 7
    /// ICH_VMCR_EL2: VENG1 [1], VPMR [31:24].
    static let veng1: UInt64 = 2
    static func vpmr(_ p: UInt64) -> UInt64 { p << 24 }
}

// MARK: Bounded waiting (counter-based, so fast and slow hosts agree)

/// Counter ticks for `microseconds` at CNTFRQ_EL0.
func ticks(us microseconds: UInt64) -> UInt64 { readCNTFRQ_EL0() / 1_000_000 &* microseconds }

/// Poll ICC_IAR1_EL1 at EL2 (interrupts masked) until an INTID or the deadline; 1023 if none.
func pollIAR(us: UInt64 = 50_000) -> UInt64 {
    let deadline = readCNTPCT_EL0() &+ ticks(us: us)
    while true {
        let intid = readICC_IAR1_EL1() & 0xff_ffff
        if intid < 1020 { return intid }
        if readCNTPCT_EL0() > deadline { return 1023 }
    }
}

/// Acknowledge-and-complete an INTID returned by pollIAR.
func completeIRQ(_ intid: UInt64) {
    if intid >= 1020 { return }
    writeICC_EOIR1_EL1(intid)
    writeICC_DIR_EL1(intid)
}
