import Devices
/// A board as data: its physical map, interrupt numbers, counter frequency and CPU identities.
/// Behaviour lives in the devices; a board only says where they are.
public struct BoardSpec {
    /// A PL011 UART: base address and interrupt (INTID).
    public struct UART {
        public let base: UInt64
        public let intid: Int
    }

    /// A memory bank: RAM banks are filled in order up to `--memory`.
    public struct Bank {
        public let base: UInt64
        public let size: UInt64
    }

    /// A virtio-mmio transport slot: base address and interrupt (INTID, edge-triggered SPI).
    public struct VirtIOSlot {
        public let base: UInt64
        public let intid: Int
        /// What the real board puts here ("block", "net", ...), or nil for a generic slot.
        public let role: String?
    }

    /// A region a real board has and we do not model yet: reads as zero, ignores writes.
    public struct Placeholder {
        public let name: String
        public let base: UInt64
        public let size: UInt64
    }

    /// Generic-timer PPIs as INTIDs, with device-tree trigger flags (4 level-high, 8 level-low).
    public struct TimerPPIs {
        public let secure, nonSecure, virtual, hypervisor: Int
        public let flags: UInt32
    }

    /// GIC regions: a GICv3's distributor and redistributors, or a GICv2's distributor, CPU
    /// interface, hypervisor interface (GICH) and virtual CPU interface (GICV).
    public struct GIC {
        public let distributor: UInt64
        public let redistributors: UInt64
        public let redistributorSize: UInt64
        public let maintenanceIntid: Int
        public var architecture: GICv3.Architecture = .v3
        /// A GICv3 ITS the board can have (`--its`), 128 KiB.
        public var its: UInt64? = nil
        public var cpuInterface: UInt64 = 0, hypervisorInterface: UInt64 = 0, virtualCPUInterface: UInt64 = 0

        /// A GICv2 (GIC-400 register map, 64 KiB apart as on QEMU's virt).
        public static func v2(distributor: UInt64, cpuInterface: UInt64, hypervisorInterface: UInt64,
                              virtualCPUInterface: UInt64, maintenanceIntid: Int) -> GIC {
            var g = GIC(distributor: distributor, redistributors: 0, redistributorSize: 0, maintenanceIntid: maintenanceIntid)
            g.architecture = .v2
            g.cpuInterface = cpuInterface
            g.hypervisorInterface = hypervisorInterface
            g.virtualCPUInterface = virtualCPUInterface
            return g
        }
        /// Shared peripheral interrupts implemented (GICD_TYPER.ITLinesNumber), a multiple of 32.
        public var spiCount = 256
        /// The PMU's overflow interrupt (PPI 7 on every board we model, as their trees say).
        public var pmuIntid = 23
    }

    /// How interrupts reach the cores: a GICv3 (the `gic` regions), or the BCM2836 local
    /// controller with the BCM2835 armctrl chained into its GPU input (no GIC at all).
    public enum InterruptController {
        case gicv3
        case bcm2836(local: UInt64, armctrl: UInt64)
    }

    /// Device models a board can instantiate by name (`DeviceInstance.model`); the registry that
    /// builds them is `BoardDevices.make`.
    public enum DeviceModel: String {
        case pl011 = "arm,pl011"
        case bcm2835AuxUART = "brcm,bcm2835-aux-uart"
        case bcm2835SystemTimer = "brcm,bcm2835-system-timer"
        case bcm2835Mailbox = "brcm,bcm2835-mbox"
        case bcm2835GPIO = "brcm,bcm2835-gpio"
        case bcm2835PM = "brcm,bcm2835-pm"
        case bcm2835CPRMAN = "brcm,bcm2835-cprman"
        case bcm2835RNG = "brcm,bcm2835-rng"
        case bcm2835SDHost = "brcm,bcm2835-sdhost"
        /// Registers that keep what is written, with the firmware's values (`DeviceInstance.values`).
        case syscon = "syscon"
        case armada3700UART = "marvell,armada-3700-uart"
        /// North-bridge pin control and GPIO: the SD card-detect input, the warm-reset register.
        case armada3700NBPinctrl = "marvell,armada3710-nb-pinctrl"
        /// The CPU's address-decoder windows (no tree node), set as TF-A leaves them for the RAM fitted.
        case armada3700DecoderWindows = "marvell,armada-3700-cpu-decoder"
        /// The SPI controller, with the `--spi-flash` NOR chip on chip select 0.
        case armada3700SPI = "marvell,armada-3700-spi"
        /// The XOR DMA engine's two channels (descriptor chains in guest memory).
        case armada3700XOR = "marvell,armada-3700-xor"
        /// A standard SDHCI with Marvell's Xenon vendor registers: the SD slot.
        case xenonSDHCI = "marvell,armada-3700-sdhci"

        /// Models that keep time or poll console input: the machine ticks them every quantum.
        public var isTicked: Bool {
            switch self {
            case .pl011, .bcm2835AuxUART, .bcm2835SystemTimer, .bcm2835Mailbox, .armada3700UART: return true
            default: return false
            }
        }
        /// Models that hold the card of `--sd`.
        public var isSDSlot: Bool { self == .bcm2835SDHost || self == .xenonSDHCI }
        /// Models that hold the chip of `--spi-flash`.
        public var isSPIFlashSlot: Bool { self == .armada3700SPI }
    }

    /// One device of the board: which model, where, and the interrupt line it drives on the
    /// board's controller (GIC INTID, or armctrl's numbering: GPU 0-63, ARM 64-71).
    public struct DeviceInstance {
        public let model: DeviceModel
        public let base: UInt64
        public let irq: Int?
        /// Whether this device's output and input are the console's.
        public let console: Bool
        /// All interrupt lines, in the model's order, for devices with several (the first is `irq`).
        public let lines: [Int]
        /// For register banks (`.syscon`): the window's size and the values firmware leaves.
        public let size: UInt64
        public let values: [UInt64: UInt32]
        /// Status bits that always read 1 (PHY ready flags; `RegisterBank.readsOne`).
        public let readsOne: [UInt64: UInt32]
        public init(_ model: DeviceModel, at base: UInt64, irq: Int? = nil, lines: [Int] = [], console: Bool = false,
                    size: UInt64 = 0x1000, values: [UInt64: UInt32] = [:], readsOne: [UInt64: UInt32] = [:]) {
            self.model = model; self.base = base; self.irq = irq ?? lines.first; self.console = console
            self.lines = lines.isEmpty ? irq.map { [$0] } ?? [] : lines
            self.size = size; self.values = values; self.readsOne = readsOne
        }
    }

    /// How the payload is started, as the board's firmware would.
    public enum BootProtocol {
        /// QEMU-style direct boot: CPU 0 at the entry, secondaries off until PSCI CPU_ON (answered
        /// by the simulator below EL3).
        case direct
        /// The Pi firmware's armstub: every core enters EL2 from EL3 set-up with SMC disabled (no
        /// PSCI); secondaries wait in WFE until a non-zero address appears in their release slot.
        case spinTable(slots: [UInt64])
    }

    /// EL3 firmware the board can boot through (`--firmware`), and how the simulator, playing the
    /// boot stages before it, enters it.
    public enum FirmwareProtocol {
        /// TF-A's BL31 entered as its BL2 would (TF-A plat/rpi/rpi3): the image at `base` (at most
        /// `size` bytes) runs on the primary with a bl_params_t list in x0 and the platform's check
        /// value in x1. The other cores are held in BL1's trusted mailbox: `mailbox` holds the warm
        /// entry point, then one hold word per core; a core leaves when its word becomes 1 (CPU_ON)
        /// and enters the entry point at EL3. A warm reset (RMR_EL3.RR, CPU_OFF) returns a core
        /// there. `secureRAM` is the "secure SRAM" the firmware lives in: reserved in the tree.
        case tfaBL31(base: UInt64, size: UInt64, mailbox: UInt64, secureRAM: Bank, paramCheck: UInt64)
    }

    public let name: String
    public let model: String
    public let compatible: [String]
    public let ramBanks: [Bank]
    public let defaultRAM: UInt64
    /// Read-only memory (NOR flash) and extra RAM (trusted SRAM).
    public let flash: [Bank]
    public let sram: [Bank]
    public let uarts: [UART]
    /// The UART used as the console (stdout-path).
    public let consoleUART: Int
    public let uartClockHz: UInt32
    /// Nil for the user-mode address space, which has no devices.
    public private(set) var gic: GIC?
    /// A GICv2 the board can have instead (`--gic v2`), or nil.
    public var gicv2: GIC? = nil
    /// A PCIe host bridge (ECAM, 32-bit memory window, first of four INTx SPIs), for `--device *-pci`.
    public struct PCIe {
        public let ecam: UInt64, ecamSize: UInt64, window: UInt64, windowSize: UInt64, intxBase: Int
    }
    public var pcie: PCIe? = nil
    /// An SMMUv3 the board can have (`--iommu smmuv3`): its frame and wired interrupts (INTIDs).
    public struct SMMU {
        public let base: UInt64, size: UInt64
        public let interrupts: SMMUv3.Interrupts
    }
    public var smmu: SMMU? = nil
    public let timer: TimerPPIs
    /// CNTFRQ: the system counter's frequency.
    public let counterHz: UInt64
    /// Core clock of the cycle model.
    public let cpuHz: UInt64
    public let maxCPUs: Int
    /// MPIDR affinity for CPU n (without the RES1 bit 31).
    public let affinity: (Int) -> UInt64
    /// MPIDR_EL1.MT: affinity level 0 counts threads.
    public let multithreaded: Bool
    public let placeholders: [Placeholder]
    public let virtio: [VirtIOSlot]
    /// Versatile Express motherboard system registers (configuration bus, shutdown, reboot), if any.
    public var v2mSysRegs: UInt64? = nil
    public var interruptController: InterruptController = .gicv3
    public var devices: [DeviceInstance] = []
    /// A window where the board has peripherals: what no modelled device covers reads as zero.
    public var peripheralWindow: Bank? = nil
    public var boot: BootProtocol = .direct
    /// Caches and memory the `--timing a53` model gives the board's cores.
    public var memorySystem = MemorySystem()
    /// Where the boot loader puts the initrd, with the device tree at the next 2 MiB boundary after
    /// it (QEMU's and the Pi's layout: 128 MiB into RAM); nil: both at the top of the first bank.
    public var initrdBase: UInt64? = nil
    /// Where an arm64 Image's 2 MiB-aligned base goes (its text_offset is added); default RAM base.
    public var imageBase: UInt64? = nil
    /// Where a `--kernel` that is neither ELF nor arm64 Image goes and starts, as the board's
    /// firmware loads a raw `kernel8.img`; nil: such a file is refused.
    public var rawKernelBase: UInt64? = nil
    /// Linux's upstream device tree for the board (a path under Debian's usr/lib/linux-image-*/),
    /// used instead of a generated tree when no --dtb is given.
    public var upstreamDTB: String? = nil
    /// What the board's firmware answers over the mailbox (rpi3).
    public var boardRevision: UInt32 = 0
    public var firmware: FirmwareProtocol? = nil
    /// Boots what its SD card says when given a card and no payload (the Pi's GPU firmware:
    /// config.txt on the FAT boot partition; Loaders/PiFirmware.swift).
    public var bootsFromCard = false
    /// What boots on the board, for `sim boards`.
    public var boots = "an arm64 Linux Image or ELF at EL2 (PSCI from the simulator); the Minos hypervisor with two Linux VMs (no payload: the default flow)"
    /// PSCI_VERSION the simulator answers with below EL3 (major << 16 | minor), as the board's firmware.
    public var psciVersion: UInt32 = 0x1_0000
    /// CBAR_EL1's PERIPHBASE: the address the SoC strapped into the cores (Cortex-A53 TRM 4.3.62).
    public var peripheralBase: UInt64 = 0

    public var ramBase: UInt64 { ramBanks[0].base }

    /// The board with the interrupt controller `--gic` asks for.
    public func with(gic version: GICv3.Architecture) throws -> BoardSpec {
        if version == gic?.architecture { return self }
        guard version == .v2, let v2 = gicv2 else {
            throw SimError.config("--gic v\(version == .v2 ? 2 : 3): board \(name) has no such interrupt controller")
        }
        var b = self
        b.gic = v2
        return b
    }

    /// MPIDR_EL1 of CPU n: RES1 bit 31, MT, affinity.
    public func mpidr(_ n: Int) -> UInt64 { 1 << 31 | (multithreaded ? 1 << 24 : 0) | affinity(n) }
    public var maxRAM: UInt64 { ramBanks.reduce(0) { $0 + $1.size } }

    public static let all: [String: BoardSpec] = ["virt": .virt, "fvp": .fvp, "rpi3": .rpi3, "espressobin": .espressobin]
}
