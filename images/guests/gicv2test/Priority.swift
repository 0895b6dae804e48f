// The physical CPU interface on CPU 0: which pending interrupt GICC_IAR returns, the running
// priority, preemption, the priority mask (IHI 0048B chapter 3), and the active state around EOI with
// EOImode 0 and 1 (GICC_EOIR, GICC_DIR). Interrupts are SPIs made pending by GICD_ISPENDR, at
// priorities that are multiples of 0x20 (distinct group priorities for any binary point used).

func priorityChecks() {
    let a = Intid.spiA, b = Intid.spiB, c = Intid.spiC

    // Two pending: the higher priority (lower value) first; while it is active, the lower one is
    // not signalled; each EOI restores the running priority.
    check("prio.highest-first") {
        configureSPI(a, priority: 0x80)
        configureSPI(b, priority: 0x40)
        pend(a); pend(b)
        expect("GICC_HPPIR", hppir(), b)
        expect("GICC_RPR idle", rpr(), idlePriority)
        let first = acknowledge()
        expect("first GICC_IAR", first, b)
        expect("GICC_RPR with B active", rpr(), 0x40)
        expect("GICC_IAR with B active, A lower", acknowledge(), Intid.spurious)
        endOfInterrupt(first)
        expect("GICC_RPR after EOI of B", rpr(), idlePriority)
        let second = acknowledge()
        expect("second GICC_IAR", second, a)
        expect("GICC_RPR with A active", rpr(), 0x80)
        endOfInterrupt(second)
        expect("GICC_RPR after EOI of A", rpr(), idlePriority)
    }

    // Preemption: a higher priority interrupt is signalled while a lower one is active, an equal
    // one is not; priority drops back level by level.
    check("prio.preemption") {
        configureSPI(a, priority: 0x80)
        configureSPI(b, priority: 0x40)
        configureSPI(c, priority: 0x40)
        pend(a)
        expect("GICC_IAR", acknowledge(), a)
        pend(b)
        expect("GICC_HPPIR with A active", hppir(), b)
        expect("GICC_IAR preempting A", acknowledge(), b)
        expect("GICC_RPR with B over A", rpr(), 0x40)
        pend(c)
        expect("GICC_IAR, C equal to B", acknowledge(), Intid.spurious)
        endOfInterrupt(b)
        expect("GICC_RPR back to A", rpr(), 0x80)
        expect("GICC_IAR, C over A", acknowledge(), c)
        endOfInterrupt(c)
        expect("GICC_RPR back to A after C", rpr(), 0x80)
        endOfInterrupt(a)
        expect("GICC_RPR idle", rpr(), idlePriority)
    }

    // GICC_PMR: only priorities strictly higher than the mask are signalled; it implements the
    // same bits as the priority fields.
    check("prio.pmr") {
        setGICC(GICC.pmr, 0xFF)
        expect("GICC_PMR after 0xFF", gicc(GICC.pmr) & 0xFF, priorityMask)
        configureSPI(b, priority: 0x40)
        setGICC(GICC.pmr, 0x40)
        pend(b)
        expect("GICC_IAR, priority = mask", acknowledge(), Intid.spurious)
        expect("GICD_ISPENDR, still pending", bit(GICD.ispendr, b), 1)
        setGICC(GICC.pmr, 0x60)
        let iar = acknowledge()
        expect("GICC_IAR, priority above mask", iar, b)
        if iar == b { endOfInterrupt(iar) }
    }
}

func activeChecks() {
    let b = Intid.spiB

    // EOImode 0: IAR makes the (edge) interrupt active and not pending, EOIR inactive.
    check("active.eoi") {
        configureSPI(b, priority: 0x40)
        pend(b)
        expect("GICD_ISACTIVER before IAR", bit(GICD.isactiver, b), 0)
        let iar = acknowledge()
        expect("GICC_IAR", iar, b)
        expect("GICD_ISACTIVER after IAR", bit(GICD.isactiver, b), 1)
        expect("GICD_ISPENDR after IAR", bit(GICD.ispendr, b), 0)
        endOfInterrupt(iar)
        expect("GICD_ISACTIVER after EOIR", bit(GICD.isactiver, b), 0)
        expect("GICC_RPR after EOIR", rpr(), idlePriority)
    }

    // EOImode 1: EOIR only drops the priority; the interrupt stays active (and, pending again,
    // is not signalled: active and pending) until GICC_DIR deactivates it.
    check("active.split-eoi") {
        setGICC(GICC.ctlr, GICC.enable | GICC.eoiMode)
        expect("GICC_CTLR EOImode", (gicc(GICC.ctlr) >> 9) & 1, 1)
        configureSPI(b, priority: 0x40)
        pend(b)
        let iar = acknowledge()
        expect("GICC_IAR", iar, b)
        endOfInterrupt(iar)
        expect("GICC_RPR after EOIR", rpr(), idlePriority)
        expect("GICD_ISACTIVER after EOIR", bit(GICD.isactiver, b), 1)
        pend(b)
        expect("GICC_IAR, active and pending", acknowledge(), Intid.spurious)
        setGICC(GICC.dir, UInt32(b))
        expect("GICD_ISACTIVER after DIR", bit(GICD.isactiver, b), 0)
        let again = acknowledge()
        expect("GICC_IAR after DIR", again, b)
        if again == b {
            endOfInterrupt(again)
            setGICC(GICC.dir, UInt32(again))
        }
        expect("GICD_ISACTIVER at the end", bit(GICD.isactiver, b), 0)
        expect("GICD_ISPENDR at the end", bit(GICD.ispendr, b), 0)
    }
}
