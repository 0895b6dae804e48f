extension BoardSpec {
    /// Globalscale ESPRESSObin (Marvell Armada 3720; Linux's marvell/armada-37xx.dtsi and
    /// armada-3720-espressobin.dts, facts in shared/boards/espressobin.md): two Cortex-A53 at
    /// 1 GHz, RAM from 0, a GIC-500 and every peripheral in the 32 MiB internal-register window at
    /// 0xD0000000. Boots as after Marvell's TF-A: EL2, CNTFRQ 12.5 MHz (25 MHz crystal / 2), PSCI
    /// 1.1 over SMC (answered by the simulator), the decoder windows and clocks set up.
    public static let espressobin: BoardSpec = {
        var gic = GIC(distributor: 0xD1D0_0000, redistributors: 0xD1D4_0000, redistributorSize: 0x4_0000, maintenanceIntid: 25)
        gic.spiCount = 192    // ITLinesNumber 6: INTIDs up to 223
        var b = BoardSpec(
            name: "espressobin",
            model: "Globalscale Marvell ESPRESSOBin Board",
            compatible: ["globalscale,espressobin", "marvell,armada3720", "marvell,armada3710"],
            ramBanks: [Bank(base: 0, size: 0x8000_0000)],
            defaultRAM: 1 << 30,
            flash: [], sram: [], uarts: [], consoleUART: 0, uartClockHz: 25_000_000,
            gic: gic,
            timer: TimerPPIs(secure: 29, nonSecure: 30, virtual: 27, hypervisor: 26, flags: 4),
            counterHz: 12_500_000,
            cpuHz: 1_000_000_000,
            maxCPUs: 2,
            affinity: { UInt64($0) },
            multithreaded: false,
            placeholders: [],
            virtio: [])
        // Each 3-bit divider field of the peripheral clock controllers at 2 (none may be 0).
        let dividers: UInt32 = 0x1249_2492
        let periphClocks: [UInt64: UInt32] = [0x04: dividers, 0x08: dividers, 0x0C: dividers]
        b.devices = [
            // DDR controller: MC_CTRL2 SDRAM type 2 = DDR3 (the v5 board; v7 has DDR4).
            DeviceInstance(.syscon, at: 0xD000_0200, size: 0x100, values: [0xC4: 0x20]),
            DeviceInstance(.syscon, at: 0xD000_8300, size: 0x40),                        // watchdog
            DeviceInstance(.armada3700DecoderWindows, at: 0xD000_CF00),
            DeviceInstance(.syscon, at: 0xD000_D000, size: 0x1000),                      // CPU misc
            DeviceInstance(.armada3700SPI, at: 0xD001_0600, irq: 32 + 0),
            DeviceInstance(.syscon, at: 0xD001_1500, size: 0x40),                        // AVS
            DeviceInstance(.armada3700UART, at: 0xD001_2000, lines: [32 + 11, 32 + 12, 32 + 13], console: true),
            // The -ext UART (disabled in the tree) and its clock-control register at 0x10.
            DeviceInstance(.syscon, at: 0xD001_2200, size: 0x30),
            DeviceInstance(.syscon, at: 0xD001_3000, size: 0x100, values: periphClocks),  // NB clocks
            // TBG PLLs from the 25 MHz crystal: A 1000 MHz, B 800 MHz (feedback dividers 10 and 8,
            // reference dividers 1); the single-ended outputs halved.
            DeviceInstance(.syscon, at: 0xD001_3200, size: 0x100, values: [0x04: 0x0020_0028, 0x08: 0x0001_0001, 0x20: 0x0001_0001]),
            DeviceInstance(.armada3700NBPinctrl, at: 0xD001_3800, size: 0x100),
            DeviceInstance(.syscon, at: 0xD001_3C00, size: 0x20),                        // NB GPIO interrupts
            DeviceInstance(.syscon, at: 0xD001_4000, size: 0x60),                        // NB power management
            DeviceInstance(.syscon, at: 0xD001_8000, size: 0x100, values: periphClocks),  // SB clocks
            // The comphy: lane PHY status (PIN_PLL_READY_TX/RX, RX_INIT_DONE) of lanes 0-2.
            DeviceInstance(.syscon, at: 0xD001_8300, size: 0x100, readsOne: [0x18: 0xD, 0x40: 0xD, 0x68: 0xD]),
            // PCIe/GbE and USB3/GbE lane PHYs (16-bit registers at 2 x number): LANE_STAT1 PCLK enabled.
            DeviceInstance(.syscon, at: 0xD001_F000, size: 0x400, readsOne: [0x304: 1 << 16]),
            DeviceInstance(.syscon, at: 0xD005_C000, size: 0x400, readsOne: [0x304: 1 << 16]),
            // The two USB2 UTMI PHYs: PLL ready, PLL and impedance calibration done, squelch calibration done.
            DeviceInstance(.syscon, at: 0xD005_D000, size: 0x1000, readsOne: [0x00: 1 << 31, 0x08: 1 << 31 | 1 << 23, 0x18: 1 << 31]),
            DeviceInstance(.syscon, at: 0xD005_F000, size: 0x1000, readsOne: [0x00: 1 << 31, 0x08: 1 << 31 | 1 << 23, 0x18: 1 << 31]),
            // Lane 2's indirect PHY access in the SATA controller: PLL ready (bit 4) and PCLK (bit 0).
            DeviceInstance(.syscon, at: 0xD00E_0178, size: 0x8, readsOne: [0x4: 0x11]),
            DeviceInstance(.armada3700XOR, at: 0xD006_0900, lines: [32 + 47, 32 + 48]),
            DeviceInstance(.xenonSDHCI, at: 0xD00D_0000, irq: 32 + 25),                   // the SD slot
            // The eMMC controller (disabled in the v5 board's tree; no chip fitted): present, empty.
            DeviceInstance(.xenonSDHCI, at: 0xD00D_8000, irq: 32 + 26),
            DeviceInstance(.syscon, at: 0xD001_8800, size: 0x100),                       // SB pin control
            DeviceInstance(.syscon, at: 0xD001_8C00, size: 0x20),                        // SB GPIO interrupts
        ]
        b.peripheralWindow = Bank(base: 0xD000_0000, size: 0x200_0000)
        // Armada 3720: 256 KiB L2, DDR3/DDR4.
        b.memorySystem = MemorySystem(l2Bytes: 256 << 10, dramNanoseconds: 120)
        // Where U-Boot's booti puts things (kernel_addr_r, ramdisk_addr_r; the tree after the initrd).
        b.imageBase = 0x700_0000
        b.initrdBase = 0xA00_0000
        // U-Boot (BL33) is a raw binary TF-A loads at DRAM 0 and enters at EL2.
        b.rawKernelBase = 0
        b.upstreamDTB = "marvell/armada-3720-espressobin.dtb"
        b.psciVersion = 0x1_0001
        // GIC-500 PERIPHBASE.
        b.peripheralBase = 0xD1D0_0000
        b.boots = "an arm64 Image at EL2 as booti does (PSCI from the simulator), U-Boot (u-boot-mvebu) as BL33 with --sd and --spi-flash; the Minos hypervisor with two Linux VMs (no payload: the default flow)"
        return b
    }()
}
