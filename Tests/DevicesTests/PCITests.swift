import Testing
@testable import Devices

/// The PCIe host bridge and a virtio-pci function, as Linux's pci-host-generic and virtio_pci (and
/// U-Boot) see them through ECAM and the memory window.
@Suite struct PCITests {
    let ram = VirtIOTestRAM()
    let sink = VirtIOTestSink()

    func bus() -> (PCIHost, PCIHost.ECAM, PCIHost.Window) {
        let host = PCIHost(intxBase: 35)
        let console = VirtIOConsole(backend: SerialBackend(handle: nil, echo: false))
        _ = host.attach(VirtIOPCI(name: "virtio-pci@00:01.0", device: console, memory: ram, intx: host.intxIntid(slot: 1, pin: 1), sink: sink))
        return (host, PCIHost.ECAM(host: host, size: 0x1000_0000), PCIHost.Window(host: host, base: 0x1000_0000, size: 0x2EFF_0000))
    }

    /// ECAM offset of device `d`'s register `r` on bus 0.
    func cfg(_ d: UInt64, _ r: UInt64) -> UInt64 { d << 15 | r }

    @Test func enumerationFindsTheBridgeAndTheFunctionAndNothingElse() {
        let (_, ecam, _) = bus()
        #expect(ecam.read(offset: cfg(0, 0), size: 4) == 0x0008_1B36)
        #expect(ecam.read(offset: cfg(1, 0), size: 4) == 0x1043_1AF4)      // modern virtio console
        #expect(ecam.read(offset: cfg(1, 0x08), size: 4) >> 8 == 0x07_8000)
        #expect(ecam.read(offset: cfg(2, 0), size: 4) == 0xFFFF_FFFF)      // empty slot
        #expect(ecam.read(offset: cfg(1, 0) | 1 << 12, size: 2) == 0xFFFF) // no function 1
        #expect(ecam.read(offset: 1 << 20, size: 4) == 0xFFFF_FFFF)        // no bus 1
    }

    @Test func barSizingAndDecoding() {
        let (_, ecam, window) = bus()
        let bar4 = cfg(1, 0x20)
        #expect(ecam.read(offset: bar4, size: 4) == 0xC)                   // 64-bit prefetchable memory
        ecam.write(offset: bar4, size: 4, value: 0xFFFF_FFFF)
        ecam.write(offset: bar4 + 4, size: 4, value: 0xFFFF_FFFF)
        #expect(ecam.read(offset: bar4, size: 4) == 0xFFFF_C00C)           // 16 KiB
        ecam.write(offset: bar4, size: 4, value: 0x1000_4000)
        ecam.write(offset: bar4 + 4, size: 4, value: 0)
        #expect(window.read(offset: 0x4000 + 0x12, size: 2) == 0xFFFF)     // memory decoding still off
        ecam.write(offset: cfg(1, 0x04), size: 2, value: 2)                // Command.Memory
        #expect(window.read(offset: 0x4000 + 0x12, size: 2) == 2)          // num_queues of the console
        #expect(ecam.read(offset: cfg(1, 0x3D), size: 1) == 1)             // INTA
    }

    @Test func virtioCapabilitiesNameTheFourStructures() {
        let (_, ecam, _) = bus()
        #expect(ecam.read(offset: cfg(1, 0x06), size: 2) & 0x10 != 0)     // capability list
        var at = ecam.read(offset: cfg(1, 0x34), size: 1)
        var types: [UInt64] = []
        while at != 0 {
            #expect(ecam.read(offset: cfg(1, at), size: 1) == 0x09)        // vendor-specific
            types.append(ecam.read(offset: cfg(1, at + 3), size: 1))
            #expect(ecam.read(offset: cfg(1, at + 4), size: 1) == 4)       // in BAR 4
            at = ecam.read(offset: cfg(1, at + 1), size: 1)
        }
        #expect(types == [1, 3, 4, 2])                                     // common, ISR, device, notify
    }

    @Test func intxIsSwizzledBySlot() {
        let host = PCIHost(intxBase: 35)
        #expect(host.intxIntid(slot: 0, pin: 1) == 35)
        #expect(host.intxIntid(slot: 1, pin: 1) == 36)
        #expect(host.intxIntid(slot: 3, pin: 2) == 35)
    }

    @Test func commonConfigurationDrivesTheTransport() {
        let (host, _, _) = bus()
        let f = host.slots[1] as! VirtIOPCI
        f.barWrite(4, offset: 0x00, size: 4, value: 1)                      // device_feature_select 1
        #expect(f.barRead(4, offset: 0x04, size: 4) & 1 == 1)               // VIRTIO_F_VERSION_1
        f.barWrite(4, offset: 0x16, size: 2, value: 1)                      // queue_select 1
        #expect(f.barRead(4, offset: 0x18, size: 2) == 128)                 // queue_size: the maximum
        #expect(f.barRead(4, offset: 0x1E, size: 2) == 1)                   // queue_notify_off
        f.barWrite(4, offset: 0x20, size: 8, value: 0x4000_1000)
        #expect(f.barRead(4, offset: 0x20, size: 8) == 0x4000_1000)
        f.barWrite(4, offset: 0x14, size: 1, value: 1 | 2)                  // ACKNOWLEDGE | DRIVER
        #expect(f.barRead(4, offset: 0x14, size: 1) == 3)
        f.barWrite(4, offset: 0x14, size: 1, value: 0)                      // reset
        #expect(f.barRead(4, offset: 0x14, size: 1) == 0)
        #expect(f.barRead(4, offset: 0x16, size: 2) == 0)
    }
}
