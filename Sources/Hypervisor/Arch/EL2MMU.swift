/// The hypervisor's own stage 1: an identity map in 1 GiB blocks, Normal
/// memory over the board's RAM window and Device memory elsewhere below 4 GiB. Built
/// before anything that needs caches or exclusives (classes, atomics, locks).
enum EL2MMU {
    /// Four translation tables worth of space, statically reserved, since the
    /// page allocator's lock itself needs the MMU on.
    static func enable(table: UInt64) {
        var gib: UInt64 = 0
        while gib < 512 {
            let base = gib * Granule.level1Block
            let entry: Descriptor
            if board.ramWindow.contains(base) {
                entry = .el2Block(base, attrIndex: MAIR.normalIndex, device: false)
            } else if base < board.ramWindow.lowerBound || base < 1 << 32 {
                // Below the RAM window, or above it in the 32-bit space (peripherals above RAM at 0).
                entry = .el2Block(base, attrIndex: MAIR.deviceIndex, device: true)
            } else {
                entry = .invalid
            }
            Arch.memoryWrite64(table + gib * 8, entry.rawValue)
            gib += 1
        }
        Arch.enableEL2MMU(
            ttbr0: table, tcr: TranslationControl.tcrEL2(mmfr0: Arch.idAA64MMFR0), mair: MAIR.value,
            sctlr: SCTLREL2.res1 | SCTLREL2.m | SCTLREL2.c | SCTLREL2.i | SCTLREL2.sa)
    }
}

extension EL2MMU {
    /// Secondaries reuse the boot CPU's tables.
    static func enableSecondary(table: UInt64) {
        Arch.enableEL2MMU(
            ttbr0: table, tcr: TranslationControl.tcrEL2(mmfr0: Arch.idAA64MMFR0), mair: MAIR.value,
            sctlr: SCTLREL2.res1 | SCTLREL2.m | SCTLREL2.c | SCTLREL2.i | SCTLREL2.sa)
    }
}
