/// What the cores report to `--timeline` (Machine/Timeline.swift). Every hook sits on a path that
/// is already cold (exception entry and return, list-register writes, PSCI, one hint) behind a
/// nil check of `machine.timeline`.
extension Core {
    /// What this core runs, as the timeline names it: by EL, and below EL2 with stage 2 on by the
    /// VMID (VTTBR_EL2) and the vCPU the hypervisor presents (VMPIDR_EL2 Aff1.Aff0).
    var timelineContext: String {
        switch state.pointee.el {
        case 3: return "firmware (EL3)"
        case 2: return "hypervisor (EL2)"
        default:
            if self[.hcrEL2] & 1 != 0 && self[.scrEL3] & 1 != 0 {
                let vmid = (self[.vttbrEL2] >> 48) & 0xFF, mp = self[.vmpidrEL2]
                let aff1 = (mp >> 8) & 0xFF
                return "VMID \(vmid) vCPU \(aff1 != 0 ? "\(aff1)." : "")\(mp & 0xFF)"
            }
            return state.pointee.el == 1 ? "EL1" : "EL0"
        }
    }

    /// The slice for what runs now (after an EL change, or when the machine looks between quanta).
    func timelineEnter() {
        guard let tl = machine.timeline else { return }
        let name: String?
        switch power {
        case .on: name = timelineContext
        case .off: name = nil
        case .waitingForInterrupt: name = "idle (WFI)"
        case .waitingForEvent: name = "idle (WFE)"
        }
        tl.enter(core: index, name, at: state.pointee.cycles)
    }

    /// An exception taken to EL2: an instant named for its class, with the syndrome's details.
    func timelineExit(_ tl: Timeline, from: Int, kind: VectorKind, esr: UInt64, far: UInt64?, returnAddress: UInt64) {
        var args: [(String, String)] = [("from", "\"EL\(from)\""), ("elr", Timeline.hex(returnAddress))]
        let name: String
        switch kind {
        case .irq: name = "IRQ"
        case .fiq: name = "FIQ"
        case .serror: name = "SError"
        case .synchronous:
            args.append(("esr", Timeline.hex(esr)))
            let ec = esr >> 26, iss = esr & 0x1FF_FFFF
            switch ec {
            case 0x01: name = iss & 1 != 0 ? "WFE" : "WFI"
            case 0x15: name = "SVC"
            case 0x16, 0x17:
                // x0 carries the function (SMCCC: PSCI and the like).
                name = (ec == 0x16 ? "HVC" : "SMC") + " #0x\(String(iss & 0xFFFF, radix: 16))"
                args.append(("x0", Timeline.hex(x[0])))
            case 0x18:
                let enc = UInt16((iss >> 20) & 3) << 14 | UInt16((iss >> 14) & 7) << 11 | UInt16((iss >> 10) & 15) << 7
                    | UInt16((iss >> 1) & 15) << 3 | UInt16((iss >> 17) & 7)
                let reg = SysRegTable.all.first { $0.access.encoding == enc }?.name
                    ?? "S\(enc >> 14)_\((enc >> 11) & 7)_C\((enc >> 7) & 15)_C\((enc >> 3) & 15)_\(enc & 7)"
                name = (iss & 1 != 0 ? "MRS " : "MSR ") + reg
            case 0x20, 0x24:
                let ipa = (self[.hpfarEL2] >> 4) << 12 | (far ?? 0) & 0xFFF
                name = ec == 0x24 ? "data abort (\(iss & (1 << 6) != 0 ? "write" : "read"))" : "instruction abort"
                args.append(("ipa", Timeline.hex(ipa)))
                if let far { args.append(("va", Timeline.hex(far))) }
            case 0x00: name = "UNDEFINED"
            case 0x07: name = "FP/SIMD trap"
            case 0x30...0x35: name = "debug exception"
            case 0x3C: name = "BRK"
            default: name = "EC 0x\(String(ec, radix: 16))"
            }
        }
        tl.instant(core: index, name, category: "exit", at: state.pointee.cycles, args: args)
        timelineListRegisterOccupancy(tl)
    }

    /// ICH_LR<n>_EL2 written with `value` over `old`: an injection when it becomes pending for a
    /// new vINTID (a vCPU switch restoring the same interrupt is not one), and the occupancy.
    func timelineListRegister(_ tl: Timeline, old: UInt64, value: UInt64) {
        let pending = value & (1 << 62) != 0, vintid = value & 0xFFFF_FFFF
        if pending && (old & (1 << 62) == 0 || old & 0xFFFF_FFFF != vintid) {
            tl.instant(core: index, "inject vINTID \(vintid)", category: "gic", at: state.pointee.cycles,
                       args: [("lr", Timeline.hex(value))])
        }
        timelineListRegisterOccupancy(tl)
    }

    /// The counter of list registers holding an interrupt (state not invalid), when it changed.
    func timelineListRegisterOccupancy(_ tl: Timeline) {
        guard let vif = machine.gic?.virtualInterfaces[index] else { return }
        var used = 0
        for n in 0..<4 where vif.read(.lr(n)) >> 62 != 0 { used += 1 }
        if tl.occupancy[index] != used {
            tl.occupancy[index] = used
            tl.counter("cpu\(index) list registers in use", value: used, at: state.pointee.cycles)
        }
    }

    /// `HINT #0x7A` (unallocated, a NOP on hardware): a marker named by the NUL-terminated string
    /// at VA x0 (at most 80 bytes, read through the current regime), with x1 as its value.
    func timelineMarker() {
        guard let tl = machine.timeline else { return }
        var bytes: [UInt8] = []
        var va = x[0]
        while bytes.count < 80, case .success(let t) = translate(va, .read), let b = memory.readPhysical(t.pa, size: 1), b != 0 {
            bytes.append(UInt8(b))
            va &+= 1
        }
        tl.instant(core: index, String(decoding: bytes, as: UTF8.self), category: "marker", at: state.pointee.cycles,
                   args: [("value", "\(x[1])")])
    }
}
