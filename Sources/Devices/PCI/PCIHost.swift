/// A generic PCIe host bridge ("pci-host-ecam-generic", as QEMU's virt has it): configuration
/// space through ECAM (bus 0 only: bits 19:15 device, 14:12 function, 11:0 register), and a 32-bit
/// memory window where the functions' BARs are mapped wherever the OS programs them. Legacy INTx
/// goes to four SPIs, swizzled by slot (pin A of slot d is line d mod 4).
public final class PCIHost {
    /// Functions by device number (function 0 of each slot).
    public private(set) var slots: [PCIFunction?] = [PCIHostBridgeFunction()] + [PCIFunction?](repeating: nil, count: 31)
    public let intxBase: Int

    public init(intxBase: Int) { self.intxBase = intxBase }

    /// Puts `f` in the first free slot; its number, or nil when the bus is full.
    public func attach(_ f: PCIFunction) -> Int? {
        guard let n = slots.firstIndex(where: { $0 == nil }) else { return nil }
        slots[n] = f
        return n
    }

    /// The SPI (INTID) that pin (1 = INTA) of `slot` raises.
    public func intxIntid(slot: Int, pin: Int) -> Int { intxBase + (slot + pin - 1) % 4 }

    public var functions: [PCIFunction] { slots.compactMap { $0 } }

    /// ECAM window: a missing function reads all ones (the master abort a scan looks for).
    public final class ECAM: MMIODevice {
        let host: PCIHost
        public init(host: PCIHost, size: UInt64) {
            self.host = host
            super.init(name: "pcie-ecam", size: size)
        }

        private func function(_ offset: UInt64) -> PCIFunction? {
            guard offset >> 20 == 0, (offset >> 12) & 7 == 0 else { return nil }
            return host.slots[Int((offset >> 15) & 31)]
        }

        public override func read(offset: UInt64, size: Int) -> UInt64 {
            guard let f = function(offset) else { return size == 8 ? ~0 : (1 << UInt64(8 * size)) - 1 }
            return f.config.read(offset: Int(offset & 0xFFF), size: size)
        }

        public override func write(offset: UInt64, size: Int, value: UInt64) {
            function(offset)?.config.write(offset: Int(offset & 0xFFF), size: size, value: value)
        }
    }

    /// The memory window: an access goes to the BAR that holds it, if memory decoding is on.
    public final class Window: MMIODevice {
        let host: PCIHost
        let base: UInt64
        public init(host: PCIHost, base: UInt64, size: UInt64) {
            self.host = host
            self.base = base
            super.init(name: "pcie-mmio", size: size)
        }

        private func target(_ offset: UInt64) -> (PCIFunction, Int, UInt64)? {
            let a = base + offset
            for f in host.functions {
                for bar in 0..<6 {
                    guard let start = f.config.barAddress(bar), a >= start, a - start < f.config.barSize(bar) else { continue }
                    return (f, bar, a - start)
                }
            }
            return nil
        }

        public override func read(offset: UInt64, size: Int) -> UInt64 {
            guard let (f, bar, off) = target(offset) else { return size == 8 ? ~0 : (1 << UInt64(8 * size)) - 1 }
            return f.barRead(bar, offset: off, size: size)
        }

        public override func write(offset: UInt64, size: Int, value: UInt64) {
            guard let (f, bar, off) = target(offset) else { return }
            f.barWrite(bar, offset: off, size: size, value: value)
        }

        public override func tick(now: UInt64) {
            for f in host.functions { f.tick(now: now) }
        }
    }

    /// The host bridge node: ECAM, bus range, the 32-bit memory window's ranges, and the INTx map.
    public func emitDeviceTree(_ dt: DeviceTreeWriter, ecam: UInt64, ecamSize: UInt64, window: UInt64, windowSize: UInt64,
                               context: DeviceTreeContext) throws {
        try dt.beginNode("pcie@\(String(window, radix: 16))")
        try dt.property("compatible", string: "pci-host-ecam-generic")
        try dt.property("device_type", string: "pci")
        try dt.property("#address-cells", cells: [3])
        try dt.property("#size-cells", cells: [2])
        try dt.property("#interrupt-cells", cells: [1])
        try dt.property("reg", cells: context.reg(ecam, ecamSize))
        try dt.property("bus-range", cells: [0, UInt32(ecamSize >> 20) - 1])
        try dt.property("linux,pci-domain", cells: [0])
        // Non-prefetchable 32-bit memory: PCI address = CPU address.
        try dt.property("ranges", cells: [0x0200_0000, UInt32(window >> 32), UInt32(truncatingIfNeeded: window)]
                                         + context.reg(window, windowSize))
        try dt.property("dma-coherent")
        var map: [UInt32] = []
        for slot in 0..<4 {
            for pin in 1...4 {
                map += [UInt32(slot << 11), 0, 0, UInt32(pin), context.gicPhandle]
                    + [UInt32](repeating: 0, count: Int(context.gicAddressCells)) + context.spi(intxIntid(slot: slot, pin: pin), level: true)
            }
        }
        try dt.property("interrupt-map", cells: map)
        try dt.property("interrupt-map-mask", cells: [0x1800, 0, 0, 7])
        // Requester IDs are the ITS's DeviceIDs (identity, bus 0).
        if let its = context.msiParent { try dt.property("msi-map", cells: [0, its, 0, 0x1_0000]) }
        // Requester IDs are the SMMU's StreamIDs (identity), as QEMU's iommu-map says.
        if let smmu = context.iommuPhandle { try dt.property("iommu-map", cells: [0, smmu, 0, 0x1_0000]) }
        try dt.endNode()
    }
}
