/// The instruction-specific half of a stage-2 data abort syndrome (Arm ARM D17.2.37, ESR_ELx
/// ISS encoding for a Data Abort: ISV, SAS, SSE, SRT, SF, AR), so a hypervisor can emulate the
/// access without decoding the instruction. ARMv8.0 provides it only for loads and stores of a
/// single general-purpose register without writeback, excluding exclusives; everything else
/// (pairs, SIMD&FP, exclusives, pre/post-indexed forms) reports ISV = 0.
enum AbortSyndrome {
    /// ISS bits 24:14 for the load/store `word`, or nil when ISV is 0.
    static func validSyndrome(_ word: UInt32) -> UInt64? {
        let w = UInt64(word)
        let size = w >> 30, rt = w & 31, op = (w >> 24) & 0x3F
        var sas = size, sse: UInt64 = 0, sf: UInt64 = 0, ar: UInt64 = 0
        switch op {
        case 0b111001, 0b111000:
            // Unsigned offset, or (bit 21 = 0) unscaled/unprivileged, or (bit 21 = 1) register offset.
            if op == 0b111000 {
                let mode = (w >> 10) & 3
                if (w >> 21) & 1 == 1 { guard mode == 2 else { return nil } } else { guard mode == 0 || mode == 2 else { return nil } }
            }
            let opc = (w >> 22) & 3
            switch opc {
            case 0, 1: sf = size == 3 ? 1 : 0
            case 2: guard size < 3 else { return nil }; sse = 1; sf = 1 // PRFM when size = 3: no access.
            default: guard size < 2 else { return nil }; sse = 1; sf = 0
            }
        case 0b011000:
            // LDR (literal): W, X, LDRSW; opc 11 is PRFM.
            switch size {
            case 0: sas = 2
            case 1: sas = 3; sf = 1
            case 2: sas = 2; sse = 1; sf = 1
            default: return nil
            }
        case 0b001000:
            // Load-acquire / store-release (o2 = 1, o1 = 0, o0 = 1); exclusives have o2 = 0.
            guard (w >> 23) & 1 == 1, (w >> 21) & 1 == 0, (w >> 15) & 1 == 1 else { return nil }
            sf = size == 3 ? 1 : 0
            ar = 1
        default:
            return nil
        }
        return 1 << 24 | sas << 22 | sse << 21 | rt << 16 | sf << 15 | ar << 14
    }
}
