import Testing
@testable import Devices

/// Split-virtqueue mechanics: notification suppression and malformed rings ("Split Virtqueues").
@Suite struct VirtIORingTests {
    typealias F = Virtqueue.DescFlag

    func console(accept: (UInt64) -> UInt64 = { $0 }) -> (VirtIOTestDriver, SerialBackend) {
        let backend = SerialBackend(handle: nil)
        let d = VirtIOTestDriver(device: VirtIOConsole(backend: backend))
        d.start(queueSizes: [8, 8], accept: accept)
        return (d, backend)
    }

    func send(_ d: VirtIOTestDriver, _ text: String) { d.submit(1, [.out(Array(text.utf8))]) }

    // MARK: Notification suppression

    @Test func noInterruptFlagWithoutEventIdx() {
        let (d, backend) = console { $0 & ~VirtIOFeature.eventIdx }
        var lines: [String] = []
        backend.onLine = { lines.append($0) }
        d.setAvailFlags(1, Virtqueue.availNoInterrupt)
        send(d, "quiet\n")
        #expect(lines == ["quiet"])
        #expect(d.used(1).count == 1, "the buffer is still used")
        #expect(!d.line && d.r(0x60) == 0)
        d.setAvailFlags(1, 0)
        send(d, "loud\n")
        #expect(d.line)
        #expect(d.availEvent(1) == 0, "avail_event is not written without EVENT_IDX")
    }

    @Test func usedEventSuppression() {
        let (d, _) = console()
        #expect(d.transport.negotiatedFeatures & VirtIOFeature.eventIdx != 0)
        d.autoUsedEvent = false
        d.setAvailFlags(1, Virtqueue.availNoInterrupt)   // ignored with EVENT_IDX
        d.setUsedEvent(1, 2)                              // interrupt when used idx passes 2
        send(d, "a")
        #expect(!d.line)
        send(d, "b")
        #expect(!d.line)
        send(d, "c")
        #expect(d.line, "used idx 3 stepped past used_event 2")
        #expect(d.ack() == 1)
        send(d, "d")
        #expect(!d.line, "used_event still 2: no interrupt for idx 4")
        d.setUsedEvent(1, 4)
        send(d, "e")
        #expect(d.line)
        #expect(d.used(1).count == 5)
    }

    @Test func batchCrossingUsedEvent() {
        // Several buffers completed by one notify: one interrupt if the event lies anywhere in the batch.
        let (d, _) = console()
        d.autoUsedEvent = false
        d.setUsedEvent(1, 1)
        for t in ["a", "b", "c"] { d.submit(1, [.out(Array(t.utf8))], notify: false) }
        d.w(0x50, 1)
        #expect(d.used(1).count == 3)
        #expect(d.line && d.sink.rises == 1)
    }

    @Test func availEventPublished() {
        let (d, backend) = console()
        send(d, "a")
        send(d, "b")
        #expect(d.availEvent(1) == 2, "the device asks to be notified for the next buffer")
        d.submit(0, [.in(4)])
        #expect(d.availEvent(0) == 0, "receive buffers wait for input; a kick is wanted only once all are taken")
        backend.enqueueInput([0x41])
        d.transport.tick(now: 0)
        #expect(d.availEvent(0) == 1)
    }

    @Test func wrappingIndices() {
        // More buffers than the queue size: ring slots and 16-bit indices wrap.
        let (d, backend) = console()
        var count = 0
        backend.onLine = { _ in count += 1 }
        for _ in 0..<20 { send(d, "x\n"); _ = d.used(1); d.ack() }
        #expect(count == 20)
        #expect(d.transport.queues[1].usedIdx == 20)
        #expect(!d.needsReset)
    }

    // MARK: Malformed rings

    /// Expects the transport to have entered DEVICE_NEEDS_RESET mentioning `text`.
    func expectNeedsReset(_ d: VirtIOTestDriver, _ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(d.needsReset, sourceLocation: sourceLocation)
        #expect(d.r(0x60) & 2 != 0, "configuration change notification", sourceLocation: sourceLocation)
        #expect(d.line, sourceLocation: sourceLocation)
        #expect(d.transport.lastError?.contains(text) == true, "\(d.transport.lastError ?? "no error")", sourceLocation: sourceLocation)
    }

    @Test func headOutOfRange() {
        let (d, _) = console()
        d.publish(1, head: 8)
        expectNeedsReset(d, "names descriptor 8")
    }

    @Test func descriptorLoop() {
        let (d, backend) = console()
        let q = d.queues[1]!
        let buf = d.ram.alloc(1)
        d.putDescriptor(q.desc, 0, addr: buf, len: 1, flags: F.next, next: 1)
        d.putDescriptor(q.desc, 1, addr: buf, len: 1, flags: F.next, next: 0)
        d.publish(1, head: 0)
        expectNeedsReset(d, "longer than")
        #expect(backend.partialLine.isEmpty, "nothing transmitted from a broken chain")
    }

    @Test func indirectLoop() {
        let (d, _) = console()
        let q = d.queues[1]!
        let table = d.ram.alloc(32)
        let buf = d.ram.alloc(1)
        d.putDescriptor(table, 0, addr: buf, len: 1, flags: F.next, next: 1)
        d.putDescriptor(table, 1, addr: buf, len: 1, flags: F.next, next: 0)
        d.putDescriptor(q.desc, 0, addr: table, len: 32, flags: F.indirect, next: 0)
        d.publish(1, head: 0)
        expectNeedsReset(d, "longer than")
    }

    @Test func bufferOutsideRAM() {
        let (d, _) = console()
        let q = d.queues[1]!
        d.putDescriptor(q.desc, 0, addr: 0x1000, len: 16, flags: 0, next: 0)
        d.publish(1, head: 0)
        expectNeedsReset(d, "outside RAM")
    }

    @Test func bufferWrapsAddressSpace() {
        let (d, _) = console()
        let q = d.queues[1]!
        d.putDescriptor(q.desc, 0, addr: UInt64.max - 3, len: 16, flags: 0, next: 0)
        d.publish(1, head: 0)
        expectNeedsReset(d, "wraps around")
    }

    @Test func nextOutOfRange() {
        let (d, _) = console()
        let q = d.queues[1]!
        d.putDescriptor(q.desc, 0, addr: d.ram.alloc(1), len: 1, flags: F.next, next: 200)
        d.publish(1, head: 0)
        expectNeedsReset(d, "links to 200")
    }

    @Test func availIndexJump() {
        let (d, _) = console()
        let q = d.queues[1]!
        d.ram.put16(q.avail + 2, 100)
        d.w(0x50, 1)
        expectNeedsReset(d, "jumped from 0 to 100")
    }

    @Test func indirectNotNegotiated() {
        let (d, _) = console { $0 & ~VirtIOFeature.indirectDesc }
        d.submit(1, [.out([0x41])], indirect: true)
        expectNeedsReset(d, "VIRTIO_F_INDIRECT_DESC")
    }

    @Test func nestedIndirect() {
        let (d, _) = console()
        let q = d.queues[1]!
        let table = d.ram.alloc(16)
        d.putDescriptor(table, 0, addr: table, len: 16, flags: F.indirect, next: 0)
        d.putDescriptor(q.desc, 0, addr: table, len: 16, flags: F.indirect, next: 0)
        d.publish(1, head: 0)
        expectNeedsReset(d, "inside an indirect table")
    }

    @Test func badIndirectLength() {
        let (d, _) = console()
        let q = d.queues[1]!
        d.putDescriptor(q.desc, 0, addr: d.ram.alloc(24), len: 24, flags: F.indirect, next: 0)
        d.publish(1, head: 0)
        expectNeedsReset(d, "not a multiple of 16")
    }

    @Test func readableAfterWritable() {
        let (d, _) = console()
        d.submit(1, [.in(4), .out([0x41])])
        expectNeedsReset(d, "after a device-writable one")
    }

    @Test func notifyOfMissingQueue() {
        let (d, _) = console()
        d.w(0x50, 7)
        expectNeedsReset(d, "notify of queue 7")
    }

    @Test func needsResetStopsTheDeviceUntilReset() {
        let (d, backend) = console()
        var lines: [String] = []
        backend.onLine = { lines.append($0) }
        d.publish(1, head: 9)
        #expect(d.needsReset)
        d.w(0x70, d.status & ~VirtIOStatus.deviceNeedsReset)
        #expect(d.needsReset, "the driver cannot clear DEVICE_NEEDS_RESET")
        send(d, "ignored\n")
        #expect(lines.isEmpty, "no processing while the device needs reset")
        d.w(0x70, 0)
        #expect(!d.needsReset && !d.line)
        d.start(queueSizes: [8, 8])
        send(d, "back\n")
        #expect(lines == ["back"])
    }
}
