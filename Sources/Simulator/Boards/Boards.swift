import Devices

extension BoardSpec {
    /// QEMU's `-M virt` map (hw/arm/virt.c memory map), GICv3.
    public static let virt: BoardSpec = {
      var b = BoardSpec(
        name: "virt",
        model: "linux,dummy-virt",
        compatible: ["linux,dummy-virt"],
        ramBanks: [Bank(base: 0x4000_0000, size: 255 << 30)],
        defaultRAM: 1 << 30,
        flash: [Bank(base: 0x0000_0000, size: 0x0400_0000), Bank(base: 0x0400_0000, size: 0x0400_0000)],
        sram: [],
        uarts: [UART(base: 0x0900_0000, intid: 32 + 1)],
        consoleUART: 0,
        uartClockHz: 24_000_000,
        gic: { var g = GIC(distributor: 0x0800_0000, redistributors: 0x080A_0000, redistributorSize: 0x00F6_0000, maintenanceIntid: 25)
               g.its = 0x0808_0000
               return g }(),
        timer: TimerPPIs(secure: 29, nonSecure: 30, virtual: 27, hypervisor: 26, flags: 4),
        counterHz: 62_500_000,
        cpuHz: 1_000_000_000,
        maxCPUs: 8,
        affinity: { UInt64($0) },
        multithreaded: false,
        placeholders: [
            Placeholder(name: "pl031-rtc", base: 0x0901_0000, size: 0x1000),
            Placeholder(name: "fw-cfg", base: 0x0902_0000, size: 0x18),
            Placeholder(name: "pl061-gpio", base: 0x0903_0000, size: 0x1000),
        ],
        // 32 transports, 0x200 apart, SPIs 16-47, as QEMU's virt has them.
        virtio: (0..<32).map { VirtIOSlot(base: 0x0A00_0000 + UInt64($0) * 0x200, intid: 32 + 16 + $0, role: nil) }
      )
      // `--gic v2`: QEMU's gic-version=2 map (GICD, GICC, GICH, GICV), virtualization=on.
      b.gicv2 = .v2(distributor: 0x0800_0000, cpuInterface: 0x0801_0000, hypervisorInterface: 0x0803_0000,
                    virtualCPUInterface: 0x0804_0000, maintenanceIntid: 25)
      // QEMU's PCIe: the high ECAM (256 buses), the 32-bit MMIO window, INTA-D on SPIs 3-6.
      b.pcie = PCIe(ecam: 0x40_1000_0000, ecamSize: 0x1000_0000, window: 0x1000_0000, windowSize: 0x2EFF_0000, intxBase: 32 + 3)
      // QEMU's iommu=smmuv3: 128 KiB at 0x09050000, eventq/priq/cmdq-sync/gerror on SPIs 74-77.
      b.smmu = SMMU(base: 0x0905_0000, size: 0x2_0000,
                    interrupts: SMMUv3.Interrupts(eventq: 32 + 74, priq: 32 + 75, cmdqSync: 32 + 76, gerror: 32 + 77))
      return b
    }()

    /// Arm FVP Base RevC (upstream arm/fvp-base-revc.dts), GICv3, two clusters of four cores.
    public static let fvp: BoardSpec = {
      var b = BoardSpec(
        name: "fvp",
        model: "FVP Base RevC",
        compatible: ["arm,fvp-base-revc", "arm,vexpress"],
        ramBanks: [Bank(base: 0x8000_0000, size: 0x8000_0000), Bank(base: 0x8_8000_0000, size: 0x1_8000_0000)],
        defaultRAM: 2 << 30,
        flash: [Bank(base: 0x0800_0000, size: 0x0400_0000), Bank(base: 0x0C00_0000, size: 0x0400_0000)],
        // Trusted SRAM, and the 8 MiB video RAM the upstream tree reserves for the CLCD.
        sram: [Bank(base: 0x0400_0000, size: 0x4_0000), Bank(base: 0x1800_0000, size: 0x80_0000)],
        uarts: [UART(base: 0x1C09_0000, intid: 32 + 5), UART(base: 0x1C0A_0000, intid: 32 + 6),
                UART(base: 0x1C0B_0000, intid: 32 + 7), UART(base: 0x1C0C_0000, intid: 32 + 8)],
        consoleUART: 0,
        uartClockHz: 24_000_000,
        gic: GIC(distributor: 0x2F00_0000, redistributors: 0x2F10_0000, redistributorSize: 0x20_0000, maintenanceIntid: 25),
        timer: TimerPPIs(secure: 29, nonSecure: 30, virtual: 27, hypervisor: 26, flags: 8),
        counterHz: 100_000_000,
        cpuHz: 1_000_000_000,
        maxCPUs: 8,
        // Cluster in Aff2, core in Aff1, with MPIDR.MT set, as the upstream device tree's cpu@ reg values say.
        affinity: { UInt64(($0 / 4) << 16 | ($0 % 4) << 8) },
        multithreaded: true,
        // Every region Linux's arch/arm64/boot/dts/arm/fvp-base-revc.dts (with rtsm_ve-motherboard-rs2)
        // lists that we do not model, so Debian's upstream fvp-base-revc.dtb boots: drivers probe,
        // read zeros (AMBA peripheral ID 0, no PCI vendor, no ITS/SMMU features) and move on.
        placeholders: [
            Placeholder(name: "lan91c111", base: 0x1A00_0000, size: 0x1_0000),
            Placeholder(name: "sp810-sysctl", base: 0x1C02_0000, size: 0x1000),
            Placeholder(name: "pl041-aaci", base: 0x1C04_0000, size: 0x1000),
            Placeholder(name: "pl180-mmci", base: 0x1C05_0000, size: 0x1000),
            Placeholder(name: "pl050-kmi0", base: 0x1C06_0000, size: 0x1000),
            Placeholder(name: "pl050-kmi1", base: 0x1C07_0000, size: 0x1000),
            Placeholder(name: "sp805-wdt", base: 0x1C0F_0000, size: 0x1000),
            Placeholder(name: "sp804-timer0", base: 0x1C11_0000, size: 0x1000),
            Placeholder(name: "sp804-timer1", base: 0x1C12_0000, size: 0x1000),
            Placeholder(name: "pl031-rtc", base: 0x1C17_0000, size: 0x1000),
            Placeholder(name: "pl111-clcd", base: 0x1C1F_0000, size: 0x1000),
            Placeholder(name: "cnt-control", base: 0x2A43_0000, size: 0x1_0000),
            Placeholder(name: "cnt-read", base: 0x2A80_0000, size: 0x1_0000),
            Placeholder(name: "cnt-ctl", base: 0x2A81_0000, size: 0x1_0000),
            Placeholder(name: "smmuv3", base: 0x2B40_0000, size: 0x10_0000),
            Placeholder(name: "gicc", base: 0x2C00_0000, size: 0x2000),
            Placeholder(name: "gich", base: 0x2C01_0000, size: 0x2000),
            Placeholder(name: "gicv", base: 0x2C02_F000, size: 0x2000),
            Placeholder(name: "gic-its", base: 0x2F02_0000, size: 0x2_0000),
            Placeholder(name: "pci-ecam", base: 0x4000_0000, size: 0x1000_0000),
        ],
        // The FVP's virtio block and net slots; its 9p slot carries our virtio console; its
        // virtio-rng slot (disabled in the upstream tree) stays an empty transport.
        virtio: [VirtIOSlot(base: 0x1C13_0000, intid: 32 + 42, role: "block"),
                 VirtIOSlot(base: 0x1C14_0000, intid: 32 + 43, role: "console"),
                 VirtIOSlot(base: 0x1C15_0000, intid: 32 + 44, role: "net"),
                 VirtIOSlot(base: 0x1C20_0000, intid: 32 + 46, role: "rng")],
        v2mSysRegs: 0x1C01_0000
      )
      b.smmu = fvpSMMU
      return b
    }()
}

extension BoardSpec {
    /// FVP Base RevC's SMMUv3 (`--iommu smmuv3`; upstream fvp-base-revc.dts: 1 MiB at 0x2B400000,
    /// eventq SPI 74, priq 75, cmdq-sync 77, gerror 79). Without the option its window stays a
    /// read-as-zero placeholder.
    static let fvpSMMU = SMMU(base: 0x2B40_0000, size: 0x2_0000,
                              interrupts: SMMUv3.Interrupts(eventq: 32 + 74, priq: 32 + 75, cmdqSync: 32 + 77, gerror: 32 + 79))
}
