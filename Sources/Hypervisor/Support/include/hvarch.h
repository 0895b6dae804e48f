/* The one low-level layer: every system-register access, barrier, TLB/cache
   maintenance and MMIO access the Swift core makes goes through these helpers,
   so the core can be built for the host against a fake implementation. */
#ifndef HVARCH_H
#define HVARCH_H
#include <stdint.h>

#define HV_SYSREG(name, reg)                                                  \
    static inline uint64_t hv_read_##name(void) {                             \
        uint64_t v; __asm__ volatile("mrs %0, " #reg : "=r"(v)); return v; } \
    static inline void hv_write_##name(uint64_t v) {                          \
        __asm__ volatile("msr " #reg ", %0" :: "r"(v) : "memory"); }

/* EL2 own state */
HV_SYSREG(currentel, currentel)
HV_SYSREG(mpidr, mpidr_el1)
HV_SYSREG(midr, midr_el1)
HV_SYSREG(pmcr, pmcr_el0)
HV_SYSREG(id_aa64mmfr0, id_aa64mmfr0_el1)
HV_SYSREG(id_aa64pfr0, id_aa64pfr0_el1)
HV_SYSREG(sctlr_el2, sctlr_el2)
HV_SYSREG(hcr_el2, hcr_el2)
HV_SYSREG(tcr_el2, tcr_el2)
HV_SYSREG(mair_el2, mair_el2)
HV_SYSREG(ttbr0_el2, ttbr0_el2)
HV_SYSREG(vbar_el2, vbar_el2)
HV_SYSREG(vtcr_el2, vtcr_el2)
HV_SYSREG(vttbr_el2, vttbr_el2)
HV_SYSREG(esr_el2, esr_el2)
HV_SYSREG(far_el2, far_el2)
HV_SYSREG(hpfar_el2, hpfar_el2)
HV_SYSREG(elr_el2, elr_el2)
HV_SYSREG(spsr_el2, spsr_el2)
HV_SYSREG(cptr_el2, cptr_el2)
HV_SYSREG(mdcr_el2, mdcr_el2)
HV_SYSREG(tpidr_el2, tpidr_el2)
HV_SYSREG(vpidr_el2, vpidr_el2)
HV_SYSREG(vmpidr_el2, vmpidr_el2)
HV_SYSREG(cnthctl_el2, cnthctl_el2)
HV_SYSREG(cntvoff_el2, cntvoff_el2)
HV_SYSREG(cnthp_ctl_el2, cnthp_ctl_el2)
HV_SYSREG(cnthp_cval_el2, cnthp_cval_el2)
HV_SYSREG(cntfrq, cntfrq_el0)
HV_SYSREG(cntpct, cntpct_el0)
HV_SYSREG(cntvct, cntvct_el0)
/* PMUv3: guests' accesses trap (MDCR_EL2.TPM/TPMCR); a loaded vCPU's counters live here.
   Event counter n is reached through PMSELR_EL0.SEL and PMXEVCNTR/PMXEVTYPER_EL0. */
HV_SYSREG(pmcntenset, pmcntenset_el0)
HV_SYSREG(pmcntenclr, pmcntenclr_el0)
HV_SYSREG(pmintenset, pmintenset_el1)
HV_SYSREG(pmintenclr, pmintenclr_el1)
HV_SYSREG(pmovsset, pmovsset_el0)
HV_SYSREG(pmovsclr, pmovsclr_el0)
HV_SYSREG(pmuserenr, pmuserenr_el0)
HV_SYSREG(pmselr, pmselr_el0)
HV_SYSREG(pmccfiltr, pmccfiltr_el0)
HV_SYSREG(pmccntr, pmccntr_el0)
HV_SYSREG(pmceid0, pmceid0_el0)
HV_SYSREG(pmceid1, pmceid1_el0)
HV_SYSREG(pmxevcntr, pmxevcntr_el0)
HV_SYSREG(pmxevtyper, pmxevtyper_el0)
/* Guest EL1 context */
HV_SYSREG(sctlr_el1, sctlr_el1)
HV_SYSREG(ttbr0_el1, ttbr0_el1)
HV_SYSREG(ttbr1_el1, ttbr1_el1)
HV_SYSREG(tcr_el1, tcr_el1)
HV_SYSREG(mair_el1, mair_el1)
HV_SYSREG(amair_el1, amair_el1)
HV_SYSREG(vbar_el1, vbar_el1)
HV_SYSREG(elr_el1, elr_el1)
HV_SYSREG(spsr_el1, spsr_el1)
HV_SYSREG(sp_el0, sp_el0)
HV_SYSREG(sp_el1, sp_el1)
HV_SYSREG(esr_el1, esr_el1)
HV_SYSREG(far_el1, far_el1)
HV_SYSREG(afsr0_el1, afsr0_el1)
HV_SYSREG(afsr1_el1, afsr1_el1)
HV_SYSREG(contextidr_el1, contextidr_el1)
HV_SYSREG(tpidr_el0, tpidr_el0)
HV_SYSREG(tpidrro_el0, tpidrro_el0)
HV_SYSREG(tpidr_el1, tpidr_el1)
HV_SYSREG(cpacr_el1, cpacr_el1)
HV_SYSREG(par_el1, par_el1)
HV_SYSREG(cntkctl_el1, cntkctl_el1)
HV_SYSREG(csselr_el1, csselr_el1)
HV_SYSREG(cntv_ctl, cntv_ctl_el0)
HV_SYSREG(cntv_cval, cntv_cval_el0)
/* GICv3 CPU interface (ICC) and hypervisor control (ICH) */
HV_SYSREG(icc_sre_el2, S3_4_C12_C9_5)
HV_SYSREG(icc_sre_el1, S3_0_C12_C12_5)
HV_SYSREG(icc_pmr, S3_0_C4_C6_0)
HV_SYSREG(icc_ctlr_el1, S3_0_C12_C12_4)
HV_SYSREG(icc_igrpen1, S3_0_C12_C12_7)
HV_SYSREG(icc_iar1, S3_0_C12_C12_0)
HV_SYSREG(icc_eoir1, S3_0_C12_C12_1)
HV_SYSREG(icc_dir, S3_0_C12_C11_1)
HV_SYSREG(icc_sgi1r, S3_0_C12_C11_5)
HV_SYSREG(ich_hcr, S3_4_C12_C11_0)
HV_SYSREG(ich_vtr, S3_4_C12_C11_1)
HV_SYSREG(ich_misr, S3_4_C12_C11_2)
HV_SYSREG(ich_eisr, S3_4_C12_C11_3)
HV_SYSREG(ich_elrsr, S3_4_C12_C11_5)
HV_SYSREG(ich_vmcr, S3_4_C12_C11_7)
HV_SYSREG(ich_ap1r0, S3_4_C12_C9_0)

/* ICH_LR<n>_EL2 is encoded S3_4_C12_C12_<n> (n<8) and S3_4_C12_C13_<n-8>. */
#define HV_LR(n, reg) HV_SYSREG(ich_lr##n, reg)
HV_LR(0, S3_4_C12_C12_0) HV_LR(1, S3_4_C12_C12_1) HV_LR(2, S3_4_C12_C12_2) HV_LR(3, S3_4_C12_C12_3)
HV_LR(4, S3_4_C12_C12_4) HV_LR(5, S3_4_C12_C12_5) HV_LR(6, S3_4_C12_C12_6) HV_LR(7, S3_4_C12_C12_7)
HV_LR(8, S3_4_C12_C13_0) HV_LR(9, S3_4_C12_C13_1) HV_LR(10, S3_4_C12_C13_2) HV_LR(11, S3_4_C12_C13_3)
HV_LR(12, S3_4_C12_C13_4) HV_LR(13, S3_4_C12_C13_5) HV_LR(14, S3_4_C12_C13_6) HV_LR(15, S3_4_C12_C13_7)

static inline uint64_t hv_read_ich_lr(unsigned n) {
    switch (n) {
    case 0: return hv_read_ich_lr0();   case 1: return hv_read_ich_lr1();
    case 2: return hv_read_ich_lr2();   case 3: return hv_read_ich_lr3();
    case 4: return hv_read_ich_lr4();   case 5: return hv_read_ich_lr5();
    case 6: return hv_read_ich_lr6();   case 7: return hv_read_ich_lr7();
    case 8: return hv_read_ich_lr8();   case 9: return hv_read_ich_lr9();
    case 10: return hv_read_ich_lr10(); case 11: return hv_read_ich_lr11();
    case 12: return hv_read_ich_lr12(); case 13: return hv_read_ich_lr13();
    case 14: return hv_read_ich_lr14(); default: return hv_read_ich_lr15();
    }
}
static inline void hv_write_ich_lr(unsigned n, uint64_t v) {
    switch (n) {
    case 0: hv_write_ich_lr0(v); break;   case 1: hv_write_ich_lr1(v); break;
    case 2: hv_write_ich_lr2(v); break;   case 3: hv_write_ich_lr3(v); break;
    case 4: hv_write_ich_lr4(v); break;   case 5: hv_write_ich_lr5(v); break;
    case 6: hv_write_ich_lr6(v); break;   case 7: hv_write_ich_lr7(v); break;
    case 8: hv_write_ich_lr8(v); break;   case 9: hv_write_ich_lr9(v); break;
    case 10: hv_write_ich_lr10(v); break; case 11: hv_write_ich_lr11(v); break;
    case 12: hv_write_ich_lr12(v); break; case 13: hv_write_ich_lr13(v); break;
    case 14: hv_write_ich_lr14(v); break; default: hv_write_ich_lr15(v); break;
    }
}

/* Barriers and maintenance */
static inline void hv_at_s1e1r(uint64_t va) { __asm__ volatile("at s1e1r, %0" :: "r"(va) : "memory"); }
static inline void hv_isb(void) { __asm__ volatile("isb" ::: "memory"); }
static inline void hv_dsb_sy(void) { __asm__ volatile("dsb sy" ::: "memory"); }
static inline void hv_dsb_ish(void) { __asm__ volatile("dsb ish" ::: "memory"); }
static inline void hv_dsb_ishst(void) { __asm__ volatile("dsb ishst" ::: "memory"); }
static inline void hv_tlbi_alle2(void) { __asm__ volatile("tlbi alle2\n dsb ish\n isb" ::: "memory"); }
/* Invalidate stage-1+2 entries of the VMID currently in VTTBR_EL2. */
static inline void hv_tlbi_vmalls12e1is(void) { __asm__ volatile("dsb ishst\n tlbi vmalls12e1is\n dsb ish\n isb" ::: "memory"); }
static inline void hv_ic_iallu(void) { __asm__ volatile("ic iallu\n dsb ish\n isb" ::: "memory"); }
static inline void hv_dc_civac(uint64_t a) { __asm__ volatile("dc civac, %0" :: "r"(a) : "memory"); }
static inline void hv_wfi(void) { __asm__ volatile("dsb sy\n wfi" ::: "memory"); }
static inline void hv_sev(void) { __asm__ volatile("dsb ishst\n sev" ::: "memory"); }
/* A marker for the simulator's --timeline: HINT #0x7A, unallocated in the architecture and so a
   NOP on hardware and in QEMU, names a point with the NUL-terminated string at x0, value in x1. */
static inline void hv_timeline_marker(const uint8_t *name, uint64_t value) {
    register const uint8_t *x0 __asm__("x0") = name;
    register uint64_t x1 __asm__("x1") = value;
    __asm__ volatile("hint #0x7a" :: "r"(x0), "r"(x1) : "memory");
}

/* MMIO, always 32-bit or 64-bit naturally aligned. */
static inline uint32_t hv_mmio_read32(uint64_t a) { return *(volatile uint32_t *)a; }
static inline void hv_mmio_write32(uint64_t a, uint32_t v) { *(volatile uint32_t *)a = v; }
static inline uint64_t hv_mmio_read64(uint64_t a) { return *(volatile uint64_t *)a; }
static inline void hv_mmio_write64(uint64_t a, uint64_t v) { *(volatile uint64_t *)a = v; }
static inline void hv_mmio_write8(uint64_t a, uint8_t v) { *(volatile uint8_t *)a = v; }

/* Plain memory words the core shares between CPUs (page tables, guest RAM). */
static inline uint64_t hv_mem_read64(uint64_t a) { return *(volatile uint64_t *)a; }
static inline void hv_mem_write64(uint64_t a, uint64_t v) { *(volatile uint64_t *)a = v; }
static inline uint32_t hv_mem_read32(uint64_t a) { return *(volatile uint32_t *)a; }
static inline void hv_mem_write32(uint64_t a, uint32_t v) { *(volatile uint32_t *)a = v; }

/* Ticket-free spinlock on an exclusive monitor (no LSE on Cortex-A53; and
   no outline-atomics helpers exist in this freestanding image). */
static inline void hv_spin_lock(uint32_t *l) {
    uint32_t tmp, one = 1;
    __asm__ volatile(
        "   sevl\n"
        "1: wfe\n"
        "2: ldaxr %w0, [%1]\n"
        "   cbnz  %w0, 1b\n"
        "   stxr  %w0, %w2, [%1]\n"
        "   cbnz  %w0, 2b\n"
        : "=&r"(tmp) : "r"(l), "r"(one) : "memory");
}
/* The store clearing a waiter's exclusive monitor is architecturally an
   event for its WFE; the explicit SEV also wakes waiters on models that do
   not implement that rule (our simulator, at the time of writing). */
static inline void hv_spin_unlock(uint32_t *l) {
    __asm__ volatile("stlr wzr, [%0]\n dsb ish\n sev" :: "r"(l) : "memory");
}

/* SMC/HVC with the SMC Calling Convention (x0..x3 in, x0 out). */
static inline uint64_t hv_smc(uint64_t f, uint64_t a1, uint64_t a2, uint64_t a3) {
    register uint64_t x0 __asm__("x0") = f, x1 __asm__("x1") = a1,
                      x2 __asm__("x2") = a2, x3 __asm__("x3") = a3;
    __asm__ volatile("smc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) :: "memory",
                     "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14",
                     "x15", "x16", "x17");
    return x0;
}

/* Assembly in Support/: guest entry/exit and lazily switched FP/SIMD state. */
uint64_t hv_enter_guest(void *regs);          /* returns the exit kind (vector index) */
void hv_fp_save(void *area);                  /* q0-q31, fpsr, fpcr: 528 bytes */
void hv_fp_restore(const void *area);
void hv_secondary_entry(void);                /* PSCI CPU_ON target */
void hv_spin_entry(void);                     /* spin-table release target */
extern uint64_t hv_spin_index[8];             /* its CPU index by MPIDR.Aff0 & 7 */
extern char __image_start[], __image_end[], __heap_start[], __heap_end[];
extern char __pages_start[], __pages_end[], hv_vectors[];
static inline uint64_t hv_addr_heap_start(void) { return (uint64_t)__heap_start; }
static inline uint64_t hv_addr_heap_end(void) { return (uint64_t)__heap_end; }
static inline uint64_t hv_addr_pages_start(void) { return (uint64_t)__pages_start; }
static inline uint64_t hv_addr_pages_end(void) { return (uint64_t)__pages_end; }
static inline uint64_t hv_addr_image_start(void) { return (uint64_t)__image_start; }
static inline uint64_t hv_addr_image_end(void) { return (uint64_t)__image_end; }
static inline uint64_t hv_addr_secondary_entry(void) { return (uint64_t)&hv_secondary_entry; }
static inline uint64_t hv_addr_spin_entry(void) { return (uint64_t)&hv_spin_entry; }
static inline uint64_t hv_addr_spin_index(unsigned aff0) { return (uint64_t)&hv_spin_index[aff0 & 7]; }
#endif
#ifndef HVARCH_RUNTIME
#define HVARCH_RUNTIME
extern uint32_t hv_lock_words[8];
static inline uint32_t *hv_lock_word(unsigned i) { return &hv_lock_words[i & 7]; }
void hv_heap_init(void);
#endif
