/// A GICv3 Interrupt Translation Service (GICv3 specification, "The ITS"), as QEMU's virt has one:
/// MSIs written to GITS_TRANSLATER with a DeviceID and an EventID become LPIs at a redistributor,
/// through mappings that software makes with commands in a queue in memory (GITS_CBASER,
/// GITS_CWRITER). The device and collection tables (GITS_BASER0/1) are allocated by software as
/// the registers ask; their format is IMPLEMENTATION DEFINED, and this ITS caches every mapping
/// (as an implementation may), so it keeps them here. Collections target processor numbers
/// (GITS_TYPER.PTA = 0). Commands run when GITS_CWRITER moves, so runs stay deterministic.
public final class GICITS: MMIODevice {
    unowned let gic: GICv3
    let memory: GuestMemory
    /// Where a guest programming error is reported (commands the ITS cannot execute).
    public var log: ((String) -> Void)?

    var enabled = false
    var cbaser: UInt64 = 0, cwriter: UInt64 = 0, creadr: UInt64 = 0
    var baser: [UInt64] = [UInt64](repeating: 0, count: 8)
    /// MAPD: ITT size (EventID bits) by DeviceID; MAPC: target CPU by ICID; MAPTI: LPI and ICID by (DeviceID, EventID).
    var devices: [UInt32: Int] = [:]
    var collections: [UInt16: Int] = [:]
    var events: [UInt64: (intid: Int, icid: UInt16)] = [:]

    public static let translaterOffset: UInt64 = 0x1_0040
    /// Device table (type 1) and collection table (type 4), 8-byte entries, 4 KiB pages.
    static let baserTypes: [UInt64] = [1, 4]

    public init(gic: GICv3, memory: GuestMemory) {
        self.gic = gic
        self.memory = memory
        for (i, t) in Self.baserTypes.enumerated() { baser[i] = t << 56 | 7 << 48 }
        super.init(name: "gic-its", size: 0x2_0000)
    }

    /// GITS_TYPER: Physical, ITT_entry_size 8 bytes, 16-bit EventIDs and DeviceIDs, PTA = 0.
    static let typer: UInt64 = 1 | 7 << 4 | 15 << 8 | 15 << 13

    public override func read(offset: UInt64, size: Int) -> UInt64 {
        let v: UInt64
        let base = offset & ~7
        switch base {
        case 0x0000: v = (enabled ? 1 : 0) | 1 << 31 | UInt64(0x0300_043B) << 32   // CTLR (Quiescent), IIDR
        case 0x0008: v = Self.typer
        case 0x0080: v = cbaser
        case 0x0088: v = cwriter
        case 0x0090: v = creadr
        case 0x0100..<0x0140: v = baser[Int(base - 0x100) / 8]
        case 0xFFE8: v = 0x3B                                                        // PIDR2: GICv3
        default: v = 0
        }
        return size == 8 ? v : (v >> (8 * (offset & 4))) & (size == 4 ? 0xFFFF_FFFF : (1 << UInt64(8 * size)) - 1)
    }

    public override func write(offset: UInt64, size: Int, value: UInt64) {
        let base = offset & ~7
        func merged(_ old: UInt64) -> UInt64 {
            if size == 8 { return value }
            return offset & 4 == 0 ? (old & ~0xFFFF_FFFF) | (value & 0xFFFF_FFFF) : (old & 0xFFFF_FFFF) | (value << 32)
        }
        switch base {
        case 0x0000 where offset & 4 == 0: enabled = value & 1 != 0; process()
        case 0x0080: if !enabled { cbaser = merged(cbaser); creadr = 0 }
        case 0x0088: cwriter = merged(cwriter) & 0xF_FFE0; process()
        case 0x0100..<0x0140:
            let i = Int(base - 0x100) / 8
            guard i < Self.baserTypes.count else { return }
            // Valid, Indirect (not supported: RAZ), attributes, address, page size 4K, size; type and
            // entry size read-only.
            baser[i] = merged(baser[i]) & 0xB8FF_FFFF_FFFF_F0FF | Self.baserTypes[i] << 56 | 7 << 48
        case Self.translaterOffset & ~7:
            // A CPU's write: DeviceID 0 (real MSIs come with their device's ID through `message`).
            if offset == Self.translaterOffset { message(deviceID: 0, eventID: UInt32(truncatingIfNeeded: value)) }
        default: break
        }
    }

    /// An MSI: `eventID` written to GITS_TRANSLATER by the device `deviceID`. Unmapped: dropped.
    public func message(deviceID: UInt32, eventID: UInt32) {
        guard enabled, devices[deviceID] != nil, let e = events[key(deviceID, eventID)], let cpu = collections[e.icid] else { return }
        gic.setLPIPending(e.intid, cpu: cpu, true)
    }

    private func key(_ d: UInt32, _ e: UInt32) -> UInt64 { UInt64(d) << 32 | UInt64(e) }

    /// Runs the commands between GITS_CREADR and GITS_CWRITER.
    private func process() {
        guard enabled, cbaser >> 63 != 0 else { return }
        let queue = cbaser & 0x000F_FFFF_FFFF_F000
        let bytes = ((cbaser & 0xFF) + 1) * 4096
        var steps = 0
        while creadr != cwriter && steps < 65536 {
            guard cwriter < bytes, let c = memory.dmaRead(queue + creadr, count: 32) else {
                log?("gic-its: command queue at 0x\(String(queue + creadr, radix: 16)) is not in RAM (stalled)")
                return
            }
            let dw = (0..<4).map { k in (0..<8).reduce(UInt64(0)) { $0 | UInt64(c[8 * k + $1]) << UInt64(8 * $1) } }
            execute(dw)
            creadr = (creadr + 32) % bytes
            steps += 1
        }
    }

    private func execute(_ dw: [UInt64]) {
        let deviceID = UInt32(truncatingIfNeeded: dw[0] >> 32)
        let eventID = UInt32(truncatingIfNeeded: dw[1])
        let icid = UInt16(truncatingIfNeeded: dw[2])
        switch dw[0] & 0xFF {
        case 0x08:   // MAPD: V, ITT size (EventID bits - 1)
            if dw[2] >> 63 != 0 { devices[deviceID] = Int(dw[1] & 0x1F) + 1 } else {
                devices[deviceID] = nil
                events = events.filter { $0.key >> 32 != UInt64(deviceID) }
            }
        case 0x09:   // MAPC: V, RDbase (processor number), ICID
            if dw[2] >> 63 != 0 { collections[icid] = Int((dw[2] >> 16) & 0xFFFF) } else { collections[icid] = nil }
        case 0x0A, 0x0B:   // MAPTI (pINTID given), MAPI (pINTID = EventID)
            let intid = dw[0] & 0xFF == 0x0A ? Int(dw[1] >> 32) : Int(eventID)
            guard let bits = devices[deviceID], eventID < 1 << bits, intid >= LPIState.first, intid < 1 << LPIState.idBits else {
                log?("gic-its: MAPTI of an unmapped device or out-of-range event/LPI (ignored)"); return
            }
            events[key(deviceID, eventID)] = (intid, icid)
            if let cpu = collections[icid] { gic.reloadLPIConfig(intid, cpu: cpu) }
        case 0x0C:   // INV: reload the event's LPI configuration
            if let e = events[key(deviceID, eventID)], let cpu = collections[e.icid] { gic.reloadLPIConfig(e.intid, cpu: cpu); gic.update() }
        case 0x0D:   // INVALL: every LPI of the collection
            for e in events.values where e.icid == icid { if let cpu = collections[icid] { gic.reloadLPIConfig(e.intid, cpu: cpu) } }
            gic.update()
        case 0x01:   // MOVI: the event to another collection (its pending state moves with it)
            guard let e = events[key(deviceID, eventID)] else { return }
            if let from = collections[e.icid], let to = collections[icid], from != to, gic.lpis.pending[from].contains(e.intid) {
                gic.setLPIPending(e.intid, cpu: from, false)
                gic.setLPIPending(e.intid, cpu: to, true)
            }
            events[key(deviceID, eventID)] = (e.intid, icid)
        case 0x0F:   // DISCARD
            if let e = events.removeValue(forKey: key(deviceID, eventID)), let cpu = collections[e.icid] { gic.setLPIPending(e.intid, cpu: cpu, false) }
        case 0x03, 0x04:   // INT, CLEAR
            if let e = events[key(deviceID, eventID)], let cpu = collections[e.icid] { gic.setLPIPending(e.intid, cpu: cpu, dw[0] & 0xFF == 0x03) }
        case 0x0E:   // MOVALL: pending LPIs of one redistributor to another
            let from = Int((dw[2] >> 16) & 0xFFFF), to = Int((dw[3] >> 16) & 0xFFFF)
            guard from < gic.cpuCount, to < gic.cpuCount, from != to else { return }
            gic.lpis.pending[to].formUnion(gic.lpis.pending[from])
            gic.lpis.pending[from].removeAll()
            gic.update()
        case 0x05: break   // SYNC: everything is already done
        default: log?("gic-its: command 0x\(String(dw[0] & 0xFF, radix: 16)) not implemented (ignored)")
        }
    }

    public override func emitDeviceTree(_ dt: DeviceTreeWriter, base: UInt64, context: DeviceTreeContext) throws {}
}
