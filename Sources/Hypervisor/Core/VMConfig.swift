/// One VM as described under the host device tree's `/vms` node (Minos's
/// format; see /work/shared/REFERENCE.md). Validated before anything is built.
struct VMConfig {
    var node: String
    var vmid: Int
    var name: String
    var type: String
    var vcpus: Int
    var entry: UInt64
    var affinity: [Int]
    var memory: [Range<UInt64>]
    var dtbAddress: UInt64
    var cmdline: String
    var nativeWFI: Bool
    /// `host_vm`: the VM boots with the board's own device tree, rewritten (Core/HostVMDeviceTree.swift).
    var hostVM = false
    var passthrough: [PassthroughDevice]
    /// A preloaded initial ramdisk (`initrd = <base size>`), announced in /chosen.
    var initrd: Range<UInt64>? = nil
    /// Scheduling priority of all its vCPUs (`priority = <n>`): higher runs first.
    var priority: Int = VMConfig.defaultPriority
    /// Files of the boot ramdisk to copy into the VM before it starts (`kernel_image`, `initrd_image`).
    var copies: [(from: UInt64, to: UInt64, size: UInt64)] = []
    /// `dma-trusted`: the VM may own DMA masters no SMMU translates (they reach all memory).
    var dmaTrusted = false

    static let defaultPriority = 8
    static let maxPriority = 15
}

/// A host device handed to one VM: its MMIO ranges, SPIs and the node to copy into the guest tree.
struct PassthroughDevice {
    var path: String
    var nodeName: String
    var compatible: [UInt8]
    /// The device's own `reg` (base, size pairs), copied into the guest tree unchanged.
    var reg: [UInt64]
    /// `reg` widened to whole pages: what stage 2 maps. Small devices sharing a page
    /// (virt's virtio-mmio slots are 0x200 apart) are mapped together with their neighbours.
    var regions: [Range<UInt64>]
    var spis: [PassthroughSPI]
    var interruptCells: [UInt32]
    /// `dma-coherent` on the host node: the guest may skip cache maintenance for DMA.
    var dmaCoherent: Bool
    /// The device masters DMA (VMConfigParser.isDMAMaster).
    var dmaMaster = false
    /// Its StreamIDs on the hypervisor's SMMU (`iommus = <&smmu sid>`): empty when no SMMU it
    /// can use translates it.
    var streamIDs: [UInt32] = []
    /// A PCI host bridge's windows (Core/PCIPassthrough.swift); nil for other devices.
    var pci: PCIHostWindows? = nil
}

/// One shared peripheral interrupt of a passed-through device, with the trigger
/// its host node declares (interrupt specifier flags: 1/2 edge, 4/8 level).
struct PassthroughSPI {
    let spi: UInt32
    let edge: Bool
    var intid: UInt32 { 32 + spi }
}

/// A configuration problem: which VM, which property, what is wrong.
struct ConfigError: Error {
    let vm: String
    let property: String
    let problem: String
    var message: String { "vm \(vm): property '\(property)': \(problem); VM not started" }
}

/// Parses and checks `/vms/*`. Each VM is accepted or rejected on its own;
/// accepted VMs claim memory, so a later VM overlapping an earlier one is rejected.
struct VMConfigParser {
    let tree: DeviceTree
    let physicalCPUs: Int
    let ram: [Range<UInt64>]
    let reserved: [(String, Range<UInt64>)]
    /// The boot ramdisk (Core/Ramdisk.swift) at its physical address, if the boot loader gave one.
    var ramdisk: (base: UInt64, archive: Ramdisk)? = nil

    static let knownProperties: [String] = [
        "device_type", "vmid", "vm_name", "type", "vcpus", "entry", "vcpu_affinity", "memory",
        "setup_data", "cmdline", "native_wfi", "passthrough", "disabled", "phandle", "name", "initrd",
        "priority", "host_vm", "kernel_image", "initrd_image", "dma-trusted",
    ]
    /// The SMMU the hypervisor drives (its phandle in the host tree), when there is a usable one.
    var iommuPhandle: UInt32? = nil
    /// Devices known to master DMA even without `iommus` or `dma-coherent` in their node: what
    /// the boards' trees hand to VMs (virtio, SD/MMC, Ethernet, USB controllers).
    static let dmaMasterCompatibles = [
        "virtio,mmio", "brcm,bcm2835-sdhost", "brcm,bcm2835-sdhci", "brcm,bcm2835-mmc", "marvell,armada-3700-sdhci",
        "marvell,armada-3700-neta", "generic-ehci", "generic-xhci", "marvell,armada3700-xhci", "brcm,bcm2835-dma",
    ]
    static let maxVCPUs = 8
    /// Interrupt controllers whose three-cell specifiers (<type number flags>) a pass-through
    /// device's interrupts may use: the GICv3 and the GICv2s of the boards' trees.
    static let gicCompatibles = ["arm,gic-v3", "arm,gic-400", "arm,cortex-a15-gic", "arm,cortex-a7-gic"]

    func parseAll(log: (String) -> Void) -> [VMConfig] {
        guard let vms = tree.node("/vms") else {
            log("no /vms node in the device tree: no VMs configured")
            return []
        }
        var accepted: [VMConfig] = []
        for node in tree.subnodes(of: vms) {
            let label = tree.name(node)
            if tree.property(node, "disabled") != nil {
                log("vm \(label): disabled in the configuration; skipped")
                continue
            }
            switch parse(node, label: label, accepted: accepted) {
            case .success(let config): accepted.append(config)
            case .failure(let error): log(error.message)
            }
        }
        return accepted
    }

    func parse(_ node: Int32, label: String, accepted: [VMConfig]) -> Result<VMConfig, ConfigError> {
        let ac = 2, sc = 2   // Minos's /vms uses two cells for addresses and sizes
        var vmLabel = label
        if let n = tree.string(node, "vm_name"), !n.isEmpty { vmLabel = n }
        func fail(_ property: String, _ problem: String) -> Result<VMConfig, ConfigError> {
            .failure(ConfigError(vm: vmLabel, property: property, problem: problem))
        }

        for p in tree.propertyNames(node) where !Self.knownProperties.contains(p) {
            return fail(p, "unknown property")
        }
        if let dt = tree.property(node, "device_type"), tree.string(node, "device_type") != "virtual_machine" || dt.count == 0 {
            return fail("device_type", "must be \"virtual_machine\"")
        }
        if tree.property(node, "vm_name") != nil && tree.string(node, "vm_name") == nil {
            return fail("vm_name", "malformed (expected a string)")
        }

        guard tree.property(node, "vmid") != nil else { return fail("vmid", "missing") }
        guard let vmidCells = tree.cells(node, "vmid"), vmidCells.count == 1 else { return fail("vmid", "malformed (expected one cell)") }
        let vmid = Int(vmidCells[0])
        guard vmid < 255 else { return fail("vmid", "\(vmid) out of range (0..254)") }
        if let other = accepted.first(where: { $0.vmid == vmid }) { return fail("vmid", "\(vmid) already used by \(other.name)") }

        guard tree.property(node, "vcpus") != nil else { return fail("vcpus", "missing") }
        guard let vc = tree.cells(node, "vcpus"), vc.count == 1 else { return fail("vcpus", "malformed (expected one cell)") }
        let vcpus = Int(vc[0])
        let allowed = min(physicalCPUs, Self.maxVCPUs)
        guard vcpus >= 1, vcpus <= allowed else { return fail("vcpus", "\(vcpus) vCPUs, at most \(allowed) allowed") }

        var affinity: [Int] = []
        if tree.property(node, "vcpu_affinity") != nil {
            guard let a = tree.cells(node, "vcpu_affinity"), a.count == vcpus else {
                return fail("vcpu_affinity", "malformed (expected one pCPU per vCPU, \(vcpus) cells)")
            }
            for c in a {
                guard Int(c) < physicalCPUs else { return fail("vcpu_affinity", "pCPU \(c) does not exist (\(physicalCPUs) CPUs)") }
                affinity.append(Int(c))
            }
        } else {
            affinity = (0..<vcpus).map { ($0 + vmid) % physicalCPUs }
        }

        guard tree.property(node, "memory") != nil else { return fail("memory", "missing") }
        guard let mem = tree.cells(node, "memory"), mem.count > 0, mem.count % (ac + sc) == 0 else {
            return fail("memory", "malformed (expected <base size> pairs of 2 cells each)")
        }
        var memory: [Range<UInt64>] = []
        var i = 0
        while i < mem.count {
            let base = combineCells(mem[i..<(i + ac)], width: ac)
            let size = combineCells(mem[(i + ac)..<(i + ac + sc)], width: sc)
            i += ac + sc
            guard size > 0, base % Granule.page == 0, size % Granule.page == 0, base &+ size > base else {
                return fail("memory", "range \(hex(base)) size \(hex(size)) must be non-empty and 4 KiB aligned")
            }
            let r = base..<(base + size)
            guard ram.contains(where: { $0.lowerBound <= r.lowerBound && r.upperBound <= $0.upperBound }) else {
                return fail("memory", "range \(hex(base))-\(hex(r.upperBound)) is not inside RAM")
            }
            for (what, res) in reserved where res.overlaps(r) {
                return fail("memory", "range \(hex(base))-\(hex(r.upperBound)) overlaps \(what)")
            }
            for other in accepted where other.memory.contains(where: { $0.overlaps(r) }) {
                return fail("memory", "range \(hex(base))-\(hex(r.upperBound)) overlaps VM \(other.name)")
            }
            for mine in memory where mine.overlaps(r) {
                return fail("memory", "ranges overlap each other")
            }
            memory.append(r)
        }

        guard tree.property(node, "entry") != nil else { return fail("entry", "missing") }
        guard let e = tree.cells(node, "entry"), e.count == ac else { return fail("entry", "malformed (expected 2 cells)") }
        let entry = combineCells(e[...], width: ac)
        guard memory.contains(where: { $0.contains(entry) }), entry % 4 == 0 else {
            return fail("entry", "\(hex(entry)) is outside the VM's memory or misaligned")
        }

        let main = memory[0]
        var dtbAddress = main.upperBound - min(Granule.level2Block, UInt64(main.count) / 2)
        if tree.property(node, "setup_data") != nil {
            guard let s = tree.cells(node, "setup_data"), s.count == ac else { return fail("setup_data", "malformed (expected 2 cells)") }
            dtbAddress = combineCells(s[...], width: ac)
            guard dtbAddress % 8 == 0, memory.contains(where: { $0.contains(dtbAddress) && $0.upperBound - dtbAddress >= GuestDeviceTree.maxSize }) else {
                return fail("setup_data", "\(hex(dtbAddress)) leaves no room for the guest device tree inside the VM's memory")
            }
        }

        // Ramdisk files: the kernel lands at `entry`, the initrd at `initrd`'s base (its size is the file's).
        var copies: [(from: UInt64, to: UInt64, size: UInt64)] = []
        func ramdiskFile(_ property: String) -> Result<(from: UInt64, size: UInt64)?, ConfigError> {
            guard tree.property(node, property) != nil else { return .success(nil) }
            guard let name = tree.string(node, property), !name.isEmpty else { return .failure(ConfigError(vm: vmLabel, property: property, problem: "malformed (expected a file name)")) }
            guard let rd = ramdisk else { return .failure(ConfigError(vm: vmLabel, property: property, problem: "no boot ramdisk (/chosen linux,initrd-start/end) to take \(name) from")) }
            guard let f = rd.archive.file(name) else { return .failure(ConfigError(vm: vmLabel, property: property, problem: "\(name) is not in the boot ramdisk")) }
            return .success((rd.base + UInt64(f.offset), UInt64(f.size)))
        }
        switch ramdiskFile("kernel_image") {
        case .failure(let e): return .failure(e)
        case .success(let f?):
            guard memory.contains(where: { $0.lowerBound <= entry && entry + f.size <= $0.upperBound }) else {
                return fail("kernel_image", "\(hex(f.size)) bytes at entry \(hex(entry)) do not fit in the VM's memory")
            }
            guard entry + f.size <= dtbAddress || entry >= dtbAddress + GuestDeviceTree.maxSize else {
                return fail("kernel_image", "overlaps the guest device tree at \(hex(dtbAddress))")
            }
            copies.append((f.from, entry, f.size))
        case .success(nil): break
        }
        var initrdFile: (from: UInt64, size: UInt64)? = nil
        switch ramdiskFile("initrd_image") {
        case .failure(let e): return .failure(e)
        case .success(let f):
            initrdFile = f
            if f != nil && tree.property(node, "initrd") == nil { return fail("initrd_image", "needs 'initrd = <base size>' for where it goes") }
        }

        var initrd: Range<UInt64>? = nil
        if tree.property(node, "initrd") != nil {
            guard let c = tree.cells(node, "initrd"), c.count == ac + sc else { return fail("initrd", "malformed (expected <base size>)") }
            let base = combineCells(c[0..<ac], width: ac), size = initrdFile?.size ?? combineCells(c[ac...], width: sc)
            let r = base..<(base &+ size)
            guard size > 0, base &+ size > base, memory.contains(where: { $0.lowerBound <= r.lowerBound && r.upperBound <= $0.upperBound }) else {
                return fail("initrd", "\(hex(base)) size \(hex(size)) is not inside the VM's memory")
            }
            guard !r.contains(dtbAddress) else { return fail("initrd", "overlaps the guest device tree at \(hex(dtbAddress))") }
            initrd = r
            if let f = initrdFile { copies.append((f.from, base, f.size)) }
        }

        var cmdline = ""
        if tree.property(node, "cmdline") != nil {
            guard let c = tree.string(node, "cmdline") else { return fail("cmdline", "malformed (expected a string)") }
            cmdline = c
        }
        var type = "linux"
        if tree.property(node, "type") != nil {
            guard let t = tree.string(node, "type"), ["linux", "rtos", "baremetal", "otheros"].contains(t) else {
                return fail("type", "unknown VM type (linux, rtos, baremetal, otheros)")
            }
            type = t
        }
        var nativeWFI = false
        if let w = tree.property(node, "native_wfi") {
            if w.count == 0 { nativeWFI = true }
            else if let c = tree.cells(node, "native_wfi"), c.count == 1 { nativeWFI = c[0] != 0 }
            else { return fail("native_wfi", "malformed (empty or one cell)") }
        }

        var hostVM = false
        if let h = tree.property(node, "host_vm") {
            if h.count == 0 { hostVM = true }
            else if let c = tree.cells(node, "host_vm"), c.count == 1 { hostVM = c[0] != 0 }
            else { return fail("host_vm", "malformed (empty or one cell)") }
            if hostVM, let other = accepted.first(where: { $0.hostVM }) { return fail("host_vm", "\(other.name) is already the host VM") }
        }

        var priority = VMConfig.defaultPriority
        if tree.property(node, "priority") != nil {
            guard let c = tree.cells(node, "priority"), c.count == 1 else { return fail("priority", "malformed (expected one cell)") }
            guard c[0] <= UInt32(VMConfig.maxPriority) else { return fail("priority", "\(c[0]) out of range (0..\(VMConfig.maxPriority))") }
            priority = Int(c[0])
        }

        var dmaTrusted = false
        if let t = tree.property(node, "dma-trusted") {
            if t.count == 0 { dmaTrusted = true }
            else if let c = tree.cells(node, "dma-trusted"), c.count == 1 { dmaTrusted = c[0] != 0 }
            else { return fail("dma-trusted", "malformed (empty or one cell)") }
        }

        var passthrough: [PassthroughDevice] = []
        if let raw = tree.property(node, "passthrough") {
            guard raw.count > 0, raw[raw.count - 1] == 0 else { return fail("passthrough", "malformed (expected host device-tree paths)") }
            for path in String(decoding: raw, as: UTF8.self).split(separator: "\0") {
                switch passthroughDevice(String(path), dmaTrusted: dmaTrusted) {
                case .success(let d):
                    for other in accepted where other.passthrough.contains(where: { $0.path == d.path }) {
                        return fail("passthrough", "device \(d.path) already given to VM \(other.name)")
                    }
                    passthrough.append(d)
                case .failure(let problem): return fail("passthrough", problem.text)
                }
            }
        }

        return .success(VMConfig(
            node: label, vmid: vmid, name: vmLabel, type: type, vcpus: vcpus, entry: entry,
            affinity: affinity, memory: memory, dtbAddress: dtbAddress, cmdline: cmdline,
            nativeWFI: nativeWFI, hostVM: hostVM, passthrough: passthrough, initrd: initrd, priority: priority,
            copies: copies, dmaTrusted: dmaTrusted))
    }

    struct Problem: Error { let text: String }

    /// Resolve a host device-tree path into the device's MMIO ranges, SPIs and StreamIDs. A DMA
    /// master nothing translates reaches every byte of memory: refused unless `dmaTrusted`.
    func passthroughDevice(_ path: String, dmaTrusted: Bool = false) -> Result<PassthroughDevice, Problem> {
        guard path.hasPrefix("/"), let node = tree.node(path) else { return .failure(Problem(text: "unknown device \(path)")) }
        // reg through every bus's ranges: what the CPU (and so stage 2) addresses.
        guard let reg = tree.cpuRegions(node) else {
            return .failure(Problem(text: "device \(path) has no usable reg"))
        }
        var regions: [Range<UInt64>] = []
        var exact: [UInt64] = []
        for (base, size) in reg {
            guard size > 0, base &+ size > base else { return .failure(Problem(text: "device \(path) has an empty or wrapping reg range")) }
            exact.append(base); exact.append(size)
            let page = base & ~(Granule.page - 1)
            let r = page..<((base + size + Granule.page - 1) & ~(Granule.page - 1))
            for (what, res) in reserved where res.overlaps(r) {
                return .failure(Problem(text: "device \(path) overlaps \(what)"))
            }
            regions.append(r)
        }
        // iommus = <phandle sid>... (#iommu-cells = 1): the StreamIDs on our SMMU.
        var streamIDs: [UInt32] = []
        let iommus = tree.cells(node, "iommus") ?? []
        var k = 0
        while k + 2 <= iommus.count {
            if let smmu = iommuPhandle, iommus[k] == smmu { streamIDs.append(iommus[k + 1]) }
            k += 2
        }
        var pci: PCIHostWindows? = nil
        if tree.string(node, "device_type") == "pci" {
            switch pciHost(node, path: path) {
            case .success(let (host, sids)):
                for w in host.ranges {
                    let r = (w.cpu & ~(Granule.page - 1))..<((w.cpu + w.size + Granule.page - 1) & ~(Granule.page - 1))
                    for (what, res) in reserved where res.overlaps(r) {
                        return .failure(Problem(text: "device \(path) overlaps \(what)"))
                    }
                    regions.append(r)
                }
                streamIDs += sids
                pci = host
            case .failure(let problem): return .failure(problem)
            }
        }
        let dmaCoherent = tree.property(node, "dma-coherent") != nil
        let dmaMaster = !iommus.isEmpty || pci != nil || dmaCoherent || Self.dmaMasterCompatibles.contains { tree.isCompatible(node, $0) }
        if dmaMaster && streamIDs.isEmpty && !dmaTrusted {
            return .failure(Problem(text: "device \(path) masters DMA and no SMMU translates it, so it could reach all memory (mark the VM dma-trusted to allow it)"))
        }
        var spis: [PassthroughSPI] = []
        // Only interrupts wired to the GIC are forwarded (<type number flags>); others (a GPIO
        // controller's, the Pi's armctrl) are not copied into a generated guest tree.
        let gicParent = tree.interruptParent(node).map { p in Self.gicCompatibles.contains { tree.isCompatible(p, $0) } } ?? false
        if !board.hasGIC && tree.property(node, "interrupts") != nil {
            return .failure(Problem(text: "device \(path) has interrupts, which this board (no GIC) cannot forward to a VM yet"))
        }
        let irqs = gicParent ? tree.cells(node, "interrupts") ?? [] : []
        var j = 0
        while j + 3 <= irqs.count {
            if irqs[j] == 0 {                               // GIC_SPI
                let spi = PassthroughSPI(spi: irqs[j + 1], edge: irqs[j + 2] & 3 != 0)
                guard Int(spi.intid) < VirtualDistributor.intids else {
                    return .failure(Problem(text: "device \(path) uses SPI \(spi.spi), beyond the \(VirtualDistributor.intids - 32) SPIs of the virtual GIC"))
                }
                spis.append(spi)
            }
            j += 3
        }
        let compatible = tree.property(node, "compatible").map { Array($0) } ?? []
        var nodeName = tree.name(node)
        if nodeName.isEmpty { nodeName = "device" }
        return .success(PassthroughDevice(path: path, nodeName: nodeName, compatible: compatible, reg: exact,
                                          regions: regions, spis: spis, interruptCells: irqs,
                                          dmaCoherent: dmaCoherent, dmaMaster: dmaMaster, streamIDs: streamIDs, pci: pci))
    }
}
