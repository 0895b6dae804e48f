/// How guests reach the firmware: the `method` of the device tree's /psci node.
public enum Conduit: String {
    case smc, hvc
}

/// PSCI 1.0 and SMCCC 1.1 answered by the simulator itself when no EL3 firmware is loaded, as
/// QEMU does (Arm DEN0022 "Power State Coordination Interface", DEN0028 "SMC Calling Convention").
public final class PSCIFirmware {
    /// PSCI and SMCCC function IDs; 64-bit variants where the interface has one.
    enum Function: UInt32 {
        case version = 0x8400_0000, cpuSuspend32 = 0x8400_0001, cpuOff = 0x8400_0002, cpuOn32 = 0x8400_0003
        case affinityInfo32 = 0x8400_0004, migrateInfoType = 0x8400_0006, systemOff = 0x8400_0008
        case systemReset = 0x8400_0009, features = 0x8400_000A
        case cpuSuspend64 = 0xC400_0001, cpuOn64 = 0xC400_0003, affinityInfo64 = 0xC400_0004
        case smcccVersion = 0x8000_0000, smcccArchFeatures = 0x8000_0001
    }

    /// PSCI return codes.
    enum Status: Int64 {
        case success = 0, notSupported = -1, invalidParameters = -2, denied = -3, alreadyOn = -4
        case onPending = -5, internalFailure = -6
    }

    public let conduit: Conduit
    unowned let machine: Machine

    init(conduit: Conduit, machine: Machine) {
        self.conduit = conduit
        self.machine = machine
    }

    /// Handles the call in the core's x0-x3; returns true if the core stopped (off, machine halted).
    func call(core: Core) -> Bool {
        let r = core.x
        let fid = UInt32(truncatingIfNeeded: r[0])
        let is32 = fid & 0x4000_0000 == 0
        func arg(_ n: Int) -> UInt64 { is32 ? r[n] & 0xFFFF_FFFF : r[n] }
        func ret(_ v: Int64) { r[0] = UInt64(bitPattern: v) }
        func ret(_ s: Status) { ret(s.rawValue) }
        machine.trace?.note("psci: core \(core.index) function 0x\(String(fid, radix: 16))")
        guard let f = Function(rawValue: fid) else { ret(.notSupported); return false }
        machine.timeline?.instant(core: core.index, "PSCI \(f)", category: "psci", at: core.state.pointee.cycles,
                                  args: [("function", Timeline.hex(UInt64(fid)))])
        switch f {
        case .version: ret(Int64(machine.board.psciVersion))
        case .smcccVersion: ret(0x1_0001)
        case .smcccArchFeatures:
            // SMCCC_ARCH_WORKAROUND_* are not needed on a Cortex-A53 and are not implemented.
            ret(UInt32(truncatingIfNeeded: r[1]) == Function.smcccVersion.rawValue ? 0 : Status.notSupported.rawValue)
        case .features:
            ret(Function(rawValue: UInt32(truncatingIfNeeded: r[1])) != nil ? 0 : Status.notSupported.rawValue)
        case .migrateInfoType: ret(2)
        case .cpuSuspend32, .cpuSuspend64:
            // Standby and power-down states both behave as WFI and return SUCCESS on wake-up.
            ret(.success)
            return core.wait(event: false, pc: core.state.pointee.pc &- 4)
        case .cpuOff:
            core.power = .off
            return true
        case .cpuOn32, .cpuOn64:
            guard let target = machine.cores.first(where: { $0.mpidr & 0xFF_00FF_FFFF == arg(1) & 0xFF_00FF_FFFF }) else {
                ret(.invalidParameters); return false
            }
            if target.power != .off { ret(.alreadyOn); return false }
            target.boot(entry: arg(2), el: machine.entryEL, x0: arg(3))
            target.state.pointee.cycles = core.state.pointee.cycles
            ret(.success)
        case .affinityInfo32, .affinityInfo64:
            guard arg(2) == 0 else { ret(.invalidParameters); return false }
            guard let target = machine.cores.first(where: { $0.mpidr & 0xFF_00FF_FFFF == arg(1) & 0xFF_00FF_FFFF }) else {
                ret(.invalidParameters); return false
            }
            ret(target.power == .off ? 1 : 0)
        case .systemOff:
            machine.finish(.poweredOff)
            return true
        case .systemReset:
            machine.finish(.reset)
            return true
        }
        return false
    }
}
