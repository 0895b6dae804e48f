/// The guest's general-purpose registers plus ELR_EL2/SPSR_EL2, in the layout
/// Support/vectors.S saves and restores (x0..x30 at 8*n, ELR at 248, SPSR at 256).
struct GuestRegisters {
    var x: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
            UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
            UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
            UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)
    var elr: UInt64
    var spsr: UInt64
    var pad: UInt64

    static let zero = GuestRegisters(
        x: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
        elr: 0, spsr: 0, pad: 0)
}

extension UnsafeMutablePointer where Pointee == GuestRegisters {
    /// Xn; n == 31 is XZR in the encodings that trap (loads/stores, MSR/MRS).
    subscript(x n: Int) -> UInt64 {
        get {
            guard n < 31 else { return 0 }
            return UnsafeMutableRawPointer(self).load(fromByteOffset: n * 8, as: UInt64.self)
        }
        nonmutating set {
            guard n < 31 else { return }
            UnsafeMutableRawPointer(self).storeBytes(of: newValue, toByteOffset: n * 8, as: UInt64.self)
        }
    }
}

/// EL1 system registers a vCPU owns; switched when a pCPU changes vCPU.
/// Also the vCPU's virtual timer and its GIC virtual CPU interface state.
struct EL1Context {
    var sctlr: UInt64 = sctlrEL1Reset
    var ttbr0: UInt64 = 0, ttbr1: UInt64 = 0, tcr: UInt64 = 0, mair: UInt64 = 0, amair: UInt64 = 0
    var vbar: UInt64 = 0, elr: UInt64 = 0, spsr: UInt64 = 0, spEL0: UInt64 = 0, spEL1: UInt64 = 0
    var esr: UInt64 = 0, far: UInt64 = 0, afsr0: UInt64 = 0, afsr1: UInt64 = 0
    var contextidr: UInt64 = 0, tpidrEL0: UInt64 = 0, tpidrroEL0: UInt64 = 0, tpidrEL1: UInt64 = 0
    /// FPEN = 0b11: the guest may use FP/SIMD; EL2 still traps it (CPTR_EL2.TFP) to switch lazily.
    var cpacr: UInt64 = 3 << 20
    var par: UInt64 = 0, cntkctl: UInt64 = 0, csselr: UInt64 = 0
    var cntvCtl: UInt64 = 0, cntvCval: UInt64 = 0
    /// ICH_VMCR_EL2: VENG1 set so the guest's Group 1 enable starts as after reset (0).
    var vmcr: UInt64 = 0
    var ap1r0: UInt64 = 0
}

/// Size of the FP/SIMD save area used by Support/fp.S (q0..q31, FPSR, FPCR).
let fpStateSize = 528
