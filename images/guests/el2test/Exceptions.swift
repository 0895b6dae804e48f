// The Swift half of the vectors. EL2: traps and aborts from EL1 (recorded for
// the check that armed them, then emulated or stepped over), physical IRQs
// (timers, maintenance). EL1: the virtual IRQ/FIQ/SError the checks inject.

/// ESR_ELx (Arm ARM, "ESR_EL2, Exception Syndrome Register (EL2)"): EC [31:26], IL [25], ISS [24:0].
struct Syndrome {
    let esr: UInt64
    var ec: UInt64 { (esr >> 26) & 0x3f }
    var il: UInt64 { (esr >> 25) & 1 }
    var iss: UInt64 { esr & 0x1ff_ffff }
    var imm16: UInt64 { esr & 0xffff }
    // Data aborts: ISV [24], SAS [23:22], SSE [21], SRT [20:16], SF [15], AR [14],
    // EA [9], CM [8], S1PTW [7], WnR [6], DFSC [5:0].
    var isv: UInt64 { (esr >> 24) & 1 }
    var sas: UInt64 { (esr >> 22) & 3 }
    var sse: UInt64 { (esr >> 21) & 1 }
    var srt: Int { Int((esr >> 16) & 0x1f) }
    var sf: UInt64 { (esr >> 15) & 1 }
    var ar: UInt64 { (esr >> 14) & 1 }
    var ea: UInt64 { (esr >> 9) & 1 }
    var cm: UInt64 { (esr >> 8) & 1 }
    var s1ptw: UInt64 { (esr >> 7) & 1 }
    var wnr: UInt64 { (esr >> 6) & 1 }
    var fsc: UInt64 { esr & 0x3f }
    // Trapped MSR/MRS/SYS (EC 0x18): Rt [9:5], Direction [0] (1 = read).
    var rt: Int { Int((esr >> 5) & 0x1f) }
    var isRead: Bool { esr & 1 == 1 }
}

/// Exception classes (Arm ARM, ESR_ELx.EC).
enum EC {
    static let unknown: UInt64 = 0x00, wfx: UInt64 = 0x01, fp: UInt64 = 0x07
    static let hvc: UInt64 = 0x16, smc: UInt64 = 0x17, sys: UInt64 = 0x18
    static let iabtLower: UInt64 = 0x20, dabtLower: UInt64 = 0x24, serror: UInt64 = 0x2f
}

/// What the EL2 handler does after recording an armed exception.
enum Action {
    /// Step over: ELR + 4, except for HVC whose ELR is already the next instruction.
    case step
    /// Resume at the probe's caller (ELR = x30): for instruction aborts.
    case returnToCaller
    /// Emulate an MMIO access from the syndrome (ISV = 1): loads get mmioValue
    /// (sized, sign-extended as ISS says), stores record their data; then step.
    case emulateMMIO
}

/// What the last armed exception at EL2 looked like.
struct Taken {
    var offset: UInt64 = 0, esr: UInt64 = 0, elr: UInt64 = 0, far: UInt64 = 0, hpfar: UInt64 = 0, spsr: UInt64 = 0
}

/// Value a trapped MRS reads (written to Xt by the EL2 handler).
let readMarker: UInt64 = 0x5eed_0000_0000_0018
/// Value an emulated MMIO load returns before sizing.
var mmioValue: UInt64 = 0
var mmioStored: UInt64 = 0

var armed = false
var action = Action.step
var takenCount: UInt64 = 0
var taken = Taken()
var unexpectedCount: UInt64 = 0
/// What HVC #1 from EL1 does (set by a check): 0 nothing, 1 clear LR0 and record ICH_AP1R0_EL2.
var hvc1Action: UInt64 = 0
var hvc1Count: UInt64 = 0
var hvc1AP1R0: UInt64 = 0

/// Expect exceptions from what follows (the first is recorded, all are counted).
func arm(_ a: Action = .step) {
    taken = Taken()
    takenCount = 0
    action = a
    armed = true
}

func disarm() { armed = false }

@_cdecl("guest_exception")
func handleException(_ frame: UnsafeMutablePointer<UInt64>) -> UInt64 {
    if frame[Slot.el] == 1 { return handleEL1(frame) }
    let offset = frame[Slot.offset]
    let kind = offset & 0x180          // 0 sync, 0x80 IRQ, 0x100 FIQ, 0x180 SError
    if kind == 0x80 { physicalIRQ(); return 0 }
    let syndrome = Syndrome(esr: frame[Slot.esr])
    let lower = offset >= 0x400
    if lower && kind == 0 && syndrome.ec == EC.hvc {
        if syndrome.imm16 == 0xffff { return 1 }
        if syndrome.imm16 == 1 {
            hvc1Count &+= 1
            if hvc1Action == 1 { hvc1AP1R0 = readICH_AP1R0_EL2(); writeICH_LR0_EL2(0) }
            return 0
        }
    }
    if armed && lower && kind == 0 {
        takenCount &+= 1
        if takenCount == 1 {
            taken = Taken(offset: offset, esr: syndrome.esr, elr: frame[Slot.elr], far: frame[Slot.far],
                          hpfar: readHPFAR_EL2(), spsr: frame[Slot.spsr])
        }
        if syndrome.ec == EC.sys && syndrome.isRead && syndrome.rt != 31 { frame[syndrome.rt] = readMarker }
        switch action {
        case .returnToCaller:
            frame[Slot.elr] = frame[Slot.x30]
            return 0
        case .emulateMMIO:
            if syndrome.ec == EC.dabtLower && syndrome.isv == 1 { emulateMMIO(frame, syndrome) }
        case .step:
            break
        }
        if syndrome.ec != EC.hvc { frame[Slot.elr] &+= 4 }
        return 0
    }
    unexpected(frame, el: 2)
    if kind == 0 && syndrome.ec != EC.hvc { frame[Slot.elr] &+= 4 }
    return 0
}

/// A load or store decoded from the data abort syndrome alone (no instruction fetch).
func emulateMMIO(_ frame: UnsafeMutablePointer<UInt64>, _ s: Syndrome) {
    let bits = UInt64(8) << s.sas
    let mask: UInt64 = bits == 64 ? ~0 : (1 << bits) &- 1
    if s.wnr == 1 {
        mmioStored = s.srt == 31 ? 0 : frame[s.srt] & mask
        return
    }
    var value = mmioValue & mask
    if s.sse == 1 && bits < 64 && (value >> (bits - 1)) & 1 == 1 { value |= ~mask }
    if s.sf == 0 { value &= 0xffff_ffff }
    if s.srt != 31 { frame[s.srt] = value }
}

func unexpected(_ frame: UnsafeMutablePointer<UInt64>, el: UInt64) {
    unexpectedCount &+= 1
    write("el2test: unexpected exception at EL"); writeDecimal(el)
    write(" vector +"); writeHex(frame[Slot.offset])
    write(" ESR "); writeHex(frame[Slot.esr])
    write(" ELR "); writeHex(frame[Slot.elr])
    write(" FAR "); writeHex(frame[Slot.far]); write("\n")
    fail("unexpected exception, ESR", got: frame[Slot.esr], want: 0)
    if unexpectedCount > 16 {
        write("el2test: too many unexpected exceptions, stopping\n")
        finish()
    }
}

// MARK: Physical interrupts at EL2 (HCR_EL2.IMO = 1), EOImode = 1: EOIR drops, DIR deactivates.

var irqCount: UInt64 = 0
var lastIRQ: UInt64 = 1023
/// With hwLink, INTID 27 is forwarded to the guest: priority drop only, then
/// an LR with HW = 1; the guest's virtual EOI deactivates it.
var hwLink = false
var activeAfterDrop: UInt64 = 0

func physicalIRQ() {
    let intid = readICC_IAR1_EL1() & 0xff_ffff
    if intid >= 1020 { return }
    irqCount &+= 1
    lastIRQ = intid
    switch intid {
    case Intid.vtimer where hwLink:
        writeICC_EOIR1_EL1(intid)
        activeAfterDrop = (gicrSGI(GICR.isactiver0) >> intid) & 1
        writeICH_LR0_EL2(LR.pending | LR.group1 | LR.hw | LR.priority(0xa0) | intid << 32 | intid)
        return
    case Intid.hypTimer:
        writeCNTHP_CTL_EL2(0)
    case Intid.vtimer:
        writeCNTV_CTL_EL0(0)
    default:
        break
    }
    writeICC_EOIR1_EL1(intid)
    writeICC_DIR_EL1(intid)
}

// MARK: EL1: virtual interrupts and anything unexpected

/// The virtual exceptions EL1 took (shared memory; identity-mapped by stage 2).
struct Virtual {
    var irqs: UInt64 = 0, fiqs: UInt64 = 0, serrors: UInt64 = 0
    var intid: UInt64 = 0, rpr: UInt64 = 0, offset: UInt64 = 0, esr: UInt64 = 0, isr: UInt64 = 0
    var unexpected: UInt64 = 0, unexpectedESR: UInt64 = 0, unexpectedELR: UInt64 = 0
}
var virt = Virtual()
/// EL1's IRQ handler acknowledges through ICC_IAR1_EL1 (ICV_IAR1_EL1) when set;
/// otherwise (HCR_EL2.VI) it returns with PSTATE.I set.
var el1UsesGIC = false
/// Between acknowledge and EOI, EL1 calls HVC #1 (the EOIcount check).
var el1HVCBeforeEOI = false

func handleEL1(_ frame: UnsafeMutablePointer<UInt64>) -> UInt64 {
    let offset = frame[Slot.offset]
    switch offset & 0x180 {
    case 0x80:
        virt.irqs &+= 1
        virt.offset = offset
        if el1UsesGIC {
            let intid = readICC_IAR1_EL1() & 0xff_ffff
            virt.intid = intid
            virt.rpr = readICC_RPR_EL1() & 0xff
            if intid < 1020 {
                if intid == Intid.vtimer { writeCNTV_CTL_EL0(0) }
                if el1HVCBeforeEOI { el1HVC1() }
                writeICC_EOIR1_EL1(intid)
            }
        } else {
            frame[Slot.spsr] |= 1 << 7
        }
    case 0x100:
        virt.fiqs &+= 1
        virt.offset = offset
        frame[Slot.spsr] |= 1 << 6
    case 0x180:
        virt.serrors &+= 1
        virt.offset = offset
        virt.esr = frame[Slot.esr]
        frame[Slot.spsr] |= 1 << 8
    default:
        virt.unexpected &+= 1
        virt.unexpectedESR = frame[Slot.esr]
        virt.unexpectedELR = frame[Slot.elr]
        frame[Slot.elr] &+= 4
    }
    return 0
}
