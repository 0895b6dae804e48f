import HVArch

/// The single door to the hardware: system registers, barriers, TLB
/// maintenance, MMIO and firmware calls. Core code calls only `Arch`, so a
/// host build can substitute a fake with the same surface.
enum Arch {
    // MARK: Identification
    static var currentEL: UInt64 { (hv_read_currentel() >> 2) & 3 }
    static var mpidr: UInt64 { hv_read_mpidr() }
    static var midr: UInt64 { hv_read_midr() }
    static var pmcr: UInt64 { hv_read_pmcr() }
    static var idAA64MMFR0: UInt64 { hv_read_id_aa64mmfr0() }

    // MARK: EL2 control
    static var hcr: HCR { get { HCR(rawValue: hv_read_hcr_el2()) } set { hv_write_hcr_el2(newValue.rawValue); hv_isb() } }
    static var cptr: UInt64 { get { hv_read_cptr_el2() } set { hv_write_cptr_el2(newValue); hv_isb() } }
    static var cnthctl: UInt64 { get { hv_read_cnthctl_el2() } set { hv_write_cnthctl_el2(newValue) } }
    static var mdcr: UInt64 { get { hv_read_mdcr_el2() } set { hv_write_mdcr_el2(newValue) } }
    static var perCPU: UInt64 { get { hv_read_tpidr_el2() } set { hv_write_tpidr_el2(newValue) } }
    static var vmpidr: UInt64 { get { hv_read_vmpidr_el2() } set { hv_write_vmpidr_el2(newValue) } }
    static var vpidr: UInt64 { get { hv_read_vpidr_el2() } set { hv_write_vpidr_el2(newValue) } }

    static func enableEL2MMU(ttbr0: UInt64, tcr: UInt64, mair: UInt64, sctlr: UInt64) {
        hv_write_mair_el2(mair)
        hv_write_tcr_el2(tcr)
        hv_write_ttbr0_el2(ttbr0)
        hv_dsb_sy(); hv_isb()
        hv_tlbi_alle2()
        hv_write_sctlr_el2(sctlr)
        hv_isb()
    }

    static func setStage2(vtcr: UInt64, vttbr: UInt64) {
        hv_write_vtcr_el2(vtcr)
        hv_write_vttbr_el2(vttbr)
        hv_isb()
    }
    static func flushGuestTLB() { hv_tlbi_vmalls12e1is() }
    static func flushICache() { hv_ic_iallu() }
    /// Clean and invalidate a range to the point of coherency (DC CIVAC per 64-byte line), for
    /// what a guest reads with its caches off.
    static func cleanToPoC(_ r: Range<UInt64>) {
        var a = r.lowerBound & ~63
        while a < r.upperBound { hv_dc_civac(a); a += 64 }
        hv_dsb_sy()
    }
    static func barrier() { hv_dsb_sy(); hv_isb() }

    // MARK: Trap syndrome
    static var esr: ESR { ESR(rawValue: hv_read_esr_el2()) }
    static var far: UInt64 { hv_read_far_el2() }
    /// HPFAR_EL2.FIPA holds IPA[47:12] in bits [43:4].
    static var faultIPAPage: UInt64 { (hv_read_hpfar_el2() & 0x0000_0FFF_FFFF_FFF0) << 8 }
    static var elr: UInt64 { hv_read_elr_el2() }

    // MARK: Counters and timers
    static var counterFrequency: UInt64 { hv_read_cntfrq() }
    static var physicalCount: UInt64 { hv_isb(); return hv_read_cntpct() }
    static var virtualOffset: UInt64 { get { hv_read_cntvoff_el2() } set { hv_write_cntvoff_el2(newValue) } }
    static func armHypTimer(at deadline: UInt64?) {
        if let deadline {
            hv_write_cnthp_cval_el2(deadline)
            hv_write_cnthp_ctl_el2(1)           // ENABLE, IMASK clear
        } else {
            hv_write_cnthp_ctl_el2(0)
        }
        hv_isb()
    }
    static var virtTimerControl: UInt64 { get { hv_read_cntv_ctl() } set { hv_write_cntv_ctl(newValue) } }
    static var virtTimerCompare: UInt64 { get { hv_read_cntv_cval() } set { hv_write_cntv_cval(newValue) } }

    // MARK: GIC CPU interface
    static func enableSystemRegisterGIC() {
        hv_write_icc_sre_el2(0xF)               // SRE, DFB, DIB, Enable (EL1 may use ICC_SRE_EL1)
        hv_isb()
        hv_write_icc_sre_el1(0x7)
        hv_isb()
    }
    static var iccPMR: UInt64 { get { hv_read_icc_pmr() } set { hv_write_icc_pmr(newValue) } }
    static var iccCTLR: UInt64 { get { hv_read_icc_ctlr_el1() } set { hv_write_icc_ctlr_el1(newValue) } }
    static var iccGroup1Enable: UInt64 { get { hv_read_icc_igrpen1() } set { hv_write_icc_igrpen1(newValue); hv_isb() } }
    /// The highest-priority pending interrupt, acknowledged: its INTID in bits 9:0 and, for a
    /// GICv2 SGI, the sender's CPU interface in bits 12:10 (EOI and DIR take the whole value).
    static func acknowledgeInterrupt() -> UInt32 {
        if let f = board.gicv2 { return read32(f.cpu + GICv2.GICC.iar) }
        return UInt32(truncatingIfNeeded: hv_read_icc_iar1())
    }
    static func endOfInterrupt(_ iar: UInt32) {
        if let f = board.gicv2 { write32(f.cpu + GICv2.GICC.eoir, iar) } else { hv_write_icc_eoir1(UInt64(iar)) }
    }
    static func deactivateInterrupt(_ iar: UInt32) {
        if let f = board.gicv2 { write32(f.cpu + GICv2.GICC.dir, iar) } else { hv_write_icc_dir(UInt64(iar)) }
    }
    static func sendSGI(_ value: UInt64) { hv_write_icc_sgi1r(value); hv_isb() }

    // MARK: GIC virtual interface control: ICH_*_EL2 on a GICv3, the GICH frame on a GICv2
    // (same fields for HCR, VTR, MISR, EISR, ELRSR; VMCR and APR are only saved and restored)
    private static func gich(_ offset: UInt64) -> UInt64? { board.gicv2.map { $0.hyp + offset } }
    static var ichHCR: UInt64 {
        get { gich(GICv2.GICH.hcr).map { UInt64(read32($0)) } ?? hv_read_ich_hcr() }
        set { if let a = gich(GICv2.GICH.hcr) { write32(a, UInt32(truncatingIfNeeded: newValue)) } else { hv_write_ich_hcr(newValue); hv_isb() } }
    }
    static var ichVTR: UInt64 { gich(GICv2.GICH.vtr).map { UInt64(read32($0)) } ?? hv_read_ich_vtr() }
    static var ichMISR: UInt64 { gich(GICv2.GICH.misr).map { UInt64(read32($0)) } ?? hv_read_ich_misr() }
    static var ichELRSR: UInt64 { gich(GICv2.GICH.elrsr0).map { UInt64(read32($0)) } ?? hv_read_ich_elrsr() }
    static var ichEISR: UInt64 { gich(GICv2.GICH.eisr0).map { UInt64(read32($0)) } ?? hv_read_ich_eisr() }
    static var ichVMCR: UInt64 {
        get { gich(GICv2.GICH.vmcr).map { UInt64(read32($0)) } ?? hv_read_ich_vmcr() }
        set { if let a = gich(GICv2.GICH.vmcr) { write32(a, UInt32(truncatingIfNeeded: newValue)) } else { hv_write_ich_vmcr(newValue) } }
    }
    static var ichAP1R0: UInt64 {
        get { gich(GICv2.GICH.apr).map { UInt64(read32($0)) } ?? hv_read_ich_ap1r0() }
        set { if let a = gich(GICv2.GICH.apr) { write32(a, UInt32(truncatingIfNeeded: newValue)) } else { hv_write_ich_ap1r0(newValue) } }
    }
    static func readLR(_ n: Int) -> ListRegister {
        if let a = gich(GICv2.GICH.lr0 + 4 * UInt64(n)) { return ListRegister(gicv2: read32(a)) }
        return ListRegister(rawValue: hv_read_ich_lr(UInt32(n)))
    }
    static func writeLR(_ n: Int, _ lr: ListRegister) {
        if let a = gich(GICv2.GICH.lr0 + 4 * UInt64(n)) { write32(a, lr.gicv2Value) } else { hv_write_ich_lr(UInt32(n), lr.rawValue) }
    }

    // MARK: MMIO and memory shared between CPUs
    static func read32(_ address: UInt64) -> UInt32 { hv_mmio_read32(address) }
    static func write32(_ address: UInt64, _ value: UInt32) { hv_mmio_write32(address, value) }
    static func read64(_ address: UInt64) -> UInt64 { hv_mmio_read64(address) }
    static func write64(_ address: UInt64, _ value: UInt64) { hv_mmio_write64(address, value) }
    static func write8(_ address: UInt64, _ value: UInt8) { hv_mmio_write8(address, value) }
    static func memoryWrite64(_ address: UInt64, _ value: UInt64) { hv_mem_write64(address, value) }
    static func memoryRead64(_ address: UInt64) -> UInt64 { hv_mem_read64(address) }

    // MARK: Waiting, locks, firmware
    static func waitForInterrupt() { hv_wfi() }
    /// Names a point in the simulator's `--timeline` (a NOP on hardware): `name` is NUL-terminated.
    static func timelineMarker(_ name: UnsafePointer<UInt8>, _ value: UInt64) { hv_timeline_marker(name, value) }
    static func lock(_ word: UnsafeMutablePointer<UInt32>) { hv_spin_lock(word) }
    static func unlock(_ word: UnsafeMutablePointer<UInt32>) { hv_spin_unlock(word) }
    static func smc(_ function: UInt64, _ a1: UInt64 = 0, _ a2: UInt64 = 0, _ a3: UInt64 = 0) -> UInt64 {
        hv_smc(function, a1, a2, a3)
    }

    // MARK: Guest entry and FP/SIMD
    static func enterGuest(_ regs: UnsafeMutablePointer<GuestRegisters>) -> UInt64 { hv_enter_guest(regs) }
    static func saveFP(_ area: UnsafeMutableRawPointer) { hv_fp_save(area) }
    static func restoreFP(_ area: UnsafeMutableRawPointer) { hv_fp_restore(area) }
    static var secondaryEntry: UInt64 { hv_addr_secondary_entry() }
    static var spinTableEntry: UInt64 { hv_addr_spin_entry() }

    /// Release a CPU waiting in a spin table: its index where `hv_spin_entry` finds it, then the
    /// entry in its release word, both cleaned to memory (it runs with caches off), then SEV.
    static func releaseFromSpinTable(releaseAddress: UInt64, mpidr: UInt64, index: Int) {
        let slot = hv_addr_spin_index(UInt32(mpidr & 7))
        hv_mem_write64(slot, UInt64(index))
        hv_mem_write64(releaseAddress, spinTableEntry)
        hv_dsb_sy()
        hv_dc_civac(slot)
        hv_dc_civac(releaseAddress)
        hv_dsb_sy()
        hv_sev()
    }

    // MARK: Linker-script regions
    static var heapRegion: Range<UInt64> { hv_addr_heap_start()..<hv_addr_heap_end() }
    static var pageRegion: Range<UInt64> { hv_addr_pages_start()..<hv_addr_pages_end() }
    static var imageRegion: Range<UInt64> { hv_addr_image_start()..<hv_addr_image_end() }

    // MARK: Guest EL1 context
    static var guestVectorBase: UInt64 { hv_read_vbar_el1() }

    /// The loaded guest's stage-1 translation of `va` (AT S1E1R; its PAR_EL1 is kept), or nil
    /// when the guest's own tables do not map it. With its MMU off, VA is IPA.
    static func guestIPA(ofVA va: UInt64) -> UInt64? {
        guard hv_read_sctlr_el1() & 1 != 0 else { return va }
        let saved = hv_read_par_el1()
        hv_at_s1e1r(va)
        hv_isb()
        let par = hv_read_par_el1()
        hv_write_par_el1(saved)
        guard par & 1 == 0 else { return nil }
        return (par & 0x0000_FFFF_FFFF_F000) | (va & 0xFFF)
    }
    /// Exception entry registers of the loaded guest EL1 (injected exceptions).
    static func setGuestException(esr: UInt64, far: UInt64?, elr: UInt64, spsr: UInt64) {
        hv_write_esr_el1(esr)
        if let far { hv_write_far_el1(far) }
        hv_write_elr_el1(elr)
        hv_write_spsr_el1(spsr)
    }
    static func saveEL1(_ c: inout EL1Context) {
        c.sctlr = hv_read_sctlr_el1(); c.ttbr0 = hv_read_ttbr0_el1(); c.ttbr1 = hv_read_ttbr1_el1()
        c.tcr = hv_read_tcr_el1(); c.mair = hv_read_mair_el1(); c.amair = hv_read_amair_el1()
        c.vbar = hv_read_vbar_el1(); c.elr = hv_read_elr_el1(); c.spsr = hv_read_spsr_el1()
        c.spEL0 = hv_read_sp_el0(); c.spEL1 = hv_read_sp_el1(); c.esr = hv_read_esr_el1()
        c.far = hv_read_far_el1(); c.afsr0 = hv_read_afsr0_el1(); c.afsr1 = hv_read_afsr1_el1()
        c.contextidr = hv_read_contextidr_el1(); c.tpidrEL0 = hv_read_tpidr_el0()
        c.tpidrroEL0 = hv_read_tpidrro_el0(); c.tpidrEL1 = hv_read_tpidr_el1()
        c.cpacr = hv_read_cpacr_el1(); c.par = hv_read_par_el1(); c.cntkctl = hv_read_cntkctl_el1()
        c.csselr = hv_read_csselr_el1()
        c.cntvCtl = hv_read_cntv_ctl(); c.cntvCval = hv_read_cntv_cval()
        hv_write_cntv_ctl(0)                    // a descheduled vCPU's timer must not fire here
        if board.hasGIC { c.vmcr = ichVMCR; c.ap1r0 = ichAP1R0 }
    }
    static func restoreEL1(_ c: EL1Context) {
        hv_write_sctlr_el1(c.sctlr); hv_write_ttbr0_el1(c.ttbr0); hv_write_ttbr1_el1(c.ttbr1)
        hv_write_tcr_el1(c.tcr); hv_write_mair_el1(c.mair); hv_write_amair_el1(c.amair)
        hv_write_vbar_el1(c.vbar); hv_write_elr_el1(c.elr); hv_write_spsr_el1(c.spsr)
        hv_write_sp_el0(c.spEL0); hv_write_sp_el1(c.spEL1); hv_write_esr_el1(c.esr)
        hv_write_far_el1(c.far); hv_write_afsr0_el1(c.afsr0); hv_write_afsr1_el1(c.afsr1)
        hv_write_contextidr_el1(c.contextidr); hv_write_tpidr_el0(c.tpidrEL0)
        hv_write_tpidrro_el0(c.tpidrroEL0); hv_write_tpidr_el1(c.tpidrEL1)
        hv_write_cpacr_el1(c.cpacr); hv_write_par_el1(c.par); hv_write_cntkctl_el1(c.cntkctl)
        hv_write_csselr_el1(c.csselr)
        hv_write_cntv_cval(c.cntvCval); hv_write_cntv_ctl(c.cntvCtl)
        if board.hasGIC { ichVMCR = c.vmcr; ichAP1R0 = c.ap1r0 }
        hv_isb()
    }
}
