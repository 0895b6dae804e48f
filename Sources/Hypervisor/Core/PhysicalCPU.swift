/// Per physical CPU state: its redistributor, the vCPUs pinned to it, the
/// vCPU whose context is loaded in the hardware and the owner of the FP registers.
final class PhysicalCPU {
    let index: Int
    let mpidr: UInt64
    /// GICv3: its redistributor frame. GICv2: its CPU interface's bit in ITARGETSR and SGIR.
    var redistributor: UInt64 = 0
    var gicTargetMask: UInt8 = 0
    var vcpus: [VCPU] = []
    /// The vCPU whose EL1 registers, timer and list registers are in the hardware.
    var loaded: VCPU? = nil
    var fpOwner: VCPU? = nil
    var current: VCPU? = nil
    var sliceStart: UInt64 = 0
    var online = false
    /// No GIC: the local controller's CNTV input is masked (Core/SoftwareInterrupts.swift).
    var virtualTimerMasked = false
    /// Spin-table CPUs: the word the boot loader's holding loop watches (`cpu-release-addr`).
    var releaseAddress: UInt64? = nil

    init(index: Int, mpidr: UInt64) {
        self.index = index
        self.mpidr = mpidr
    }
}
