/// The physical console: whole lines under one lock so CPUs and VMs never
/// interleave mid-line. VM output arrives here line by line with its prefix.
enum Console {
    static let uart = PL011(base: board.uartBase)

    static func line(_ text: String) {
        consoleLock.lock()
        writeRaw(text)
        uart.put(10)
        consoleLock.unlock()
    }

    /// Bytes with LF -> CRLF left to the terminal (the simulator and QEMU pass them through).
    static func writeRaw(_ text: String) {
        for b in text.utf8 { uart.put(b) }
    }

    static func writeRaw(_ bytes: UnsafeBufferPointer<UInt8>) {
        for b in bytes { uart.put(b) }
    }
}

/// Log line of the hypervisor itself.
func log(_ text: String) { Console.line("minos: " + text) }

func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }
func hex(_ v: UInt32) -> String { "0x" + String(v, radix: 16) }

/// Swift's `print` ends here; the core uses `log` instead, but keep `print` working.
@_cdecl("putchar")
func putchar(_ c: Int32) -> Int32 {
    Console.uart.put(UInt8(truncatingIfNeeded: c))
    return c
}
