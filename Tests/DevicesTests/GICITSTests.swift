import Testing
@testable import Devices

/// The ITS as Linux's its driver programs it: tables, a command queue in memory, MSIs to
/// GITS_TRANSLATER becoming LPIs that the CPU interface acknowledges.
@Suite struct GICITSTests {
    let ram = VirtIOTestRAM()
    let gic = GICv3(cpuCount: 2, spiCount: 64, affinity: [0, 1])
    let its: GICITS
    let queue: UInt64, prop: UInt64
    var written: UInt64 = 0

    init() {
        its = GICITS(gic: gic, memory: ram)
        gic.hasLPIs = true
        gic.memory = ram
        queue = ram.alloc(4096, align: 4096)
        prop = ram.alloc(65536, align: 4096)
        _ = ram.dmaWrite(prop + 5, [0xA0 | 1])                              // LPI 8197: priority 0xA0, enabled
        let rd = GICRedistributors(gic: gic)
        rd.write(offset: 0x70 + 0x2_0000, size: 8, value: prop | 15)         // CPU 1: PROPBASER, 16 ID bits
        rd.write(offset: 0x0000 + 0x2_0000, size: 4, value: 1)               // EnableLPIs
        GICDistributor(gic: gic).write(offset: 0, size: 4, value: 2)          // EnableGrp1
        gic.interfaces[1].write(.pmr, 0xFF)
        gic.interfaces[1].write(.igrpen1, 1)
        its.write(offset: 0x80, size: 8, value: 1 << 63 | queue)             // CBASER: valid, one page
        its.write(offset: 0x0, size: 4, value: 1)                            // enabled
    }

    /// Appends a command (four doublewords) and moves GITS_CWRITER past it.
    mutating func command(_ dw: [UInt64]) {
        _ = ram.dmaWrite(queue + written, dw.flatMap { d in (0..<8).map { UInt8(truncatingIfNeeded: d >> (8 * $0)) } })
        written += 32
        its.write(offset: 0x88, size: 8, value: written)
    }

    @Test mutating func anMSIBecomesAnLPIAtTheMappedCollection() {
        #expect(its.read(offset: 0x8, size: 8) & 1 == 1)                      // physical LPIs
        #expect(its.read(offset: 0x100, size: 8) >> 56 & 7 == 1)             // BASER0: device table
        command([0x08 | 7 << 32, 4, 1 << 63 | 0x4000_0000])                  // MAPD device 7, 5 event bits
        command([0x09, 0, 1 << 63 | 1 << 16 | 3])                            // MAPC ICID 3 -> CPU 1
        command([0x0A | 7 << 32, 8197 << 32 | 2, 3])                          // MAPTI event 2 -> LPI 8197, ICID 3
        command([0x05, 0, 0, 0])                                             // SYNC
        #expect(its.read(offset: 0x90, size: 8) == written)                   // CREADR caught up
        its.message(deviceID: 7, eventID: 9)                                 // unmapped event: dropped
        #expect(gic.interfaces[1].read(.iar1) == 1023)
        its.message(deviceID: 7, eventID: 2)
        #expect(gic.interfaces[0].read(.iar1) == 1023)                        // not CPU 0's
        #expect(gic.interfaces[1].read(.hppir1) == 8197)
        #expect(gic.interfaces[1].read(.iar1) == 8197)
        #expect(gic.interfaces[1].read(.rpr) == 0xA0)
        gic.interfaces[1].write(.eoir1, 8197)
        #expect(gic.interfaces[1].read(.iar1) == 1023)                        // no active state, not pending
    }

    @Test mutating func invReloadsTheConfigurationAndDiscardUnmaps() {
        command([0x08 | 7 << 32, 4, 1 << 63])
        command([0x09, 0, 1 << 63 | 1 << 16 | 3])
        command([0x0A | 7 << 32, 8197 << 32 | 2, 3])
        _ = ram.dmaWrite(prop + 5, [0xA0])                                    // disabled in memory…
        its.message(deviceID: 7, eventID: 2)
        #expect(gic.interfaces[1].read(.iar1) == 8197)                        // …but the cache still says enabled
        command([0x0C | 7 << 32, 2, 0])                                      // INV
        its.message(deviceID: 7, eventID: 2)
        #expect(gic.interfaces[1].read(.iar1) == 1023)                        // now disabled: stays pending
        command([0x0F | 7 << 32, 2, 0])                                      // DISCARD clears it
        _ = ram.dmaWrite(prop + 5, [0xA1])
        command([0x0D, 0, 3])                                                // INVALL
        its.message(deviceID: 7, eventID: 2)
        #expect(gic.interfaces[1].read(.iar1) == 1023)                        // unmapped
    }
}
