/// Everything the hypervisor knows: physical CPUs, VMs, the host GIC. One
/// instance, created by the boot CPU; mutated only under `bigLock`.
final class Hypervisor {
    let tree: DeviceTree
    var pages = PageAllocator()
    let gic = HostGIC()
    var cpus: [PhysicalCPU] = []
    var vms: [VM] = []
    var ram: [Range<UInt64>] = []
    let counterHz: UInt64
    let sliceTicks: UInt64
    var listRegisterCount = 4
    /// The SMMU confining passed-through DMA masters (Core/DMAIsolation.swift), if any.
    var smmu: SMMUv3? = nil
    /// Event counters of the PMU (PMCR_EL0.N), all of them every vCPU's.
    let pmuCounters: Int
    var shell = Shell()

    init(tree: DeviceTree, pages region: Range<UInt64>) {
        self.tree = tree
        pages.setUp(region)
        counterHz = Arch.counterFrequency
        sliceTicks = max(counterHz / 100, 1000)         // 10 ms round-robin slices
        pmuCounters = min(PMCR.n(Arch.pmcr), 31)
    }

    func bootPrimary() -> Never {
        discoverCPUs()
        discoverRAM()
        log("\(cpus.count) CPUs, counter \(counterHz / 1000) kHz, RAM \(ram.map { hex($0.lowerBound) + "-" + hex($0.upperBound) }.joined(separator: ","))")
        PSCI.firmwareHasPSCI = tree.node("/psci") != nil
        if let bcm { bcm.initController() } else { gic.initDistributor() }
        setUpThisCPU(0)

        let image = Arch.imageRegion
        let hostDTB = UInt64(UInt(bitPattern: tree.blob))
        let ramdisk = bootRamdisk()
        let iommu = setUpSMMU()
        var parser = VMConfigParser(
            tree: tree, physicalCPUs: cpus.count, ram: ram,
            reserved: [("the hypervisor image", image),
                       ("the host device tree", hostDTB..<(hostDTB + UInt64(tree.totalSize))),
                       ("the hypervisor console UART", board.uartBase..<(board.uartBase + 0x1000))]
                + interruptControllerRegions + (ramdisk.map { [("the boot ramdisk", $0.range)] } ?? [])
                + (iommu.map { [("the SMMU", $0.frame)] } ?? []))
        parser.iommuPhandle = iommu?.phandle
        if let r = ramdisk { parser.ramdisk = (r.range.lowerBound, r.archive) }
        for config in parser.parseAll(log: { log($0) }) {
            if let vm = createVM(config) { vms.append(vm) }
        }
        // The hypervisor console's receive interrupt feeds the shell and the focused VM.
        Console.uart.enableReceiveInterrupt()
        if let bcm { bcm.enableGPU(Int(board.uartSPI)) } else { gic.enableSPI(32 + board.uartSPI, on: cpus[0], edge: false) }
        enableSMMUInterrupts()

        if vms.isEmpty {
            log("no VM could be started; powering off")
            PSCI.powerOffMachine()
        }
        log("\(vms.count) VM(s) started; escape key for the shell is Ctrl-]")
        for cpu in cpus.dropFirst() {
            if let release = cpu.releaseAddress {
                Arch.releaseFromSpinTable(releaseAddress: release, mpidr: cpu.mpidr, index: cpu.index)
                continue
            }
            let r = PSCI.startCPU(mpidr: cpu.mpidr, entry: Arch.secondaryEntry, context: UInt64(cpu.index))
            if r != PSCI.success { log("CPU \(cpu.index) (MPIDR \(hex(cpu.mpidr))) did not start: PSCI error \(r)") }
        }
        bigLock.lock()
        runLoop(cpus[0])
    }

    func bootSecondary(index: Int) -> Never {
        bigLock.lock()
        setUpThisCPU(index)
        runLoop(cpus[index])
    }

    /// The boot loader's ramdisk (/chosen linux,initrd-start/end), when it is a newc archive.
    private func bootRamdisk() -> (range: Range<UInt64>, archive: Ramdisk)? {
        guard let chosen = tree.node("/chosen"),
              let s = tree.cells(chosen, "linux,initrd-start"), let e = tree.cells(chosen, "linux,initrd-end"),
              (1...2).contains(s.count), (1...2).contains(e.count) else { return nil }
        let start = combineCells(s[...], width: s.count), end = combineCells(e[...], width: e.count)
        guard end > start, ram.contains(where: { $0.lowerBound <= start && end <= $0.upperBound }),
              let p = UnsafeRawPointer(bitPattern: UInt(start)),
              let archive = Ramdisk(UnsafeRawBufferPointer(start: p, count: Int(end - start))) else {
            log("the boot ramdisk in /chosen is not a newc cpio archive inside RAM; ignored")
            return nil
        }
        log("boot ramdisk \(hex(start))-\(hex(end)): \(archive.files.count) file(s)")
        return (start..<end, archive)
    }

    /// What no VM may be given: the host interrupt controller.
    private var interruptControllerRegions: [(String, Range<UInt64>)] {
        switch board.chip {
        case .gicv3:
            return [("the GIC distributor", board.gicdBase..<(board.gicdBase + 0x1_0000)),
                    ("the GIC redistributors", board.gicrBase..<(board.gicrBase + board.gicrStride * UInt64(maxPhysicalCPUs)))]
        case .gicv2(let f):
            return [("the GIC distributor", board.gicdBase..<(board.gicdBase + 0x1_0000)),
                    ("the GIC CPU interface", f.cpu..<(f.cpu + 0x1_0000)),
                    ("the GIC virtual interface control", f.hyp..<(f.hyp + 0x1_0000)),
                    ("the GIC virtual CPU interface", f.vcpu..<(f.vcpu + 0x1_0000))]
        case .bcm2836(let local, let armctrl):
            let page = armctrl & ~(Granule.page - 1)
            return [("the BCM2836 local interrupt controller", local..<(local + Granule.page)),
                    ("the armctrl interrupt controller", page..<(page + Granule.page))]
        }
    }

    private func setUpThisCPU(_ index: Int) {
        Arch.perCPU = UInt64(index)
        let cpu = cpus[index]
        Arch.cnthctl = CNTHCTL.el1pcten                 // CNTPCT readable; CNTP_* trapped and emulated
        // The PMU and the self-hosted debug registers are the pCPU's, not a VM's. Every PMU access
        // traps (TPM, TPMCR) to the loaded vCPU's virtual PMU (Core/VirtualPMU.swift), which lends it
        // the hardware counters with EL2 filtered out; HPMN stays at PMCR_EL0.N, so a VM gets every
        // counter and the hypervisor keeps none (it counts nothing of its own). Debug registers
        // trap (TDA, TDOSA, TDRA) and read as zero: guests get no breakpoints.
        Arch.mdcr = UInt64(pmuCounters) & MDCR.hpmnMask | MDCR.tpm | MDCR.tpmcr | MDCR.tda | MDCR.tdosa | MDCR.tdra
        Arch.pmuStop(counterBits: pmuCycleBit | 0x7FFF_FFFF)
        Arch.vpidr = Arch.midr
        if let bcm {
            bcm.initCPU(index)
            cpu.online = true
            return
        }
        guard gic.initCPU(cpu) else {
            log("CPU \(index): no GIC redistributor for MPIDR \(hex(Arch.mpidr)); CPU parked")
            bigLock.unlock()
            haltCPU()
        }
        for ppi in [0, board.hypTimerPPI, board.virtTimerPPI, board.maintenancePPI, board.pmuInterrupt] {
            gic.enablePrivate(ppi, on: cpu)
        }
        listRegisterCount = min(Int(Arch.ichVTR & 0x3F) + 1, 16)
        Arch.ichHCR = 0
        cpu.online = true
    }

    /// CPUs from /cpus: MPIDR, and for `enable-method = "spin-table"` the release word
    /// (`cpu-release-addr`); the others are started with PSCI CPU_ON.
    private func discoverCPUs() {
        var found: [(mpidr: UInt64, release: UInt64?)] = []
        if let node = tree.node("/cpus") {
            let ac = tree.addressCells(node)
            for sub in tree.subnodes(of: node) where tree.string(sub, "device_type") == "cpu" {
                guard let reg = tree.cells(sub, "reg"), reg.count >= ac else { continue }
                var release: UInt64? = nil
                if tree.string(sub, "enable-method") == "spin-table", let r = tree.cells(sub, "cpu-release-addr"), r.count == 2 {
                    release = combineCells(r[...], width: 2)
                }
                found.append((combineCells(reg[...], width: ac), release))
            }
        }
        // The boot CPU is index 0 whatever its position in /cpus.
        let me = Arch.mpidr & 0xFF_00FF_FFFF
        found.removeAll { $0.mpidr == me }
        found.insert((me, nil), at: 0)
        for (i, c) in found.prefix(maxPhysicalCPUs).enumerated() {
            let cpu = PhysicalCPU(index: i, mpidr: c.mpidr)
            cpu.releaseAddress = c.release
            cpus.append(cpu)
        }
    }

    private func discoverRAM() {
        let root = tree.node("/")!
        let ac = tree.addressCells(root), sc = tree.sizeCells(root)
        for sub in tree.subnodes(of: root) where tree.string(sub, "device_type") == "memory" {
            guard let reg = tree.cells(sub, "reg") else { continue }
            var i = 0
            while i + ac + sc <= reg.count {
                let base = combineCells(reg[i...], width: ac)
                let size = combineCells(reg[(i + ac)...], width: sc)
                ram.append(base..<(base + size))
                i += ac + sc
            }
        }
    }

    /// Stage-2 tables, guest device tree, vCPUs; nil (with a log line) if resources ran out.
    private func createVM(_ config: VMConfig) -> VM? {
        guard let s2 = Stage2Table(vmid: UInt16(config.vmid + 1), pages: &pages) else {
            log("vm \(config.name): out of page-table memory; VM not started")
            return nil
        }
        for r in config.memory {
            guard s2.map(ipa: r.lowerBound, pa: r.lowerBound, size: UInt64(r.count), attributes: .normal, pages: &pages) else {
                log("vm \(config.name): property 'memory': cannot map \(hex(r.lowerBound)); VM not started")
                return nil
            }
        }
        for d in config.passthrough {
            for r in d.regions where !s2.map(ipa: r.lowerBound, pa: r.lowerBound, size: UInt64(r.count), attributes: .device, pages: &pages) {
                log("vm \(config.name): property 'passthrough': cannot map \(d.path); VM not started")
                return nil
            }
        }
        guard confineDMA(config, stage2: s2) else {
            log("vm \(config.name): property 'passthrough': the SMMU could not take its devices; VM not started")
            return nil
        }
        // GICv2: the guest's GICC is the hardware's virtual CPU interface (GICV).
        if let f = board.gicv2, !s2.map(ipa: f.cpu, pa: f.vcpu, size: GICv2Frames.cpuInterfaceSize, attributes: .device, pages: &pages) {
            log("vm \(config.name): cannot map the GIC virtual CPU interface; VM not started")
            return nil
        }
        let vm = VM(config: config, stage2: s2)
        let built = config.hostVM
            ? HostVMDeviceTree.build(config, host: tree, emulated: vm.mmio.entries.map { $0.range }, at: config.dtbAddress)
            : GuestDeviceTree.build(config, at: config.dtbAddress)
        guard let dtbSize = built else {
            log("vm \(config.name): guest device tree does not fit at \(hex(config.dtbAddress)); VM not started")
            return nil
        }
        vm.pristineDTB = Array(UnsafeRawBufferPointer(start: UnsafeRawPointer(bitPattern: UInt(config.dtbAddress)), count: dtbSize))
        Arch.cleanToPoC(config.dtbAddress..<(config.dtbAddress + UInt64(dtbSize)))
        // Ramdisk files into the VM (it starts with its MMU and caches off: clean them to memory).
        for c in config.copies {
            UnsafeMutableRawPointer(bitPattern: UInt(c.to))!.copyMemory(from: UnsafeRawPointer(bitPattern: UInt(c.from))!, byteCount: Int(c.size))
            Arch.cleanToPoC(c.to..<(c.to + c.size))
        }
        for i in 0..<config.vcpus {
            let v = VCPU(vm: vm, index: i, pcpu: config.affinity[i], pmuCounters: pmuCounters)
            vm.vcpus.append(v)
            cpus[v.pcpu].vcpus.append(v)
        }
        vm.vcpus[0].reset(entry: config.entry, x0: config.dtbAddress)
        vm.vcpus[0].power = .on
        vm.vuart.interruptLine = board.hasGIC ? { vm.raiseShared(32 + board.vuartIRQ) } : { hypervisor?.softwareInterruptsChanged(vm) }
        linkPassthrough(vm)
        let mem = config.memory.map { hex($0.lowerBound) + "-" + hex($0.upperBound) }.joined(separator: ",")
        log("vm\(config.vmid) '\(config.name)': \(config.vcpus) vCPU(s) on pCPU \(config.affinity.map { String($0) }.joined(separator: ",")), memory \(mem), entry \(hex(config.entry)), dtb \(hex(config.dtbAddress))\(config.priority == VMConfig.defaultPriority ? "" : ", priority \(config.priority)")")
        return vm
    }

    var thisCPU: PhysicalCPU { cpus[Int(Arch.perCPU)] }

    /// Make a pCPU re-evaluate its vCPUs (new interrupt, vCPU powered on).
    func kick(_ cpuIndex: Int) {
        guard cpuIndex != Int(Arch.perCPU), cpus[cpuIndex].online else { return }
        if let bcm { bcm.kick(cpuIndex) } else { gic.kick(cpus[cpuIndex]) }
    }

    /// A VM stops (SYSTEM_OFF, fatal guest error); the machine powers off after the last one.
    func stop(_ vm: VM, reason: String) {
        guard !vm.stopped else { return }
        vm.vuart.flushAll()
        vm.stopped = true
        for v in vm.vcpus { v.power = .off; v.queued.removeAll() }
        if board.hasGIC { for d in vm.config.passthrough { for s in d.spis { gic.disableSPI(s.intid) } } }
        log("\(vm.label) stopped: \(reason)")
        for v in vm.vcpus { kick(v.pcpu) }
        if vms.allSatisfy({ $0.stopped }) {
            log("all VMs stopped; powering off")
            PSCI.powerOffMachine()
        }
    }
}
