import Testing
@testable import Devices

/// The virtio console ("Console Device"): transmitq to the serial backend, receiveq from its input.
@Suite struct VirtIOConsoleTests {
    func make(version: UInt32 = 2) -> (VirtIOTestDriver, SerialBackend) {
        let backend = SerialBackend(handle: nil)
        let d = VirtIOTestDriver(device: VirtIOConsole(backend: backend), version: version)
        d.start(queueSizes: [8, 8])
        return (d, backend)
    }

    @Test func transmitLines() {
        let (d, backend) = make()
        var lines: [String] = []
        backend.onLine = { lines.append($0) }
        let s = d.submit(1, [.out(Array("hello\r\nwor".utf8)), .out(Array("ld\n".utf8))])
        #expect(lines == ["hello", "world"])
        let used = d.used(1)
        #expect(used.count == 1 && used[0].id == UInt32(s.head) && used[0].len == 0)
        #expect(d.line, "used buffer notification raises the line")
        #expect(d.r(0x60) == 1)
        d.submit(1, [.out(Array("again\n".utf8))])
        #expect(d.sink.rises == 1, "level stays high until acknowledged")
        #expect(d.ack() == 1)
        #expect(!d.line)
        #expect(lines == ["hello", "world", "again"])
    }

    @Test func transmitThroughIndirectTable() {
        let (d, backend) = make()
        var lines: [String] = []
        backend.onLine = { lines.append($0) }
        d.submit(1, [.out(Array("ind".utf8)), .out(Array("irect\n".utf8))], indirect: true)
        #expect(lines == ["indirect"])
        #expect(d.used(1).count == 1)
        #expect(!d.needsReset)
    }

    @Test func receiveIntoPostedBuffers() {
        let (d, backend) = make()
        let a = d.submit(0, [.in(4)])
        let b = d.submit(0, [.in(16)])
        #expect(d.used(0).isEmpty, "no input yet")
        #expect(!d.line)
        backend.enqueueInput(Array("abcdefg".utf8))
        d.transport.tick(now: 0)
        let used = d.used(0)
        #expect(used.map(\.id) == [UInt32(a.head), UInt32(b.head)])
        #expect(used.map(\.len) == [4, 3])
        #expect(d.ram.get(a.inAddresses[0], 4) == Array("abcd".utf8))
        #expect(d.ram.get(b.inAddresses[0], 3) == Array("efg".utf8))
        #expect(!backend.hasInput)
        #expect(d.line)
    }

    @Test func inputWaitsForBuffers() {
        let (d, backend) = make()
        backend.enqueueInput(Array("xy".utf8))
        d.transport.tick(now: 0)
        #expect(backend.hasInput, "nothing to receive into: input stays queued")
        #expect(!d.line)
        let s = d.submit(0, [.in(64)])   // the driver's notify delivers at once
        #expect(d.used(0).map(\.len) == [2])
        #expect(d.ram.get(s.inAddresses[0], 2) == Array("xy".utf8))
        #expect(d.line)
    }

    @Test func nothingHappensBeforeDriverOK() {
        let backend = SerialBackend(handle: nil)
        let d = VirtIOTestDriver(device: VirtIOConsole(backend: backend))
        backend.enqueueInput([0x41])
        d.negotiate()
        d.setupQueue(0, size: 8)
        d.setupQueue(1, size: 8)
        var lines: [String] = []
        backend.onLine = { lines.append($0) }
        d.submit(0, [.in(8)], notify: false)
        d.submit(1, [.out(Array("early\n".utf8))])
        d.transport.tick(now: 0)
        #expect(d.used(0).isEmpty, "no buffers used before DRIVER_OK")
        #expect(lines.isEmpty && d.used(1).isEmpty, "a kick before DRIVER_OK waits")
        d.driverOK()
        #expect(d.used(0).map(\.len) == [1], "DRIVER_OK delivers pending input")
        #expect(lines == ["early"], "and serves the deferred kick")
        #expect(d.used(1).count == 1)
    }

    @Test func emergencyWrite() {
        let (d, backend) = make()
        var lines: [String] = []
        backend.onLine = { lines.append($0) }
        #expect(d.transport.read(offset: 0x104, size: 4) == 1, "max_nr_ports")
        for c in "sos\n".utf8 { d.transport.write(offset: 0x108, size: 4, value: UInt64(c)) }
        #expect(lines == ["sos"])
    }

    @Test func legacyTransport() {
        let (d, backend) = make(version: 1)
        #expect(d.r(0x004) == 1)
        #expect(d.deviceFeatures & VirtIOFeature.version1 == 0, "legacy devices have 32 feature bits")
        var lines: [String] = []
        backend.onLine = { lines.append($0) }
        d.w(0x30, 1)
        #expect(d.r(0x40) != 0, "QueuePFN reads back")
        d.submit(1, [.out(Array("legacy\n".utf8))])
        #expect(lines == ["legacy"])
        #expect(d.used(1).count == 1)
        let s = d.submit(0, [.in(8)])
        backend.enqueueInput(Array("in".utf8))
        d.transport.tick(now: 0)
        #expect(d.used(0).map(\.len) == [2])
        #expect(d.ram.get(s.inAddresses[0], 2) == Array("in".utf8))
        #expect(!d.needsReset)
        d.w(0x30, 0)
        d.w(0x40, 0)
        #expect(d.transport.queues[0].ready == false, "PFN 0 stops the queue")
    }
}
