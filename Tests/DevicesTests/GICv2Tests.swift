import Testing
@testable import Devices

/// The GICv2 (GIC-400) frames on the shared interrupt state, driven as Linux's gic driver and KVM's
/// vgic-v2 drive them, CPU by CPU through the banked frames.
@Suite struct GICv2Tests {
    final class Lines: GICOutput {
        var irq = [Bool](repeating: false, count: 4), fiq = [Bool](repeating: false, count: 4)
        var virq = [Bool](repeating: false, count: 4)
        func setInterruptLines(cpu: Int, irq: Bool, fiq: Bool) { self.irq[cpu] = irq; self.fiq[cpu] = fiq }
        func setVirtualInterruptLines(cpu: Int, irq: Bool, fiq: Bool) { virq[cpu] = irq }
    }

    /// Four CPUs; `cpu` is the one the frames answer.
    final class Board {
        var cpu = 0
        let gic = GICv3(cpuCount: 4, spiCount: 64, affinity: [0, 1, 2, 3], architecture: .v2)
        let lines = Lines()
        lazy var gicd = GICv2Distributor(gic: gic, currentCPU: { [unowned self] in self.cpu })
        lazy var gicc = GICv2CPUInterfaceFrame(gic: gic, currentCPU: { [unowned self] in self.cpu })
        lazy var gich = GICv2HypervisorInterface(gic: gic, currentCPU: { [unowned self] in self.cpu })
        lazy var gicv = GICv2VirtualCPUInterfaceFrame(gic: gic, currentCPU: { [unowned self] in self.cpu })

        init() {
            gic.output = lines
            gicd.write(offset: 0, size: 4, value: 1)                 // EnableGrp0
            for c in 0..<4 {
                cpu = c
                gicd.write(offset: 0x100, size: 4, value: 0xFFFF_FFFF) // SGIs/PPIs enabled (banked)
                gicc.write(offset: 0x04, size: 4, value: 0xF0)         // PMR
                gicc.write(offset: 0x00, size: 4, value: 1)            // EnableGrp0
            }
            cpu = 0
        }

        func iar(_ c: Int) -> UInt64 { cpu = c; return gicc.read(offset: 0x0C, size: 4) }
        func eoi(_ c: Int, _ v: UInt64) { cpu = c; gicc.write(offset: 0x10, size: 4, value: v) }
    }

    @Test func registersIdentifyAGIC400() {
        let b = Board()
        // ITLinesNumber 2 (96 INTIDs), CPUNumber 3, no Security Extensions.
        #expect(b.gicd.read(offset: 0x004, size: 4) == 2 | 3 << 5)
        #expect(b.gicd.read(offset: 0xFE8, size: 4) >> 4 & 0xF == 2)
        #expect(b.gicc.read(offset: 0xFC, size: 4) >> 16 & 0xF == 2)
        #expect(b.gich.read(offset: 0x04, size: 4) & 0x3F == 3)            // four list registers
        b.gicd.write(offset: 0x400 + 40, size: 1, value: 0xFF)
        #expect(b.gicd.read(offset: 0x400 + 40, size: 1) == 0xF8)          // five priority bits
    }

    @Test func targetsOfSGIsAndPPIsAreTheReadersOwnCPU() {
        let b = Board()
        for c in 0..<4 {
            b.cpu = c
            #expect(b.gicd.read(offset: 0x800, size: 4) == UInt64(0x0101_0101) << UInt64(c))
        }
        b.cpu = 0
        b.gicd.write(offset: 0x820, size: 1, value: 0xFF)                   // SPI 32: only CPUs 0-3 exist
        #expect(b.gicd.read(offset: 0x820, size: 1) == 0x0F)
        b.gicd.write(offset: 0x800, size: 4, value: 0)                      // read-only
        #expect(b.gicd.read(offset: 0x800, size: 4) == 0x0101_0101)
    }

    @Test func sgisCarryTheirSourceAndEachSourceIsPendingOnItsOwn() {
        let b = Board()
        b.cpu = 0
        b.gicd.write(offset: 0xF00, size: 4, value: 0b0010 << 16 | 5)      // list: CPU 1, SGI 5
        b.cpu = 2
        b.gicd.write(offset: 0xF00, size: 4, value: 1 << 24 | 5)          // all but CPU 2
        #expect(b.lines.irq == [true, true, false, true])
        // CPU 1 has SGI 5 from CPUs 0 and 2: the lower source first, then (after EOI) the other.
        #expect(b.iar(1) == 5)
        b.cpu = 1
        #expect(b.gicd.read(offset: 0xF20 + 5, size: 1) == 0b100)          // SPENDSGIR: source 2 still pending
        b.eoi(1, 5)
        #expect(b.iar(1) == 5 | 2 << 10)
        b.eoi(1, 5 | 2 << 10)
        #expect(b.iar(1) == 1023)
        #expect(b.iar(2) == 1023)                                          // filter 1 skipped the sender
        b.cpu = 0
        b.gicd.write(offset: 0xF00, size: 4, value: 2 << 24 | 3)          // to itself
        #expect(b.iar(0) == 3)
    }

    @Test func anSPIForSeveralCPUsIsTakenByTheFirstToAcknowledge() {
        let b = Board()
        b.gicd.write(offset: 0x104, size: 4, value: 1 << 8)                // enable SPI 40
        b.gicd.write(offset: 0x828, size: 1, value: 0b0011)                // CPUs 0 and 1
        b.gic.setLevel(intid: 40, asserted: true)
        b.gic.setLevel(intid: 40, asserted: false)                         // level: ICFGR says level, so…
        b.gicd.write(offset: 0x204, size: 4, value: 1 << 8)                // …set it pending explicitly
        #expect(b.lines.irq[0] && b.lines.irq[1] && !b.lines.irq[2])
        #expect(b.iar(1) == 40)
        #expect(b.iar(0) == 1023)
        b.cpu = 0
        #expect(b.gicd.read(offset: 0x304, size: 4) == 1 << 8)            // active
        b.eoi(1, 40)
        #expect(b.gicd.read(offset: 0x304, size: 4) == 0)
    }

    @Test func groupZeroIsAnIRQUnlessFIQEn() {
        let b = Board()
        b.cpu = 0
        b.gicd.write(offset: 0xF00, size: 4, value: 2 << 24 | 1)
        #expect(b.lines.irq[0] && !b.lines.fiq[0])
        b.gicc.write(offset: 0x00, size: 4, value: 1 | 8)                  // FIQEn
        #expect(!b.lines.irq[0] && b.lines.fiq[0])
    }

    @Test func priorityDropAndDeactivationAreSplitWithEOImode() {
        let b = Board()
        b.cpu = 0
        b.gicc.write(offset: 0x00, size: 4, value: 1 | 0x200)              // EOImode 1
        b.gicd.write(offset: 0xF00, size: 4, value: 2 << 24 | 2)
        #expect(b.iar(0) == 2)
        #expect(b.gicc.read(offset: 0x14, size: 4) == 0)                   // running priority 0
        b.eoi(0, 2)
        #expect(b.gicc.read(offset: 0x14, size: 4) == 0xFF)                // dropped…
        #expect(b.gicd.read(offset: 0x300, size: 4) == 1 << 2)             // …still active
        b.gicc.write(offset: 0x1000, size: 4, value: 2)                    // GICC_DIR
        #expect(b.gicd.read(offset: 0x300, size: 4) == 0)
    }

    @Test func listRegistersReachTheGuestThroughGICV() {
        let b = Board()
        b.cpu = 1
        b.gich.write(offset: 0x00, size: 4, value: 1)                      // GICH_HCR.En
        b.gicv.write(offset: 0x04, size: 4, value: 0xF8)                   // GICV_PMR
        b.gicv.write(offset: 0x00, size: 4, value: 1)                      // VMGrp0En
        // Virtual SGI 3 from CPU 2, priority 0xA0, pending, with an EOI maintenance request.
        let lr: UInt64 = 3 | 2 << 10 | 1 << 19 | (0xA0 >> 3) << 23 | 1 << 28
        b.gich.write(offset: 0x100, size: 4, value: lr)
        #expect(b.gich.read(offset: 0x100, size: 4) == lr)
        #expect(b.gich.read(offset: 0x30, size: 4) & 1 == 0)               // ELRSR: LR0 in use
        #expect(b.lines.virq[1])
        #expect(b.gicv.read(offset: 0x0C, size: 4) == 3 | 2 << 10)
        #expect(b.gich.read(offset: 0x100, size: 4) >> 28 & 3 == 2)        // active
        #expect(b.gicv.read(offset: 0x14, size: 4) == 0xA0)
        b.gicv.write(offset: 0x10, size: 4, value: 3 | 2 << 10)
        #expect(b.gich.read(offset: 0x100, size: 4) >> 28 & 3 == 0)
        #expect(b.gich.read(offset: 0x20, size: 4) == 1)                   // EISR: LR0
        #expect(b.gich.read(offset: 0x10, size: 4) & 1 == 1)               // MISR.EOI
        b.cpu = 1
        #expect(b.gicd.read(offset: 0x200, size: 4) & 1 << 25 != 0)        // maintenance PPI pending
        // CPU 1's frame through the per-CPU alias, and the hardware-linked form's physical ID.
        let hw: UInt64 = 1 << 31 | 40 << 10 | 27 | 2 << 28
        b.cpu = 0
        b.gich.write(offset: 0x1000 + 0x200 + 0x104, size: 4, value: hw)
        b.cpu = 1
        #expect(b.gich.read(offset: 0x104, size: 4) == hw)
    }
}
