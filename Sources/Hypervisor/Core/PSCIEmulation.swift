/// PSCI 1.0 for guests, over HVC and SMC alike (DEN 0022). Power requests
/// only ever affect the calling VM; the machine powers off after the last VM.
extension Hypervisor {
    func handleHypercall(_ v: VCPU, conduitSMC: Bool, immediate: UInt32) {
        let fid = UInt32(truncatingIfNeeded: v.regs[x: 0])
        let a1 = v.regs[x: 1], a2 = v.regs[x: 2], a3 = v.regs[x: 3]
        guard immediate == 0 else { v.regs[x: 0] = UInt64(bitPattern: PSCI.notSupported); return }
        let r: Int64
        switch fid {
        case PSCI.version: r = Int64(PSCI.version1_0)
        case PSCI.smcccVersion: r = 0x1_0001                 // SMCCC 1.1
        case PSCI.features: r = supported(UInt32(truncatingIfNeeded: a1)) ? 0 : PSCI.notSupported
        case PSCI.cpuOn32, PSCI.cpuOn64: r = cpuOn(v.vm, target: a1, entry: a2, context: a3)
        case PSCI.cpuOff:
            v.power = .off
            if v.vm.vcpus.allSatisfy({ $0.power == .off }) { stop(v.vm, reason: "last vCPU called PSCI CPU_OFF") }
            return
        case PSCI.cpuSuspend32, PSCI.cpuSuspend64:
            // Standby and power-down both resume here once an interrupt is pending.
            idle(v)
            r = PSCI.success
        case PSCI.affinityInfo32, PSCI.affinityInfo64:
            if a2 != 0 { r = PSCI.invalidParameters }
            else if let t = vcpu(of: v.vm, mpidr: a1) { r = t.power == .on ? 0 : 1 }
            else { r = PSCI.invalidParameters }
        case PSCI.migrateInfoType: r = Int64(PSCI.noTrustedOS)
        case PSCI.systemOff:
            stop(v.vm, reason: "PSCI SYSTEM_OFF")
            return
        case PSCI.systemReset:
            reset(v.vm)
            return
        default: r = PSCI.notSupported
        }
        v.regs[x: 0] = UInt64(bitPattern: r)
    }

    private func supported(_ fid: UInt32) -> Bool {
        [PSCI.version, PSCI.features, PSCI.cpuOn32, PSCI.cpuOn64, PSCI.cpuOff, PSCI.cpuSuspend32,
         PSCI.cpuSuspend64, PSCI.affinityInfo32, PSCI.affinityInfo64, PSCI.migrateInfoType,
         PSCI.systemOff, PSCI.systemReset, PSCI.smcccVersion].contains(fid)
    }

    private func vcpu(of vm: VM, mpidr: UInt64) -> VCPU? {
        guard mpidr & 0xFF_00FF_FF00 == 0 else { return nil }
        let i = Int(mpidr & 0xFF)
        return i < vm.vcpus.count ? vm.vcpus[i] : nil
    }

    private func cpuOn(_ vm: VM, target: UInt64, entry: UInt64, context: UInt64) -> Int64 {
        guard let t = vcpu(of: vm, mpidr: target) else { return PSCI.invalidParameters }
        guard t.power == .off else { return PSCI.alreadyOn }
        guard vm.owns(ipa: entry, size: 4) else { return -9 }      // INVALID_ADDRESS
        t.reset(entry: entry, x0: context)
        t.power = .on
        kick(t.pcpu)
        return PSCI.success
    }

    /// SYSTEM_RESET: the VM restarts from its entry with a fresh device tree;
    /// its images are not reloaded (they are not kept by the hypervisor).
    private func reset(_ vm: VM) {
        log("\(vm.label) reset (PSCI SYSTEM_RESET)")
        for v in vm.vcpus { v.power = .off }
        vm.pristineDTB.withUnsafeBytes { src in
            UnsafeMutableRawPointer(bitPattern: UInt(vm.config.dtbAddress))!.copyMemory(from: src.baseAddress!, byteCount: src.count)
        }
        vm.counterOffset = Arch.physicalCount
        vm.vdist = VirtualDistributor(vm: vm)
        if vm.vbcm != nil {
            vm.vbcm = VirtualBCM2836(cpus: vm.config.vcpus)
            vm.spinRelease = Array(repeating: 0, count: vm.config.vcpus)
        }
        linkPassthrough(vm)
        vm.vcpus[0].reset(entry: vm.config.entry, x0: vm.config.dtbAddress)
        vm.vcpus[0].power = .on
        for v in vm.vcpus { kick(v.pcpu) }
    }
}
