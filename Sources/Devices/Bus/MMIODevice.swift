/// A memory-mapped device as the bus sees it. Accesses are at most 8 bytes and never cross the
/// device's window; `offset` is relative to the device's base. Device accesses are the slow path,
/// so a class with dynamic dispatch is fine here.
open class MMIODevice {
    /// Name used in traces and error messages, e.g. "pl011@1c090000".
    public let name: String
    /// Size in bytes of the register window.
    public let size: UInt64

    public init(name: String, size: UInt64) {
        self.name = name
        self.size = size
    }

    /// Reads `size` bytes (1, 2, 4 or 8) at `offset`. Registers a real device does not implement read as zero.
    open func read(offset: UInt64, size: Int) -> UInt64 { 0 }

    /// Writes `size` bytes at `offset`. Unimplemented registers ignore writes, as hardware would.
    open func write(offset: UInt64, size: Int, value: UInt64) {}

    /// Advances the device's own notion of time; called at block boundaries with the virtual clock.
    open func tick(now: UInt64) {}

    /// Emits this device's node into a device tree under construction (boards call this for each device).
    open func emitDeviceTree(_ dt: DeviceTreeWriter, base: UInt64, context: DeviceTreeContext) throws {}
}

/// A region of the physical map where the board has a device we do not model: reads as zero, ignores
/// writes (as QEMU's unimplemented-device does), so an upstream kernel probes it and moves on.
public final class UnimplementedDevice: MMIODevice {}

/// An interrupt line from a device to the interrupt controller. Level-sensitive: the device states
/// whether the line is asserted; the controller decides what that means.
public protocol InterruptSink: AnyObject {
    func setLevel(intid: Int, asserted: Bool)
}

/// Interrupt sink for boards or tests with no interrupt controller wired up yet.
public final class NullInterruptSink: InterruptSink {
    public init() {}
    public func setLevel(intid: Int, asserted: Bool) {}
}
