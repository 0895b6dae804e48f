// Console output on the board's PL011, usable at every EL (MMU off, or with
// the UART identity-mapped as Device memory).
import _Volatile

/// PL011 transmit side (Arm PrimeCell UART PL011 TRM): DR at 0x00, FR at 0x18, FR.TXFF is bit 5.
struct PL011 {
    let base: UInt

    func put(_ byte: UInt8) {
        let fr = VolatileMappedRegister<UInt32>(unsafeBitPattern: base &+ 0x18)
        while fr.load() & (1 << 5) != 0 {}
        VolatileMappedRegister<UInt32>(unsafeBitPattern: base).store(UInt32(byte))
    }
}

func put(_ byte: UInt8) { PL011(base: boardUARTBase()).put(byte) }

func write(_ text: StaticString) {
    text.withUTF8Buffer { for byte in $0 { put(byte) } }
}

/// Lower-case hex with a 0x prefix, no leading zeros.
func writeHex(_ value: UInt64) {
    write("0x")
    var shift: UInt64 = 60
    while shift > 0 && (value >> shift) & 0xf == 0 { shift -= 4 }
    while true {
        let digit = UInt8(truncatingIfNeeded: (value >> shift) & 0xf)
        put(digit < 10 ? UInt8(ascii: "0") &+ digit : UInt8(ascii: "a") &+ digit &- 10)
        if shift == 0 { break }
        shift -= 4
    }
}

func writeDecimal(_ value: UInt64) {
    if value >= 10 { writeDecimal(value / 10) }
    put(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: value % 10))
}
