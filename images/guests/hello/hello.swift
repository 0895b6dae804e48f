// Smallest guest: says which exception level it runs at, then powers off.
import _Volatile

// Helpers in boot.S.
@_silgen_name("read_current_el") func readCurrentEL() -> UInt
@_silgen_name("board_uart_base") func boardUARTBase() -> UInt
@_silgen_name("psci_smc") func psciSMC(_ function: UInt32) -> Int
@_silgen_name("psci_hvc") func psciHVC(_ function: UInt32) -> Int
@_silgen_name("halt") func halt() -> Never

/// PL011 transmit side (Arm PrimeCell UART PL011 TRM): DR at 0x00, FR at 0x18, FR.TXFF is bit 5.
struct PL011 {
    let base: UInt

    func put(_ byte: UInt8) {
        let fr = VolatileMappedRegister<UInt32>(unsafeBitPattern: base &+ 0x18)
        while fr.load() & (1 << 5) != 0 {}
        VolatileMappedRegister<UInt32>(unsafeBitPattern: base).store(UInt32(byte))
    }

    func write(_ text: StaticString) {
        text.withUTF8Buffer { for byte in $0 { put(byte) } }
    }
}

/// PSCI SYSTEM_OFF, SMC32 function id (Arm PSCI specification).
let psciSystemOff: UInt32 = 0x8400_0008

@_cdecl("hello_main")
public func helloMain() -> Never {
    let uart = PL011(base: boardUARTBase())
    let el = readCurrentEL()
    uart.write("Hello from EL")
    uart.put(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: el))
    uart.put(UInt8(ascii: "\n"))
    // QEMU's convention: PSCI over SMC when EL2 exists, over HVC otherwise.
    switch el {
    case 3: uart.write("No PSCI firmware below EL3; halting\n")
    case 2: _ = psciSMC(psciSystemOff)
    default: _ = psciHVC(psciSystemOff)
    }
    halt()  // also reached if SYSTEM_OFF returns
}
