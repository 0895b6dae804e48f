// common/runtime.S as Swift declarations, and powering off through it.

@_silgen_name("halt") func halt() -> Never
@_silgen_name("read_current_el") func readCurrentEL() -> UInt64
@_silgen_name("board_uart_base") func boardUARTBase() -> UInt
@_silgen_name("board_gicd_base") func boardGICDBase() -> UInt
@_silgen_name("board_gicr_base") func boardGICRBase() -> UInt
@_silgen_name("psci_smc") func psciSMC(_ function: UInt32) -> Int
@_silgen_name("psci_hvc") func psciHVC(_ function: UInt32) -> Int

/// PSCI SYSTEM_OFF, SMC32 function id (Arm PSCI specification).
let psciSystemOff: UInt32 = 0x8400_0008

/// SYSTEM_OFF the way QEMU's virt board wants it from a guest entered at `el`: over SMC when EL2
/// exists, over HVC from EL1. Entered at EL3 we would be the firmware ourselves: nobody to ask.
func powerOff(enteredAt el: UInt64) -> Never {
    switch el {
    case 3: break
    case 2: _ = psciSMC(psciSystemOff)
    default: _ = psciHVC(psciSystemOff)
    }
    halt()
}
