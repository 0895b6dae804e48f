// Running code at a lower EL through common/lower.S: ERET one EL at a time, back up with
// SVC/HVC/SMC #0xFFFF; and running a check's body that way. The guest provides initCurrentEL(),
// run on every EL on the way down.

/// A function the trampoline can run at another EL: result in x0.
typealias Body = @convention(c) () -> UInt64

/// Run `fn` at the next lower EL and return its result.
@_silgen_name("call_lower") func callLower(_ fn: Body, _ arg: UInt64) -> UInt64
/// The top of EL `el`'s stack, where SP starts on every arrival there.
@_silgen_name("el_stack_top") func elStackTop(_ el: UInt64) -> UInt64
/// The trampoline's entries at EL0 and EL1, around the body they call.
@_silgen_name("addr_lower_entry_el0") func addrLowerEntryEL0() -> UInt64
@_silgen_name("addr_lower_entry_el1") func addrLowerEntryEL1() -> UInt64

/// An assembly function's address as a Body: no Swift thunk runs, so an EL0 body is exact.
func body(at address: UInt64) -> Body { unsafeBitCast(UInt(address), to: Body.self) }

/// What run(at:) was asked for, kept in globals: a Body is a C function pointer and captures nothing.
var pendingBody: Body? = nil
var pendingEL: UInt64 = 0

/// Run `body` at `el` (at most the current EL) and return its result.
func run(at el: UInt64, _ body: Body) -> UInt64 {
    pendingBody = body
    pendingEL = el
    return continueRun()
}

/// One step down (configuring the EL it arrives at), or the body itself once at its EL.
func continueRun() -> UInt64 {
    let here = readCurrentEL()
    let body = pendingBody!
    if here == pendingEL { return body() }
    if pendingEL == 0 && here == 1 { return callLower(body, 0) }
    return callLower({ initCurrentEL(); return continueRun() }, 0)
}

/// Run check `name`'s body at `el` and report it, or SKIP it unless `runnable`. Nothing is armed
/// before or after: an exception a body armed for but did not get stays in its own check.
func runCheck(_ name: StaticString, at el: UInt64, if runnable: Bool, _ body: Body) {
    if !runnable {
        skip(name)
        return
    }
    checkFailed = false
    armed = false
    _ = run(at: el, body)
    armed = false
    report(name)
}
