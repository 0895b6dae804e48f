/// Host SMMUv3 driver (Arm IHI 0070): a 2-level stream table whose level-2 tables (64 STEs,
/// one page) exist only for the StreamIDs given to VMs, so every other stream, and every
/// StreamID nobody was given, is terminated (C_BAD_STREAMID); a command queue the hypervisor
/// polls to completion (CMD_SYNC, no interrupt); and an event queue whose interrupt reports
/// faults. With stage 2 a VM's devices translate with its own stage-2 tables; an SMMU with
/// stage 1 only gets per-VM DMA tables behind a context descriptor (`Hypervisor.confineDMA`).
struct SMMUv3 {
    let base: UInt64
    /// The wired interrupts (INTIDs) the hypervisor takes: new events, global errors.
    let eventqIntid: UInt32
    let gerrorIntid: UInt32

    enum Reg {
        static let idr0: UInt64 = 0x00, idr1: UInt64 = 0x04, idr5: UInt64 = 0x14
        static let cr0: UInt64 = 0x20, cr0ack: UInt64 = 0x24, cr1: UInt64 = 0x28, cr2: UInt64 = 0x2C
        static let gbpa: UInt64 = 0x44, irqCtrl: UInt64 = 0x50, irqCtrlAck: UInt64 = 0x54
        static let gerror: UInt64 = 0x60, gerrorn: UInt64 = 0x64
        static let strtabBase: UInt64 = 0x80, strtabBaseCfg: UInt64 = 0x88
        static let cmdqBase: UInt64 = 0x90, cmdqProd: UInt64 = 0x98, cmdqCons: UInt64 = 0x9C
        static let eventqBase: UInt64 = 0xA0, eventqProd: UInt64 = 0x1_00A8, eventqCons: UInt64 = 0x1_00AC
    }
    /// CR0: SMMUEN 0, EVENTQEN 2, CMDQEN 3.
    static let smmuen: UInt32 = 1, eventqen: UInt32 = 4, cmdqen: UInt32 = 8

    /// Level-2 tables of 2^split STEs: one 4 KiB page each.
    static let split: UInt32 = 6
    /// Queues: 256 commands (one page), 512 events (four pages: a burst of faults, e.g. a
    /// refused buffer written 4 bytes at a time, should not overflow it before the interrupt).
    static let cmdqLog2: UInt32 = 8, eventqLog2: UInt32 = 9

    let sidBits: UInt32
    /// IDR0.S2P: stage-2 STEs; otherwise stage 1 (IDR0.S1P) is what confines DMA.
    let stage2: Bool
    /// IDR5.OAS, in the PS encoding STEs use.
    let oas: UInt64
    var level1: UInt64 = 0
    var cmdq: UInt64 = 0, cmdqProd: UInt32 = 0
    var eventq: UInt64 = 0, eventqCons: UInt32 = 0
    /// Level-2 tables by level-1 index (few: one per group of 64 StreamIDs given to VMs; no
    /// Dictionary, whose growth policy needs floating point the hypervisor does not link).
    var level2: [(index: UInt32, table: UInt64)] = []

    /// The SMMU at `base`, when it can do what the hypervisor needs: stage-2 or stage-1
    /// translation (16-bit ASIDs for the latter) with AArch64 tables, 4 KiB granules and 2-level
    /// stream tables.
    init?(base: UInt64, eventqIntid: UInt32, gerrorIntid: UInt32) {
        let idr0 = Arch.read32(base + Reg.idr0), idr1 = Arch.read32(base + Reg.idr1), idr5 = Arch.read32(base + Reg.idr5)
        stage2 = idr0 & 1 != 0
        guard stage2 || (idr0 & 2 != 0 && idr0 & (1 << 12) != 0), (idr0 >> 2) & 2 != 0, (idr0 >> 27) & 3 == 1, idr5 & (1 << 4) != 0,
              idr1 & (7 << 28) == 0 else { return nil }
        self.base = base
        self.eventqIntid = eventqIntid
        self.gerrorIntid = gerrorIntid
        sidBits = min(idr1 & 0x3F, 16)
        oas = UInt64(min(idr5 & 7, 5))
    }

    /// Tables and queues from `pages`, then on: commands, invalidation, events, translation.
    mutating func enable(pages: inout PageAllocator) -> Bool {
        let l1Entries = 1 << Int(max(sidBits, Self.split) - Self.split)
        guard let l1 = pages.allocate(count: max(1, l1Entries * 8 / Int(Granule.page))),
              let cq = pages.allocate(), let eq = pages.allocate(count: 4) else { return false }
        level1 = l1; cmdq = cq; eventq = eq
        write32(Reg.cr0, 0)
        waitAck(0)
        write32(Reg.cr1, 0xD75)                                 // tables and queues: inner shareable, write-back
        write32(Reg.cr2, 2)                                     // RECINVSID: report unknown StreamIDs
        Arch.write64(base + Reg.strtabBase, l1)
        write32(Reg.strtabBaseCfg, 1 << 16 | Self.split << 6 | max(sidBits, Self.split))
        Arch.write64(base + Reg.cmdqBase, cq | UInt64(Self.cmdqLog2))
        write32(Reg.cmdqProd, 0); write32(Reg.cmdqCons, 0)
        Arch.write64(base + Reg.eventqBase, eq | UInt64(Self.eventqLog2))
        write32(Reg.eventqProd, 0); write32(Reg.eventqCons, 0)
        Arch.barrier()
        write32(Reg.cr0, Self.cmdqen)
        waitAck(Self.cmdqen)
        submit(StreamTableEntryBuilder.cfgiAll)
        submit(StreamTableEntryBuilder.tlbiNSNHAll)
        guard sync() else { return false }
        write32(Reg.irqCtrl, 1 << 2 | 1 << 0)                   // EVENTQ_IRQEN, GERROR_IRQEN
        write32(Reg.cr0, Self.cmdqen | Self.eventqen | Self.smmuen)
        waitAck(Self.cmdqen | Self.eventqen | Self.smmuen)
        return true
    }

    /// Writes `words` as StreamID `sid`'s STE (dword 0, which holds V, last) and invalidates it.
    mutating func setEntry(_ sid: UInt32, _ words: [UInt64], pages: inout PageAllocator) -> Bool {
        guard sid >> sidBits == 0 else { return false }
        let index = sid >> Self.split
        let table: UInt64
        if let t = level2.first(where: { $0.index == index }) { table = t.table } else {
            guard let t = pages.allocate() else { return false }
            level2.append((index, t))
            table = t
            Arch.memoryWrite64(level1 + UInt64(index) * 8, StreamTableEntryBuilder.level1(table: t, span: UInt64(Self.split) + 1))
            Arch.barrier()
        }
        let ste = table + UInt64(sid & ((1 << Self.split) - 1)) * 64
        for i in (0..<4).reversed() { Arch.memoryWrite64(ste + UInt64(i) * 8, words[i]); if i == 1 { Arch.barrier() } }
        Arch.barrier()
        submit(StreamTableEntryBuilder.cfgiSTE(sid))
        return sync()
    }

    /// Forgets what the SMMU cached of a VMID's stage 2 (its tables changed).
    mutating func invalidate(vmid: UInt16) -> Bool {
        submit(StreamTableEntryBuilder.tlbiVMAll(vmid))
        return sync()
    }

    /// Forgets the context descriptors of `sids` and the stage-1 translations of `asid`.
    mutating func invalidate(asid: UInt16, sids: [UInt32]) -> Bool {
        for sid in sids { submit(StreamTableEntryBuilder.cfgiCDAll(sid)) }
        submit(StreamTableEntryBuilder.tlbiASID(asid))
        return sync()
    }

    // MARK: Command queue

    private mutating func submit(_ c: (UInt64, UInt64)) {
        let mask: UInt32 = (1 << (Self.cmdqLog2 + 1)) - 1
        // Full (same index, other wrap): wait for the SMMU to consume.
        var spins = 0
        while (cmdqProd ^ read32(Reg.cmdqCons)) & mask == 1 << Self.cmdqLog2, spins < 10_000_000 { spins += 1 }
        let slot = cmdq + UInt64(cmdqProd & ((1 << Self.cmdqLog2) - 1)) * 16
        Arch.memoryWrite64(slot, c.0)
        Arch.memoryWrite64(slot + 8, c.1)
        Arch.barrier()
        cmdqProd = (cmdqProd + 1) & mask
        write32(Reg.cmdqProd, cmdqProd)
    }

    /// CMD_SYNC, polled: true once the SMMU has consumed it; false on a command error or when it
    /// never does (the SMMU is then treated as unusable by the caller).
    private mutating func sync() -> Bool {
        submit(StreamTableEntryBuilder.sync)
        let mask: UInt32 = (1 << (Self.cmdqLog2 + 1)) - 1
        for _ in 0..<10_000_000 {
            if (read32(Reg.gerror) ^ read32(Reg.gerrorn)) & 1 != 0 { return false }
            if read32(Reg.cmdqCons) & mask == cmdqProd { return true }
        }
        return false
    }

    // MARK: Events

    /// An event record: its type, StreamID, the device's address and (stage-2 faults) the IPA.
    struct Event { let type: UInt8; let sid: UInt32; let address: UInt64; let ipa: UInt64 }

    /// The event records written since the last call.
    mutating func takeEvents() -> [Event] {
        var out: [Event] = []
        let mask: UInt32 = (1 << (Self.eventqLog2 + 1)) - 1
        let prod = read32(Reg.eventqProd)
        while eventqCons & mask != prod & mask {
            let e = eventq + UInt64(eventqCons & ((1 << Self.eventqLog2) - 1)) * 32
            let d0 = Arch.memoryRead64(e)
            out.append(Event(type: UInt8(truncatingIfNeeded: d0), sid: UInt32(truncatingIfNeeded: d0 >> 32),
                             address: Arch.memoryRead64(e + 16), ipa: Arch.memoryRead64(e + 24) & 0x000F_FFFF_FFFF_F000))
            eventqCons = (eventqCons + 1) & mask
        }
        // Acknowledge an overflow by copying OVFLG into OVACKFLG.
        write32(Reg.eventqCons, eventqCons | (prod & 1 << 31))
        return out
    }

    /// Acknowledges global errors; returns the ones that were active.
    func takeGlobalErrors() -> UInt32 {
        let active = read32(Reg.gerror) ^ read32(Reg.gerrorn)
        write32(Reg.gerrorn, read32(Reg.gerror))
        return active
    }

    private func read32(_ off: UInt64) -> UInt32 { Arch.read32(base + off) }
    private func write32(_ off: UInt64, _ v: UInt32) { Arch.write32(base + off, v) }
    private func waitAck(_ v: UInt32) {
        var spins = 0
        while read32(Reg.cr0ack) != v, spins < 10_000_000 { spins += 1 }
    }
}
