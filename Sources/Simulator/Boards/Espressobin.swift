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
            DeviceInstance(.syscon, at: 0xD001_8800, size: 0x100),                       // SB pin control
            DeviceInstance(.syscon, at: 0xD001_8C00, size: 0x20),                        // SB GPIO interrupts
        ]
        b.peripheralWindow = Bank(base: 0xD000_0000, size: 0x200_0000)
        // Where U-Boot's booti puts things (kernel_addr_r, ramdisk_addr_r; the tree after the initrd).
        b.imageBase = 0x700_0000
        b.initrdBase = 0xA00_0000
        // U-Boot (BL33) is a raw binary TF-A loads at DRAM 0 and enters at EL2.
        b.rawKernelBase = 0
        b.upstreamDTB = "marvell/armada-3720-espressobin.dtb"
        b.psciVersion = 0x1_0001
        // GIC-500 PERIPHBASE.
        b.peripheralBase = 0xD1D0_0000
        return b
    }()
}
