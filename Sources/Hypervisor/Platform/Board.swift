/// A board as data: where its devices are and which interrupts they use.
/// Anything that varies per machine instance (CPU count, MPIDRs, RAM size)
/// comes from the boot loader's device tree instead.
struct Board {
    var name: StaticString
    /// The hypervisor console's UART: its kind, base and receive interrupt (SPI number, INTID - 32).
    /// Each VM gets an emulated PL011 at the same address and SPI.
    let uartKind: ConsoleUART.Kind
    let uartBase: UInt64
    let uartSPI: UInt32
    /// GIC distributor and, on a GICv3, the first redistributor (128 KiB per CPU).
    let gicdBase: UInt64
    let gicrBase: UInt64
    let gicrStride: UInt64
    /// Physical window DRAM can occupy: mapped Normal at EL2, everything below is Device.
    let ramWindow: Range<UInt64>
    /// Interrupt IDs (INTIDs) of the per-CPU timer PPIs and the GIC maintenance PPI.
    let hypTimerPPI: UInt32
    let virtTimerPPI: UInt32
    let physTimerPPI: UInt32
    let maintenancePPI: UInt32
    /// Device-tree trigger flags for the timer PPIs (4 = level high, 8 = level low).
    let timerTrigger: UInt32
    /// Clock of the PL011, named in guest device trees.
    let uartClockHz: UInt32
    /// The host interrupt controller: a GICv3 (the fields above), a GICv2 with the
    /// virtualization extensions (GIC-400: its distributor at `gicdBase`, the memory-mapped CPU
    /// interface, hypervisor control and virtual CPU interface frames), or the Pi's BCM2836 local
    /// block with armctrl behind it, which has no virtualization support (vIRQs in software).
    var chip = InterruptChip.gicv3
    /// Where each VM's PL011 sits and its interrupt, when not at the console's address and SPI
    /// (the Pi: GPU interrupt 57 at 0x3F201000, its PL011's place, while the console is the mini UART).
    var guestUART: (base: UInt64, irq: UInt32)? = nil
    /// The BCM2835 PM watchdog: power-off without PSCI firmware.
    var pmWatchdog: UInt64? = nil
    /// A page of IPAs no VM memory uses, where each vCPU's spin-table release word is trapped.
    var spinTableIPA: UInt64 = 0
    /// The PMU's overflow interrupt: INTID 23 (PPI 7, as the boards' trees say) on a GIC, the
    /// local controller's PMU input on the Pi. Taken by the hypervisor, given to VMs virtually.
    var pmuInterrupt: UInt32 = 23

    enum InterruptChip {
        case gicv3
        case gicv2(GICv2Frames)
        case bcm2836(local: UInt64, armctrl: UInt64)
    }

    /// A GIC (either version) with list registers: virtual interrupts in hardware.
    var hasGIC: Bool { if case .bcm2836 = chip { return false } else { return true } }
    /// The GICv2 frames when the host GIC is a GICv2.
    var gicv2: GICv2Frames? { if case .gicv2(let f) = chip { return f } else { return nil } }
    var vuartBase: UInt64 { guestUART?.base ?? uartBase }
    var vuartIRQ: UInt32 { guestUART?.irq ?? uartSPI }
}

extension Board {
    /// QEMU's `-M virt` (hw/arm/virt.c memory map).
    static let virt = Board(
        name: "virt", uartKind: .pl011, uartBase: 0x0900_0000, uartSPI: 1,
        gicdBase: 0x0800_0000, gicrBase: 0x080A_0000, gicrStride: 0x2_0000,
        ramWindow: 0x4000_0000..<0x1_0000_0000,
        hypTimerPPI: 26, virtTimerPPI: 27, physTimerPPI: 30, maintenancePPI: 25,
        timerTrigger: 4, uartClockHz: 24_000_000)

    /// QEMU's `-M virt,gic-version=2` (and `sim --board virt --gic v2`): the same map with a
    /// GIC-400, its CPU interface at 0x08010000, GICH at 0x08030000 and GICV at 0x08040000.
    static let virtGICv2: Board = {
        var b = Board.virt
        b.name = "virt-gicv2"
        b.chip = .gicv2(GICv2Frames(cpu: 0x0801_0000, hyp: 0x0803_0000, vcpu: 0x0804_0000))
        return b
    }()

    /// Arm FVP Base RevC (upstream fvp-base-revc.dts).
    static let fvp = Board(
        name: "fvp", uartKind: .pl011, uartBase: 0x1C09_0000, uartSPI: 5,
        gicdBase: 0x2F00_0000, gicrBase: 0x2F10_0000, gicrStride: 0x2_0000,
        ramWindow: 0x8000_0000..<0x1_0000_0000,
        hypTimerPPI: 26, virtTimerPPI: 27, physTimerPPI: 30, maintenancePPI: 25,
        timerTrigger: 8, uartClockHz: 24_000_000)

    /// Globalscale ESPRESSObin (Armada 3720; armada-37xx.dtsi): RAM from 0, GIC-500 and the
    /// Armada UART (its RX interrupt, SPI 13) in the internal-register window at 0xD0000000.
    static let espressobin = Board(
        name: "espressobin", uartKind: .armada3700, uartBase: 0xD001_2000, uartSPI: 13,
        gicdBase: 0xD1D0_0000, gicrBase: 0xD1D4_0000, gicrStride: 0x2_0000,
        ramWindow: 0x0..<0x8000_0000,
        hypTimerPPI: 26, virtTimerPPI: 27, physTimerPPI: 30, maintenancePPI: 25,
        timerTrigger: 4, uartClockHz: 24_000_000)

    /// Raspberry Pi 3 (BCM2837): RAM from 0, peripherals at 0x3F000000, no GIC. The console is the
    /// mini UART (GPU interrupt 29) the upstream tree's stdout-path names; VMs get a PL011 at the
    /// SoC's PL011 address on GPU interrupt 57, and the BCM2836 local controller and armctrl
    /// emulated (Virt/VirtualBCM2836.swift). Timer "PPIs" are local-controller inputs 0-3.
    static let rpi3 = Board(
        name: "rpi3", uartKind: .bcm2835Mini, uartBase: 0x3F21_5040, uartSPI: 29,
        gicdBase: 0, gicrBase: 0, gicrStride: 0,
        ramWindow: 0x0..<0x3F00_0000,
        hypTimerPPI: 2, virtTimerPPI: 3, physTimerPPI: 1, maintenancePPI: 0,
        timerTrigger: 4, uartClockHz: 48_000_000,
        chip: .bcm2836(local: 0x4000_0000, armctrl: 0x3F00_B200),
        guestUART: (0x3F20_1000, 57),
        pmWatchdog: 0x3F10_0000,
        spinTableIPA: 0x4000_1000,
        pmuInterrupt: 9)
}

#if BOARD_VIRT
let board = Board.virt
#elseif BOARD_VIRT_GICV2
let board = Board.virtGICv2
#elseif BOARD_ESPRESSOBIN
let board = Board.espressobin
#elseif BOARD_RPI3
let board = Board.rpi3
#else
let board = Board.fvp
#endif

/// Most CPUs the hypervisor brings up (stacks in Support/link.ld).
let maxPhysicalCPUs = 8
