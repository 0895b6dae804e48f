// Thin wrappers over boot.S and MMIO: console, GIC, PSCI.
import _Volatile

@_silgen_name("board_uart_base") func boardUARTBase() -> UInt
@_silgen_name("board_gicd_base") func boardGICDBase() -> UInt
@_silgen_name("board_gicr_base") func boardGICRBase() -> UInt
@_silgen_name("board_gicc_base") func boardGICCBase() -> UInt
@_silgen_name("board_gich_base") func boardGICHBase() -> UInt
@_silgen_name("board_virtio_base") func boardVirtioBase() -> UInt
@_silgen_name("board_local_intc_base") func boardLocalIntcBase() -> UInt
@_silgen_name("board_hv_image") func boardHypervisorImage() -> UInt
@_silgen_name("current_el") func currentEL() -> UInt
@_silgen_name("cpu_index") func cpuIndex() -> UInt
@_silgen_name("hvc_call") func hvc(_ f: UInt, _ a1: UInt, _ a2: UInt, _ a3: UInt) -> Int
@_silgen_name("hvc1_call") func hvcImm1(_ f: UInt, _ a1: UInt, _ a2: UInt, _ a3: UInt) -> Int
@_silgen_name("smc_call") func smc(_ f: UInt, _ a1: UInt, _ a2: UInt, _ a3: UInt) -> Int
@_silgen_name("read_cntvct") func readCNTVCT() -> UInt
@_silgen_name("read_cntfrq") func readCNTFRQ() -> UInt
@_silgen_name("vtimer_arm") func vtimerArm(_ ticks: UInt)
@_silgen_name("vtimer_stop") func vtimerStop()
@_silgen_name("ptimer_arm") func ptimerArm(_ ticks: UInt)
@_silgen_name("ptimer_stop") func ptimerStop()
@_silgen_name("gic_cpu_init") func gicCPUInit()
@_silgen_name("gic_ack") func gicAck() -> UInt
@_silgen_name("gic_eoi") func gicEOI(_ intid: UInt)
@_silgen_name("gic_send_sgi") func gicSendSGI(_ value: UInt)
@_silgen_name("irq_enable") func irqEnable()
@_silgen_name("irq_disable") func irqDisable()
@_silgen_name("wait_for_interrupt") func waitForInterrupt()
@_silgen_name("read_hcr_el2") func readHCREL2() -> UInt
@_silgen_name("fp_touch") func fpTouch(_ v: UInt) -> UInt
@_silgen_name("shared_area_address") func sharedAreaAddress() -> UInt
@_silgen_name("halt") func halt() -> Never
@_silgen_name("secondary_start") func secondaryStart()

func reg8(_ a: UInt) -> VolatileMappedRegister<UInt8> { VolatileMappedRegister<UInt8>(unsafeBitPattern: a) }
func reg16(_ a: UInt) -> VolatileMappedRegister<UInt16> { VolatileMappedRegister<UInt16>(unsafeBitPattern: a) }
func reg32(_ a: UInt) -> VolatileMappedRegister<UInt32> { VolatileMappedRegister<UInt32>(unsafeBitPattern: a) }
func reg64(_ a: UInt) -> VolatileMappedRegister<UInt64> { VolatileMappedRegister<UInt64>(unsafeBitPattern: a) }

/// Words shared between this VM's vCPUs (flags, counters).
func shared(_ i: Int) -> VolatileMappedRegister<UInt64> { reg64(sharedAreaAddress() &+ UInt(i * 8)) }

/// PL011 transmit, as the VM's virtual UART presents it. No heap in this
/// guest: text is StaticString, numbers are printed digit by digit.
enum Console {
    static func put(_ b: UInt8) {
        let base = boardUARTBase()
        while reg32(base &+ 0x18).load() & (1 << 5) != 0 {}
        reg32(base).store(UInt32(b))
    }
    static func write(_ s: StaticString) { s.withUTF8Buffer { for b in $0 { put(b) } } }
    static func line(_ s: StaticString) { write(s); put(10) }
    static func end() { put(10) }
    static func dec(_ v: Int) {
        if v < 0 { put(45); dec(UInt(-v)) } else { dec(UInt(v)) }
    }
    static func dec(_ v: UInt) {
        if v >= 10 { dec(v / 10) }
        put(48 &+ UInt8(v % 10))
    }
    static func hex(_ v: UInt) {
        write("0x")
        var started = false
        var shift = 60
        while shift >= 0 {
            let d = UInt8((v >> UInt(shift)) & 0xF)
            if d != 0 || started || shift == 0 { put(d < 10 ? 48 &+ d : 87 &+ d); started = true }
            shift -= 4
        }
    }
}


/// PSCI function IDs (Arm DEN 0022).
enum PSCI {
    static let version: UInt = 0x8400_0000
    static let cpuOff: UInt = 0x8400_0002
    static let cpuOn: UInt = 0xC400_0003
    static let affinityInfo: UInt = 0xC400_0004
    static let systemOff: UInt = 0x8400_0008
    static let features: UInt = 0x8400_000A
}

func powerOff() -> Never {
    _ = hvc(PSCI.systemOff, 0, 0, 0)
    Console.line("FAIL: SYSTEM_OFF returned")
    halt()
}

/// The VM's interrupt controller, in GIC numbering: SGIs 0-15, the PMU's PPI 23, the virtual
/// timer PPI 27 and the physical timer PPI 30. On a GICv3 board the vGIC's redistributor and ICC
/// registers; on a GICv2 (the distributor's ICPIDR2 says ArchRev 2) the banked distributor
/// registers and the memory-mapped CPU interface at GICC, one group (Group 0) as Linux uses it;
/// on the Pi the emulated BCM2836 local controller (irq-bcm2836.c's layout): timer
/// inputs 3 (CNTV) and 1 (CNTPNS), the PMU input 9 (routing 0x10), SGI n as bit n of the core's
/// mailbox 0.
/// The vGIC's architecture revision, read once (each read of the distributor is a trapped access,
/// which the vPMU checks would count): 0 until then. Every vCPU computes the same value.
nonisolated(unsafe) var gicArchRevision: UInt = 0

enum IRQ {
    static var local: UInt { boardLocalIntcBase() }
    static var hasGIC: Bool { local == 0 }
    static var isGICv2: Bool {
        if gicArchRevision == 0 {
            let v2 = hasGIC && boardGICCBase() != 0 && (reg32(boardGICDBase() &+ 0xFE8).load() >> 4) & 0xF == 2
            gicArchRevision = v2 ? 2 : 3
        }
        return gicArchRevision == 2
    }
    static func redistributor(_ cpu: UInt) -> UInt { boardGICRBase() &+ cpu &* 0x2_0000 }

    /// GIC: wake this vCPU's redistributor, enable the distributor and the ICC interface (GICv2:
    /// the distributor and GICC_CTLR, with the priority mask open).
    static func initCPU() {
        guard hasGIC else { return }
        if isGICv2 {
            reg32(boardGICDBase()).store(1)                 // GICD_CTLR: EnableGrp0
            reg32(boardGICCBase() &+ 0x04).store(0xFF)      // GICC_PMR
            reg32(boardGICCBase()).store(1)                 // GICC_CTLR: EnableGrp0
            return
        }
        let rd = redistributor(cpuIndex())
        reg32(rd &+ 0x14).store(0)                          // GICR_WAKER: clear ProcessorSleep
        reg32(boardGICDBase()).store((1 << 4) | (1 << 1))   // GICD_CTLR: ARE, EnableGrp1
        gicCPUInit()
    }

    static func enablePrivate(_ intid: UInt32) {
        guard hasGIC else {
            let cpu = cpuIndex()
            switch intid {
            case 23:                                        // PMU routing set 0x10: bit n, core n's IRQ
                reg32(local &+ 0x10).store(1 << UInt32(cpu))
            case 27, 30:                                    // timer control 0x40 + 4n: CNTV bit 3, CNTPNS bit 1
                let r = reg32(local &+ 0x40 &+ 4 &* cpu)
                r.store(r.load() | (intid == 27 ? 1 << 3 : 1 << 1))
            default:                                        // mailbox control 0x50 + 4n: mailbox 0
                let r = reg32(local &+ 0x50 &+ 4 &* cpu)
                r.store(r.load() | 1)
            }
            return
        }
        // GICv2 banks SGI/PPI registers in the distributor at the SGI_base frame's offsets.
        let sgi = isGICv2 ? boardGICDBase() : redistributor(cpuIndex()) &+ 0x1_0000
        reg32(sgi &+ 0x400 &+ UInt(intid & ~3)).store(0x8080_8080)   // priority 0x80
        reg32(sgi &+ 0x100).store(1 << intid)               // GICR_ISENABLER0
    }

    /// The next pending interrupt, acknowledged (1023 when none): the INTID in bits 9:0 and, on
    /// a GICv2, an SGI's sender in 12:10 (what `endOfInterrupt` takes back).
    static func acknowledge() -> UInt {
        guard hasGIC else {
            let cpu = cpuIndex()
            let source = reg32(local &+ 0x60 &+ 4 &* cpu).load()
            if source & (1 << 3) != 0 { return 27 }
            if source & (1 << 1) != 0 { return 30 }
            if source & (1 << 9) != 0 { return 23 }
            if source & (1 << 4) != 0 {
                let box = reg32(local &+ 0xC0 &+ 16 &* cpu)
                let bits = box.load()
                let n = UInt32(bits.trailingZeroBitCount)
                box.store(1 << n)                           // write-1-to-clear
                return UInt(n)
            }
            return 1023
        }
        if isGICv2 { return UInt(reg32(boardGICCBase() &+ 0x0C).load() & 0x1FFF) }   // GICC_IAR
        return gicAck() & 0xFF_FFFF
    }

    static func endOfInterrupt(_ iar: UInt) {
        if isGICv2 { reg32(boardGICCBase() &+ 0x10).store(UInt32(iar)) }                 // GICC_EOIR
        else if hasGIC { gicEOI(iar) }
    }

    /// SGI `n` to vCPU `cpu`.
    static func sendSGI(_ n: UInt, to cpu: UInt) {
        if isGICv2 { reg32(boardGICDBase() &+ 0xF00).store(UInt32((1 << (16 &+ cpu)) | n)) }   // GICD_SGIR
        else if hasGIC { gicSendSGI((n << 24) | (1 << cpu)) } else { reg32(local &+ 0x80 &+ 16 &* cpu).store(1 << UInt32(n)) }
    }
}

/// C string at `a` equals `s`?
func cStringEquals(_ a: UInt, _ s: StaticString) -> Bool {
    s.withUTF8Buffer { buf in
        for (i, b) in buf.enumerated() where UnsafePointer<UInt8>(bitPattern: a &+ UInt(i))!.pointee != b { return false }
        return UnsafePointer<UInt8>(bitPattern: a &+ UInt(buf.count))!.pointee == 0
    }
}

/// Device tree: address of a property's value (e.g. /chosen/bootargs), found by walking the structure block.
func deviceTreeProperty(_ dtb: UInt, _ name: StaticString) -> UInt? {
    func be32(_ a: UInt) -> UInt {
        var v: UInt = 0
        for i in 0..<4 { v = (v << 8) | UInt(UnsafePointer<UInt8>(bitPattern: a &+ UInt(i))!.pointee) }
        return v
    }
    guard dtb != 0, be32(dtb) == 0xD00D_FEED else { return nil }
    let strings = dtb &+ be32(dtb &+ 12)
    var p = dtb &+ be32(dtb &+ 8)
    while true {
        let token = be32(p); p &+= 4
        switch token {
        case 1:                                             // FDT_BEGIN_NODE: name, NUL, pad to 4
            while UnsafePointer<UInt8>(bitPattern: p)!.pointee != 0 { p &+= 1 }
            p = (p &+ 4) & ~3
        case 3:                                             // FDT_PROP: len, nameoff, value
            let len = be32(p), nameOff = be32(p &+ 4)
            let value = p &+ 8
            p = (value &+ len &+ 3) & ~3
            if len > 0 && cStringEquals(strings &+ nameOff, name) { return value }
        case 2, 4: continue
        default: return nil
        }
    }
}
