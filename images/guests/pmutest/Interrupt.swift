// The overflow interrupt (Arm ARM D7.6): a counter with PMINTENSET_EL1 set that overflows raises
// the PMU's PPI, INTID 23 on the GICv3 boards, until software clears its PMOVSSET_EL0 bit. Taken
// at EL2 (HCR_EL2.IMO) through the physical CPU interface.
import _Volatile

let pmuIntid: UInt64 = 23

/// GICv3 registers (GICv3/v4 architecture specification): GICR registers below 0x10000 are in
/// RD_base, the rest in SGI_base = RD_base + 0x10000.
enum GIC {
    static let waker: UInt = 0x0014, igroupr0: UInt = 0x1_0080, isenabler0: UInt = 0x1_0100
    static let icenabler0: UInt = 0x1_0180, ispendr0: UInt = 0x1_0200, icpendr0: UInt = 0x1_0280
    static let isactiver0: UInt = 0x1_0300, ipriorityr: UInt = 0x1_0400
}

func mmio32(_ address: UInt) -> VolatileMappedRegister<UInt32> {
    VolatileMappedRegister<UInt32>(unsafeBitPattern: address)
}
func gicr(_ offset: UInt) -> VolatileMappedRegister<UInt32> { mmio32(boardGICRBase() &+ offset) }

/// Distributor on (ARE, both group enables), redistributor awake, INTID 23 Group 1 at priority
/// 0x80 and enabled; the CPU interface through system registers, priority mask open, Group 1 on.
func gicInit() {
    mmio32(boardGICDBase()).store(0x13)
    let waker = gicr(GIC.waker)
    waker.store(waker.load() & ~2)
    var n = 0
    while n < 100_000 && waker.load() & 4 != 0 { n += 1 }
    let bit = UInt32(1) << UInt32(pmuIntid)
    gicr(GIC.igroupr0).store(gicr(GIC.igroupr0).load() | bit)
    gicr(GIC.icpendr0).store(bit)
    gicr(GIC.ipriorityr &+ 20).store(0x8000_0000)               // byte 23 of IPRIORITYR
    gicr(GIC.isenabler0).store(bit)
    writeICC_SRE_EL2(0xf)
    writeICC_SRE_EL1(0x7)
    writeICC_PMR_EL1(0xff)
    writeICC_CTLR_EL1(0)                                        // EOImode 0: EOIR deactivates too
    writeICC_IGRPEN1_EL1(1)
}

/// What the interrupt handler saw.
struct IRQRecord {
    var count: UInt64 = 0, intid: UInt64 = 1023, overflow: UInt64 = 0
    /// The watched counter's value at the handler (it counts on after the overflow).
    var counterAtEntry: UInt64 = 0
    /// INTID 23's pending and active bits after PMOVSCLR_EL0 and the EOI.
    var pendingAfter: UInt64 = 0, activeAfter: UInt64 = 0
}
var irq = IRQRecord()
/// The counter the handler reads first: an event counter's number, or 31 for PMCCNTR_EL0.
var irqCounter: UInt64 = 0

/// IRQ vector: acknowledge, clear the overflow flags (the line drops), EOI.
func pmuInterrupt() {
    // PMCCNTR_EL0 is 64 bits; with PMCR_EL0.LC = 0 it overflows out of bit 31 and counts on.
    let value = (irqCounter == 31 ? readPMCCNTR() : readPMEVCNTR(irqCounter)) & 0xffff_ffff
    irq.count &+= 1
    irqSeen()
    if irq.count == 1 { irq.counterAtEntry = value }
    let intid = readICC_IAR1_EL1() & 0xff_ffff
    irq.intid = intid
    irq.overflow = readPMOVSSET()
    writePMOVSCLR(irq.overflow)
    if intid < 1020 { writeICC_EOIR1_EL1(intid) }
    let bit = UInt32(1) << UInt32(pmuIntid)
    irq.pendingAfter = gicr(GIC.ispendr0).load() & bit != 0 ? 1 : 0
    irq.activeAfter = gicr(GIC.isactiver0).load() & bit != 0 ? 1 : 0
    if irq.count > 8 { writePMINTENCLR(PMU.all | PMU.cycle) }  // a line that will not drop
}

/// Counter `which` (event counter n, or 31) starts `before` counts short of overflowing with its
/// interrupt enabled; a spin with IRQs unmasked, up to 20000 iterations (longer than the
/// simulator's 10000-cycle quantum), must take exactly one interrupt, soon after the overflow.
func expectOverflowInterrupt(_ which: UInt64, before: UInt64) {
    let bit: UInt64 = which == 31 ? PMU.cycle : 1 << which
    pmuReset()
    irq = IRQRecord()
    irqCounter = which
    if which == 31 { writePMCCNTR(0x1_0000_0000 &- before) } else { writePMEVCNTR(which, 0x1_0000_0000 &- before) }
    writeHCR_EL2(readHCR_EL2() | 1 << 4)                      // IMO: physical IRQs to EL2
    writePMINTENSET(bit)
    writePMCNTENSET(bit)
    let left = spinIRQ(20000)
    writePMCNTENCLR(bit)
    writePMINTENCLR(bit)
    writeHCR_EL2(readHCR_EL2() & ~(1 << 4))
    expect("interrupts taken", irq.count, 1)
    expect("INTID from ICC_IAR1_EL1", irq.intid, pmuIntid)
    expect("PMOVSSET_EL0 in the handler", irq.overflow, bit)
    expectBelow("counts from the overflow to the handler", irq.counterAtEntry, 300)
    expectAtLeast("spin iterations left when it came", left, 1)
    expect("INTID 23 pending after PMOVSCLR and EOI", irq.pendingAfter, 0)
    expect("INTID 23 active after EOI", irq.activeAfter, 0)
    expect("PMOVSSET_EL0 after the handler", readPMOVSSET(), 0)
}

func interruptChecks() {
    let gic = boardGICDBase() != 0
    if gic { gicInit() }
    check("irq.inst-retired", skipUnless: gic) {
        expectOverflowInterrupt(2, before: 40)
        return 0
    }
    check("irq.pmccntr", skipUnless: gic) {
        expectOverflowInterrupt(31, before: 200)
        return 0
    }
}
