import CFDT

/// The device tree of a `host_vm` (Minos's VM0): the board's own tree, as the boot loader gave
/// it to the hypervisor, rewritten for the VM: its memory, its vCPUs (PSCI, or the virtual spin
/// table on boards without a GIC), /chosen, the console replaced by the VM's PL011, the PMU kept
/// (its interrupt is the VM's virtual one), and every
/// memory-mapped device the VM has neither passed through nor emulated marked disabled, so
/// Linux probes only what it can reach. Built with libfdt's read-write API straight into the
/// VM's memory at its `setup_data` address; called at boot only (libfdt uses SIMD).
enum HostVMDeviceTree {
    /// Returns the blob size, or nil when it did not fit.
    static func build(_ config: VMConfig, host: DeviceTree, emulated: [Range<UInt64>], at address: UInt64) -> Int? {
        guard let buf = UnsafeMutableRawPointer(bitPattern: UInt(address)) else { return nil }
        let plan = survey(config, host: host, emulated: emulated)
        guard fdt_open_into(host.blob, buf, Int32(GuestDeviceTree.maxSize)) == 0 else { return nil }
        var e = Editor(buf: buf)

        for p in plan.remove { e.delete(p) }
        for p in plan.pmus { e.remove(p, "interrupt-affinity") }        // a PPI needs none; it may name removed CPUs
        for p in plan.disable { e.set(p, "status", string: "disabled") }

        // Memory: the VM's ranges replace the board's.
        for r in config.memory {
            let n = e.add("/", "memory@" + String(r.lowerBound, radix: 16))
            e.set(n, "device_type", string: "memory")
            e.set(n, "reg", cells: plan.rootCells(r.lowerBound, UInt64(r.count)))
        }

        // CPUs: the first `vcpus` nodes become vCPUs 0..n-1 (MPIDR Aff0 = index).
        for (i, p) in plan.cpus.enumerated() {
            e.set(p, "reg", cells: plan.cpuAddressCells == 2 ? [0, UInt32(i)] : [UInt32(i)])
            if board.hasGIC {
                e.set(p, "enable-method", string: "psci")
                e.remove(p, "cpu-release-addr")
            } else {
                e.set(p, "enable-method", string: "spin-table")
                let a = board.spinTableIPA + 8 * UInt64(i)
                e.set(p, "cpu-release-addr", cells: [UInt32(truncatingIfNeeded: a >> 32), UInt32(truncatingIfNeeded: a)])
            }
        }
        let psci = e.offset("/psci") ?? e.add("/", "psci")
        e.set(psci, "compatible", strings: ["arm,psci-1.0", "arm,psci-0.2"])
        e.set(psci, "method", string: "hvc")

        // The console: the VM's PL011 with a fixed clock, at the board's vUART address.
        let clock = e.add("/", "minos-uart-clock")
        var phandle: UInt32 = 0
        e.check(fdt_generate_phandle(buf, &phandle))
        e.set(clock, "compatible", string: "fixed-clock")
        e.set(clock, "#clock-cells", cells: [0])
        e.set(clock, "clock-frequency", cells: [board.uartClockHz])
        e.set(clock, "phandle", cells: [phandle])
        let uartName = "pl011@" + String(board.vuartBase, radix: 16)
        let uart = e.add("/", uartName)
        e.set(uart, "compatible", strings: ["arm,pl011", "arm,primecell"])
        e.set(uart, "reg", cells: plan.rootCells(board.vuartBase, 0x1000))
        if let gic = plan.interruptController { e.set(uart, "interrupt-parent", cells: [gic]) }
        e.set(uart, "interrupts", cells: board.hasGIC ? [0, board.vuartIRQ, 4] : [1 + board.vuartIRQ / 32, board.vuartIRQ % 32])
        e.set(uart, "clocks", cells: [phandle, phandle])
        e.set(uart, "clock-names", strings: ["uartclk", "apb_pclk"])
        let aliases = e.offset("/aliases") ?? e.add("/", "aliases")
        e.set(aliases, "serial0", string: "/" + uartName)

        let chosen = e.offset("/chosen") ?? e.add("/", "chosen")
        e.set(chosen, "bootargs", string: config.cmdline)
        e.set(chosen, "stdout-path", string: "/" + uartName)
        e.remove(chosen, "linux,initrd-start")
        e.remove(chosen, "linux,initrd-end")
        if let r = config.initrd {
            e.set(chosen, "linux,initrd-start", cells: [UInt32(truncatingIfNeeded: r.lowerBound >> 32), UInt32(truncatingIfNeeded: r.lowerBound)])
            e.set(chosen, "linux,initrd-end", cells: [UInt32(truncatingIfNeeded: r.upperBound >> 32), UInt32(truncatingIfNeeded: r.upperBound)])
        }

        e.check(fdt_pack(buf))
        return e.ok ? Int(bigEndian32(UnsafeRawPointer(buf) + 4)) : nil
    }

    /// What the rewrite does, decided on the host tree before it changes (offsets move with edits).
    struct Plan {
        var remove: [String] = []
        var disable: [String] = []
        var pmus: [String] = []
        var cpus: [String] = []
        var cpuAddressCells = 1
        var rootAddressCells = 2, rootSizeCells = 2
        var interruptController: UInt32? = nil

        func rootCells(_ base: UInt64, _ size: UInt64) -> [UInt32] {
            func split(_ v: UInt64, _ n: Int) -> [UInt32] {
                n == 2 ? [UInt32(truncatingIfNeeded: v >> 32), UInt32(truncatingIfNeeded: v)] : [UInt32(truncatingIfNeeded: v)]
            }
            return split(base, rootAddressCells) + split(size, rootSizeCells)
        }
    }

    /// `interrupts` of a PMU node naming the interrupt VMs get virtually: PPI `pmuInterrupt - 16`
    /// on a GIC (3 cells), the local controller's PMU input on the Pi (2 cells).
    static func isPMUInterrupt(_ cells: [UInt32]) -> Bool {
        board.hasGIC ? cells.count == 3 && cells[0] == 1 && cells[1] &+ 16 == board.pmuInterrupt
                     : cells.count == 2 && cells[0] == board.pmuInterrupt
    }

    /// Classifies every node: memory, /vms, extra CPUs, a PMU whose interrupt is not the one
    /// virtualized, and the board's console node go; memory-mapped devices that overlap no
    /// passed-through or emulated range are disabled; the rest stays as the board describes it.
    static func survey(_ config: VMConfig, host: DeviceTree, emulated: [Range<UInt64>]) -> Plan {
        var plan = Plan()
        let root = host.node("/")!
        plan.rootAddressCells = host.addressCells(root)
        plan.rootSizeCells = host.sizeCells(root)
        if let gic = host.cells(root, "interrupt-parent"), gic.count == 1 { plan.interruptController = gic[0] }
        let reachable = config.passthrough.flatMap { $0.regions } + emulated
        let passedPaths = config.passthrough.map { $0.path }

        var node = fdt_next_node(host.blob, root, nil)
        while node >= 0 {
            defer { node = fdt_next_node(host.blob, node, nil) }
            guard let path = host.path(node) else { continue }
            if path == "/reserved-memory" || path.hasPrefix("/reserved-memory/") { continue }
            if path == "/vms" || path.hasPrefix("/vms/") { if path == "/vms" { plan.remove.append(path) }; continue }
            if host.string(node, "device_type") == "memory" { plan.remove.append(path); continue }
            if path.hasPrefix("/cpus/") {
                if host.string(node, "device_type") == "cpu" {
                    if plan.cpus.count < config.vcpus { plan.cpus.append(path) } else { plan.remove.append(path) }
                }
                continue
            }
            if host.isCompatible(node, "arm,armv8-pmuv3") || host.isCompatible(node, "arm,cortex-a53-pmu") {
                // The VM's own PMU (Core/VirtualPMU.swift) if its interrupt is the one virtualized.
                if let irq = host.cells(node, "interrupts"), isPMUInterrupt(irq) { plan.pmus.append(path) } else { plan.remove.append(path) }
                continue
            }
            if passedPaths.contains(where: { path == $0 || path.hasPrefix($0 + "/") }) { continue }
            guard host.property(node, "reg") != nil, let regs = host.cpuRegions(node) else { continue }
            if regs.contains(where: { $0.base <= board.vuartBase && board.vuartBase < $0.base &+ max($0.size, 1) }) {
                plan.remove.append(path); continue
            }
            if host.string(node, "status") == "disabled" { continue }
            let ranges = regs.map { $0.base..<($0.base &+ max($0.size, 1)) }
            if !ranges.contains(where: { r in reachable.contains { $0.overlaps(r) } }) { plan.disable.append(path) }
        }
        // A disabled or removed node's descendants need no marks of their own.
        let marked = plan.disable, removed = plan.remove
        plan.disable.removeAll { p in marked.contains { p.hasPrefix($0 + "/") } || removed.contains { p.hasPrefix($0 + "/") } }
        if let cpus = host.node("/cpus") { plan.cpuAddressCells = host.addressCells(cpus) }
        return plan
    }

    /// libfdt read-write calls by path, remembering whether any failed.
    struct Editor {
        let buf: UnsafeMutableRawPointer
        var ok = true

        mutating func check(_ r: Int32) { if r < 0 { ok = false } }
        func offset(_ path: String) -> Int32? {
            let o = fdt_path_offset(buf, path)
            return o >= 0 ? o : nil
        }
        mutating func add(_ parentPath: String, _ name: String) -> Int32 {
            guard let p = offset(parentPath) else { ok = false; return -1 }
            let n = fdt_add_subnode(buf, p, name)
            check(n)
            return n
        }
        mutating func delete(_ path: String) {
            if let o = offset(path) { check(fdt_del_node(buf, o)) }
        }
        mutating func remove(_ node: Int32, _ name: String) {
            if node >= 0 { _ = fdt_delprop(buf, node, name) }
        }
        mutating func remove(_ path: String, _ name: String) {
            if let o = offset(path) { remove(o, name) }
        }
        mutating func setRaw(_ node: Int32, _ name: String, _ bytes: [UInt8]) {
            guard node >= 0 else { ok = false; return }
            check(bytes.withUnsafeBytes { fdt_setprop(buf, node, name, $0.baseAddress, Int32($0.count)) })
        }
        mutating func set(_ node: Int32, _ name: String, cells: [UInt32]) {
            var bytes: [UInt8] = []
            for v in cells { for s in [24, 16, 8, 0] { bytes.append(UInt8(truncatingIfNeeded: v >> UInt32(s))) } }
            setRaw(node, name, bytes)
        }
        mutating func set(_ node: Int32, _ name: String, strings: [String]) {
            var bytes: [UInt8] = []
            for v in strings { bytes.append(contentsOf: v.utf8); bytes.append(0) }
            setRaw(node, name, bytes)
        }
        mutating func set(_ node: Int32, _ name: String, string: String) { set(node, name, strings: [string]) }
        mutating func set(_ path: String, _ name: String, string: String) {
            if let o = offset(path) { set(o, name, string: string) } else { ok = false }
        }
        mutating func set(_ path: String, _ name: String, cells: [UInt32]) {
            if let o = offset(path) { set(o, name, cells: cells) } else { ok = false }
        }
    }
}
