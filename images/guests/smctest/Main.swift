// Self-modifying and cross-modifying code: rewritten instructions run once the architecture says
// they must (after the cache maintenance and context synchronisation in boot.S), whether the
// rewrite is of a function, of the next instructions in the running straight line, of a hot
// loop, or done by another core. Prints PASS/FAIL per check and `smctest: N passed, M failed`.

@_silgen_name("halt") func halt() -> Never
@_silgen_name("board_uart_base") func boardUARTBase() -> UInt
@_silgen_name("psci_smc") func psci(_ function: UInt64, _ a: UInt64, _ b: UInt64, _ c: UInt64) -> Int64
@_silgen_name("patch_insn") func patchInsn(_ address: UInt, _ word: UInt32)
@_silgen_name("patched") func patched() -> UInt32
@_silgen_name("patch_ahead") func patchAhead(_ word: UInt32) -> UInt32
@_silgen_name("count_loop") func countLoop(_ n: UInt64) -> UInt64
@_silgen_name("xmc_wait") func xmcWait(_ max: UInt64) -> UInt32

/// Code addresses (boot.S) taken through the GOT, like the other guests do.
@_silgen_name("patched_address") func patchedAddress() -> UInt
@_silgen_name("loop_add_address") func loopAddAddress() -> UInt
@_silgen_name("xmc_writer_address") func xmcWriterAddress() -> UInt
@_silgen_name("cmp_branch_site_address") func cmpBranchSiteAddress() -> UInt
@_silgen_name("cmp_branch") func cmpBranch(_ x: UInt64) -> UInt32

/// MOVZ Wd, #imm16 and ADD Xd, Xn, #imm12 (Arm ARM C6.2).
func movzW0(_ imm: UInt32) -> UInt32 { 0x5280_0000 | (imm & 0xFFFF) << 5 }
func addX0X0(_ imm: UInt32) -> UInt32 { 0x9100_0000 | (imm & 0xFFF) << 10 }

var passed: UInt64 = 0, failed: UInt64 = 0

func check(_ ok: Bool, _ name: StaticString, got: UInt64, want: UInt64) {
    if ok { write("PASS "); write(name); write("\n"); passed += 1; return }
    write("FAIL "); write(name); write(": got "); writeHex(got); write(", want "); writeHex(want); write("\n")
    failed += 1
}

@_cdecl("smctest_main")
public func smctestMain() -> Never {
    // A function rewritten 64 times, called after each rewrite.
    var bad: UInt32 = 0, wanted: UInt32 = 0, got: UInt32 = 0
    for k in UInt32(1)...64 where bad == 0 {
        patchInsn(patchedAddress(), movzW0(k * 977))
        got = patched(); wanted = (k * 977) & 0xFFFF
        if got != wanted { bad = k }
    }
    check(bad == 0, "smc-rewritten-function", got: UInt64(got), want: UInt64(wanted))

    // The instruction two lines ahead of the store, in the same straight-line run.
    got = patchAhead(movzW0(0x1234))
    check(got == 0x1234, "smc-rewrite-ahead-in-same-run", got: UInt64(got), want: 0x1234)
    got = patchAhead(movzW0(0x4321))
    check(got == 0x4321, "smc-rewrite-ahead-again", got: UInt64(got), want: 0x4321)

    // A loop that has run hot, its body rewritten, run again, then restored.
    let before = countLoop(10_000)
    patchInsn(loopAddAddress(), addX0X0(3))
    let after = countLoop(10_000)
    patchInsn(loopAddAddress(), addX0X0(1))
    let restored = countLoop(10_000)
    check(before == 10_000 && after == 30_000 && restored == 10_000, "smc-rewritten-hot-loop",
          got: after, want: 30_000)

    // The branch right after a compare, its condition flipped from EQ to NE after it ran hot.
    var hot: UInt32 = 0
    for _ in 0..<100 { hot &+= cmpBranch(5) }
    let site = UnsafeMutablePointer<UInt32>(bitPattern: cmpBranchSiteAddress())!
    let original = site.pointee
    patchInsn(cmpBranchSiteAddress(), original ^ 1)                              // cond EQ (0) -> NE (1)
    let five = cmpBranch(5), four = cmpBranch(4)                                 // NE: 0 for 5, 1 for 4
    patchInsn(cmpBranchSiteAddress(), original)
    check(hot == 100 && five == 0 && four == 1 && cmpBranch(5) == 1, "smc-rewritten-branch-after-compare",
          got: UInt64(five) << 4 | UInt64(four), want: 0x01)

    // Another core rewrites xfunc while this one keeps calling it.
    let word = UInt64(movzW0(0x5A5A))
    var on = psci(0xC400_0003, 1, UInt64(xmcWriterAddress()), word)              // CPU_ON, MPIDR 1 (virt)
    if on == -2 { on = psci(0xC400_0003, 0x100, UInt64(xmcWriterAddress()), word) } // MPIDR 0x100 (FVP)
    check(on == 0, "xmc-second-core-on", got: UInt64(bitPattern: on), want: 0)
    if on == 0 {
        got = xmcWait(1 << 31)         // bounds a broken run; QEMU may start the second vCPU late on a busy host
        check(got == 0x5A5A, "xmc-rewritten-by-other-core", got: UInt64(got), want: 0x5A5A)
    }

    write("smctest: "); writeDecimal(passed); write(" passed, "); writeDecimal(failed); write(" failed\n")
    _ = psci(0x8400_0008, 0, 0, 0)                                               // SYSTEM_OFF
    halt()
}
