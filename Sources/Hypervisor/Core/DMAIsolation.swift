/// Isolation against DMA: the host tree's SMMUv3, when there is one the hypervisor can use,
/// translates each passed-through DMA master with its VM's own stage-2 tables and VMID (or, on an
/// SMMU with stage 1 only, with DMA tables mapping the VM's memory at IOVA = IPA), so a
/// device reaches exactly its VM's memory; every other StreamID is terminated. Faults are
/// reported per VM and block only the access. Boards without an SMMU (the Pi 3, the
/// ESPRESSObin) cannot confine DMA: VMConfigParser refuses a DMA master to a VM unless the
/// configuration marks it `dma-trusted`.
extension Hypervisor {
    /// Finds and enables the SMMU (compatible "arm,smmu-v3", status okay); its phandle and frame
    /// for the configuration parser, or nil (with a line when one exists but cannot be used).
    func setUpSMMU() -> (phandle: UInt32?, frame: Range<UInt64>)? {
        guard let node = tree.nodes(compatible: "arm,smmu-v3").first(where: { tree.string($0, "status").map { $0 == "okay" || $0 == "ok" } ?? true }),
              let reg = tree.cpuRegions(node), let first = reg.first else { return nil }
        let frame = first.base..<(first.base + max(first.size, 0x2_0000))
        guard let events = smmuInterrupt(node, "eventq") ?? smmuInterrupt(node, "combined"),
              var s = SMMUv3(base: first.base, eventqIntid: events, gerrorIntid: smmuInterrupt(node, "gerror") ?? events) else {
            log("SMMUv3 at \(hex(first.base)): no stage-1 or stage-2 translation with 2-level stream tables, or no wired event interrupt; not used, device DMA is not confined")
            return (nil, frame)
        }
        guard s.enable(pages: &pages) else {
            log("SMMUv3 at \(hex(first.base)): did not complete its commands; not used, device DMA is not confined")
            return (nil, frame)
        }
        smmu = s
        return (tree.cells(node, "phandle")?.first, frame)
    }

    /// The INTID of the SMMU's interrupt `name` (interrupt-names), when it is a GIC SPI.
    private func smmuInterrupt(_ node: Int32, _ name: String) -> UInt32? {
        guard let raw = tree.property(node, "interrupt-names"), let cells = tree.cells(node, "interrupts") else { return nil }
        let names = String(decoding: raw, as: UTF8.self).split(separator: "\0", omittingEmptySubsequences: false)
        guard let i = names.firstIndex(where: { $0 == name }), 3 * i + 2 < cells.count, cells[3 * i] == 0 else { return nil }
        return 32 + cells[3 * i + 1]
    }

    /// The SMMU's interrupts, taken on the boot CPU.
    func enableSMMUInterrupts() {
        guard let s = smmu else { return }
        gic.enableSPI(s.eventqIntid, on: cpus[0], edge: true)
        if s.gerrorIntid != s.eventqIntid { gic.enableSPI(s.gerrorIntid, on: cpus[0], edge: true) }
    }

    /// Points each StreamID of the VM's DMA masters at its stage 2, or at a context descriptor
    /// whose stage-1 tables map the VM's memory (ASID = VMID) when the SMMU has no stage 2.
    func confineDMA(_ config: VMConfig, stage2 s2: Stage2Table) -> Bool {
        let sids = config.passthrough.flatMap { $0.streamIDs }
        guard !sids.isEmpty else { return true }
        guard var s = smmu else { return false }
        defer { smmu = s }
        let ste: [UInt64]
        if s.stage2 {
            ste = StreamTableEntryBuilder.stage2(vmid: s2.vmid, vtcr: TranslationControl.vtcr(mmfr0: Arch.idAA64MMFR0),
                                                 tableRoot: s2.root, smmuOAS: s.oas)
        } else {
            guard let dma = Stage2Table(vmid: s2.vmid, pages: &pages, format: .dmaStage1), let cd = pages.allocate() else { return false }
            for r in config.memory where !dma.map(ipa: r.lowerBound, pa: r.lowerBound, size: UInt64(r.count), attributes: .normal, pages: &pages) {
                return false
            }
            let ips = min(TranslationControl.physicalSize(Arch.idAA64MMFR0), s.oas)
            for (i, d) in StreamTableEntryBuilder.contextDescriptor(asid: s2.vmid, tableRoot: dma.root, ips: ips).enumerated() {
                Arch.memoryWrite64(cd + UInt64(i) * 8, d)
            }
            Arch.barrier()
            ste = StreamTableEntryBuilder.stage1(contextDescriptor: cd)
        }
        for sid in sids where !s.setEntry(sid, ste, pages: &pages) { return false }
        return s.stage2 ? s.invalidate(vmid: s2.vmid) : s.invalidate(asid: s2.vmid, sids: sids)
    }

    /// The SMMU's event or global-error interrupt: each fault names its VM and device (repeats
    /// on the page just shown are not); the access was already blocked, nothing else stops.
    func smmuInterrupt() {
        guard var s = smmu else { return }
        let events = s.takeEvents()
        let errors = s.takeGlobalErrors()
        smmu = s
        if errors != 0 { log("SMMUv3: global error \(hex(UInt64(errors)))") }
        for e in events {
            let owner = vms.lazy.compactMap { vm in vm.config.passthrough.first { $0.streamIDs.contains(e.sid) }.map { (vm, $0.path) } }.first
            guard let (vm, path) = owner else {
                log("SMMUv3: event \(hex(UInt64(e.type))) from StreamID \(hex(UInt64(e.sid))), which no VM owns")
                continue
            }
            // A device retrying, or writing a refused buffer piece by piece (QEMU's bounce buffer
            // does, 4 bytes at a time), faults many times on one page: shown once.
            if let last = vm.lastSMMUFault, last.sid == e.sid, last.page == e.address >> 12 { continue }
            vm.lastSMMUFault = (e.sid, e.address >> 12)
            vm.smmuFaults += 1
            if vm.smmuFaults <= 8 {
                log("\(vm.label): device \(path) faulted at IPA \(hex(e.address)) (SMMU event \(Self.smmuEventName(e.type))); blocked")
            } else if vm.smmuFaults == 9 {
                log("\(vm.label): further SMMU faults not shown")
            }
        }
    }

    static func smmuEventName(_ type: UInt8) -> String {
        switch type {
        case 0x02: return "C_BAD_STREAMID"
        case 0x04: return "C_BAD_STE"
        case 0x0B: return "F_WALK_EABT"
        case 0x10: return "F_TRANSLATION"
        case 0x11: return "F_ADDR_SIZE"
        case 0x12: return "F_ACCESS"
        case 0x13: return "F_PERMISSION"
        default: return hex(UInt64(type))
        }
    }
}
