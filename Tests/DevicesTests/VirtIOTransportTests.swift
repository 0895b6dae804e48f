import Testing
@testable import Devices

/// virtio-mmio registers ("Virtio Over MMIO") and the initialization handshake.
@Suite struct VirtIOTransportTests {
    func console() -> (VirtIOTestDriver, SerialBackend) {
        let backend = SerialBackend(handle: nil)
        return (VirtIOTestDriver(device: VirtIOConsole(backend: backend)), backend)
    }

    @Test func identification() {
        let (d, _) = console()
        #expect(d.r(0x000) == 0x7472_6976)
        #expect(d.r(0x004) == 2)
        #expect(d.r(0x008) == 3)
        #expect(d.r(0x00C) == VirtIOMMIO.vendorID)
        #expect(d.transport.size == 0x200)
        #expect(d.r(0x0FC) == 0, "ConfigGeneration")
        d.w(0x0AC, 0)
        #expect(d.r(0x0B0) == 0xFFFF_FFFF && d.r(0x0B4) == 0xFFFF_FFFF, "no shared memory region")
        #expect(d.transport.read(offset: 0, size: 2) == 0, "registers need 32-bit accesses")
    }

    @Test func emptyTransport() {
        let ram = VirtIOTestRAM()
        let t = VirtIOMMIO.empty(name: "virtio_mmio@a000200", memory: ram, irq: 49, sink: NullInterruptSink())
        #expect(t.read(offset: 0, size: 4) == 0x7472_6976)
        #expect(t.read(offset: 4, size: 4) == 2)
        #expect(t.read(offset: 8, size: 4) == 0, "DeviceID 0: no device")
        #expect(t.read(offset: 0x10, size: 4) == 0)
        t.write(offset: 0x30, size: 4, value: 0)
        #expect(t.read(offset: 0x34, size: 4) == 0)
        t.write(offset: 0x70, size: 4, value: 7)
        t.write(offset: 0x50, size: 4, value: 0)
        #expect(t.read(offset: 0x70, size: 4) == 0, "writes ignored")
    }

    @Test func featureNegotiation() {
        let (d, _) = console()
        let offered = d.deviceFeatures
        #expect(offered & VirtIOFeature.version1 != 0)
        #expect(offered & VirtIOFeature.eventIdx != 0)
        #expect(offered & VirtIOFeature.indirectDesc != 0)
        #expect(offered & VirtIOConsole.Feature.emergWrite != 0)
        #expect(offered & VirtIOConsole.Feature.multiport == 0)
        d.w(0x14, 2)
        #expect(d.r(0x10) == 0, "feature words past the second read as zero")
        #expect(!d.negotiate { $0 & ~VirtIOFeature.version1 }, "a modern device refuses a driver without VERSION_1")
        #expect(d.transport.lastError?.contains("VERSION_1") == true)
        #expect(!d.negotiate { $0 | 1 << 40 }, "unknown feature bits are refused")
        #expect(d.negotiate { $0 & ~VirtIOFeature.eventIdx })
        #expect(d.transport.negotiatedFeatures == offered & ~VirtIOFeature.eventIdx)
        // Once FEATURES_OK is set the driver's features are fixed.
        d.w(0x24, 0); d.w(0x20, 0)
        #expect(d.transport.negotiatedFeatures == offered & ~VirtIOFeature.eventIdx)
    }

    @Test func queueRegisters() {
        let (d, _) = console()
        d.negotiate()
        d.w(0x30, 0)
        #expect(d.r(0x34) == 128)
        #expect(d.r(0x44) == 0)
        d.w(0x30, 2)
        #expect(d.r(0x34) == 0, "no queue 2: QueueNumMax 0")
        d.w(0x44, 1)
        #expect(!d.needsReset, "selecting and touching an absent queue is harmless")
        d.setupQueue(0, size: 16)
        d.w(0x30, 0)
        #expect(d.r(0x44) == 1)
        #expect(d.transport.queues[0].size == 16)
        d.w(0x44, 0)
        #expect(d.r(0x44) == 0)
    }

    @Test func badQueueSetupNeedsReset() {
        let (d, _) = console()
        d.negotiate()
        d.w(0x30, 0)
        d.w(0x38, 24)                     // not a power of two
        d.w(0x44, 1)
        #expect(d.needsReset)
        #expect(d.r(0x44) == 0)
        #expect(d.transport.lastError?.contains("power of two") == true)
        d.negotiate()
        #expect(!d.needsReset, "reset clears DEVICE_NEEDS_RESET")
        d.w(0x30, 0)
        d.w(0x38, 8)
        d.w(0x80, 0x1000); d.w(0x84, 0)   // descriptor table outside RAM
        d.w(0x44, 1)
        #expect(d.needsReset)
        #expect(d.transport.lastError?.contains("outside RAM") == true)
    }

    @Test func resetClearsEverything() {
        let (d, _) = console()
        d.start(queueSizes: [8, 8])
        d.submit(1, [.out(Array("x".utf8))])
        #expect(d.line)
        d.w(0x70, 0)
        #expect(!d.line, "reset lowers the interrupt line")
        #expect(d.r(0x60) == 0 && d.r(0x70) == 0)
        d.w(0x30, 1)
        #expect(d.r(0x44) == 0)
        #expect(d.transport.driverFeatures == 0)
    }

    @Test func configSpaceAccessSizes() throws {
        let path = VirtIOTempFile.disk(sectors: 6144)   // 3 MiB
        defer { VirtIOTempFile.remove(path) }
        let d = VirtIOTestDriver(device: try VirtIOBlock(path: path, mode: .readOnly))
        #expect(d.transport.read(offset: 0x100, size: 8) == 6144)
        #expect(d.transport.read(offset: 0x100, size: 4) == 6144)
        #expect(d.transport.read(offset: 0x104, size: 4) == 0)
        #expect(d.transport.read(offset: 0x101, size: 1) == 0x18)
        #expect(d.transport.read(offset: 0x10C, size: 4) == 254, "seg_max")
        #expect(d.transport.read(offset: 0x1F0, size: 4) == 0, "past the config space")
        d.transport.close()
    }

    @Test func deviceTreeNode() throws {
        let (d, _) = console()
        let w = try DeviceTreeWriter()
        try w.beginNode("")
        try d.transport.emitDeviceTree(w, base: 0x0A00_0000, context: DeviceTreeContext(gicPhandle: 1, clockPhandle: 2))
        try w.endNode()
        let blob = try DeviceTreeBlob(try w.finish())
        let node = "/virtio_mmio@a000000"
        #expect(blob.get(node, "compatible") == Array("virtio,mmio".utf8) + [0])
        #expect(blob.cells(node, "reg") == [0, 0x0A00_0000, 0, 0x200])
        #expect(blob.cells(node, "interrupts") == [0, 16, 1], "SPI 16, edge-rising")
        #expect(blob.get(node, "dma-coherent") == [])
    }
}
