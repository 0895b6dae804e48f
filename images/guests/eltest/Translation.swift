// Stage-1 translation checks: EL1&0 regime with 4 KiB, 16 KiB and 64 KiB
// granules, and the EL2 regime with 4 KiB. Tables are rebuilt for every
// check, the MMU is on only inside the check, and SCTLR.C stays 0 so table
// and data accesses are Non-cacheable whether the MMU is on or off.

/// Offsets in the 64 KiB-aligned page pool (boot.S, page_pool).
enum Pool {
    static let target64: UInt64 = 0x00000      // 64 KiB of data for the 16/64 KiB remaps
    static let l3Gran64: UInt64 = 0x10000      // 64 KiB granule: level 3 (8192 entries)
    static let l2Gran16: UInt64 = 0x20000      // 16 KiB granule: level 2 (2048 entries)
    static let l3Gran16: UInt64 = 0x24000      //                 level 3
    static let l2Gran64: UInt64 = 0x28000      // 64 KiB granule: level 2 (8 entries, 32-bit VA)
    // 4 KiB granule, EL1&0: TTBR0 level 1, its level 2 for the UART's GiB,
    // level 3 for the UART, level 2 for RAM, level 3 for the test window;
    // TTBR1 level 1 and level 2.
    static let l1: UInt64 = 0x30000, l2Low: UInt64 = 0x31000, l3UART: UInt64 = 0x32000
    static let l2RAM: UInt64 = 0x33000, l3Window: UInt64 = 0x34000
    static let l1High: UInt64 = 0x35000, l2High: UInt64 = 0x36000
    // 4 KiB granule, EL2.
    static let el2L1: UInt64 = 0x38000, el2L2Low: UInt64 = 0x39000
    static let el2L2RAM: UInt64 = 0x3a000, el2L3Window: UInt64 = 0x3b000
    // 4 KiB data pages.
    static let pageA: UInt64 = 0x40000, pageB: UInt64 = 0x41000, pageC: UInt64 = 0x42000
    static let pageD: UInt64 = 0x43000, pageE: UInt64 = 0x44000, scratch: UInt64 = 0x45000
}

func pool(_ offset: UInt64) -> UInt64 { pagePoolBase() &+ offset }

func store(_ address: UInt64, _ value: UInt64) {
    UnsafeMutablePointer<UInt64>(bitPattern: UInt(address))!.pointee = value
}

func zero(_ address: UInt64, bytes: UInt64) {
    var a = address
    while a < address &+ bytes { store(a, 0); a &+= 8 }
}

func setEntry(_ table: UInt64, _ index: UInt64, _ descriptor: UInt64) {
    store(pool(table) &+ index &* 8, descriptor)
}

/// Every 64-bit word of a data page holds tag | its own physical address,
/// so a read through any mapping tells which PA it reached.
let dataTag: UInt64 = 0xa5 << 56

func fillData(_ address: UInt64, bytes: UInt64) {
    var a = address
    while a < address &+ bytes { store(a, dataTag | a); a &+= 8 }
}

// MARK: Descriptors (Arm ARM, VMSAv8-64 translation table format)

/// MAIR: Attr0 = Device-nGnRnE, Attr1 = Normal, Inner/Outer Write-Back RW-allocate.
let mair: UInt64 = 0x00 | 0xff << 8

enum Memory { case normal, device }

/// Leaf attributes: AttrIndx, SH (Inner Shareable for Normal), AF, and for
/// Device UXN/PXN (bit 54 is XN in the EL2 regime, where bit 53 is RES0).
/// In the single-privilege EL2 regime AP[1] is RES1.
func leafAttributes(_ memory: Memory, el2: Bool = false) -> UInt64 {
    var attributes: UInt64 = 1 << 10                        // AF
    switch memory {
    case .normal: attributes |= 1 << 2 | 3 << 8              // AttrIndx 1, SH Inner
    case .device: attributes |= el2 ? 1 << 54 : 3 << 53      // AttrIndx 0, execute-never
    }
    if el2 { attributes |= 1 << 6 }
    return attributes
}

func block(_ pa: UInt64, _ memory: Memory, el2: Bool = false) -> UInt64 {
    pa | leafAttributes(memory, el2: el2) | 0b01
}

func page(_ pa: UInt64, _ memory: Memory = .normal, el2: Bool = false) -> UInt64 {
    pa | leafAttributes(memory, el2: el2) | 0b11
}

func table(_ offset: UInt64) -> UInt64 { pool(offset) | 0b11 }

let apReadOnly: UInt64 = 2 << 6                                  // AP[2:1] = 0b10: EL1 read-only
let accessFlag: UInt64 = 1 << 10

// MARK: Addresses the checks use

/// Computed, not a stored global: lazy global initialisation uses LDXR/STXR,
/// which need not work on Device memory (every access with the MMU off).
var uart: UInt64 { UInt64(boardUARTBase()) }
/// The GiB holding this image (RAM on every board here; the UART is below it).
var ramGiB: UInt64 { pagePoolBase() & ~0x3fff_ffff }
/// Identity-mapped RAM: 32 MiB from the start of that GiB, in 2 MiB blocks.
let ramMapped: UInt64 = 32 << 20
/// The 4 KiB test window (VA): 256 MiB into the RAM GiB, never identity-mapped.
var window: UInt64 { ramGiB &+ 0x1000_0000 }

// MARK: The EL1&0 regime with a 4 KiB granule

/// TCR_EL1: T0SZ = T1SZ = 25 (39-bit VA, walks start at level 1), TG0 = 4K (0b00),
/// TG1 = 4K (0b10: TG1 encodes granules differently), SH Inner, WB walks, IPS 40-bit.
let tcr4K: UInt64 = 25 | 1 << 8 | 1 << 10 | 3 << 12 | 0 << 14
                  | 25 << 16 | 1 << 24 | 1 << 26 | 3 << 28 | 2 << 30 | 2 << 32

/// A TTBR1 address: the top 2 MiB of the 39-bit high half maps the 2 MiB block holding `pa`.
func highAlias(_ pa: UInt64) -> UInt64 { 0xffff_ffff_ffe0_0000 | (pa & 0x1f_ffff) }

func build4K() {
    for t in [Pool.l1, Pool.l2Low, Pool.l3UART, Pool.l2RAM, Pool.l3Window, Pool.l1High, Pool.l2High] {
        zero(pool(t), bytes: 0x1000)
    }
    for p in [Pool.pageA, Pool.pageB, Pool.pageC, Pool.pageD] { fillData(pool(p), bytes: 0x1000) }
    // The UART: level 1 -> level 2 -> a 4 KiB Device page.
    setEntry(Pool.l1, (uart >> 30) & 511, table(Pool.l2Low))
    setEntry(Pool.l2Low, (uart >> 21) & 511, table(Pool.l3UART))
    setEntry(Pool.l3UART, (uart >> 12) & 511, page(uart & ~0xfff, .device))
    // RAM: 2 MiB Normal blocks; the window: level 3 pages.
    setEntry(Pool.l1, (ramGiB >> 30) & 511, table(Pool.l2RAM))
    var offset: UInt64 = 0
    while offset < ramMapped {
        setEntry(Pool.l2RAM, offset >> 21, block(ramGiB &+ offset, .normal))
        offset &+= 2 << 20
    }
    setEntry(Pool.l2RAM, (window >> 21) & 511, table(Pool.l3Window))
    setEntry(Pool.l3Window, 0, page(pool(Pool.pageA)))                                  // remapped
    setEntry(Pool.l3Window, 1, page(pool(Pool.pageB)) | apReadOnly)                     // read-only
    setEntry(Pool.l3Window, 2, page(pool(Pool.pageB)) & ~accessFlag)                    // AF = 0
    // entry 3 stays invalid
    setEntry(Pool.l3Window, 4, page(pool(Pool.pageC)))                                  // for TLBI
    // TTBR1: the top 2 MiB of the high half.
    setEntry(Pool.l1High, 511, table(Pool.l2High))
    setEntry(Pool.l2High, 511, block(pool(Pool.pageA) & ~0x1f_ffff, .normal))
}

/// Build the 4 KiB tables, run `body` with the EL1 MMU on, turn it off again.
func withMMU4K(_ body: () -> Void) {
    build4K()
    writeMAIR_EL1(mair)
    writeTCR_EL1(tcr4K)
    writeTTBR0_EL1(pool(Pool.l1))
    writeTTBR1_EL1(pool(Pool.l1High))
    mmuOnEL1(sctlr: sctlrEL1Base | 1)
    body()
    mmuOffEL1(sctlr: sctlrEL1Base)
}

/// ID_AA64MMFR0_EL1.TGran16 [23:20] (0 = no) and TGran64 [27:24] (0 = yes).
var has16KGranule: Bool { (readID_AA64MMFR0_EL1() >> 20) & 0xf != 0 }
var has64KGranule: Bool { (readID_AA64MMFR0_EL1() >> 24) & 0xf == 0 }

func translationChecks() {
    check("mmu4k.enable", at: 1) {
        withMMU4K {
            expect("SCTLR_EL1.M", readSCTLR_EL1() & 1, 1)
            let a = pool(Pool.pageA) &+ 0x40
            expect("identity-mapped RAM", probeLoad(a), dataTag | a)
            // The UART page: a Device read that must not fault, and AT's view of it.
            _ = probeLoad(uart &+ 0x18) // UARTFR and UARTILPR
            let par = atS1E1R(uart)
            expect("PAR_EL1.F for the UART", par & 1, 0)
            expect("PAR_EL1.PA for the UART", par & 0xf_ffff_ffff_f000, uart & ~0xfff)
            expect("PAR_EL1.ATTR for the UART", par >> 56, 0x00)
        }
        return 0
    }
    check("mmu4k.fault-l1", at: 1) {
        withMMU4K {
            let va = ramGiB &+ 0x4000_0000 &+ 0x10       // the next GiB: level 1 entry invalid
            arm()
            probeStore(va, 1)
            expectDataAbort(dfsc: 0x05, far: va, write: true)
        }
        return 0
    }
    check("mmu4k.fault-l2", at: 1) {
        withMMU4K {
            let va = ramGiB &+ 0x0800_0000 &+ 0x28       // 128 MiB in: level 2 entry invalid
            arm()
            _ = probeLoad(va)
            expectDataAbort(dfsc: 0x06, far: va, write: false)
        }
        return 0
    }
    check("mmu4k.fault-l3", at: 1) {
        withMMU4K {
            let va = window &+ 0x3000 &+ 0x8             // level 3 entry 3 invalid
            arm()
            _ = probeLoad(va)
            expectDataAbort(dfsc: 0x07, far: va, write: false)
        }
        return 0
    }
    check("mmu4k.remap", at: 1) {
        withMMU4K {
            let pa = pool(Pool.pageA)
            expect("read through the remapped page", probeLoad(window &+ 0x10), dataTag | (pa &+ 0x10))
            probeStore(window &+ 0x18, 0x1234_5678)
            expect("write through it, read at the PA", probeLoad(pa &+ 0x18), 0x1234_5678)
        }
        return 0
    }
    check("mmu4k.perm", at: 1) {
        withMMU4K {
            let pa = pool(Pool.pageB)
            let va = window &+ 0x1000 &+ 0x8
            expect("read from the read-only page", probeLoad(va), dataTag | (pa &+ 0x8))
            arm()
            probeStore(va, 0xdead)
            expectDataAbort(dfsc: 0x0f, far: va, write: true)
            expect("memory behind the read-only page", probeLoad(pa &+ 0x8), dataTag | (pa &+ 0x8))
        }
        return 0
    }
    check("mmu4k.af", at: 1) {
        withMMU4K {
            let va = window &+ 0x2000 &+ 0x10
            arm()
            _ = probeLoad(va)
            expectDataAbort(dfsc: 0x0b, far: va, write: false)
        }
        return 0
    }
    check("mmu4k.ttbr1", at: 1) {
        withMMU4K {
            let pa = pool(Pool.pageA) &+ 0x20
            expect("read through TTBR1", probeLoad(highAlias(pa)), dataTag | pa)
        }
        return 0
    }
    check("mmu4k.tlbi", at: 1) {
        withMMU4K {
            let va = window &+ 0x4000 &+ 0x30
            let c = pool(Pool.pageC), d = pool(Pool.pageD)
            expect("read before the change", probeLoad(va), dataTag | (c &+ 0x30))
            // Break-before-make: invalidate, TLBI, then the new output address.
            setEntry(Pool.l3Window, 4, 0)
            tlbiVAE1(va)
            setEntry(Pool.l3Window, 4, page(d))
            tlbiVAE1(va)
            expect("read after TLBI VAE1", probeLoad(va), dataTag | (d &+ 0x30))
        }
        return 0
    }
    check("mmu4k.at-ok", at: 1) {
        withMMU4K {
            writePAR_EL1(1)
            let par = atS1E1R(window &+ 0x10)
            expect("PAR_EL1.F", par & 1, 0)
            expect("PAR_EL1.PA", par & 0xf_ffff_ffff_f000, pool(Pool.pageA))
        }
        return 0
    }
    check("mmu4k.at-fault", at: 1) {
        withMMU4K {
            writePAR_EL1(0)
            let par = atS1E1R(window &+ 0x3000)
            expect("PAR_EL1.F", par & 1, 1)
            expect("PAR_EL1.FST", (par >> 1) & 0x3f, 0x07)
        }
        return 0
    }
    check("mmu16k.remap", at: 1, skipUnless: has16KGranule) { remap16K(); return 0 }
    check("mmu64k.remap", at: 1, skipUnless: has64KGranule) { remap64K(); return 0 }
    check("mmu-el2.remap", at: 2) { remapEL2(); return 0 }
}

// MARK: Other granules

/// 16 KiB granule, T0SZ = 28 (36-bit VA): walks start at level 2 (2048
/// entries of 32 MiB); the window's level 3 entry 1 maps a 16 KiB page.
func remap16K() {
    zero(pool(Pool.l2Gran16), bytes: 0x4000)
    zero(pool(Pool.l3Gran16), bytes: 0x4000)
    let target = pool(Pool.target64)
    fillData(target, bytes: 0x10000)
    let blockMask: UInt64 = (32 << 20) - 1
    setEntry(Pool.l2Gran16, (uart >> 25) & 2047, block(uart & ~blockMask, .device))
    setEntry(Pool.l2Gran16, (ramGiB >> 25) & 2047, block(ramGiB, .normal))
    setEntry(Pool.l2Gran16, (window >> 25) & 2047, table(Pool.l3Gran16))
    setEntry(Pool.l3Gran16, 1, page(target &+ 0x8000))
    writeMAIR_EL1(mair)
    writeTCR_EL1(28 | 1 << 8 | 1 << 10 | 3 << 12 | 2 << 14 | 1 << 23 | 2 << 32)   // TG0 = 16K, EPD1
    writeTTBR0_EL1(pool(Pool.l2Gran16))
    mmuOnEL1(sctlr: sctlrEL1Base | 1)
    let value = probeLoad(window &+ 0x4000 &+ 0x1238)
    mmuOffEL1(sctlr: sctlrEL1Base)
    expect("read through the 16 KiB page", value, dataTag | (target &+ 0x8000 &+ 0x1238))
}

/// 64 KiB granule, T0SZ = 32 (32-bit VA): walks start at level 2 (8 entries
/// of 512 MiB); level 3 entry 3 of the 512 MiB above RAM maps a 64 KiB page.
func remap64K() {
    zero(pool(Pool.l2Gran64), bytes: 0x1000)
    zero(pool(Pool.l3Gran64), bytes: 0x10000)
    let target = pool(Pool.target64)
    fillData(target, bytes: 0x10000)
    let blockMask: UInt64 = (512 << 20) - 1
    let window64 = ramGiB &+ 0x2000_0000
    setEntry(Pool.l2Gran64, (uart >> 29) & 7, block(uart & ~blockMask, .device))
    setEntry(Pool.l2Gran64, (ramGiB >> 29) & 7, block(ramGiB & ~blockMask, .normal))
    setEntry(Pool.l2Gran64, (window64 >> 29) & 7, table(Pool.l3Gran64))
    setEntry(Pool.l3Gran64, 3, page(target))
    writeMAIR_EL1(mair)
    writeTCR_EL1(32 | 1 << 8 | 1 << 10 | 3 << 12 | 1 << 14 | 1 << 23 | 2 << 32)   // TG0 = 64K, EPD1
    writeTTBR0_EL1(pool(Pool.l2Gran64))
    mmuOnEL1(sctlr: sctlrEL1Base | 1)
    let value = probeLoad(window64 &+ 3 * 0x10000 &+ 0xabc8)
    mmuOffEL1(sctlr: sctlrEL1Base)
    expect("read through the 64 KiB page", value, dataTag | (target &+ 0xabc8))
}

// MARK: The EL2 regime

/// EL2's own stage 1 (SCTLR_EL2/TCR_EL2/TTBR0_EL2), 4 KiB granule, 39-bit
/// VA: identity-map the UART (2 MiB Device block) and RAM, remap one page.
func remapEL2() {
    for t in [Pool.el2L1, Pool.el2L2Low, Pool.el2L2RAM, Pool.el2L3Window] { zero(pool(t), bytes: 0x1000) }
    let e = pool(Pool.pageE)
    fillData(e, bytes: 0x1000)
    setEntry(Pool.el2L1, (uart >> 30) & 511, table(Pool.el2L2Low))
    setEntry(Pool.el2L2Low, (uart >> 21) & 511, block(uart & ~0x1f_ffff, .device, el2: true))
    setEntry(Pool.el2L1, (ramGiB >> 30) & 511, table(Pool.el2L2RAM))
    var offset: UInt64 = 0
    while offset < ramMapped {
        setEntry(Pool.el2L2RAM, offset >> 21, block(ramGiB &+ offset, .normal, el2: true))
        offset &+= 2 << 20
    }
    setEntry(Pool.el2L2RAM, (window >> 21) & 511, table(Pool.el2L3Window))
    setEntry(Pool.el2L3Window, 0, page(e, el2: true))
    writeMAIR_EL2(mair)
    // TCR_EL2: RES1 [31] and [23], PS 40-bit, TG0 4K, SH Inner, WB walks, T0SZ 25.
    writeTCR_EL2(1 << 31 | 1 << 23 | 2 << 16 | 3 << 12 | 1 << 10 | 1 << 8 | 25)
    writeTTBR0_EL2(pool(Pool.el2L1))
    mmuOnEL2(sctlr: sctlrEL2Base | 1)
    let on = readSCTLR_EL2() & 1
    let value = probeLoad(window &+ 0x20)
    mmuOffEL2(sctlr: sctlrEL2Base)
    expect("SCTLR_EL2.M", on, 1)
    expect("read through the EL2 remap", value, dataTag | (e &+ 0x20))
}
