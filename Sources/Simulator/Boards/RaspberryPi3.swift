extension BoardSpec {
    /// Raspberry Pi 3 Model B+ (BCM2837; Linux's broadcom/bcm2837-rpi-3-b-plus.dts and
    /// bcm283x.dtsi, facts in shared/boards/rpi3.md): four Cortex-A53 at 1.2 GHz, RAM from 0 up to
    /// the VideoCore split, peripherals at 0x3F000000 (bus 0x7E000000), the BCM2836 local
    /// controller at 0x40000000 and no GIC. Boots as the Pi firmware does: spin table, 19.2 MHz.
    public static let rpi3: BoardSpec = {
        var b = BoardSpec(
            name: "rpi3",
            model: "Raspberry Pi 3 Model B+",
            compatible: ["raspberrypi,3-model-b-plus", "brcm,bcm2837"],
            // The ARM's view ends where the peripherals start; 960 MiB is the firmware's default split.
            ramBanks: [Bank(base: 0, size: 0x3F00_0000)],
            defaultRAM: 0x3C00_0000,
            flash: [], sram: [], uarts: [], consoleUART: 0, uartClockHz: 48_000_000,
            gic: nil,
            // Local-controller timer inputs: 0 CNTPS, 1 CNTPNS, 2 CNTHP, 3 CNTV.
            timer: TimerPPIs(secure: 0, nonSecure: 1, virtual: 3, hypervisor: 2, flags: 0),
            counterHz: 19_200_000,
            cpuHz: 1_200_000_000,
            maxCPUs: 4,
            affinity: { UInt64($0) },
            multithreaded: false,
            placeholders: [],
            virtio: [])
        b.interruptController = .bcm2836(local: 0x4000_0000, armctrl: 0x3F00_B200)
        b.devices = [
            DeviceInstance(.bcm2835SystemTimer, at: 0x3F00_3000, irq: 0),
            DeviceInstance(.bcm2835Mailbox, at: 0x3F00_B880, irq: 64 + 1),
            DeviceInstance(.bcm2835PM, at: 0x3F10_0000),
            DeviceInstance(.bcm2835CPRMAN, at: 0x3F10_1000),
            DeviceInstance(.bcm2835RNG, at: 0x3F10_4000),
            DeviceInstance(.bcm2835GPIO, at: 0x3F20_0000),
            DeviceInstance(.pl011, at: 0x3F20_1000, irq: 57, console: true),
            DeviceInstance(.bcm2835SDHost, at: 0x3F20_2000, irq: 56),
            DeviceInstance(.bcm2835AuxUART, at: 0x3F21_5000, irq: 29, console: true),
        ]
        b.peripheralWindow = Bank(base: 0x3F00_0000, size: 0x100_0000)
        b.boot = .spinTable(slots: [0xD8, 0xE0, 0xE8, 0xF0])
        // BCM2837: 512 KiB shared L2, LPDDR2 (≈100 ns random read past the L2 at 1.2 GHz).
        b.memorySystem = MemorySystem(l2Bytes: 512 << 10, dramNanoseconds: 100)
        // The firmware loads a 64-bit kernel at 0x200000 (text_offset 0 Images; QEMU does the same).
        b.imageBase = 0x20_0000
        b.initrdBase = 0x800_0000
        // A kernel8.img without the arm64 Image header: the firmware's kernel_address default.
        b.rawKernelBase = 0x8_0000
        b.upstreamDTB = "broadcom/bcm2837-rpi-3-b-plus.dtb"
        b.boardRevision = 0xA020D3
        // TF-A's rpi3 layout (platform_def.h): secure SRAM 0x10000000-0x10100000, the trusted
        // mailbox at its start, BL31 in its top 128 KiB; RPI3_BL31_PLAT_PARAM_VAL checked in x1.
        b.firmware = .tfaBL31(base: 0x100E_0000, size: 0x2_0000, mailbox: 0x1000_0000,
                              secureRAM: Bank(base: 0x1000_0000, size: 0x10_0000), paramCheck: 0x0F1E_2D3C_4B5A_6978)
        // The BCM2837 straps its peripheral base into the cores, as QEMU's raspi models do.
        b.peripheralBase = 0x3F00_0000
        b.bootsFromCard = true
        b.boots = "an arm64 Image or raw kernel8.img at EL2 via the spin table, TF-A's bl31.bin with --firmware, U-Boot rpi_arm64 with --sd; --sd alone boots the card as the Pi firmware does (config.txt)"
        return b
    }()
}
