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

    /// GICv3 regions.
    public struct GIC {
        public let distributor: UInt64
        public let redistributors: UInt64
        public let redistributorSize: UInt64
        public let maintenanceIntid: Int
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
    public let gic: GIC?
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

    public var ramBase: UInt64 { ramBanks[0].base }

    /// MPIDR_EL1 of CPU n: RES1 bit 31, MT, affinity.
    public func mpidr(_ n: Int) -> UInt64 { 1 << 31 | (multithreaded ? 1 << 24 : 0) | affinity(n) }
    public var maxRAM: UInt64 { ramBanks.reduce(0) { $0 + $1.size } }

    public static let all: [String: BoardSpec] = ["virt": .virt, "fvp": .fvp]
}
