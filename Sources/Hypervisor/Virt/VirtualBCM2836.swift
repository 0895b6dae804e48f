/// A VM's view of the Raspberry Pi 3's two interrupt controllers, emulated in software because
/// the BCM2837 has no GIC and so no virtual CPU interface: the BCM2836 local controller
/// (per-core timer and mailbox routing, IRQ/FIQ source registers; Linux's irq-bcm2836.c) and
/// the BCM2835 armctrl controller chained to it (GPU and ARM interrupt banks; irq-bcm2835.c).
/// Layouts: shared/boards/rpi3.md. Pure state: the VM samples input levels into it (timers,
/// its vUART, pass-through lines) and the hypervisor turns `irqSource`/`fiqSource` into
/// HCR_EL2.VI/VF. Inputs are levels, so nothing is ever lost between samples; mailboxes are
/// the only latched state, as on the hardware.
struct VirtualBCM2836 {
    /// The local block's size and the armctrl register window (0x00-0x24).
    static let localSize: UInt64 = 0x100
    static let armctrlSize: UInt64 = 0x28
    /// Local source bits (0x60/0x70 + 4n): timers 0-3, mailboxes 4-7, GPU 8, PMU 9.
    enum Source {
        static let timers: UInt32 = 0, mailboxes: UInt32 = 4, gpu: UInt32 = 8, pmu: UInt32 = 9
    }
    /// Generic-timer inputs of a core: 0 CNTPS, 1 CNTPNS, 2 CNTHP, 3 CNTV.
    enum Timer {
        static let physical: UInt32 = 1, virtual: UInt32 = 3
    }
    /// GPU interrupts shown as shortcut bits 10-20 of the basic pending register, in order.
    static let shortcuts: [Int] = [7, 9, 10, 18, 19, 53, 54, 55, 56, 57, 62]

    let cpus: Int
    private(set) var control: UInt32 = 0, prescaler: UInt32 = 0
    private(set) var gpuRouting: UInt32 = 0
    private var pmuRouting: UInt32 = 0, localTimerRouting: UInt32 = 0, localTimerControl: UInt32 = 0
    private(set) var timerControl: [UInt32]
    private(set) var mailboxControl: [UInt32]
    private(set) var mailbox: [[UInt32]]
    /// Input levels: each vCPU's timer outputs (bit per kind), its PMU's overflow interrupt (bit
    /// per vCPU), GPU interrupts 0-63, ARM 0-7.
    var timerLines: [UInt32]
    private(set) var pmuLines: UInt32 = 0
    var gpuLines: UInt64 = 0
    var armLines: UInt32 = 0
    /// armctrl enables (GPU 0-63, ARM basic 0-7) and FIQ control.
    private(set) var gpuEnable: UInt64 = 0
    private(set) var armEnable: UInt32 = 0
    private(set) var fiqControl: UInt32 = 0

    init(cpus: Int) {
        self.cpus = cpus
        timerControl = Array(repeating: 0, count: cpus)
        mailboxControl = Array(repeating: 0, count: cpus)
        mailbox = Array(repeating: [0, 0, 0, 0], count: cpus)
        timerLines = Array(repeating: 0, count: cpus)
    }

    // MARK: armctrl

    var gpuPending: UInt64 { gpuLines & gpuEnable }
    var armPending: UInt32 { armLines & armEnable & 0xFF }

    /// Basic pending: ARM bits 0-7, 8/9 for a pending GPU interrupt in bank 1/2 that has no
    /// shortcut, 10-20 the shortcuts (BCM2835 ARM Peripherals 7.5, "Basic pending register").
    var basicPending: UInt32 {
        var r = armPending
        var rest = gpuPending
        for (i, irq) in Self.shortcuts.enumerated() where gpuPending & (1 << UInt64(irq)) != 0 {
            r |= 1 << UInt32(10 + i)
            rest &= ~(1 << UInt64(irq))
        }
        if rest & 0xFFFF_FFFF != 0 { r |= 1 << 8 }
        if rest >> 32 != 0 { r |= 1 << 9 }
        return r
    }

    /// The FIQ control register's source (0-63 GPU, 64-71 ARM), when enabled and asserted.
    private var armctrlFIQ: Bool {
        guard fiqControl & 0x80 != 0 else { return false }
        let s = fiqControl & 0x7F
        return s < 64 ? gpuLines & (1 << UInt64(s)) != 0 : s < 72 && armLines & (1 << (s - 64)) != 0
    }
    /// armctrl's IRQ output: anything enabled and pending that is not the FIQ source.
    private var armctrlIRQ: Bool { gpuPending != 0 || armPending != 0 }

    // MARK: Per-vCPU sources

    /// The IRQ source register of `cpu` (0x60 + 4n): an input whose FIQ enable is set goes to FIQ instead.
    func irqSource(_ cpu: Int) -> UInt32 { source(cpu, fiq: false) }
    func fiqSource(_ cpu: Int) -> UInt32 { source(cpu, fiq: true) }

    private func source(_ cpu: Int, fiq: Bool) -> UInt32 {
        guard cpu < cpus else { return 0 }
        var s: UInt32 = 0
        let tc = timerControl[cpu], mc = mailboxControl[cpu]
        for k in 0..<UInt32(4) {
            if timerLines[cpu] & (1 << k) != 0, routed(tc, k, fiq) { s |= 1 << (Source.timers + k) }
            if mailbox[cpu][Int(k)] != 0, routed(mc, k, fiq) { s |= 1 << (Source.mailboxes + k) }
        }
        // PMU routing (0x10/0x14): bit n sends core n's PMU interrupt to its IRQ, bit n + 4 to its FIQ.
        if cpu < 4, pmuLines & (1 << UInt32(cpu)) != 0, routed(pmuRouting >> UInt32(cpu), 0, fiq) { s |= 1 << Source.pmu }
        if fiq {
            if armctrlFIQ && Int((gpuRouting >> 2) & 3) == cpu { s |= 1 << Source.gpu }
        } else if armctrlIRQ && Int(gpuRouting & 3) == cpu {
            s |= 1 << Source.gpu
        }
        return s
    }

    /// Control layout of 0x40/0x50 + 4n: bits 0-3 IRQ enable, 4-7 FIQ enable (FIQ wins).
    private func routed(_ control: UInt32, _ k: UInt32, _ fiq: Bool) -> Bool {
        let f = control & (1 << (k + 4)) != 0
        return fiq ? f : !f && control & (1 << k) != 0
    }

    // MARK: Register access

    /// A guest access to the local block at `offset`; reads return the register, writes
    /// return 0. Anything but a 32-bit access faults, as the hardware answers only those.
    mutating func accessLocal(offset: UInt64, size: Int, write: Bool, value: UInt32) -> MMIOResult {
        guard size == 4, offset % 4 == 0 else { return .fault }
        let o = Int(offset)
        switch (o, write) {
        case (0x00, _): if write { control = value }; return .handled(UInt64(control))
        case (0x08, _): if write { prescaler = value }; return .handled(UInt64(prescaler))
        case (0x0C, _): if write { gpuRouting = value & 0xF }; return .handled(UInt64(gpuRouting))
        case (0x10, true): pmuRouting |= value & 0xFF; return .handled(0)
        case (0x14, true): pmuRouting &= ~(value & 0xFF); return .handled(0)
        case (0x10, false), (0x14, false): return .handled(UInt64(pmuRouting))
        case (0x24, _): if write { localTimerRouting = value & 7 }; return .handled(UInt64(localTimerRouting))
        // The local timer is not modelled: its control reads back, its flag never sets.
        case (0x34, _): if write { localTimerControl = value & 0x3FFF_FFFF }; return .handled(UInt64(localTimerControl))
        case (0x38, _): return .handled(0)
        case (0x40..<0x50, _): return perCore(&timerControl, (o - 0x40) / 4, write, value & 0xFF)
        case (0x50..<0x60, _): return perCore(&mailboxControl, (o - 0x50) / 4, write, value & 0xFF)
        case (0x60..<0x70, false): return .handled(UInt64(irqSource((o - 0x60) / 4)))
        case (0x70..<0x80, false): return .handled(UInt64(fiqSource((o - 0x70) / 4)))
        case (0x80..<0xC0, true):                           // mailbox write-1-to-set
            let n = (o - 0x80) / 16, m = (o % 16) / 4
            if n < cpus { mailbox[n][m] |= value }
            return .handled(0)
        case (0x80..<0xC0, false): return .handled(0)      // write-only
        case (0xC0..<0x100, _):                             // mailbox read / write-1-to-clear
            let n = (o - 0xC0) / 16, m = (o % 16) / 4
            guard n < cpus else { return .handled(0) }
            if write { mailbox[n][m] &= ~value }
            return .handled(UInt64(mailbox[n][m]))
        default: return .handled(0)                         // reserved: reads zero, writes ignored
        }
    }

    private func perCore(_ regs: inout [UInt32], _ n: Int, _ write: Bool, _ value: UInt32) -> MMIOResult {
        guard n < cpus else { return .handled(0) }
        if write { regs[n] = value }
        return .handled(UInt64(regs[n]))
    }

    /// A guest access to armctrl (0x3F00B200): pending 0x00-0x08, FIQ control 0x0C, enable
    /// 0x10-0x18 (write-1-to-set), disable 0x1C-0x24 (write-1-to-clear).
    mutating func accessArmctrl(offset: UInt64, size: Int, write: Bool, value: UInt32) -> MMIOResult {
        guard size == 4, offset % 4 == 0 else { return .fault }
        let v = UInt64(value)
        switch (offset, write) {
        case (0x00, false): return .handled(UInt64(basicPending))
        case (0x04, false): return .handled(gpuPending & 0xFFFF_FFFF)
        case (0x08, false): return .handled(gpuPending >> 32)
        case (0x00...0x08, true): return .handled(0)        // read-only
        case (0x0C, _): if write { fiqControl = value & 0xFF }; return .handled(UInt64(fiqControl))
        case (0x10, true): gpuEnable |= v
        case (0x14, true): gpuEnable |= v << 32
        case (0x18, true): armEnable |= value & 0xFF
        case (0x1C, true): gpuEnable &= ~v
        case (0x20, true): gpuEnable &= ~(v << 32)
        case (0x24, true): armEnable &= ~(value & 0xFF)
        case (0x10, false), (0x1C, false): return .handled(gpuEnable & 0xFFFF_FFFF)
        case (0x14, false), (0x20, false): return .handled(gpuEnable >> 32)
        case (0x18, false), (0x24, false): return .handled(UInt64(armEnable))
        default: return .fault
        }
        return .handled(0)
    }

    mutating func setPMULine(_ cpu: Int, _ level: Bool) {
        guard cpu < 32 else { return }
        if level { pmuLines |= 1 << UInt32(cpu) } else { pmuLines &= ~(1 << UInt32(cpu)) }
    }

    /// GPU interrupt `irq` (0-63) enabled by the guest?
    func gpuEnabled(_ irq: Int) -> Bool { irq < 64 && gpuEnable & (1 << UInt64(irq)) != 0 }

    mutating func setGPULine(_ irq: Int, _ level: Bool) {
        guard irq < 64 else { return }
        if level { gpuLines |= 1 << UInt64(irq) } else { gpuLines &= ~(1 << UInt64(irq)) }
    }
}
