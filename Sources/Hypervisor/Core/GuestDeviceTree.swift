import CFDT

/// Builds a VM's device tree with libfdt's sequential-write API, straight
/// into the VM's memory at its `setup_data` address: memory, cpus,
/// chosen/bootargs, PSCI over HVC, the vGIC, the timer, the PMU, its vUART and only
/// the devices passed through to it. Called at boot only (libfdt uses SIMD).
enum GuestDeviceTree {
    static let maxSize: UInt64 = 64 * 1024
    static let gicPhandle: UInt32 = 1
    static let clockPhandle: UInt32 = 2
    /// No GIC (rpi3): armctrl is the root interrupt parent (as in bcm283x.dtsi), the local controller its parent.
    static let localIntcPhandle: UInt32 = 3

    /// Returns the blob size, or nil when it did not fit.
    static func build(_ config: VMConfig, at address: UInt64) -> Int? {
        guard let buf = UnsafeMutableRawPointer(bitPattern: UInt(address)) else { return nil }
        var w = Writer(buf: buf, ok: fdt_create(buf, Int32(maxSize)) == 0)
        w.check(fdt_finish_reservemap(buf))
        w.begin("")
        w.u32("#address-cells", [2]); w.u32("#size-cells", [2])
        w.string("compatible", ["minos,vm"])
        w.string("model", ["Minos VM " + config.name])
        w.u32("interrupt-parent", [gicPhandle])

        let uartNode = "pl011@" + String(board.vuartBase, radix: 16)
        w.begin("chosen")
        w.string("bootargs", [config.cmdline])
        if let r = config.initrd {
            w.u64("linux,initrd-start", [r.lowerBound])
            w.u64("linux,initrd-end", [r.upperBound])
        }
        w.string("stdout-path", ["/" + uartNode])
        w.end()
        w.begin("aliases"); w.string("serial0", ["/" + uartNode]); w.end()

        for r in config.memory {
            w.begin("memory@" + String(r.lowerBound, radix: 16))
            w.string("device_type", ["memory"])
            w.u64("reg", [r.lowerBound, UInt64(r.count)])
            w.end()
        }

        w.begin("cpus")
        w.u32("#address-cells", [1]); w.u32("#size-cells", [0])
        for i in 0..<config.vcpus {
            w.begin("cpu@" + String(i, radix: 16))
            w.string("device_type", ["cpu"])
            w.string("compatible", ["arm,armv8"])
            w.u32("reg", [UInt32(i)])
            if board.hasGIC {
                w.string("enable-method", ["psci"])
            } else {
                // The Pi's way (the firmware's armstub): a release word per CPU, trapped here.
                w.string("enable-method", ["spin-table"])
                w.u64("cpu-release-addr", [board.spinTableIPA + 8 * UInt64(i)])
            }
            w.end()
        }
        w.end()

        w.begin("psci")
        w.string("compatible", ["arm,psci-1.0", "arm,psci-0.2"])
        w.string("method", ["hvc"])
        w.end()

        if case .bcm2836(let local, let armctrl) = board.chip {
            addBCM2836(&w, local: local, armctrl: armctrl)
        } else {
            // A GICv2's PPI specifiers also name the CPUs they reach (bits 15:8), as QEMU writes them.
            let cpuMask: UInt32 = board.gicv2 == nil ? 0 : ((1 << UInt32(min(config.vcpus, 8))) - 1) << 8
            let t = board.timerTrigger | cpuMask
            w.begin("timer")
            w.string("compatible", ["arm,armv8-timer"])
            w.u32("interrupts", [1, 13, t, 1, 14, t, 1, 11, t, 1, 10, t])
            w.end()

            // The vCPU's own PMUv3 (Core/VirtualPMU.swift), its overflow interrupt a level PPI, as
            // QEMU's virt describes the PMU.
            w.begin("pmu")
            w.string("compatible", ["arm,armv8-pmuv3"])
            w.u32("interrupts", [1, board.pmuInterrupt - 16, 4 | cpuMask])
            w.end()

            w.begin("interrupt-controller@" + String(board.gicdBase, radix: 16))
            w.string("compatible", [board.gicv2 == nil ? "arm,gic-v3" : "arm,cortex-a15-gic"])
            w.u32("#interrupt-cells", [3])
            w.empty("interrupt-controller")
            if let f = board.gicv2 {
                w.u64("reg", [board.gicdBase, 0x1_0000, f.cpu, GICv2Frames.cpuInterfaceSize])
            } else {
                w.u64("reg", [board.gicdBase, 0x1_0000, board.gicrBase, board.gicrStride * UInt64(config.vcpus)])
            }
            w.u32("phandle", [gicPhandle])
            w.end()
        }

        w.begin("apb-pclk")
        w.string("compatible", ["fixed-clock"])
        w.u32("#clock-cells", [0])
        w.u32("clock-frequency", [board.uartClockHz])
        w.u32("phandle", [clockPhandle])
        w.end()

        w.begin(uartNode)
        w.string("compatible", ["arm,pl011", "arm,primecell"])
        w.u64("reg", [board.vuartBase, 0x1000])
        // GIC: <SPI n level-high>; armctrl: <bank irq> (bank 1 = GPU 0-31, 2 = GPU 32-63).
        w.u32("interrupts", board.hasGIC ? [0, board.vuartIRQ, 4] : [1 + board.vuartIRQ / 32, board.vuartIRQ % 32])
        w.u32("clocks", [clockPhandle, clockPhandle])
        w.string("clock-names", ["uartclk", "apb_pclk"])
        w.end()

        for d in config.passthrough {
            w.begin(d.nodeName)
            if !d.compatible.isEmpty { w.raw("compatible", d.compatible) }
            w.u64("reg", d.reg)
            if !d.interruptCells.isEmpty { w.u32("interrupts", d.interruptCells) }
            if d.dmaCoherent { w.empty("dma-coherent") }
            if let pci = d.pci {
                w.string("device_type", ["pci"])
                w.u32("#address-cells", [3])
                w.u32("#size-cells", [2])
                w.u32("bus-range", pci.busRange)
                w.u32("ranges", pci.rangesCells)
            }
            w.end()
        }

        w.end()
        w.check(fdt_finish(buf))
        return w.ok ? Int(bigEndian32(UnsafeRawPointer(buf) + 4)) : nil
    }

    /// The Pi's controllers as bcm2837.dtsi describes them: the local controller (2 cells:
    /// input, flags; timer inputs 0 CNTPS, 1 CNTPNS, 3 CNTV, 2 CNTHP; PMU 9) and armctrl chained
    /// to its input 8, which is the root's interrupt parent (phandle `gicPhandle`).
    private static func addBCM2836(_ w: inout Writer, local: UInt64, armctrl: UInt64) {
        w.begin("local_intc@" + String(local, radix: 16))
        w.string("compatible", ["brcm,bcm2836-l1-intc"])
        w.u64("reg", [local, VirtualBCM2836.localSize])
        w.empty("interrupt-controller")
        w.u32("#interrupt-cells", [2])
        w.u32("interrupt-parent", [localIntcPhandle])
        w.u32("phandle", [localIntcPhandle])
        w.end()

        w.begin("interrupt-controller@" + String(armctrl, radix: 16))
        w.string("compatible", ["brcm,bcm2836-armctrl-ic"])
        w.u64("reg", [armctrl, 0x200])
        w.empty("interrupt-controller")
        w.u32("#interrupt-cells", [2])
        w.u32("interrupt-parent", [localIntcPhandle])
        w.u32("interrupts", [8, 4])
        w.u32("phandle", [gicPhandle])
        w.end()

        w.begin("timer")
        w.string("compatible", ["arm,armv8-timer"])
        w.u32("interrupt-parent", [localIntcPhandle])
        w.u32("interrupts", [0, 4, 1, 4, 3, 4, 2, 4])
        w.end()

        // The vCPU's PMUv3 on the local controller's PMU input, as bcm2837.dtsi wires the Pi's.
        w.begin("pmu")
        w.string("compatible", ["arm,armv8-pmuv3"])
        w.u32("interrupt-parent", [localIntcPhandle])
        w.u32("interrupts", [board.pmuInterrupt, 4])
        w.end()
    }

    /// Small wrapper that remembers whether any libfdt call failed.
    struct Writer {
        let buf: UnsafeMutableRawPointer
        var ok: Bool

        mutating func check(_ r: Int32) { if r != 0 { ok = false } }
        mutating func begin(_ name: String) { check(fdt_begin_node(buf, name)) }
        mutating func end() { check(fdt_end_node(buf)) }
        mutating func raw(_ name: String, _ bytes: [UInt8]) {
            let r = bytes.withUnsafeBytes { fdt_property(buf, name, $0.baseAddress, Int32($0.count)) }
            check(r)
        }
        mutating func empty(_ name: String) { check(fdt_property(buf, name, nil, 0)) }
        mutating func u32(_ name: String, _ values: [UInt32]) {
            var bytes: [UInt8] = []
            for v in values { for s in [24, 16, 8, 0] { bytes.append(UInt8(truncatingIfNeeded: v >> UInt32(s))) } }
            raw(name, bytes)
        }
        mutating func u64(_ name: String, _ values: [UInt64]) {
            var cells: [UInt32] = []
            for v in values { cells.append(UInt32(truncatingIfNeeded: v >> 32)); cells.append(UInt32(truncatingIfNeeded: v)) }
            u32(name, cells)
        }
        mutating func string(_ name: String, _ values: [String]) {
            var bytes: [UInt8] = []
            for v in values { bytes.append(contentsOf: v.utf8); bytes.append(0) }
            raw(name, bytes)
        }
    }
}
