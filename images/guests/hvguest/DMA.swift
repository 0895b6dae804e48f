// DMA isolation: an attacker VM that owns a virtio-blk device (virtio-mmio version 2, or
// virtio-pci in VirtioPCI.swift) aims its requests at another VM's memory and at the hypervisor's;
// a victim VM checks that its memory does not change meanwhile. With an SMMU translating the
// device by its VM's stage 2, both attacks fail at the device (DEVICE_NEEDS_RESET or an I/O
// error) and a request into the attacker's own memory works.
import _Volatile

/// `<key>0x<hex>` in the boot arguments at `args` (e.g. `dev=0xa003e00`).
func bootArgumentHex(_ args: UInt?, _ key: StaticString) -> UInt? {
    guard var p = args else { return nil }
    func at(_ a: UInt) -> UInt8 { UnsafePointer<UInt8>(bitPattern: a)!.pointee }
    while at(p) != 0 {
        let found = key.withUTF8Buffer { k in k.enumerated().allSatisfy { at(p &+ UInt($0.offset)) == $0.element } }
        if found {
            var q = p &+ UInt(key.utf8CodeUnitCount)
            guard at(q) == 48, at(q &+ 1) == 120 else { return nil }          // "0x"
            q &+= 2
            var v: UInt = 0
            while true {
                let c = at(q)
                let d: UInt8
                if c >= 48 && c <= 57 { d = c - 48 } else if c >= 97 && c <= 102 { d = c - 87 } else { break }
                v = v << 4 | UInt(d)
                q &+= 1
            }
            return v
        }
        p &+= 1
    }
    return nil
}

/// What one polled read came to: the request's status byte (0 = OK) once the used index moved,
/// DEVICE_NEEDS_RESET (what an SMMU fault turns into), or nothing within a second.
enum BlockOutcome { case completed(status: UInt8), deviceError, timeout }

/// Queue 0 of 4 entries as both probes lay it out in the VM's own memory at `area` (0x3000 bytes):
/// descriptors at +0, the driver (avail) ring at +0x1000, the device (used) ring at +0x2000, the
/// request header at +0x2800 and its status byte at +0x2900.
struct BlockQueue {
    let area: UInt
    var lastUsed: UInt16 = 0
    var nextAvail: UInt16 = 0

    init(area: UInt) { self.area = area }

    var descriptors: UInt { area }
    var driverRing: UInt { area &+ 0x1000 }
    var deviceRing: UInt { area &+ 0x2000 }
    var header: UInt { area &+ 0x2800 }
    var status: UInt { area &+ 0x2900 }

    /// Zeroes the rings for a device that was just reset (its indices restart at 0).
    mutating func clear() {
        for i in 0..<UInt(0x3000 / 8) { reg64(area &+ i &* 8).store(0) }
        lastUsed = 0; nextAvail = 0
    }

    /// Publishes one IN request for sector 0: header, 512 bytes at `buffer`, status.
    mutating func postRead(into buffer: UInt) {
        reg64(header).store(0)                                  // type IN, reserved
        reg64(header &+ 8).store(0)                             // sector 0
        reg8(status).store(0xFF)
        func descriptor(_ i: UInt, _ addr: UInt, _ len: UInt32, _ flags: UInt16, _ next: UInt16) {
            let d = descriptors &+ i &* 16
            reg64(d).store(UInt64(addr))
            reg32(d &+ 8).store(len)
            reg32(d &+ 12).store(UInt32(flags) | UInt32(next) << 16)
        }
        descriptor(0, header, 16, 1, 1)                         // NEXT
        descriptor(1, buffer, 512, 3, 2)                        // NEXT | WRITE
        descriptor(2, status, 1, 2, 0)                          // WRITE
        reg16(driverRing &+ 4 &+ UInt(nextAvail % 4) &* 2).store(0)
        nextAvail &+= 1
        reg16(driverRing &+ 2).store(nextAvail)
    }

    /// The request's status once the device has moved the used index, else nil.
    mutating func completion() -> UInt8? {
        let used = reg16(deviceRing &+ 2).load()
        guard used != lastUsed else { return nil }
        lastUsed = used
        return reg8(status).load()
    }
}

/// A virtio-blk transport the DMA attack test drives: `start` resets the device and brings queue
/// 0 up in `queue.area`; `read(into:)` (shared below) is one polled request.
protocol BlockProbe {
    var queue: BlockQueue { get set }
    /// Resets the device and brings queue 0 up (virtio 1.x "Device Initialization"); false when
    /// there is no such device or it refuses the features.
    mutating func start() -> Bool
    /// Tells the device queue 0 has a new request.
    func notify()
    /// device_status has DEVICE_NEEDS_RESET.
    var needsReset: Bool { get }
}

extension BlockProbe {
    typealias Outcome = BlockOutcome

    /// Reads sector 0 into `buffer` (512 bytes): header and status in `queue.area`, data at `buffer`.
    mutating func read(into buffer: UInt) -> Outcome {
        queue.postRead(into: buffer)
        notify()
        let end = readCNTVCT() &+ readCNTFRQ()
        while readCNTVCT() < end {
            if needsReset { return .deviceError }
            if let status = queue.completion() { return .completed(status: status) }
        }
        return .timeout
    }
}

/// The smallest virtio-blk driver that can issue one read, over virtio-mmio (version 2); the PCI
/// one is `VirtIOPCIBlockProbe`.
struct VirtIOBlockProbe: BlockProbe {
    let base: UInt
    var queue: BlockQueue

    init(base: UInt, area: UInt) { self.base = base; queue = BlockQueue(area: area) }

    func r(_ off: UInt) -> UInt32 { reg32(base &+ off).load() }
    func w(_ off: UInt, _ v: UInt32) { reg32(base &+ off).store(v) }

    mutating func start() -> Bool {
        guard r(0x00) == 0x7472_6976, r(0x04) == 2, r(0x08) == 2 else { return false }
        w(0x70, 0)                                              // reset
        w(0x70, 1); w(0x70, 3)                                  // ACKNOWLEDGE, DRIVER
        w(0x14, 1)
        let high = r(0x10)                                      // features 63:32
        w(0x24, 0); w(0x20, 0)
        w(0x24, 1); w(0x20, high & 3)                           // VERSION_1, ACCESS_PLATFORM when offered
        w(0x70, 3 | 8)
        guard r(0x70) & 8 != 0 else { return false }
        queue.clear()
        w(0x30, 0)
        guard r(0x34) >= 4 else { return false }
        w(0x38, 4)
        w(0x80, UInt32(truncatingIfNeeded: queue.descriptors)); w(0x84, UInt32(truncatingIfNeeded: queue.descriptors >> 32))
        w(0x90, UInt32(truncatingIfNeeded: queue.driverRing)); w(0x94, UInt32(truncatingIfNeeded: queue.driverRing >> 32))
        w(0xA0, UInt32(truncatingIfNeeded: queue.deviceRing)); w(0xA4, UInt32(truncatingIfNeeded: queue.deviceRing >> 32))
        w(0x44, 1)
        w(0x70, 3 | 8 | 4)                                      // DRIVER_OK
        return true
    }

    func notify() { w(0x50, 0) }                                // QueueNotify
    var needsReset: Bool { r(0x70) & 0x40 != 0 }
}

/// Waits on the virtual timer (PPI 27; guestIRQ counts its ticks), with WFI.
func sleep(milliseconds: UInt) {
    IRQ.initCPU()
    IRQ.enablePrivate(27)
    let ticks = readCNTFRQ() / 1000 &* milliseconds
    let end = readCNTVCT() &+ ticks
    vtimerArm(ticks)
    irqEnable()
    _ = waitUntil(seconds: milliseconds / 1000 + 1) { readCNTVCT() >= end }
    vtimerStop()
}

/// The victim's watched memory: 64 KiB from 1 MiB into its slot, and how long it watches.
let dmaVictimOffset: UInt = 0x10_0000, dmaVictimBytes: UInt = 0x1_0000

/// This VM's 128 MiB memory slot (images/scenarios links each guest 0x80000 into one).
func dmaSlotBase() -> UInt { imageStartAddress() & ~UInt(0x7FF_FFFF) }

/// Where a probe keeps its queue and request (`BlockQueue.area`): 4 MiB into the slot.
func dmaQueueArea() -> UInt { dmaSlotBase() &+ 0x40_0000 }

/// `blk` is inout: a by-value copy of the PCI probe would be a memcpy call, which nothing here links.
func dmaAttackTest<Probe: BlockProbe>(_ blk: inout Probe) {
    let myBase = dmaSlotBase()
    check(blk.start(), "dma-attack: no virtio-blk device to drive")
    sleep(milliseconds: 200)                                    // the victim has filled its memory by then
    let targets: [(StaticString, UInt)] = [("the next VM's memory", myBase &+ 0x800_0000 &+ dmaVictimOffset),
                                           ("the hypervisor", boardHypervisorImage())]
    var blocked = 0
    for (what, address) in targets {
        let outcome = blk.read(into: address)
        Console.write("dma-attack: read into "); Console.write(what); Console.write(" at "); Console.hex(address)
        switch outcome {
        case .deviceError: Console.line(": blocked, the device needs reset"); blocked += 1
        case .completed(let s) where s != 0: Console.line(": blocked, I/O error"); blocked += 1
        case .completed: Console.line(": the device reported success")
        case .timeout: Console.line(": no answer")
        }
        check(blk.start(), "dma-attack: the device did not restart")
    }
    let own = myBase &+ 0x50_0000
    let ok: Bool
    if case .completed(let s) = blk.read(into: own), s == 0 { ok = true } else { ok = false }
    // The scenario disk starts "minos disk line 00000001": "minos di" as a little-endian word.
    check(ok && reg64(own).load() == 0x6964_2073_6F6E_696D, "dma-attack: a read into its own memory failed")
    Console.line("dma-attack: read into its own memory: sector 0 arrived")
    if blocked == targets.count { Console.line("PASS dma-attack: the device reached only its VM's memory") }
    // On PCIe a refused posted write may be dropped silently: success is what the guest sees,
    // not proof that the write landed.
    else { Console.line("FAIL dma-attack: the device reported success for a request outside its VM's memory") }
    powerOff()
}

func dmaVictimTest() {
    let start = (imageStartAddress() & ~UInt(0x7FF_FFFF)) &+ dmaVictimOffset
    func pattern(_ i: UInt) -> UInt64 { UInt64(i) &* 0x9E37_79B9_7F4A_7C15 ^ 0x5A5A }
    for i in 0..<(dmaVictimBytes / 8) { reg64(start &+ i &* 8).store(pattern(i)) }
    var sum: UInt64 = 0
    for i in 0..<(dmaVictimBytes / 8) { sum = sum &* 31 &+ reg64(start &+ i &* 8).load() }
    sleep(milliseconds: 1000)                                   // long enough for the attacker (another pCPU)
    var after: UInt64 = 0
    var changed = 0
    for i in 0..<(dmaVictimBytes / 8) {
        let v = reg64(start &+ i &* 8).load()
        after = after &* 31 &+ v
        if v != pattern(i) { changed += 1 }
    }
    if changed == 0 && after == sum { Console.write("PASS dma-victim: memory unchanged, checksum "); Console.hex(UInt(sum)); Console.end() }
    else { Console.write("FAIL dma-victim: "); Console.dec(changed); Console.line(" words changed") }
    powerOff()
}
