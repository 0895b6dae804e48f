// codemod: self-modifying and cross-modifying code. Code that already ran (and that a translating
// simulator has translated) is rewritten, made visible with DC CVAU / DSB / IC IVAU / DSB / ISB,
// and must then run as rewritten: from another routine, from within its own straight-line run,
// from inside the loop that rewrites it, and from another CPU (PSCI CPU_ON) while this one waits
// for it and issues the ISB. Prints PASS/FAIL per check and `codemod: N passed, M failed`.

@_silgen_name("call_at") func callAt(_ address: UInt) -> UInt64
@_silgen_name("call_many") func callMany(_ address: UInt, _ n: UInt64) -> UInt64
@_silgen_name("patch") func patch(_ address: UInt, _ word: UInt32)
@_silgen_name("self_patch") func selfPatch(_ word: UInt32) -> UInt64
@_silgen_name("loop_patch") func loopPatch(_ n: UInt64) -> UInt64
@_silgen_name("wait_done") func waitDone() -> UInt64
@_silgen_name("cpu_on") func cpuOn(_ mpidr: UInt64, _ entry: UInt, _ context: UInt64) -> Int64
@_silgen_name("patchable_address") func patchableAddress() -> UInt
@_silgen_name("writer_address") func writerAddress() -> UInt

/// MOVZ X0, #value.
func movz(_ value: UInt32) -> UInt32 { 0xD280_0000 | (value & 0xFFFF) << 5 }

@_cdecl("codemod_main")
public func codemodMain() -> Never {
    write("codemod: self- and cross-modifying code\n")
    let target = patchableAddress()

    expect("before", callMany(target, 1000), 1000)
    var k: UInt32 = 2
    while k < 50 {
        patch(target, movz(k))
        expect("after patch", callMany(target, 100), 100 * UInt64(k))
        k += 1
    }
    report("codemod.rewrite-hot-routine")

    k = 1
    while k < 200 {
        expect("own run", selfPatch(movz(k)), UInt64(k))
        k += 1
    }
    report("codemod.rewrite-own-block")

    expect("loop body", loopPatch(300), 300 * 299 / 2)
    report("codemod.rewrite-loop-body")

    // Hot again as MOVZ #7, then CPU 1 rewrites it to MOVZ #42 while this CPU waits.
    patch(target, movz(7))
    expect("before", callMany(target, 1000), 7000)
    let on = cpuOn(1, writerAddress(), UInt64(movz(42)))
    expect("CPU_ON", UInt64(bitPattern: on), 0)
    expect("cross-modified", waitDone(), 42)
    expect("cross-modified, hot", callMany(target, 1000), 42000)
    report("codemod.cross-modify")

    writeSummary("codemod")
    powerOff(enteredAt: readCurrentEL())
}
