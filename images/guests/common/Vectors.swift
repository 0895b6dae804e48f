// common/vectors.S as Swift: where its tables are, and the frame its entries hand to the guest's
// guest_exception.

@_silgen_name("addr_vectors_el1") func vectorsEL1() -> UInt64
@_silgen_name("addr_vectors_el2") func vectorsEL2() -> UInt64
@_silgen_name("addr_vectors_el3") func vectorsEL3() -> UInt64

/// Frame saved by vectors.S on SP_ELn, as 64-bit slots (FRAME_* there); x0-x29 are slots 0-29.
enum Slot {
    static let x30 = 30, elr = 31, spsr = 32, esr = 33, far = 34, offset = 35, el = 36
}
