import Devices

/// What the boot loader tells the kernel through /chosen.
public struct ChosenInfo {
    public var bootargs: String?
    public var initrd: (start: UInt64, end: UInt64)?
    public init(bootargs: String? = nil, initrd: (start: UInt64, end: UInt64)? = nil) {
        self.bootargs = bootargs
        self.initrd = initrd
    }
}

/// Generates a board's device tree with libfdt, as QEMU does for `-M virt`: board nodes here,
/// each device's node from the device itself.
public enum DeviceTreeGenerator {
    static let gicPhandle: UInt32 = 1
    static let clockPhandle: UInt32 = 2
    static let itsPhandle: UInt32 = 3
    static let smmuPhandle: UInt32 = 4

    public static func generate(_ machine: Machine, chosen: ChosenInfo) throws -> [UInt8] {
        let board = machine.board
        var ctx = DeviceTreeContext(gicPhandle: gicPhandle, clockPhandle: clockPhandle)
        if board.gic?.architecture == .v2 { ctx.ppiCPUMask = UInt32((1 << min(machine.cores.count, 8)) - 1) }
        if machine.its != nil { ctx.gicAddressCells = 2; ctx.msiParent = itsPhandle }
        if machine.smmu != nil { ctx.iommuPhandle = smmuPhandle }
        let dt = try DeviceTreeWriter()
        try dt.beginNode("")
        try dt.property("#address-cells", cells: [2])
        try dt.property("#size-cells", cells: [2])
        try dt.property("interrupt-parent", cells: [gicPhandle])
        try dt.property("compatible", strings: board.compatible)
        try dt.property("model", string: board.model)

        // Every UART gets an alias (the console's is serial0, the rest follow in address order), so
        // Linux numbers them ttyAMA0.. predictably and does not warn about unaliased ports.
        try dt.beginNode("aliases")
        let order = [board.consoleUART] + board.uarts.indices.filter { $0 != board.consoleUART }
        for (n, i) in order.enumerated() {
            try dt.property("serial\(n)", string: "/serial@\(String(board.uarts[i].base, radix: 16))")
        }
        try dt.endNode()

        try dt.beginNode("chosen")
        if let args = chosen.bootargs { try dt.property("bootargs", string: args) }
        if let (start, end) = chosen.initrd {
            try dt.property("linux,initrd-start", cells: [UInt32(start >> 32), UInt32(truncatingIfNeeded: start)])
            try dt.property("linux,initrd-end", cells: [UInt32(end >> 32), UInt32(truncatingIfNeeded: end)])
        }
        let consoleBase = board.uarts[board.consoleUART].base
        try dt.property("stdout-path", string: "/serial@\(String(consoleBase, radix: 16))")
        try dt.endNode()

        for region in machine.memory.regions where region.name.hasPrefix("ram") {
            try dt.beginNode("memory@\(String(region.base, radix: 16))")
            try dt.property("device_type", string: "memory")
            try dt.property("reg", cells: ctx.reg(region.base, region.size))
            try dt.endNode()
        }

        try dt.beginNode("cpus")
        try dt.property("#address-cells", cells: [1])
        try dt.property("#size-cells", cells: [0])
        for core in machine.cores {
            let aff = UInt32(core.mpidr & 0xFF_FFFF)
            try dt.beginNode("cpu@\(String(aff, radix: 16))")
            try dt.property("device_type", string: "cpu")
            try dt.property("compatible", string: "arm,cortex-a53")
            try dt.property("reg", cells: [aff])
            if machine.firmware != nil { try dt.property("enable-method", string: "psci") }
            try dt.endNode()
        }
        try dt.endNode()

        if let fw = machine.firmware {
            try dt.beginNode("psci")
            try dt.property("compatible", strings: ["arm,psci-1.0", "arm,psci-0.2"])
            try dt.property("method", string: fw.conduit.rawValue)
            try dt.endNode()
        }

        try dt.beginNode("timer")
        try dt.property("compatible", string: "arm,armv8-timer")
        let t = board.timer
        try dt.property("interrupts", cells: [t.secure, t.nonSecure, t.virtual, t.hypervisor].flatMap { ctx.ppi($0, flags: t.flags) })
        try dt.property("always-on")
        try dt.endNode()

        // The cores' PMUv3 and its overflow interrupt, as QEMU's virt describes them.
        if let gic = board.gic {
            try dt.beginNode("pmu")
            try dt.property("compatible", string: "arm,armv8-pmuv3")
            try dt.property("interrupts", cells: ctx.ppi(gic.pmuIntid, flags: 4))
            try dt.endNode()
        }

        if let gic = board.gic {
            try dt.beginNode("interrupt-controller@\(String(gic.distributor, radix: 16))")
            // As QEMU's virt with gic-version=2: GICD, GICC, then GICH and GICV (virtualization).
            try dt.property("compatible", string: gic.architecture == .v3 ? "arm,gic-v3" : "arm,cortex-a15-gic")
            try dt.property("#interrupt-cells", cells: [3])
            // With an ITS child node the GIC has addresses (and interrupt-maps give it two cells).
            try dt.property("#address-cells", cells: [ctx.gicAddressCells])
            if machine.its != nil {
                try dt.property("#size-cells", cells: [2])
                try dt.property("ranges")
            }
            try dt.property("interrupt-controller")
            switch gic.architecture {
            case .v3:
                try dt.property("reg", cells: ctx.reg(gic.distributor, 0x1_0000) + ctx.reg(gic.redistributors, UInt64(machine.cores.count) * 0x2_0000))
            case .v2:
                try dt.property("reg", cells: [gic.distributor, gic.cpuInterface, gic.hypervisorInterface, gic.virtualCPUInterface]
                    .flatMap { ctx.reg($0, 0x1_0000) })
            }
            try dt.property("interrupts", cells: ctx.ppi(gic.maintenanceIntid, flags: 4))
            try dt.property("phandle", cells: [gicPhandle])
            if let (base, its) = machine.its {
                try dt.beginNode("its@\(String(base, radix: 16))")
                try dt.property("compatible", string: "arm,gic-v3-its")
                try dt.property("msi-controller")
                try dt.property("#msi-cells", cells: [1])
                try dt.property("reg", cells: ctx.reg(base, its.size))
                try dt.property("phandle", cells: [itsPhandle])
                try dt.endNode()
            }
            try dt.endNode()
        }

        try dt.beginNode("apb-pclk")
        try dt.property("compatible", string: "fixed-clock")
        try dt.property("#clock-cells", cells: [0])
        try dt.property("clock-frequency", cells: [board.uartClockHz])
        try dt.property("clock-output-names", string: "clk24mhz")
        try dt.property("phandle", cells: [clockPhandle])
        try dt.endNode()

        for (i, u) in machine.uarts.enumerated() {
            try u.emitDeviceTree(dt, base: board.uarts[i].base, context: ctx)
        }
        if let smmu = machine.smmu, let s = board.smmu {
            // As QEMU's virt with iommu=smmuv3 (edge-triggered lines, named in its order).
            try dt.beginNode("smmuv3@\(String(s.base, radix: 16))")
            try dt.property("compatible", string: "arm,smmu-v3")
            try dt.property("reg", cells: ctx.reg(s.base, smmu.size))
            let i = s.interrupts
            try dt.property("interrupts", cells: [i.eventq, i.priq, i.cmdqSync, i.gerror].flatMap { ctx.spi($0, level: false) })
            try dt.property("interrupt-names", strings: ["eventq", "priq", "cmdq-sync", "gerror"])
            try dt.property("dma-coherent")
            try dt.property("#iommu-cells", cells: [1])
            try dt.property("phandle", cells: [smmuPhandle])
            try dt.endNode()
        }
        for v in machine.virtio {
            try v.transport.emitDeviceTree(dt, base: v.base, context: ctx)
        }
        if let pci = machine.pci, let p = board.pcie {
            try pci.emitDeviceTree(dt, ecam: p.ecam, ecamSize: p.ecamSize, window: p.window, windowSize: p.windowSize, context: ctx)
        }
        try dt.endNode()
        return try dt.finish()
    }

    /// Applies what a boot loader changes in a user-supplied tree: /chosen and /memory.
    public static func patch(_ blob: inout DeviceTreeBlob, machine: Machine, chosen: ChosenInfo) throws {
        if let args = chosen.bootargs { try blob.set("/chosen", "bootargs", string: args) }
        if let (start, end) = chosen.initrd {
            try blob.set("/chosen", "linux,initrd-start", cells: [UInt32(start >> 32), UInt32(truncatingIfNeeded: start)])
            try blob.set("/chosen", "linux,initrd-end", cells: [UInt32(end >> 32), UInt32(truncatingIfNeeded: end)])
        }
        // The console is the board's console UART, as the user's tree names it.
        // (Boards without listed PL011s, like rpi3, keep the tree's own stdout-path.)
        if machine.board.uarts.indices.contains(machine.board.consoleUART) {
            let base = machine.board.uarts[machine.board.consoleUART].base
            if let uart = blob.nodes(compatible: "arm,pl011").first(where: { $0.address == base }) {
                try blob.set("/chosen", "stdout-path", string: uart.path)
            }
        }
        let banks = machine.memory.regions.filter { $0.name.hasPrefix("ram") }
        let addressCells = Int(blob.cells("/", "#address-cells")?.first ?? 2)
        let sizeCells = Int(blob.cells("/", "#size-cells")?.first ?? 1)
        var reg: [UInt32] = []
        for b in banks {
            if addressCells == 2 { reg.append(UInt32(b.base >> 32)) }
            reg.append(UInt32(truncatingIfNeeded: b.base))
            if sizeCells == 2 { reg.append(UInt32(b.size >> 32)) }
            reg.append(UInt32(truncatingIfNeeded: b.size))
        }
        let memPath = "/memory@\(String(banks[0].base, radix: 16))"
        let existing = blob.get("/memory", "reg") != nil ? "/memory" : memPath
        try blob.set(existing, "device_type", string: "memory")
        try blob.set(existing, "reg", cells: reg)
    }

    /// Edits a tree for PSCI from EL3 firmware, as a user booting a spin-table board through TF-A
    /// must (TF-A docs/plat/rpi3.rst): a /psci node calling over SMC, every CPU's enable-method
    /// "psci" with its release address gone, and the firmware's memory reserved.
    public static func patchForFirmwarePSCI(_ blob: inout DeviceTreeBlob, reserve: BoardSpec.Bank) throws {
        try blob.set("/psci", "compatible", bytes: Array("arm,psci-1.0\0arm,psci-0.2\0".utf8))
        try blob.set("/psci", "method", string: "smc")
        for cpu in blob.children("/cpus") where blob.get(cpu, "device_type") == Array("cpu\0".utf8) {
            try blob.set(cpu, "enable-method", string: "psci")
            try blob.delete(cpu, "cpu-release-addr")
        }
        try blob.reserve(reserve.base, size: reserve.size)
    }
}
