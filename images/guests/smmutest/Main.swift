// smmutest: the simulator's SMMUv3 (`--iommu smmuv3`, virt) programmed from bare metal, with a
// real DMA master behind it: the virtio-blk disk in virtio-mmio slot 31 (StreamID 0x801F), driven
// with IOVAs. Checks the identification registers, GBPA bypass and abort while the SMMU is off,
// linear and 2-level stream tables, an invalid STE (C_BAD_STE), stage-2 translation with IPA !=
// PA, permission and translation faults in the event queue, the STE and translation caches and
// their invalidation commands, an unknown StreamID (C_BAD_STREAMID) and an illegal command
// (CERROR_ILL until GERRORN). Prints PASS/FAIL per check and `smmutest: N passed, M failed`.

import _Volatile

@_silgen_name("read_cntpct") func readCNTPCT() -> UInt64
@_silgen_name("read_cntfrq") func readCNTFRQ() -> UInt64
@_silgen_name("data_barrier") func dataBarrier()

func w32(_ a: UInt64, _ v: UInt32) { VolatileMappedRegister<UInt32>(unsafeBitPattern: UInt(a)).store(v); dataBarrier() }
func r32(_ a: UInt64) -> UInt32 { dataBarrier(); return VolatileMappedRegister<UInt32>(unsafeBitPattern: UInt(a)).load() }
func w64(_ a: UInt64, _ v: UInt64) { VolatileMappedRegister<UInt64>(unsafeBitPattern: UInt(a)).store(v); dataBarrier() }
func r64(_ a: UInt64) -> UInt64 { dataBarrier(); return VolatileMappedRegister<UInt64>(unsafeBitPattern: UInt(a)).load() }
func zero(_ a: UInt64, _ bytes: UInt64) { var p = a; while p < a + bytes { UnsafeMutablePointer<UInt64>(bitPattern: UInt(p))!.pointee = 0; p += 8 }; dataBarrier() }

/// Where things are: the SMMU and the disk of sim's virt, and this program's tables (PAs).
enum Map {
    static let smmu: UInt64 = 0x0905_0000, disk: UInt64 = 0x0A00_3E00, sid: UInt32 = 0x801F
    static let linear: UInt64 = 0x4200_0000                     // 2^16 STEs, 4 MiB
    static let level1: UInt64 = 0x4140_0000, level2: UInt64 = 0x4141_0000
    static let cmdq: UInt64 = 0x4142_0000, eventq: UInt64 = 0x4143_0000
    static let s2L1: UInt64 = 0x4144_0000, s2L2: UInt64 = 0x4144_1000, s2L3: UInt64 = 0x4144_2000
    /// The IOVA window (IPA 0x8000_0000): page 0 the rings, 1 a buffer, 2 read-only, 3 unmapped,
    /// 4 remapped; and the PAs behind them.
    static let iova: UInt64 = 0x8000_0000
    static let ringPA: UInt64 = 0x4150_0000, bufferPA: UInt64 = 0x4151_0000, readOnlyPA: UInt64 = 0x4152_0000
    static let oldPA: UInt64 = 0x4153_0000, newPA: UInt64 = 0x4154_0000
}

/// The disk's first sector starts with this (scripts/el2-tests.sh writes it): "smmutest".
let sectorMagic: UInt64 = 0x7473_6574_756D_6D73

@_cdecl("smmutest_main")
public func smmutestMain() -> Never {
    var s = SMMU()
    expect("IDR0", UInt64(s.r(0x00)), 0x0D44_1019)
    expect("IDR1.SIDSIZE", UInt64(s.r(0x04) & 0x3F), 16)
    expect("CR0ACK", UInt64(s.r(0x24)), 0)
    report("smmu.identification")

    var disk = Disk()
    // Off, GBPA bypass: the device's addresses are physical.
    expectTrue("bypass read", disk.read(ring: Map.ringPA, ringCPU: Map.ringPA, into: Map.bufferPA) == 0, got: 0)
    expect("data", r64(Map.bufferPA), sectorMagic)
    report("smmu.off-bypass")
    s.w(0x44, 1 << 31 | 1 << 20)
    expect("GBPA", UInt64(s.r(0x44)), 1 << 20)
    expectTrue("abort", disk.read(ring: Map.ringPA, ringCPU: Map.ringPA, into: Map.bufferPA) == nil, got: 0)
    s.w(0x44, 1 << 31)
    report("smmu.off-gbpa-abort")

    // On, a linear stream table with nothing valid in it.
    zero(Map.linear, 4 << 20)
    s.setUp(strtab: Map.linear, cfg: 16)
    expect("CFGI_ALL and SYNC consumed", UInt64(s.r(0x9C)), UInt64(s.prod))
    s.w(0x20, 0xD)
    expect("CR0ACK", UInt64(s.r(0x24)), 0xD)
    expectTrue("invalid STE aborts", disk.read(ring: Map.ringPA, ringCPU: Map.ringPA, into: Map.bufferPA) == nil, got: 0)
    let e0 = s.nextEvent()
    expect("event", e0.d0, 0x04 | UInt64(Map.sid) << 32)
    report("smmu.invalid-ste")

    // Stage 2: IPA 0x8000_0000.. onto scattered PAs.
    buildStage2()
    writeStage2STE(Map.linear + UInt64(Map.sid) * 64)
    s.command(0x03 | UInt64(Map.sid) << 32, 1); s.sync()
    zero(Map.bufferPA, 0x1000)
    expectTrue("translated read", disk.read(ring: Map.iova, ringCPU: Map.ringPA, into: Map.iova + 0x1000) == 0, got: 0)
    expect("data at the PA", r64(Map.bufferPA), sectorMagic)
    report("smmu.stage2-translates")

    expectTrue("write to read-only", disk.read(ring: Map.iova, ringCPU: Map.ringPA, into: Map.iova + 0x2000) == nil, got: 0)
    let e1 = s.nextEvent()
    expect("type, StreamID", e1.d0, 0x13 | UInt64(Map.sid) << 32)
    expect("S2, a write", (e1.d1 >> 35) & 0x1F, 0x10)
    expect("input address", e1.d2, Map.iova + 0x2000)
    expect("IPA", e1.d3 & 0x000F_FFFF_FFFF_F000, Map.iova + 0x2000)
    expect("read-only page untouched", r64(Map.readOnlyPA), 0)
    report("smmu.permission-fault")

    expectTrue("unmapped", disk.read(ring: Map.iova, ringCPU: Map.ringPA, into: Map.iova + 0x3000) == nil, got: 0)
    let e2 = s.nextEvent()
    expect("type", e2.d0 & 0xFF, 0x10)
    expect("input address", e2.d2, Map.iova + 0x3000)
    report("smmu.translation-fault")

    // The translation cache: a remapped page keeps its old translation until TLBI_S2_IPA.
    _ = disk.read(ring: Map.iova, ringCPU: Map.ringPA, into: Map.iova + 0x4000)
    zero(Map.oldPA, 0x1000); zero(Map.newPA, 0x1000)
    w64(Map.s2L3 + 4 * 8, Map.newPA | 0x4C3)
    _ = disk.read(ring: Map.iova, ringCPU: Map.ringPA, into: Map.iova + 0x4000)
    expect("cached translation", r64(Map.oldPA), sectorMagic)
    s.command(0x2A | 1 << 32, Map.iova + 0x4000); s.sync()
    _ = disk.read(ring: Map.iova, ringCPU: Map.ringPA, into: Map.iova + 0x4000)
    expect("after TLBI_S2_IPA", r64(Map.newPA), sectorMagic)
    report("smmu.tlb-invalidation")

    // The STE cache: an abort STE takes effect at CMD_CFGI_STE.
    w64(Map.linear + UInt64(Map.sid) * 64, 1)
    expectTrue("cached STE", disk.read(ring: Map.iova, ringCPU: Map.ringPA, into: Map.iova + 0x1000) == 0, got: 0)
    s.command(0x03 | UInt64(Map.sid) << 32, 1); s.sync()
    expectTrue("abort STE", disk.read(ring: Map.iova, ringCPU: Map.ringPA, into: Map.iova + 0x1000) == nil, got: 0)
    expect("no event for Config abort", UInt64(s.pendingEvents), 0)
    report("smmu.ste-invalidation")

    // A 2-level table: level 1 for StreamIDs 0x8000-0x803F, 64 STEs; 0x7000 has none.
    s.w(0x20, 0x5)
    zero(Map.level1, 0x2000); zero(Map.level2, 0x1000)
    w64(Map.level1 + UInt64(Map.sid >> 6) * 8, Map.level2 | 7)
    writeStage2STE(Map.level2 + UInt64(Map.sid & 63) * 64)
    s.w64(0x80, Map.level1)
    s.w(0x88, 1 << 16 | 6 << 6 | 16)
    s.command(0x04, 31); s.sync()
    s.w(0x20, 0xD)
    zero(Map.bufferPA, 0x1000)
    expectTrue("2-level read", disk.read(ring: Map.iova, ringCPU: Map.ringPA, into: Map.iova + 0x1000) == 0, got: 0)
    expect("data", r64(Map.bufferPA), sectorMagic)
    report("smmu.two-level-stream-table")

    // StreamIDs whose level-1 descriptor has no table (Span 0) are unknown: C_BAD_STREAMID.
    w64(Map.level1 + UInt64(Map.sid >> 6) * 8, 0)
    s.command(0x03 | UInt64(Map.sid) << 32, 1); s.sync()
    expectTrue("unknown StreamID", disk.read(ring: Map.iova, ringCPU: Map.ringPA, into: Map.iova + 0x1000) == nil, got: 0)
    expect("event", s.nextEvent().d0, 0x02 | UInt64(Map.sid) << 32)
    report("smmu.unknown-streamid")

    // An illegal command stops the queue at it until GERRORN acknowledges.
    s.command(0xFF, 0)
    expect("CMDQ_CONS.ERR", UInt64(s.r(0x9C) >> 24 & 0x7F), 1)
    expect("GERROR.CMDQ_ERR", UInt64((s.r(0x60) ^ s.r(0x64)) & 1), 1)
    let stuck = s.r(0x9C) & 0xFFFFF
    w64(Map.cmdq + UInt64(stuck & 0xFF) * 16, 0x46)       // CMD_SYNC in its place
    s.w(0x64, s.r(0x60))
    expect("CONS after GERRORN", UInt64(s.r(0x9C) & 0xFFFFF), UInt64(s.prod))
    report("smmu.command-error")

    writeSummary("smmutest")
    powerOff(enteredAt: 2)
}

/// Stage-2 tables (4 KiB granule, T0SZ 32, start level 1): IPA page n of the window.
func buildStage2() {
    zero(Map.s2L1, 0x3000)
    w64(Map.s2L1 + 2 * 8, Map.s2L2 | 3)                    // IPA 0x8000_0000: level-1 index 2
    w64(Map.s2L2, Map.s2L3 | 3)
    let rw: UInt64 = 0x4C3                                  // page, S2AP RW, AF (Normal attributes 0)
    w64(Map.s2L3 + 0 * 8, Map.ringPA | rw)
    w64(Map.s2L3 + 1 * 8, Map.bufferPA | rw)
    w64(Map.s2L3 + 2 * 8, Map.readOnlyPA | 0x443)          // S2AP read only
    w64(Map.s2L3 + 4 * 8, Map.oldPA | rw)
}

/// A stage-2 STE for VMID 1 (T0SZ 32, SL0 1, 4 KiB, PS 40 bits, AArch64, S2R), dword 0 last.
func writeStage2STE(_ at: UInt64) {
    let vtcr: UInt64 = 32 | 1 << 6 | 2 << 16
    w64(at + 24, Map.s2L1)
    w64(at + 16, 1 | vtcr << 32 | 1 << 51 | 1 << 58)
    w64(at + 8, 0)
    w64(at, 1 | 0b110 << 1)
}

/// An event record's four doublewords.
struct Event { var d0: UInt64 = 0, d1: UInt64 = 0, d2: UInt64 = 0, d3: UInt64 = 0 }

/// The SMMU's registers and queues.
struct SMMU {
    var prod: UInt32 = 0
    var eventCons: UInt32 = 0
    func r(_ off: UInt64) -> UInt32 { r32(Map.smmu + off) }
    func w(_ off: UInt64, _ v: UInt32) { w32(Map.smmu + off, v) }
    func w64(_ off: UInt64, _ v: UInt64) { smmutest.w64(Map.smmu + off, v) }

    mutating func setUp(strtab: UInt64, cfg: UInt32) {
        zero(Map.cmdq, 0x1000); zero(Map.eventq, 0x1000)
        w64(0x80, strtab); w(0x88, cfg)
        w64(0x90, Map.cmdq | 8); w(0x98, 0); w(0x9C, 0)
        w64(0xA0, Map.eventq | 7); w(0x1_00A8, 0); w(0x1_00AC, 0)
        w(0x2C, 2)                                          // CR2.RECINVSID
        w(0x20, 0xC)                                        // CMDQEN, EVENTQEN
        command(0x04, 31); sync()
    }

    mutating func command(_ d0: UInt64, _ d1: UInt64) {
        let slot = Map.cmdq + UInt64(prod & 0xFF) * 16
        smmutest.w64(slot, d0); smmutest.w64(slot + 8, d1)
        prod = (prod + 1) & 0x1FF
        w(0x98, prod)
    }

    mutating func sync() {
        command(0x46, 0)
        let end = readCNTPCT() + readCNTFRQ()
        while r(0x9C) & 0x1FF != prod && readCNTPCT() < end {}
    }

    var pendingEvents: UInt32 { (r(0x1_00A8) &- eventCons) & 0xFF }

    /// The next event record (all zero when there is none).
    mutating func nextEvent() -> Event {
        guard r(0x1_00A8) & 0xFF != eventCons & 0xFF else { return Event() }
        let e = Map.eventq + UInt64(eventCons & 0x7F) * 32
        eventCons = (eventCons + 1) & 0xFF
        w(0x1_00AC, eventCons)
        return Event(d0: r64(e), d1: r64(e + 8), d2: r64(e + 16), d3: r64(e + 24))
    }
}

/// virtio-blk in slot 31 (virtio-mmio version 2), one queue of 3 descriptors, polled: reads
/// sector 0. `ring` is what the device is told (an IOVA), `ringCPU` where the CPU writes it.
struct Disk {
    /// The status byte of a completed request, or nil when the device gave up (DEVICE_NEEDS_RESET).
    mutating func read(ring: UInt64, ringCPU: UInt64, into buffer: UInt64) -> UInt8? {
        let b = Map.disk
        w32(b + 0x70, 0)
        w32(b + 0x70, 3)
        w32(b + 0x14, 1); let high = r32(b + 0x10)
        w32(b + 0x24, 0); w32(b + 0x20, 0); w32(b + 0x24, 1); w32(b + 0x20, high & 3)
        w32(b + 0x70, 11)
        guard r32(b + 0x70) & 8 != 0 else { return nil }
        zero(ringCPU, 0x400)
        w32(b + 0x30, 0); w32(b + 0x38, 4)
        w32(b + 0x80, UInt32(truncatingIfNeeded: ring)); w32(b + 0x84, UInt32(truncatingIfNeeded: ring >> 32))
        w32(b + 0x90, UInt32(truncatingIfNeeded: ring + 0x100)); w32(b + 0x94, 0)
        w32(b + 0xA0, UInt32(truncatingIfNeeded: ring + 0x200)); w32(b + 0xA4, 0)
        w32(b + 0x44, 1)
        w32(b + 0x70, 15)
        // Descriptors: header (ring + 0x300), data, status (ring + 0x380).
        w64(ringCPU + 0x300, 0); w64(ringCPU + 0x308, 0)
        UnsafeMutablePointer<UInt8>(bitPattern: UInt(ringCPU + 0x380))!.pointee = 0xFF
        func descriptor(_ i: UInt64, _ addr: UInt64, _ len: UInt32, _ flags: UInt32, _ next: UInt32) {
            w64(ringCPU + i * 16, addr); w32(ringCPU + i * 16 + 8, len); w32(ringCPU + i * 16 + 12, flags | next << 16)
        }
        descriptor(0, ring + 0x300, 16, 1, 1)
        descriptor(1, buffer, 512, 3, 2)
        descriptor(2, ring + 0x380, 1, 2, 0)
        w32(ringCPU + 0x104, 0)                             // avail ring[0] = descriptor 0
        w32(ringCPU + 0x100, 1 << 16)                       // avail idx 1
        w32(b + 0x50, 0)
        let end = readCNTPCT() + readCNTFRQ()
        while readCNTPCT() < end {
            if r32(b + 0x70) & 0x40 != 0 { return nil }
            if r32(ringCPU + 0x200) >> 16 == 1 { return UInt8(truncatingIfNeeded: r32(ringCPU + 0x380)) }
        }
        return nil
    }
}
