import Testing
@testable import HypervisorCore

/// The per-VM MMIO registry the trap path dispatches stage-2 data aborts through.
@Suite struct MMIORegistryTests {
    /// A stand-in for the VM: records what its devices were asked.
    final class Owner {
        var log: [(String, UInt64, Int, Bool, UInt64, Int)] = []
    }

    func registry() -> MMIORegistry<Owner> {
        var r = MMIORegistry<Owner>()
        #expect(r.register("dist", 0x0800_0000..<0x0801_0000) { o, off, size, write, value, vcpu in
            o.log.append(("dist", off, size, write, value, vcpu)); return .handled(0xD15)
        })
        #expect(r.register("uart", 0x0900_0000..<0x0900_1000) { o, off, size, write, value, vcpu in
            o.log.append(("uart", off, size, write, value, vcpu)); return .handled(0x55)
        })
        return r
    }

    @Test func dispatchesByRangeWithTheOffset() {
        let r = registry(), o = Owner()
        guard case .handled(let v) = r.dispatch(o, ipa: 0x0800_0104, size: 4, write: false, value: 0, vcpu: 2) else {
            Issue.record("not handled"); return
        }
        #expect(v == 0xD15)
        _ = r.dispatch(o, ipa: 0x0900_0000, size: 1, write: true, value: 0x41, vcpu: 0)
        #expect(o.log.count == 2)
        #expect(o.log[0].0 == "dist" && o.log[0].1 == 0x104 && o.log[0].2 == 4 && !o.log[0].3 && o.log[0].5 == 2)
        #expect(o.log[1].0 == "uart" && o.log[1].1 == 0 && o.log[1].3 && o.log[1].4 == 0x41)
    }

    @Test func unmappedAndStraddlingAccessesFault() {
        let r = registry(), o = Owner()
        if case .handled = r.dispatch(o, ipa: 0x0A00_0000, size: 4, write: false, value: 0, vcpu: 0) { Issue.record("unmapped IPA handled") }
        if case .handled = r.dispatch(o, ipa: 0x0900_0FFC, size: 8, write: false, value: 0, vcpu: 0) { Issue.record("access past the end handled") }
        if case .handled = r.dispatch(o, ipa: 0x07FF_FFFC, size: 8, write: false, value: 0, vcpu: 0) { Issue.record("access from below handled") }
        if case .handled = r.dispatch(o, ipa: UInt64.max - 1, size: 4, write: false, value: 0, vcpu: 0) { Issue.record("wrapping access handled") }
        #expect(o.log.isEmpty, "no device saw a faulting access")
    }

    @Test func overlappingOrEmptyRangesAreRefused() {
        var r = registry()
        #expect(!r.register("clash", 0x0800_F000..<0x0801_1000) { _, _, _, _, _, _ in .handled(0) })
        #expect(!r.register("empty", 0x0A00_0000..<0x0A00_0000) { _, _, _, _, _, _ in .handled(0) })
        #expect(r.register("next", 0x0801_0000..<0x0801_1000) { _, _, _, _, _, _ in .handled(7) })
        #expect(r.entries.map(\.name) == ["dist", "uart", "next"])
    }
}
