import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where a UART's transmitted bytes go and where received bytes come from.
/// Also splits output into lines so the simulator can match `--expect` / `--fail-on` patterns.
public final class SerialBackend {
    private let handle: FileHandle?
    private var pendingOut: [UInt8] = []
    private var line: [UInt8] = []
    private var input: [UInt8] = []
    /// Called with each complete console line (without the newline).
    public var onLine: ((String) -> Void)?
    /// When false, output is only matched, not written anywhere (`--quiet`).
    public var echo: Bool

    /// `handle` nil discards output (after line matching).
    public init(handle: FileHandle?, echo: Bool = true) {
        self.handle = handle
        self.echo = echo
    }

    /// One byte from the guest.
    public func transmit(_ byte: UInt8) {
        if echo, handle != nil {
            pendingOut.append(byte)
            if byte == 0x0A || pendingOut.count >= 4096 { flush() }
        }
        if byte == 0x0A {
            if line.last == 0x0D { line.removeLast() }
            let text = String(decoding: line, as: UTF8.self)
            line.removeAll(keepingCapacity: true)
            onLine?(text)
        } else {
            line.append(byte)
        }
    }

    /// The file a second console on the same terminal writes to (the virtio console beside the UART).
    public var handleForVirtIO: FileHandle? { handle }

    /// The unterminated tail of the output, for `--expect` on a prompt without newline.
    public var partialLine: String { String(decoding: line, as: UTF8.self) }

    /// Writes buffered output to the backing file or terminal. The terminal's descriptor may be
    /// non-blocking (stdin's flag is shared with stdout on a tty), so a full terminal means waiting
    /// until it drains; a terminal that went away loses the output, never the run.
    public func flush() {
        guard let handle, !pendingOut.isEmpty else { return }
        let fd = handle.fileDescriptor
        var done = 0
        pendingOut.withUnsafeBytes { buf in
            while done < buf.count {
                let n = Glibc.write(fd, buf.baseAddress! + done, buf.count - done)
                if n > 0 { done += n; continue }
                if n < 0 && (errno == EAGAIN || errno == EINTR) {
                    var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                    _ = poll(&p, 1, 100)
                    continue
                }
                break
            }
        }
        pendingOut.removeAll(keepingCapacity: true)
    }

    /// Queues bytes for the guest to receive (from stdin or a test).
    public func enqueueInput(_ bytes: [UInt8]) { input.append(contentsOf: bytes) }

    /// Bytes waiting for the guest.
    public var hasInput: Bool { !input.isEmpty }

    /// Takes the next received byte, if any.
    public func receive() -> UInt8? { input.isEmpty ? nil : input.removeFirst() }

    /// With several UARTs on one console (rpi3's mini UART and PL011), typing goes to the one the
    /// guest wrote to last, as a user answers the prompt they see.
    private weak var inputOwner: AnyObject?

    /// A UART transmitted: the keyboard follows it.
    public func claimInput(_ uart: AnyObject) { inputOwner = uart }

    /// Takes the next received byte for `uart`: nil while another UART has the keyboard.
    public func receive(for uart: AnyObject) -> UInt8? {
        if let owner = inputOwner, owner !== uart { return nil }
        return receive()
    }

    /// Whether input is waiting for `uart`.
    public func hasInput(for uart: AnyObject) -> Bool {
        if let owner = inputOwner, owner !== uart { return false }
        return hasInput
    }
}
