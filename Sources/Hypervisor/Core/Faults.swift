/// Exceptions taken at EL2 are hypervisor bugs, never guest behaviour: report
/// what the hardware says and stop this CPU. Guests cannot reach this path.
@_cdecl("hv_hyp_fault")
func hypFault(kind: UInt64, frame: UnsafeRawPointer) -> Never {
    Console.line("minos: PANIC: exception at EL2, kind \(kind), ESR \(hex(Arch.esr.rawValue)), ELR \(hex(Arch.elr)), FAR \(hex(Arch.far))")
    haltCPU()
}

@_cdecl("hv_stack_smashed")
func stackSmashed(caller: UInt) {
    Console.line("minos: PANIC: stack protector tripped in libfdt (in the function returning to \(hex(UInt64(caller)))), CPU \(Arch.perCPU)")
}

func haltCPU() -> Never {
    while true { Arch.waitForInterrupt() }
}
