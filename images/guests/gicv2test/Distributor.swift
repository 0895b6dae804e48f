// Distributor registers (IHI 0048B 4.3), read and written from CPU 0 with the SPI under test
// disabled, so that nothing they set is signalled.

func distributorChecks() {
    check("gicd.typer") {
        let typer = gicd(GICD.typer)
        expect("GICD_TYPER.CPUNumber (CPUs - 1)", (typer >> 5) & 7, 1)
        // ITLinesNumber N: 32(N+1) interrupt IDs, SPIs from 32; the guest's SPIs are in range and
        // so is the last ID of the range (its enable bit is implemented).
        let lines = typer & 0x1F
        expectAtLeast("GICD_TYPER.ITLinesNumber", lines, 1)
        let last = min(32 * (lines + 1) - 1, 1019)
        setBit(GICD.isenabler, last)
        expect("GICD_ISENABLER, last ID of ITLinesNumber", bit(GICD.isenabler, last), 1)
        setBit(GICD.icenabler, last)
        expect("GICD_ICENABLER, last ID of ITLinesNumber", bit(GICD.isenabler, last), 0)
    }

    // ArchRev in ICPIDR2 [7:4] and GICC_IIDR.ArchitectureVersion [19:16] are the architected
    // parts of the ID registers: 2 for GICv2.
    check("gic.identification") {
        expect("GICD_PIDR2.ArchRev", (gicd(GICD.pidr2) >> 4) & 0xF, 2)
        expect("GICC_IIDR.ArchitectureVersion", (gicc(GICC.iidr) >> 16) & 0xF, 2)
        expect("GICD_IIDR.Implementer (Arm)", gicd(GICD.iidr) & 0xFFF, 0x43B)
    }

    // GICD_ITARGETSR0-7 are read-only and return the reading CPU's own bit in every field of an
    // implemented SGI/PPI (GICD_ITARGETSRn). SGIs 0-3 and PPIs 28-31 exist on every GICv2 (the GIC-400
    // has no PPIs 16-24).
    check("gicd.itargetsr-banked") {
        expect("GICD_ITARGETSR0 on CPU 0", gicd(GICD.itargetsr), 0x0101_0101)
        expect("GICD_ITARGETSR7 on CPU 0", gicd(GICD.itargetsr &+ 28), 0x0101_0101)
        setGICD(GICD.itargetsr, 0x0202_0202)
        expect("GICD_ITARGETSR0 after a write", gicd(GICD.itargetsr), 0x0101_0101)
    }

    // An SPI's CPU targets field is writable. (That bits of unimplemented CPU interfaces are
    // RAZ/WI (GICD_ITARGETSRn) is not checked: QEMU 7.2 keeps all 8.)
    check("gicd.itargetsr-spi") {
        let id = Intid.spiC
        setByteField(GICD.itargetsr, id, 0x02)
        expect("SPI targets = CPU 1", byteField(GICD.itargetsr, id), 0x02)
        setByteField(GICD.itargetsr, id, 0x03)
        expect("SPI targets = CPUs 0 and 1", byteField(GICD.itargetsr, id), 0x03)
        setByteField(GICD.itargetsr, id, 0x01)
        expect("SPI targets = CPU 0", byteField(GICD.itargetsr, id), 0x01)
    }

    // Priority fields implement the top bits, at least 4 of them (16 levels; 3.3): 0xFF reads
    // back a contiguous mask of them, whatever their number (8 on QEMU, 5 on a GIC-400).
    check("gicd.ipriorityr") {
        let id = Intid.spiC
        setByteField(GICD.ipriorityr, id, 0xFF)
        let mask = byteField(GICD.ipriorityr, id)
        var bits: UInt64 = 0
        while bits < 8 && (mask << bits) & 0x80 != 0 { bits += 1 }
        expect("GICD_IPRIORITYR after 0xFF: top-bits mask", mask, (0xFF << (8 - bits)) & 0xFF)
        expectAtLeast("implemented priority bits", bits, 4)
        priorityMask = mask
        setByteField(GICD.ipriorityr, id, 0x40)
        expect("GICD_IPRIORITYR = 0x40", byteField(GICD.ipriorityr, id), 0x40)
        expect("neighbouring field", byteField(GICD.ipriorityr, id + 1), 0)
    }

    // Set-enable and clear-enable read the same state; for an SPI and a (banked) PPI.
    check("gicd.enable") {
        func setAndClear(_ id: UInt64) {
            setBit(GICD.isenabler, id)
            expect("GICD_ISENABLER after set", bit(GICD.isenabler, id), 1)
            expect("GICD_ICENABLER after set", bit(GICD.icenabler, id), 1)
            setBit(GICD.icenabler, id)
            expect("GICD_ISENABLER after clear", bit(GICD.isenabler, id), 0)
            expect("GICD_ICENABLER after clear", bit(GICD.icenabler, id), 0)
        }
        setAndClear(Intid.spiC)
        setAndClear(Intid.vtimer)
    }

    // SGIs are edge-triggered and their Int_config fields read-only (0b10 each: 0xAAAAAAAA);
    // an SPI's Int_config[1] is programmable (GICD_ICFGRn).
    check("gicd.icfgr") {
        expect("GICD_ICFGR0 (SGIs)", gicd(GICD.icfgr), 0xAAAA_AAAA)
        setGICD(GICD.icfgr, 0)
        expect("GICD_ICFGR0 after writing 0", gicd(GICD.icfgr), 0xAAAA_AAAA)
        setEdge(Intid.spiC, true)
        expect("SPI Int_config[1] edge", isEdge(Intid.spiC), 1)
        setEdge(Intid.spiC, false)
        expect("SPI Int_config[1] level", isEdge(Intid.spiC), 0)
    }

    // Pending state of a disabled SPI, set and cleared by software.
    check("gicd.pending") {
        let id = Intid.spiC
        pend(id)
        expect("GICD_ISPENDR after set", bit(GICD.ispendr, id), 1)
        expect("GICD_ICPENDR after set", bit(GICD.icpendr, id), 1)
        setBit(GICD.icpendr, id)
        expect("GICD_ISPENDR after clear", bit(GICD.ispendr, id), 0)
        expect("GICD_ICPENDR after clear", bit(GICD.icpendr, id), 0)
    }

    // Active state set and cleared by software (GICv2 makes GICD_ISACTIVER writable).
    check("gicd.active") {
        let id = Intid.spiC
        setBit(GICD.isactiver, id)
        expect("GICD_ISACTIVER after set", bit(GICD.isactiver, id), 1)
        expect("GICD_ICACTIVER after set", bit(GICD.icactiver, id), 1)
        setBit(GICD.icactiver, id)
        expect("GICD_ISACTIVER after clear", bit(GICD.isactiver, id), 0)
        expect("GICD_ICACTIVER after clear", bit(GICD.icactiver, id), 0)
    }
}
