/// A VM's emulated devices by guest-physical range. A stage-2 data abort's IPA picks the device;
/// the trap path knows no device by name, so a board adds virtual devices by registering them.
/// Ranges never overlap (`register` refuses); a VM has a handful, so lookup is a linear scan.
/// Passthrough ranges are not here: they are stage-2 mappings and never trap. Handlers get the
/// owner (`Context`, the VM) as an argument, so they capture nothing.
struct MMIORegistry<Context> {
    /// The owner, offset into the range, access size in bytes, write?, value (stores), accessing vCPU.
    typealias Handler = (_ owner: Context, _ offset: UInt64, _ size: Int, _ write: Bool, _ value: UInt64, _ vcpu: Int) -> MMIOResult

    struct Entry {
        let name: String
        let range: Range<UInt64>
        let handler: Handler
    }

    private(set) var entries: [Entry] = []

    /// Adds a device at `range`; false (and nothing added) when the range is empty or overlaps one
    /// already registered.
    mutating func register(_ name: String, _ range: Range<UInt64>, _ handler: @escaping Handler) -> Bool {
        guard !range.isEmpty, !entries.contains(where: { $0.range.overlaps(range) }) else { return false }
        entries.append(Entry(name: name, range: range, handler: handler))
        return true
    }

    /// Is `ipa` inside a registered device?
    func handles(ipa: UInt64) -> Bool { entries.contains { $0.range.contains(ipa) } }

    /// The device whose range holds the whole access answers it; anything else faults.
    func dispatch(_ owner: Context, ipa: UInt64, size: Int, write: Bool, value: UInt64, vcpu: Int) -> MMIOResult {
        guard let e = entries.first(where: { $0.range.contains(ipa) }),
              ipa &+ UInt64(size) <= e.range.upperBound, ipa &+ UInt64(size) > ipa else { return .fault }
        return e.handler(owner, ipa - e.range.lowerBound, size, write, value, vcpu)
    }
}
