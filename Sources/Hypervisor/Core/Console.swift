/// The physical console: whole lines under one lock so CPUs and VMs never
/// interleave mid-line. VM output arrives here line by line with its prefix;
/// only a line someone waits on (the focused VM's prompt or echoed input, the
/// shell prompt) is shown before its end, and any other output first moves
/// that unfinished line out of the way.
enum Console {
    static let uart = ConsoleUART(kind: board.uartKind, base: board.uartBase)

    /// An unfinished line on the terminal: whose, and how much of it is shown.
    struct OpenLine {
        /// The vUART that wrote it, or nil for the hypervisor shell's prompt.
        let owner: ObjectIdentifier?
        let vcpu: Int
        var shown: Int
    }
    nonisolated(unsafe) static var open: OpenLine? = nil

    static func line(_ text: String) {
        consoleLock.lock()
        endOpenLine()
        writeRaw(text)
        uart.put(10)
        consoleLock.unlock()
    }

    /// A VM's line (`bytes` without the newline) from one vCPU: completes the
    /// same line if it is the open one, else starts on a fresh terminal line.
    /// `complete` false leaves it open (shown up to here).
    static func vmLine(prefix: String, _ bytes: [UInt8], owner: ObjectIdentifier, vcpu: Int, complete: Bool) {
        consoleLock.lock()
        var from = 0
        if let o = open, o.owner == owner, o.vcpu == vcpu, o.shown <= bytes.count {
            from = o.shown
        } else {
            endOpenLine()
            writeRaw(prefix)
        }
        for b in bytes[from...] { uart.put(b) }
        if complete {
            uart.put(10)
            open = nil
        } else {
            open = OpenLine(owner: owner, vcpu: vcpu, shown: bytes.count)
        }
        consoleLock.unlock()
    }

    /// The shell prompt, left open for the command typed after it.
    static func prompt(_ text: String) {
        consoleLock.lock()
        endOpenLine()
        writeRaw(text)
        open = OpenLine(owner: nil, vcpu: 0, shown: 0)
        consoleLock.unlock()
    }

    /// End the open line (Enter typed at the shell prompt).
    static func closeLine() {
        consoleLock.lock()
        endOpenLine()
        consoleLock.unlock()
    }

    /// Finish the unfinished terminal line, if any (caller holds consoleLock).
    static func endOpenLine() {
        if open != nil { uart.put(10); open = nil }
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
