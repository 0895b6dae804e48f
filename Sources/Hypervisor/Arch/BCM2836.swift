/// Host driver for the Raspberry Pi 3's interrupt controllers (no GIC): the BCM2836 local block
/// (per-core timer and mailbox routing and IRQ sources) and the BCM2835 armctrl controller whose
/// output it routes to one core. Layouts: shared/boards/rpi3.md. The hypervisor takes on each
/// core the hypervisor timer (CNTHP), the running vCPU's virtual timer (CNTV, masked here while
/// its level is delivered in software), mailbox 0 (kicks) and its PMU (given to VMs virtually);
/// armctrl goes to core 0.
struct BCM2836 {
    let local: UInt64
    let armctrl: UInt64

    enum Local {
        static let gpuRouting: UInt64 = 0x0C
        static let pmuRoutingSet: UInt64 = 0x10
        static func timerControl(_ core: Int) -> UInt64 { 0x40 + 4 * UInt64(core) }
        static func mailboxControl(_ core: Int) -> UInt64 { 0x50 + 4 * UInt64(core) }
        static func irqSource(_ core: Int) -> UInt64 { 0x60 + 4 * UInt64(core) }
        static func mailboxSet(_ core: Int) -> UInt64 { 0x80 + 16 * UInt64(core) }
        static func mailboxClear(_ core: Int) -> UInt64 { 0xC0 + 16 * UInt64(core) }
    }
    /// Source and timer-control bits: CNTHP 2, CNTV 3, mailbox 0 is source bit 4, GPU 8, PMU 9.
    enum Bit {
        static let cnthp: UInt32 = 1 << 2, cntv: UInt32 = 1 << 3, mailbox0: UInt32 = 1 << 4, gpu: UInt32 = 1 << 8
        static let pmu: UInt32 = 1 << 9
    }
    enum Armctrl {
        static let pending1: UInt64 = 0x04, pending2: UInt64 = 0x08
        static let enable1: UInt64 = 0x10, disable1: UInt64 = 0x1C, disableBasic: UInt64 = 0x24
    }

    /// Boot CPU, once: every armctrl interrupt disabled, armctrl's output routed to core 0's IRQ.
    func initController() {
        Arch.write32(armctrl + Armctrl.disable1, 0xFFFF_FFFF)
        Arch.write32(armctrl + Armctrl.disable1 + 4, 0xFFFF_FFFF)
        Arch.write32(armctrl + Armctrl.disableBasic, 0xFF)
        Arch.write32(local + Local.gpuRouting, 0)
    }

    /// Each CPU: CNTHP and CNTV to its IRQ, mailbox 0 as its kick, its PMU's interrupt to its IRQ.
    func initCPU(_ core: Int) {
        Arch.write32(local + Local.timerControl(core), Bit.cnthp | Bit.cntv)
        Arch.write32(local + Local.mailboxClear(core), 0xFFFF_FFFF)
        Arch.write32(local + Local.mailboxControl(core), 1)
        Arch.write32(local + Local.pmuRoutingSet, 1 << UInt32(core))
    }

    func irqSource(_ core: Int) -> UInt32 { Arch.read32(local + Local.irqSource(core)) }

    /// Mask or unmask the virtual timer's IRQ of `core` at the controller (CNTV_CTL stays the guest's).
    func setVirtualTimerMasked(_ core: Int, _ masked: Bool) {
        Arch.write32(local + Local.timerControl(core), masked ? Bit.cnthp : Bit.cnthp | Bit.cntv)
    }

    func kick(_ core: Int) { Arch.write32(local + Local.mailboxSet(core), 1) }
    func clearKick(_ core: Int) { Arch.write32(local + Local.mailboxClear(core), 0xFFFF_FFFF) }

    /// GPU interrupts 0-63 pending and enabled.
    var gpuPending: UInt64 {
        UInt64(Arch.read32(armctrl + Armctrl.pending1)) | UInt64(Arch.read32(armctrl + Armctrl.pending2)) << 32
    }

    func enableGPU(_ irq: Int) {
        Arch.write32(armctrl + Armctrl.enable1 + UInt64(irq / 32) * 4, 1 << UInt32(irq % 32))
    }

    func disableGPU(_ irq: Int) {
        Arch.write32(armctrl + Armctrl.disable1 + UInt64(irq / 32) * 4, 1 << UInt32(irq % 32))
    }
}

/// The BCM2835 mini UART (AUX UART1; Linux's 8250_bcm2835aux.c), the Pi 3's console on the
/// upstream device tree: 16550-like registers from `base` (AUX + 0x40): IO 0x00, IER 0x04
/// (bit 0: receive interrupt), LSR 0x14 (bit 0 data ready, bit 5 transmitter empty).
struct BCM2835MiniUART {
    let base: UInt64
    static let io: UInt64 = 0x00, ier: UInt64 = 0x04, lsr: UInt64 = 0x14
    static let dataReady: UInt32 = 1 << 0, txEmpty: UInt32 = 1 << 5

    func put(_ byte: UInt8) {
        while Arch.read32(base + Self.lsr) & Self.txEmpty == 0 {}
        Arch.write32(base + Self.io, UInt32(byte))
    }

    func get() -> UInt8? {
        guard Arch.read32(base + Self.lsr) & Self.dataReady != 0 else { return nil }
        return UInt8(truncatingIfNeeded: Arch.read32(base + Self.io))
    }

    func enableReceiveInterrupt() { Arch.write32(base + Self.ier, 1) }
}

/// The BCM2835 PM block's watchdog (Linux's bcm2835_wdt.c): the Pi firmware, TF-A and Linux
/// power off by a full reset with RSTS partition bits 0x555, which the firmware takes as "halt".
struct BCM2835Watchdog {
    let base: UInt64
    static let rstc: UInt64 = 0x1C, rsts: UInt64 = 0x20, wdog: UInt64 = 0x24
    static let password: UInt32 = 0x5A00_0000, fullReset: UInt32 = 0x20, halt: UInt32 = 0x555

    func powerOff() {
        Arch.write32(base + Self.rsts, (Arch.read32(base + Self.rsts) & 0xFFF) | Self.password | Self.halt)
        Arch.write32(base + Self.wdog, Self.password | 10)
        Arch.write32(base + Self.rstc, (Arch.read32(base + Self.rstc) & ~0x30) | Self.password | Self.fullReset)
    }
}
