import Foundation

/// Debugging traces (`--trace exec|exc|mmio[:FILE]`): exec logs each executed block (like QEMU's
/// `-d exec`), exc each exception entry and return, mmio each device access.
public final class Tracer {
    public struct Kinds: OptionSet, Sendable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }
        public static let exec = Kinds(rawValue: 1)
        public static let exceptions = Kinds(rawValue: 2)
        public static let mmio = Kinds(rawValue: 4)
    }

    public let kinds: Kinds
    private let handle: FileHandle
    private var buffer = ""

    public init(kinds: Kinds, handle: FileHandle) {
        self.kinds = kinds
        self.handle = handle
    }

    public func note(_ line: String) {
        buffer += line
        buffer += "\n"
        if buffer.utf8.count > 1 << 16 { flush() }
    }

    public func flush() {
        guard !buffer.isEmpty else { return }
        handle.write(Data(buffer.utf8))
        buffer = ""
    }

    func block(core: Core, pc: UInt64) {
        note("exec cpu\(core.index) el\(core.state.pointee.el) pc=0x\(String(pc, radix: 16))")
    }

    func exception(core: Core, target: Int, kind: VectorKind, esr: UInt64, returnAddress: UInt64) {
        guard kinds.contains(.exceptions) else { return }
        note("exc  cpu\(core.index) el\(core.state.pointee.el)->el\(target) \(kind) esr=0x\(String(esr, radix: 16)) ec=0x\(String(esr >> 26, radix: 16)) elr=0x\(String(returnAddress, radix: 16))")
    }

    func exceptionReturn(core: Core, to el: Int, pc: UInt64) {
        guard kinds.contains(.exceptions) else { return }
        note("eret cpu\(core.index) -> el\(el) pc=0x\(String(pc, radix: 16))")
    }
}
