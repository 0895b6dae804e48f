/// A board as data: where its devices are and which interrupts they use.
/// Anything that varies per machine instance (CPU count, MPIDRs, RAM size)
/// comes from the boot loader's device tree instead.
struct Board {
    let name: StaticString
    /// The hypervisor console's UART: its kind, base and receive interrupt (SPI number, INTID - 32).
    /// Each VM gets an emulated PL011 at the same address and SPI.
    let uartKind: ConsoleUART.Kind
    let uartBase: UInt64
    let uartSPI: UInt32
    /// GICv3 distributor and the first redistributor (128 KiB per CPU).
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
}

extension Board {
    /// QEMU's `-M virt` (hw/arm/virt.c memory map).
    static let virt = Board(
        name: "virt", uartKind: .pl011, uartBase: 0x0900_0000, uartSPI: 1,
        gicdBase: 0x0800_0000, gicrBase: 0x080A_0000, gicrStride: 0x2_0000,
        ramWindow: 0x4000_0000..<0x1_0000_0000,
        hypTimerPPI: 26, virtTimerPPI: 27, physTimerPPI: 30, maintenancePPI: 25,
        timerTrigger: 4, uartClockHz: 24_000_000)

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
}

#if BOARD_VIRT
let board = Board.virt
#elseif BOARD_ESPRESSOBIN
let board = Board.espressobin
#else
let board = Board.fvp
#endif

/// Most CPUs the hypervisor brings up (stacks in Support/link.ld).
let maxPhysicalCPUs = 8
