import Devices
import Foundation

/// Feeds stdin to the console UART: raw mode on a terminal (Ctrl-A X quits, Ctrl-A Ctrl-A sends
/// Ctrl-A, as in QEMU), or plain non-blocking reads from a pipe.
final class TerminalInput {
    private let backend: SerialBackend
    private var saved = termios()
    private var isTTY = false
    private var escape = false
    private var eof = false
    private(set) var quitRequested = false

    init(backend: SerialBackend) { self.backend = backend }

    func start() {
        isTTY = isatty(STDIN_FILENO) != 0
        if isTTY {
            tcgetattr(STDIN_FILENO, &saved)
            var raw = saved
            cfmakeraw(&raw)
            raw.c_oflag |= tcflag_t(OPOST | ONLCR)
            tcsetattr(STDIN_FILENO, TCSANOW, &raw)
        }
        let flags = fcntl(STDIN_FILENO, F_GETFL)
        if flags >= 0 { _ = fcntl(STDIN_FILENO, F_SETFL, flags | O_NONBLOCK) }
    }

    func stop() {
        if isTTY { tcsetattr(STDIN_FILENO, TCSANOW, &saved) }
        let flags = fcntl(STDIN_FILENO, F_GETFL)
        if flags >= 0 { _ = fcntl(STDIN_FILENO, F_SETFL, flags & ~O_NONBLOCK) }
    }

    func poll() {
        guard !eof else { return }
        var buf = [UInt8](repeating: 0, count: 256)
        let n = read(STDIN_FILENO, &buf, buf.count)
        if n == 0 { eof = true; return }
        guard n > 0 else { return }
        var bytes: [UInt8] = []
        for b in buf[0..<n] {
            if isTTY && escape {
                escape = false
                if b == UInt8(ascii: "x") || b == UInt8(ascii: "X") { quitRequested = true; return }
                if b == 0x01 { bytes.append(0x01) }
                continue
            }
            if isTTY && b == 0x01 { escape = true; continue }
            bytes.append(b)
        }
        backend.enqueueInput(bytes)
    }
}

/// SIGINT/SIGTERM end the run cleanly (output flushed, summary printed).
enum Signals {
    nonisolated(unsafe) static var interrupted = false

    static func install() {
        signal(SIGINT) { _ in Signals.interrupted = true }
        signal(SIGTERM) { _ in Signals.interrupted = true }
    }
}
