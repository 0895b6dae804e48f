import Testing
@testable import Simulator

/// The run control behind `sim --gdb`: breakpoints stop before the instruction (also a B.cond the
/// interpreter would fuse with its compare), a step stops after exactly one instruction, a write
/// watchpoint stops after the store, and none of it changes what the program computes.
@Suite struct DebugControlTests {
    static let program = """
        mov x0, #0
        mov x1, #5
        adr x2, data
        loop:
        add x0, x0, #3
        str x0, [x2]
        subs x1, x1, #1
        b.ne loop
        mov x3, #7
        b done
        .balign 8
        data: .quad 0
        done:
        """

    @Test func breakpointsStepsAndWatchpointsLeaveTheRunAlone() throws {
        let plain = try Bench()
        try plain.run(Self.program)
        let cycles = plain.core.state.pointee.cycles

        let b = try Bench()
        let base = Bench.base
        var stops: [(UInt64, DebugStop)] = []
        b.machine.debug.onStop = { core, reason in
            stops.append((core.state.pointee.pc, reason))
            switch stops.count {
            case 1:     // at the B.NE: step it (taken: back to the loop head)
                b.machine.debug.removeBreakpoint(base + 24)
                b.machine.debug.resume(step: 0, from: 0)
            case 2:     // watch the data word from here on
                _ = b.machine.debug.insertWatchpoint(va: base + 40, pa: base + 40, length: 8)
                b.machine.debug.resume(step: nil, from: 0)
            default:
                b.machine.debug.removeAll()
                b.machine.debug.resume(step: nil, from: 0)
            }
        }
        try b.run(Self.program) { _ in
            b.machine.debug.insertBreakpoint(base + 24)
            b.machine.debug.resume(step: nil, from: nil)
        }
        #expect(stops.count == 3)
        #expect(stops.first.map { $0.0 == base + 24 && $0.1 == .breakpoint } == true, "stopped before the B.NE")
        #expect(stops.dropFirst().first.map { $0.0 == base + 12 && $0.1 == .step } == true, "one step: the taken branch")
        #expect(stops.dropFirst(2).first.map { $0.0 == base + 20 && $0.1 == .watchpoint(base + 40, .write) } == true,
                "after the store that changed the word")
        #expect(b.x(0) == 15 && b.x(3) == 7 && b.core.state.pointee.cycles == cycles, "the same run as without a debugger")
    }
}
