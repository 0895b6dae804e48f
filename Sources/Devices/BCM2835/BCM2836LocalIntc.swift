/// The BCM2836/7 "ARM local" block at 0x40000000 (BCM2836 ARM-local peripherals document; Linux's
/// irq-bcm2836.c): per-core routing of the generic-timer outputs, mailboxes used as IPIs, the GPU
/// (armctrl) interrupt and the local timer, into each core's IRQ and FIQ lines. No GIC anywhere.
public final class BCM2836LocalIntc: MMIODevice {
    /// Source bits of the per-core IRQ/FIQ source registers (0x60/0x70 + 4n).
    public enum Source {
        public static let timers = 0      // bits 0-3: CNTPS, CNTPNS, CNTHP, CNTV
        public static let mailboxes = 4   // bits 4-7
        public static let gpu = 8
        public static let pmu = 9
        public static let localTimer = 11
    }

    let cores: Int
    weak var output: GICOutput?
    private var control: UInt32 = 0, prescaler: UInt32 = 0
    private var gpuRouting: UInt32 = 0
    private var pmuRouting: UInt32 = 0
    private var localTimerRouting: UInt32 = 0
    private var localTimerControl: UInt32 = 0
    private var localTimerFlag = false
    private var localTimerReloadedAt: UInt64 = 0
    private var timerControl: [UInt32]
    private var mailboxControl: [UInt32]
    private var mailbox: [[UInt32]]
    /// Input levels: generic timers per core (bit per kind), and the armctrl outputs.
    private var timerLines: [UInt32]
    private var gpuIRQ = false, gpuFIQ = false
    /// Each core's PMU interrupt request (bit per core).
    private var pmuLines: UInt32 = 0
    private var lastOut: [(Bool, Bool)]
    /// Cycles per 38.4 MHz local-timer tick numerator/denominator (the machine's clock).
    private let cpuHz: UInt64
    private var now: UInt64 = 0

    public init(cores: Int, cpuHz: UInt64, output: GICOutput?) {
        self.cores = cores
        self.cpuHz = cpuHz
        self.output = output
        timerControl = Array(repeating: 0, count: 4)
        mailboxControl = Array(repeating: 0, count: 4)
        mailbox = Array(repeating: Array(repeating: 0, count: 4), count: 4)
        timerLines = Array(repeating: 0, count: 4)
        lastOut = Array(repeating: (false, false), count: 4)
        super.init(name: "bcm2836-l1-intc@40000000", size: 0x100)
    }

    public func attach(output: GICOutput) { self.output = output; update() }

    /// A generic-timer output of core `cpu`: kind 0 CNTPS, 1 CNTPNS, 2 CNTHP, 3 CNTV.
    public func setTimer(cpu: Int, kind: Int, asserted: Bool) {
        guard cpu < 4, kind < 4 else { return }
        if asserted { timerLines[cpu] |= 1 << kind } else { timerLines[cpu] &= ~(1 << kind) }
        update()
    }

    /// Core `cpu`'s PMU interrupt request, routed by the PMU routing register (0x10/0x14: bit n
    /// to core n's IRQ, bit 4 + n to its FIQ).
    public func setPMU(cpu: Int, asserted: Bool) {
        guard cpu < 4 else { return }
        if asserted { pmuLines |= 1 << cpu } else { pmuLines &= ~(1 << cpu) }
        update()
    }

    /// The armctrl controller's IRQ and FIQ outputs.
    public func setGPU(irq: Bool, fiq: Bool) {
        gpuIRQ = irq; gpuFIQ = fiq
        update()
    }

    /// IRQ and FIQ source bits of core n. A source enabled for both goes to FIQ.
    func sources(_ n: Int) -> (irq: UInt32, fiq: UInt32) {
        var irq: UInt32 = 0, fiq: UInt32 = 0
        func route(_ bit: Int, pending: Bool, irqEnable: Bool, fiqEnable: Bool) {
            guard pending else { return }
            if fiqEnable { fiq |= 1 << bit } else if irqEnable { irq |= 1 << bit }
        }
        for k in 0..<4 {
            route(Source.timers + k, pending: timerLines[n] & (1 << k) != 0,
                  irqEnable: timerControl[n] & (1 << k) != 0, fiqEnable: timerControl[n] & (0x10 << k) != 0)
            route(Source.mailboxes + k, pending: mailbox[n][k] != 0,
                  irqEnable: mailboxControl[n] & (1 << k) != 0, fiqEnable: mailboxControl[n] & (0x10 << k) != 0)
        }
        route(Source.pmu, pending: pmuLines & (1 << n) != 0,
              irqEnable: pmuRouting & (1 << n) != 0, fiqEnable: pmuRouting & (0x10 << n) != 0)
        if gpuIRQ && Int(gpuRouting & 3) == n { irq |= 1 << Source.gpu }
        if gpuFIQ && Int((gpuRouting >> 2) & 3) == n { fiq |= 1 << Source.gpu }
        if localTimerFlag && localTimerControl & (1 << 29) != 0 {
            let r = Int(localTimerRouting & 7)
            if r == n { irq |= 1 << Source.localTimer } else if r == n + 4 { fiq |= 1 << Source.localTimer }
        }
        return (irq, fiq)
    }

    private func update() {
        for n in 0..<cores {
            let s = sources(n)
            let out = (s.irq != 0, s.fiq != 0)
            if out != lastOut[n] {
                lastOut[n] = out
                output?.setInterruptLines(cpu: n, irq: out.0, fiq: out.1)
            }
        }
    }

    /// 38.4 MHz ticks since the local timer was last reloaded.
    private func localTicks() -> UInt64 {
        let (hi, lo) = (now &- localTimerReloadedAt).multipliedFullWidth(by: 38_400_000)
        return cpuHz.dividingFullWidth((hi, lo)).quotient
    }

    public override func tick(now: UInt64) {
        self.now = now
        let reload = UInt64(localTimerControl & 0x0FFF_FFFF)
        if localTimerControl & (1 << 28) != 0, reload > 0, !localTimerFlag, localTicks() >= reload {
            localTimerFlag = true
            localTimerReloadedAt = now
            update()
        }
    }

    public override func read(offset: UInt64, size: Int) -> UInt64 {
        let n = Int((offset >> 2) & 3)
        switch offset {
        case 0x00: return UInt64(control)
        case 0x08: return UInt64(prescaler)
        case 0x0C: return UInt64(gpuRouting)
        case 0x10, 0x14: return UInt64(pmuRouting)
        case 0x1C, 0x20: return 0 // core timer LS/MS: the 64-bit core timer is not modelled separately
        case 0x24: return UInt64(localTimerRouting)
        case 0x34: return UInt64(localTimerControl) | (localTimerFlag ? 1 << 31 : 0)
        case 0x40..<0x50: return UInt64(timerControl[n])
        case 0x50..<0x60: return UInt64(mailboxControl[n])
        case 0x60..<0x70: return UInt64(sources(n).irq)
        case 0x70..<0x80: return UInt64(sources(n).fiq)
        case 0xC0..<0x100: return UInt64(mailbox[Int((offset - 0xC0) >> 4)][n])
        default: return 0
        }
    }

    public override func write(offset: UInt64, size: Int, value: UInt64) {
        let v = UInt32(truncatingIfNeeded: value)
        let n = Int((offset >> 2) & 3)
        switch offset {
        case 0x00: control = v & 0x300
        case 0x08: prescaler = v
        case 0x0C: gpuRouting = v & 0xF
        case 0x10: pmuRouting |= v & 0xFF
        case 0x14: pmuRouting &= ~(v & 0xFF)
        case 0x24: localTimerRouting = v & 7
        case 0x34:
            localTimerControl = v & 0x3FFF_FFFF
            localTimerReloadedAt = now
        case 0x38:
            if v & (1 << 31) != 0 { localTimerFlag = false }
            if v & (1 << 30) != 0 { localTimerReloadedAt = now }
        case 0x40..<0x50: timerControl[n] = v & 0xFF
        case 0x50..<0x60: mailboxControl[n] = v & 0xFF
        case 0x80..<0xC0: mailbox[Int((offset - 0x80) >> 4)][n] |= v    // write-1-to-set
        case 0xC0..<0x100: mailbox[Int((offset - 0xC0) >> 4)][n] &= ~v  // write-1-to-clear
        default: return
        }
        update()
    }
}
