// Stage 2: VTCR_EL2 (4 KiB granule, 32-bit IPA, walks start at level 1),
// VTTBR_EL2 with a VMID, HCR_EL2.VM. EL1 runs with its MMU off (IPA = VA)
// and with a stage-1 MMU whose tables are themselves reached through stage 2.
// Aborts are decoded from ESR_EL2 (ISS), FAR_EL2 and HPFAR_EL2.

/// Offsets in the page pool (boot.S, page_pool).
enum Pool {
    static let s2L1: UInt64 = 0x0000, s2L2Low: UInt64 = 0x1000, s2L2RAM: UInt64 = 0x2000, s2L3: UInt64 = 0x3000
    static let s1L1: UInt64 = 0x4000, s1L2: UInt64 = 0x5000, s1L3: UInt64 = 0x6000
    static let pageA: UInt64 = 0x7000, pageB: UInt64 = 0x8000, pageC: UInt64 = 0x9000, scratch: UInt64 = 0xa000
    /// A second stage-2 table set (another VMID): level 1, RAM level 2, window level 3.
    static let s2L1b: UInt64 = 0xb000, s2L2RAMb: UInt64 = 0xc000, s2L3b: UInt64 = 0xd000
    /// 40-bit IPA from level 1: two concatenated level-1 tables (8 KiB aligned), and a level 2.
    static let s2L1Concat: UInt64 = 0x10000, s2L2High: UInt64 = 0x12000
}

/// Pages of the IPA window (level-3 entries of its stage-2 table).
enum W {
    static let remap: UInt64 = 0, readOnly: UInt64 = 1, noAF: UInt64 = 2, invalid: UInt64 = 3
    static let code: UInt64 = 4, codeXN: UInt64 = 5, s1L1: UInt64 = 6, s1L2: UInt64 = 7, s1L3: UInt64 = 8
    static let s1Data: UInt64 = 9, noAccess: UInt64 = 10, unmappedTable: UInt64 = 12
}

func pool(_ offset: UInt64) -> UInt64 { pagePoolBase() &+ offset }

func store(_ address: UInt64, _ value: UInt64) {
    UnsafeMutablePointer<UInt64>(bitPattern: UInt(address))!.pointee = value
}
func load(_ address: UInt64) -> UInt64 {
    UnsafeMutablePointer<UInt64>(bitPattern: UInt(address))!.pointee
}
func zero(_ address: UInt64, bytes: UInt64) {
    var a = address
    while a < address &+ bytes { store(a, 0); a &+= 8 }
}
func setEntry(_ table: UInt64, _ index: UInt64, _ descriptor: UInt64) {
    store(pool(table) &+ index &* 8, descriptor)
}

/// Every word of a data page holds tag | its own physical address.
let dataTag: UInt64 = 0xa5 << 56
func fillData(_ address: UInt64, bytes: UInt64) {
    var a = address
    while a < address &+ bytes { store(a, dataTag | a); a &+= 8 }
}

var uart: UInt64 { UInt64(boardUARTBase()) }
/// The GiB holding this image (RAM on both boards).
var ramGiB: UInt64 { pagePoolBase() & ~0x3fff_ffff }
/// The IPA window: 256 MiB into the RAM GiB, mapped page by page by stage 2.
var window: UInt64 { ramGiB &+ 0x1000_0000 }
func windowPage(_ n: UInt64) -> UInt64 { window &+ n &* 0x1000 }

// MARK: Stage-2 descriptors (Arm ARM, "VMSAv8-64 translation table format", stage 2 attributes)

/// MemAttr [5:2]: 0b1111 Normal Write-Back, 0b0001 Device-nGnRE. S2AP [7:6]. SH [9:8]. AF [10]. XN [54].
enum S2 {
    static let normal: UInt64 = 0xf << 2 | 3 << 8, device: UInt64 = 0x1 << 2
    static let none: UInt64 = 0 << 6, readOnly: UInt64 = 1 << 6, readWrite: UInt64 = 3 << 6
    static let af: UInt64 = 1 << 10, xn: UInt64 = 1 << 54
}
func s2Block(_ pa: UInt64, _ attrs: UInt64) -> UInt64 { pa | attrs | 0b01 }
func s2Page(_ pa: UInt64, _ attrs: UInt64 = S2.normal | S2.readWrite | S2.af) -> UInt64 { pa | attrs | 0b11 }
func s2Table(_ offset: UInt64) -> UInt64 { pool(offset) | 0b11 }

/// VTCR_EL2: T0SZ = 32 (32-bit IPA), SL0 = 1 (start at level 1), Non-cacheable
/// walks, TG0 = 4K, PS = 0b010 (40-bit PA), RES1 bit 31.
let vtcr: UInt64 = 32 | 1 << 6 | 0 << 14 | 2 << 16 | 1 << 31
let vmid: UInt64 = 0x5a
/// Identity-mapped RAM: 32 MiB from the start of the RAM GiB (image, stacks, pool).
let ramMapped: UInt64 = 32 << 20

func stage2Init() {
    for t in [Pool.s2L1, Pool.s2L2Low, Pool.s2L2RAM, Pool.s2L3] { zero(pool(t), bytes: 0x1000) }
    for p in [Pool.pageA, Pool.pageB, Pool.pageC] { fillData(pool(p), bytes: 0x1000) }
    // Level 1: 4 entries of 1 GiB. The UART's GiB and the RAM GiB have level-2 tables.
    setEntry(Pool.s2L1, uart >> 30, s2Table(Pool.s2L2Low))
    setEntry(Pool.s2L1, ramGiB >> 30, s2Table(Pool.s2L2RAM))
    setEntry(Pool.s2L2Low, (uart >> 21) & 511, s2Block(uart & ~0x1f_ffff, S2.device | S2.readWrite | S2.af | S2.xn))
    var offset: UInt64 = 0
    while offset < ramMapped {
        setEntry(Pool.s2L2RAM, offset >> 21, s2Block(ramGiB &+ offset, S2.normal | S2.readWrite | S2.af))
        offset &+= 2 << 20
    }
    setEntry(Pool.s2L2RAM, (window >> 21) & 511, s2Table(Pool.s2L3))
    let page = S2.normal | S2.af
    setEntry(Pool.s2L3, W.remap, s2Page(pool(Pool.pageA)))
    setEntry(Pool.s2L3, W.readOnly, s2Page(pool(Pool.pageB), page | S2.readOnly))
    setEntry(Pool.s2L3, W.noAF, s2Page(pool(Pool.pageB), S2.normal | S2.readWrite))
    setEntry(Pool.s2L3, W.code, s2Page(codePageBase()))
    setEntry(Pool.s2L3, W.codeXN, s2Page(codePageBase(), page | S2.readWrite | S2.xn))
    setEntry(Pool.s2L3, W.s1L1, s2Page(pool(Pool.s1L1)))
    setEntry(Pool.s2L3, W.s1L2, s2Page(pool(Pool.s1L2)))
    setEntry(Pool.s2L3, W.s1L3, s2Page(pool(Pool.s1L3)))
    setEntry(Pool.s2L3, W.s1Data, s2Page(pool(Pool.pageC)))
    setEntry(Pool.s2L3, W.noAccess, s2Page(pool(Pool.pageB), page | S2.none))
    writeVTCR_EL2(vtcr)
    writeVTTBR_EL2(pool(Pool.s2L1) | vmid << 48)
    tlbiALLE1()
}

// MARK: Stage 1 at EL1, with table addresses that are IPAs

/// MAIR: Attr0 Device-nGnRnE, Attr1 Normal Write-Back.
let mair: UInt64 = 0xff << 8
/// TCR_EL1: T0SZ = 25 (39-bit VA, start at level 1), Non-cacheable walks, TG0 = 4K, EPD1, IPS = 40-bit.
let tcr: UInt64 = 25 | 1 << 23 | 2 << 32
/// The stage-1 test VA: level-1 entry 3, which neither board's RAM GiB uses.
let s1VA: UInt64 = 0xc000_0000

/// Stage-1 tables in pool pages, reached by the walker only through the IPA
/// window: TTBR0 = IPA of s1L1; the RAM GiB is an identity block; VA
/// 0xC000_0000 -> level 2 -> level 3 -> page 0 = IPA s1Data, page 1 = the
/// invalid IPA. With `brokenL3`, level 2 points at an IPA stage 2 does not map,
/// so the walk faults fetching its level-3 descriptor, at stage-2 level 3.
func buildStage1(brokenL3: Bool) {
    for t in [Pool.s1L1, Pool.s1L2, Pool.s1L3] { zero(pool(t), bytes: 0x1000) }
    let leaf: UInt64 = 1 << 10 | 3 << 8 | 1 << 2                     // AF, Inner Shareable, AttrIndx 1
    setEntry(Pool.s1L1, ramGiB >> 30, ramGiB | leaf | 0b01)
    setEntry(Pool.s1L1, s1VA >> 30, windowPage(W.s1L2) | 0b11)
    setEntry(Pool.s1L2, 0, windowPage(brokenL3 ? W.unmappedTable : W.s1L3) | 0b11)
    setEntry(Pool.s1L3, 0, windowPage(W.s1Data) | leaf | 0b11)
    setEntry(Pool.s1L3, 1, windowPage(W.invalid) | leaf | 0b11)
    writeMAIR_EL1(mair)
    writeTCR_EL1(tcr)
    writeTTBR0_EL1(windowPage(W.s1L1))
    tlbiALLE1()
}

// MARK: Checks

func hpfar(_ ipa: UInt64) -> UInt64 { (ipa >> 12) << 4 }

/// The data-abort syndrome a probe must produce (ISV = 1 fields).
struct Access { var sas: UInt64, sse: UInt64 = 0, srt: Int, sf: UInt64, ar: UInt64 = 0, wnr: UInt64 = 0 }

/// Run probe `p` on `va` (= IPA) and expect a stage-2 data abort with status `dfsc`.
func expectStage2Abort(_ p: P, va: UInt64, ipa: UInt64, dfsc: UInt64, _ access: Access?) {
    arm()
    _ = runProbe(p, va)
    disarm()
    expectTrap(ec: EC.dabtLower, elr: insn(p))
    let s = Syndrome(esr: taken.esr)
    expect("ESR_EL2.DFSC", s.fsc, dfsc)
    expect("ESR_EL2.EA", s.ea, 0)
    expect("ESR_EL2.CM", s.cm, 0)
    expect("ESR_EL2.S1PTW", s.s1ptw, 0)
    expect("FAR_EL2", taken.far, va)
    expect("HPFAR_EL2", taken.hpfar, hpfar(ipa))
    guard let a = access else { return }
    expect("ESR_EL2.ISV", s.isv, 1)
    expect("ESR_EL2.SAS", s.sas, a.sas)
    expect("ESR_EL2.SSE", s.sse, a.sse)
    expect("ESR_EL2.SRT", UInt64(s.srt), UInt64(a.srt))
    expect("ESR_EL2.SF", s.sf, a.sf)
    expect("ESR_EL2.AR", s.ar, a.ar)
    expect("ESR_EL2.WnR", s.wnr, a.wnr)
}

/// A multi-register or writeback access: ISV = 0, the rest as above.
func expectStage2AbortNoISV(_ p: P, va: UInt64) {
    arm()
    _ = runProbe(p, va)
    disarm()
    expectTrap(ec: EC.dabtLower, elr: insn(p))
    let s = Syndrome(esr: taken.esr)
    expect("ESR_EL2.ISV", s.isv, 0)
    expect("ESR_EL2.DFSC", s.fsc, 0x07)
    expect("ESR_EL2.WnR", s.wnr, 0)
    expect("HPFAR_EL2", taken.hpfar, hpfar(va))
    // A pair may fault on either element first.
    expectTrue("FAR_EL2 is one of the pair's addresses", taken.far == va || taken.far == va &+ 8, got: taken.far)
}

func stage2Checks() {
    check("s2.regs") {
        let v = readVTCR_EL2()
        expect("VTCR_EL2.T0SZ", v & 0x3f, 32)
        expect("VTCR_EL2.SL0", (v >> 6) & 3, 1)
        expect("VTCR_EL2.TG0", (v >> 14) & 3, 0)
        expect("VTCR_EL2.PS", (v >> 16) & 7, 2)
        let t = readVTTBR_EL2()
        expect("VTTBR_EL2.VMID", (t >> 48) & 0xff, vmid)
        expect("VTTBR_EL2.BADDR", t & 0xffff_ffff_f000, pool(Pool.s2L1))
        expect("HCR_EL2.VM", readHCR_EL2() & HCR.vm, HCR.vm)
    }
    check("s2.identity") {
        let a = pool(Pool.pageC) &+ 0x40
        expect("EL1 load of identity-mapped RAM", runProbe(.ldrx, a), dataTag | a)
    }
    check("s2.remap-load") {
        let pa = pool(Pool.pageA) &+ 0x18
        expect("EL1 load through the remapped IPA", runProbe(.ldrx, windowPage(W.remap) &+ 0x18), dataTag | pa)
    }
    check("s2.remap-store") {
        let pa = pool(Pool.pageA) &+ 0x20
        _ = runProbe(.strx, windowPage(W.remap) &+ 0x20)
        expect("memory at the PA after an EL1 store to the IPA", load(pa), 0xcafe_0000_1234_5678)
        store(pa, dataTag | pa)
    }
    check("s2.vmid-switch") {
        // VMID 0x5a maps the window's page 0 to pageA, VMID 0xa5 to pageB. TLB
        // entries are tagged with the VMID: switching VTTBR_EL2 needs no TLBI.
        for (t, from) in [(Pool.s2L1b, Pool.s2L1), (Pool.s2L2RAMb, Pool.s2L2RAM), (Pool.s2L3b, Pool.s2L3)] {
            var i: UInt64 = 0
            while i < 512 { setEntry(t, i, load(pool(from) &+ i &* 8)); i &+= 1 }
        }
        setEntry(Pool.s2L1b, ramGiB >> 30, s2Table(Pool.s2L2RAMb))
        setEntry(Pool.s2L2RAMb, (window >> 21) & 511, s2Table(Pool.s2L3b))
        setEntry(Pool.s2L3b, W.remap, s2Page(pool(Pool.pageB)))
        let va = windowPage(W.remap) &+ 0x38
        let a = runProbe(.ldrx, va)
        writeVTTBR_EL2(pool(Pool.s2L1b) | 0xa5 << 48)
        let b = runProbe(.ldrx, va)
        writeVTTBR_EL2(pool(Pool.s2L1) | vmid << 48)
        let a2 = runProbe(.ldrx, va)
        expect("load with VMID 0x5a", a, dataTag | (pool(Pool.pageA) &+ 0x38))
        expect("load with VMID 0xa5", b, dataTag | (pool(Pool.pageB) &+ 0x38))
        expect("load with VMID 0x5a again", a2, dataTag | (pool(Pool.pageA) &+ 0x38))
    }
    check("s2.tlbi-ipas2e1") {
        let va = windowPage(W.remap) &+ 0x48
        let before = runProbe(.ldrx, va)
        // Break, invalidate, make: the window's page 0 now maps pageC.
        setEntry(Pool.s2L3, W.remap, 0)
        tlbiIPA(va)
        setEntry(Pool.s2L3, W.remap, s2Page(pool(Pool.pageC)))
        tlbiIPA(va)
        let after = runProbe(.ldrx, va)
        setEntry(Pool.s2L3, W.remap, s2Page(pool(Pool.pageA)))
        tlbiIPA(va)
        expect("load before the change", before, dataTag | (pool(Pool.pageA) &+ 0x48))
        expect("load after TLBI IPAS2E1IS + VMALLE1IS", after, dataTag | (pool(Pool.pageC) &+ 0x48))
    }
    check("s2.concatenated") {
        // VTCR_EL2.T0SZ = 24 with SL0 = 1: IPA[39:30] indexes 1024 entries, two
        // level-1 tables side by side. IPA 1 << 39 is entry 512, in the second.
        let high: UInt64 = 1 << 39
        zero(pool(Pool.s2L1Concat), bytes: 0x2000)
        zero(pool(Pool.s2L2High), bytes: 0x1000)
        setEntry(Pool.s2L1Concat, uart >> 30, s2Table(Pool.s2L2Low))
        setEntry(Pool.s2L1Concat, ramGiB >> 30, s2Table(Pool.s2L2RAM))
        setEntry(Pool.s2L1Concat, high >> 30, s2Table(Pool.s2L2High))
        setEntry(Pool.s2L2High, 0, s2Table(Pool.s2L3))                 // the window's level 3
        writeVTCR_EL2((vtcr & ~0x3f) | 24)
        writeVTTBR_EL2(pool(Pool.s2L1Concat) | vmid << 48)
        tlbiALLE1()
        let value = runProbe(.ldrx, high &+ W.remap &* 0x1000 &+ 0x50)
        writeVTCR_EL2(vtcr)
        writeVTTBR_EL2(pool(Pool.s2L1) | vmid << 48)
        tlbiALLE1()
        expect("EL1 load through the second level-1 table", value, dataTag | (pool(Pool.pageA) &+ 0x50))
    }
    check("s2.at-s12e1r") {
        writePAR_EL1(1)
        let ok = atS12E1R(windowPage(W.remap) &+ 0x10)
        expect("PAR_EL1.F", ok & 1, 0)
        expect("PAR_EL1.PA", ok & 0xff_ffff_f000, pool(Pool.pageA))
        writePAR_EL1(0)
        let bad = atS12E1R(windowPage(W.invalid))
        expect("PAR_EL1.F", bad & 1, 1)
        expect("PAR_EL1.FST", (bad >> 1) & 0x3f, 0x07)
        expect("PAR_EL1.S (stage 2)", (bad >> 9) & 1, 1)
        expect("PAR_EL1.PTW", (bad >> 8) & 1, 0)
    }
    check("s2.readonly-load") {
        let pa = pool(Pool.pageB) &+ 0x30
        expect("EL1 load from a read-only IPA", runProbe(.ldrx, windowPage(W.readOnly) &+ 0x30), dataTag | pa)
    }
    check("s2.perm-write") {
        let va = windowPage(W.readOnly) &+ 0x8
        expectStage2Abort(.strx, va: va, ipa: va, dfsc: 0x0f, Access(sas: 3, srt: 10, sf: 1, wnr: 1))
        let pa = pool(Pool.pageB) &+ 0x8
        expect("memory behind the read-only page", load(pa), dataTag | pa)
    }
    check("s2.perm-none-read") {
        let va = windowPage(W.noAccess) &+ 0x10
        expectStage2Abort(.ldrx, va: va, ipa: va, dfsc: 0x0f, Access(sas: 3, srt: 8, sf: 1))
    }
    check("s2.access-flag") {
        let va = windowPage(W.noAF) &+ 0x10
        expectStage2Abort(.ldrw, va: va, ipa: va, dfsc: 0x0b, Access(sas: 2, srt: 3, sf: 0))
    }
    check("s2.fault-l1") {
        let va: UInt64 = 0xc000_0040                                   // level-1 entry 3: invalid
        expectStage2Abort(.ldrx, va: va, ipa: va, dfsc: 0x05, Access(sas: 3, srt: 8, sf: 1))
    }
    check("s2.fault-l2") {
        let va = ramGiB &+ 0x0800_0040                                 // level-2 entry 64: invalid
        expectStage2Abort(.ldrx, va: va, ipa: va, dfsc: 0x06, Access(sas: 3, srt: 8, sf: 1))
    }
    let bad = windowPage(W.invalid) &+ 0x80                            // level-3 entry: invalid
    check("s2.dabt-ldrb") { expectStage2Abort(.ldrb, va: bad, ipa: bad, dfsc: 7, Access(sas: 0, srt: 5, sf: 0)) }
    check("s2.dabt-ldrsb") { expectStage2Abort(.ldrsb, va: bad, ipa: bad, dfsc: 7, Access(sas: 0, sse: 1, srt: 12, sf: 0)) }
    check("s2.dabt-ldrsh") { expectStage2Abort(.ldrsh, va: bad, ipa: bad, dfsc: 7, Access(sas: 1, sse: 1, srt: 6, sf: 1)) }
    check("s2.dabt-ldrsw") { expectStage2Abort(.ldrsw, va: bad, ipa: bad, dfsc: 7, Access(sas: 2, sse: 1, srt: 7, sf: 1)) }
    check("s2.dabt-ldr-w") { expectStage2Abort(.ldrw, va: bad, ipa: bad, dfsc: 7, Access(sas: 2, srt: 3, sf: 0)) }
    check("s2.dabt-ldr-x") { expectStage2Abort(.ldrx, va: bad, ipa: bad, dfsc: 7, Access(sas: 3, srt: 8, sf: 1)) }
    check("s2.dabt-strh") { expectStage2Abort(.strh, va: bad, ipa: bad, dfsc: 7, Access(sas: 1, srt: 9, sf: 0, wnr: 1)) }
    check("s2.dabt-str-x") { expectStage2Abort(.strx, va: bad, ipa: bad, dfsc: 7, Access(sas: 3, srt: 10, sf: 1, wnr: 1)) }
    check("s2.dabt-strb-wzr") { expectStage2Abort(.strbXzr, va: bad, ipa: bad, dfsc: 7, Access(sas: 0, srt: 31, sf: 0, wnr: 1)) }
    check("s2.dabt-ldar") { expectStage2Abort(.ldar, va: bad, ipa: bad, dfsc: 7, Access(sas: 2, srt: 10, sf: 0, ar: 1)) }
    check("s2.dabt-stlr") { expectStage2Abort(.stlr, va: bad, ipa: bad, dfsc: 7, Access(sas: 3, srt: 11, sf: 1, ar: 1, wnr: 1)) }
    check("s2.dabt-ldp-isv0") { expectStage2AbortNoISV(.ldp, va: bad) }
    check("s2.dabt-ldr-wback-isv0") {
        // LDR x4, [x0, #8]!: the access is at x0 + 8.
        arm()
        _ = runProbe(.ldrWback, bad &- 8)
        disarm()
        expectTrap(ec: EC.dabtLower, elr: insn(.ldrWback))
        expect("ESR_EL2.ISV", Syndrome(esr: taken.esr).isv, 0)
        expect("ESR_EL2.DFSC", Syndrome(esr: taken.esr).fsc, 7)
        expect("FAR_EL2", taken.far, bad)
        expect("HPFAR_EL2", taken.hpfar, hpfar(bad))
    }
    check("s2.dabt-ldxr-isv0") {
        arm()
        _ = runProbe(.ldxr, bad)
        disarm()
        expectTrap(ec: EC.dabtLower, elr: insn(.ldxr))
        expect("ESR_EL2.ISV", Syndrome(esr: taken.esr).isv, 0)
        expect("ESR_EL2.DFSC", Syndrome(esr: taken.esr).fsc, 7)
        expect("FAR_EL2", taken.far, bad)
    }
    mmioChecks(bad)
    check("s2.ifetch") {
        expect("EL1 code run through the IPA window", callEL1(body(at: windowPage(W.code)), 41), 42)
    }
    check("s2.iabt-xn") { expectInstructionAbort(windowPage(W.codeXN), ifsc: 0x0f) }
    check("s2.iabt-l3") { expectInstructionAbort(windowPage(W.invalid), ifsc: 0x07) }
    check("s2.s1-walk") {
        buildStage1(brokenL3: false)
        let pa = pool(Pool.pageC) &+ 0x28
        expect("EL1 load through stage 1 and 2", runProbe(.mmuLoad, s1VA &+ 0x28), dataTag | pa)
        expect("SCTLR_EL1.M after the probe", readSCTLR_EL1() & 1, 0)
    }
    check("s2.s1-on-fault") {
        buildStage1(brokenL3: false)
        let va = s1VA &+ 0x1000 &+ 0x30                                // stage 1 maps it to the invalid IPA
        expectStage2Abort(.mmuLoad, va: va, ipa: windowPage(W.invalid) &+ 0x30, dfsc: 7, Access(sas: 3, srt: 0, sf: 1))
    }
    check("s2.s1ptw") {
        // DFSC gives the stage-2 level of the fault. QEMU 7.2 reports the stage-1
        // lookup level instead, so the walk is built to fault where both are 3.
        buildStage1(brokenL3: true)
        let va = s1VA &+ 0x28
        arm()
        _ = runProbe(.mmuLoad, va)
        disarm()
        expectTrap(ec: EC.dabtLower, elr: insn(.mmuLoad))
        let s = Syndrome(esr: taken.esr)
        expect("ESR_EL2.S1PTW", s.s1ptw, 1)
        expect("ESR_EL2.DFSC (stage-2 level 3)", s.fsc, 0x07)
        expect("FAR_EL2", taken.far, va)
        expect("HPFAR_EL2 (the level-3 table's IPA)", taken.hpfar, hpfar(windowPage(W.unmappedTable)))
    }
}

/// EL1 branches to `target`, whose stage-2 mapping faults: EC 0x20 at the target.
func expectInstructionAbort(_ target: UInt64, ifsc: UInt64) {
    arm(.returnToCaller)
    let r = callEL1(body(at: target), 41)
    disarm()
    expectTrap(ec: EC.iabtLower, elr: target)
    let s = Syndrome(esr: taken.esr)
    expect("ESR_EL2.IFSC", s.fsc, ifsc)
    expect("ESR_EL2.EA", s.ea, 0)
    expect("ESR_EL2.S1PTW", s.s1ptw, 0)
    expect("FAR_EL2", taken.far, target)
    expect("HPFAR_EL2", taken.hpfar, hpfar(target))
    expect("x0 after resuming at the caller", r, 41)
}

/// The EL2 handler emulates MMIO from the syndrome and steps over the access.
func mmioChecks(_ bad: UInt64) {
    check("s2.mmio-load") {
        mmioValue = 0x8877_6655_4433_a281
        let cases: [(P, UInt64)] = [(.ldrb, 0x81), (.ldrsb, 0xffff_ff81), (.ldrsh, 0xffff_ffff_ffff_a281),
                                    (.ldrsw, 0x4433_a281), (.ldrw, 0x4433_a281), (.ldrx, 0x8877_6655_4433_a281)]
        for (p, want) in cases {
            arm(.emulateMMIO)
            let got = runProbe(p, bad)
            disarm()
            expect("exceptions taken", takenCount, 1)
            expect("emulated load result", got, want)
        }
    }
    check("s2.mmio-store") {
        arm(.emulateMMIO)
        _ = runProbe(.strx, bad)
        expect("emulated 64-bit store data", mmioStored, 0xcafe_0000_1234_5678)
        arm(.emulateMMIO)
        _ = runProbe(.strh, bad)
        expect("emulated 16-bit store data", mmioStored, 0xbeef)
        arm(.emulateMMIO)
        mmioStored = 1
        _ = runProbe(.strbXzr, bad)
        disarm()
        expect("emulated store of WZR", mmioStored, 0)
    }
}
