/// PSCI function IDs and return codes (Arm DEN 0022, "Power State
/// Coordination Interface"), and the calls the hypervisor makes to firmware.
enum PSCI {
    static let version: UInt32 = 0x8400_0000
    static let cpuSuspend32: UInt32 = 0x8400_0001, cpuSuspend64: UInt32 = 0xC400_0001
    static let cpuOff: UInt32 = 0x8400_0002
    static let cpuOn32: UInt32 = 0x8400_0003, cpuOn64: UInt32 = 0xC400_0003
    static let affinityInfo32: UInt32 = 0x8400_0004, affinityInfo64: UInt32 = 0xC400_0004
    static let migrateInfoType: UInt32 = 0x8400_0006
    static let systemOff: UInt32 = 0x8400_0008
    static let systemReset: UInt32 = 0x8400_0009
    static let features: UInt32 = 0x8400_000A
    static let smcccVersion: UInt32 = 0x8000_0000
    static let smcccArchFeatures: UInt32 = 0x8000_0001

    static let success: Int64 = 0, notSupported: Int64 = -1, invalidParameters: Int64 = -2
    static let denied: Int64 = -3, alreadyOn: Int64 = -4, onPending: Int64 = -5
    static let internalFailure: Int64 = -6

    /// PSCI 1.0 as (major << 16 | minor).
    static let version1_0: UInt64 = 0x1_0000
    /// MIGRATE_INFO_TYPE 2: no Trusted OS that needs migration.
    static let noTrustedOS: UInt64 = 2

    /// Start a physical CPU at `entry` with x0 = `context`.
    static func startCPU(mpidr: UInt64, entry: UInt64, context: UInt64) -> Int64 {
        Int64(bitPattern: Arch.smc(UInt64(cpuOn64), mpidr, entry, context))
    }

    /// The boot loader's device tree has /psci (firmware at EL3 answers SMCs).
    nonisolated(unsafe) static var firmwareHasPSCI = true

    /// SYSTEM_OFF through the firmware, or where there is none, the board's own way (the Pi's
    /// PM watchdog); a board with neither halts.
    static func powerOffMachine() -> Never {
        if firmwareHasPSCI { _ = Arch.smc(UInt64(systemOff)) }
        if let pm = board.pmWatchdog { BCM2835Watchdog(base: pm).powerOff() }
        haltCPU()
    }
}
