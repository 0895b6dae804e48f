import Foundation

/// Where translated code lives: one executable mapping per machine, filled front to back and
/// emptied whole when full (every page's entry table is cleared with it). Its first bytes hold
/// the entry trampoline and the shared exit (`JITFrame`).
final class JITArena {
    /// The default capacity (`--jit-cache`), as QEMU's default translation-block buffer order.
    static let defaultSize = 64 << 20
    let size: Int
    let base: UnsafeMutableRawPointer
    private var used = 0
    /// Where units return to the trampoline, RAX holding the result.
    private(set) var exit: UInt = 0
    private(set) var enter: (@convention(c) (UnsafeMutableRawPointer, UnsafeRawPointer) -> UInt64)!
    private var trampolineEnd = 0
    /// Pages holding entries into this arena, to clear when it is emptied.
    private var pages: [UnsafeMutablePointer<Insn>] = []
    private var pageSet = Set<UnsafeMutablePointer<Insn>>()

    /// Counts, for `--stats`: translations made and times the arena was emptied.
    private(set) var translations = 0
    private(set) var resets = 0

    init?(size: Int = JITArena.defaultSize) {
        guard let p = mmap(nil, size, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0),
              p != MAP_FAILED else { return nil }
        self.size = size
        base = p
        var a = X86Assembler()
        JITFrame.emitTrampoline(&a)
        let exitOffset = a.count
        JITFrame.emitExit(&a)
        guard a.resolve() else { return nil }
        a.place(at: base)
        used = (a.count + 63) & ~63
        trampolineEnd = used
        exit = UInt(bitPattern: base + exitOffset)
        enter = unsafeBitCast(base, to: (@convention(c) (UnsafeMutableRawPointer, UnsafeRawPointer) -> UInt64).self)
    }

    deinit { munmap(base, size) }

    /// Places `code` and returns its address, or nil when the arena is full (call `reset`).
    func place(_ code: X86Assembler, for page: UnsafeMutablePointer<Insn>) -> UnsafeRawPointer? {
        guard used + code.count <= size else { return nil }
        translations += 1
        let at = base + used
        code.place(at: at)
        used = (used + code.count + 15) & ~15
        if pageSet.insert(page).inserted { pages.append(page) }
        return UnsafeRawPointer(at)
    }

    /// Empties the arena: every entry table that points into it is cleared.
    func reset() {
        for p in pages { JITTable.clear(p) }
        pages.removeAll(keepingCapacity: true)
        pageSet.removeAll(keepingCapacity: true)
        used = trampolineEnd
        resets += 1
    }

    var bytesUsed: Int { used }
}

/// Per predecoded page, after its 1025 `Insn` slots: a header word (0 when the page has no
/// entries, else 1 | first entry slot << 16 | last covered slot << 32), one translated-code address
/// per slot (0: not tried yet, 1: the slot cannot start a translation), then per slot the last
/// slot its translation covers. Stored with the page so that forgetting its instructions forgets
/// their translations in the same place; a write forgets only the translations covering it.
enum JITTable {
    static let none: UInt = 0
    static let interpret: UInt = 1
    /// Bytes after the `Insn` slots.
    static let bytes = 8 + 8 * 1024 + 2 * 1024
    /// The most slots one translation covers (`JITTranslator.maxSlots`, each possibly fused).
    static let maxSpan = 2 * JITTranslator.maxSlots

    @inline(__always) static func header(_ page: UnsafeMutablePointer<Insn>) -> UnsafeMutablePointer<UInt> {
        UnsafeMutableRawPointer(page + 1025).assumingMemoryBound(to: UInt.self)
    }

    /// The entry slots (index 0 is slot 0).
    @inline(__always) static func entries(_ page: UnsafeMutablePointer<Insn>) -> UnsafeMutablePointer<UInt> {
        header(page) + 1
    }

    @inline(__always) static func ends(_ page: UnsafeMutablePointer<Insn>) -> UnsafeMutablePointer<UInt16> {
        UnsafeMutableRawPointer(header(page) + 1025).assumingMemoryBound(to: UInt16.self)
    }

    static func initialize(_ page: UnsafeMutablePointer<Insn>) {
        header(page).initialize(repeating: 0, count: 1025)
        ends(page).initialize(repeating: 0, count: 1024)
    }

    /// Records slot `slot`'s entry, a translation covering slots `slot...end`.
    @inline(__always) static func set(_ page: UnsafeMutablePointer<Insn>, _ slot: Int, _ v: UInt, end: Int) {
        entries(page)[slot] = v
        ends(page)[slot] = UInt16(truncatingIfNeeded: end)
        let h = header(page).pointee
        let first = h == 0 ? slot : min(Int((h >> 16) & 0xFFFF), slot), last = h == 0 ? end : max(Int((h >> 32) & 0xFFFF), end)
        header(page).pointee = 1 | UInt(first) << 16 | UInt(last) << 32
    }

    /// Forgets every translation starting in the page (its instructions changed).
    @inline(__always) static func clear(_ page: UnsafeMutablePointer<Insn>) {
        guard header(page).pointee != 0 else { return }
        entries(page).update(repeating: 0, count: 1024)
        header(page).pointee = 0
    }

    /// Forgets the translations covering slot `slot` (its word changed): those starting at most
    /// `maxSpan` slots before it and reaching it.
    @inline(__always) static func forget(_ page: UnsafeMutablePointer<Insn>, slot: Int) {
        let h = header(page).pointee
        let first = Int((h >> 16) & 0xFFFF)
        // Data beside code: a write outside the slots the page's translations cover costs nothing.
        guard h != 0, slot >= first, slot <= Int((h >> 32) & 0xFFFF) else { return }
        let e = entries(page), end = ends(page)
        for k in max(first, slot - maxSpan)...slot where e[k] != none && Int(end[k]) >= slot { e[k] = none }
    }
}
