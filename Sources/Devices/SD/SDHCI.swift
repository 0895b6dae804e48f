/// A standard SD Host Controller (SD Host Controller Simplified Specification v3.00) with the
/// Marvell Xenon vendor block behind it (0x100-0x2FF; the ESPRESSObin's SD slot, which Linux's
/// sdhci-xenon and U-Boot's xenon_sdhci drive). Commands complete at once. Data moves by PIO
/// through the buffer data port, block by block, or by SDMA into guest memory, pausing at each
/// SDMA buffer boundary with a DMA interrupt until the host writes the next address, as the
/// specification says. No ADMA (the capabilities say so). Without a card every command times out.
public final class SDHCI: MMIODevice {
    enum Reg {
        static let sdmaAddress: UInt64 = 0x00, blockSize: UInt64 = 0x04, blockCount: UInt64 = 0x06
        static let argument: UInt64 = 0x08, transferMode: UInt64 = 0x0C, command: UInt64 = 0x0E
        static let response: UInt64 = 0x10, bufferData: UInt64 = 0x20, presentState: UInt64 = 0x24
        static let hostControl: UInt64 = 0x28, powerControl: UInt64 = 0x29, clockControl: UInt64 = 0x2C
        static let softwareReset: UInt64 = 0x2F, normalStatus: UInt64 = 0x30, errorStatus: UInt64 = 0x32
        static let normalStatusEnable: UInt64 = 0x34, errorStatusEnable: UInt64 = 0x36
        static let normalSignalEnable: UInt64 = 0x38, errorSignalEnable: UInt64 = 0x3A
        static let capabilities: UInt64 = 0x40, maxCurrent: UInt64 = 0x48, hostVersion: UInt64 = 0xFE
        /// Xenon: EMMC_PHY_TIMING_ADJUST, whose PHY_INITIALIZATION bit (31) clears when the PHY is ready.
        static let xenonPHYTimingAdjust: UInt64 = 0x170
    }
    enum Status {
        static let commandComplete: UInt16 = 1 << 0, transferComplete: UInt16 = 1 << 1, dmaInterrupt: UInt16 = 1 << 3
        static let bufferWriteReady: UInt16 = 1 << 4, bufferReadReady: UInt16 = 1 << 5, errorInterrupt: UInt16 = 1 << 15
        static let commandTimeout: UInt16 = 1 << 0
    }

    public let card: SDCard?
    private let memory: GuestMemory
    private let irq: Int
    private let sink: InterruptSink
    private var regs = [UInt8](repeating: 0, count: 0x300)
    private var normalStatus: UInt16 = 0
    private var errorStatus: UInt16 = 0
    private var lineAsserted = false

    /// A data transfer in progress: its direction, blocks left, and for reads the bytes the host
    /// has not taken yet; for writes the bytes gathered for the current block.
    private struct Transfer {
        var read: Bool
        var dma: Bool
        var blockSize: Int
        var blocksLeft: Int
        var nextBlock: UInt64
        var buffer: [UInt8] = []
        /// Bytes the card supplied with the command (SCR, SD status, switch status).
        var fixedData: [UInt8]?
        var autoCMD12: Bool
        var multiBlock: Bool
    }
    private var transfer: Transfer?

    /// Version 3.00; SDMA, high speed, 3.3 V; base clock 200 MHz; timeout clock 50 MHz.
    static let capabilities: UInt64 = 0x0160_C8B2

    public init(name: String, card: SDCard?, memory: GuestMemory, irq: Int, sink: InterruptSink) {
        self.card = card
        self.memory = memory
        self.irq = irq
        self.sink = sink
        super.init(name: name, size: 0x300)
    }

    // MARK: Register file

    private func get(_ offset: UInt64, _ size: Int) -> UInt64 {
        (0..<size).reduce(UInt64(0)) { $0 | UInt64(regs[Int(offset) + $1]) << (8 * UInt64($1)) }
    }

    private func set(_ offset: UInt64, _ size: Int, _ value: UInt64) {
        for i in 0..<size { regs[Int(offset) + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) }
    }

    private func touches(_ offset: UInt64, _ size: Int, _ reg: UInt64, _ width: Int = 1) -> Bool {
        offset < reg + UInt64(width) && reg < offset + UInt64(size)
    }

    private var presentState: UInt32 {
        var s: UInt32 = 0
        if let t = transfer {
            s |= 1 << 1                                              // DAT inhibit
            if t.read && !t.buffer.isEmpty && !t.dma { s |= 1 << 11 | 1 << 9 }   // buffer read enable, read active
            if !t.read && !t.dma { s |= 1 << 10 | 1 << 8 }          // buffer write enable, write active
        }
        if card != nil { s |= 1 << 16 | 1 << 18 }                   // card inserted, detect pin
        s |= 1 << 17 | 1 << 19                                      // card state stable, not write protected
        s |= 0xF << 20 | 1 << 24                                     // DAT[3:0] and CMD lines high
        return s
    }

    public override func read(offset: UInt64, size: Int) -> UInt64 {
        var v = get(offset, size)
        func overlay(_ reg: UInt64, _ width: Int, _ value: UInt64) {
            guard touches(offset, size, reg, width) else { return }
            for i in 0..<width where reg + UInt64(i) >= offset && reg + UInt64(i) < offset + UInt64(size) {
                let shift = 8 * (reg + UInt64(i) - offset)
                v = v & ~(0xFF << shift) | ((value >> (8 * UInt64(i))) & 0xFF) << shift
            }
        }
        overlay(Reg.presentState, 4, UInt64(presentState))
        overlay(Reg.normalStatus, 2, UInt64(normalStatus | (errorStatus != 0 ? Status.errorInterrupt : 0)))
        overlay(Reg.errorStatus, 2, UInt64(errorStatus))
        overlay(Reg.capabilities, 8, Self.capabilities)
        overlay(Reg.maxCurrent, 8, 0)
        overlay(Reg.hostVersion, 2, 0x0002)
        let clock = get(Reg.clockControl, 2)
        overlay(Reg.clockControl, 2, clock & 1 != 0 ? clock | 2 : clock & ~2)     // internal clock stable
        if offset == Reg.bufferData { v = readData(size) }
        return v
    }

    public override func write(offset: UInt64, size: Int, value: UInt64) {
        defer { updateLine() }
        if offset == Reg.bufferData { writeData(value, size); return }
        // Status registers are write-1-to-clear; read-only registers keep their values.
        if touches(offset, size, Reg.normalStatus, 4) {
            for i in 0..<size {
                let byte = UInt16(truncatingIfNeeded: value >> (8 * UInt64(i)))
                switch offset + UInt64(i) {
                case 0x30: normalStatus &= ~byte
                case 0x31: normalStatus &= ~(byte << 8)
                case 0x32: errorStatus &= ~byte
                case 0x33: errorStatus &= ~(byte << 8)
                default: regs[Int(offset) + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i)))
                }
            }
            return
        }
        guard !touches(offset, size, Reg.response, 16), !touches(offset, size, Reg.presentState, 4),
              !touches(offset, size, Reg.capabilities, 16), !touches(offset, size, 0xFC, 4) else { return }
        set(offset, size, value)
        if touches(offset, size, Reg.softwareReset) { softwareReset(regs[Int(Reg.softwareReset)]) }
        if touches(offset, size, Reg.xenonPHYTimingAdjust + 3) { regs[Int(Reg.xenonPHYTimingAdjust) + 3] &= 0x7F }
        if touches(offset, size, Reg.command + 1) { execute() }
        else if touches(offset, size, Reg.sdmaAddress, 4), let t = transfer, t.dma { continueDMA() }
    }

    private func softwareReset(_ bits: UInt8) {
        regs[Int(Reg.softwareReset)] = 0
        if bits & 1 != 0 {
            let xenon = Array(regs[0x100...])
            regs = [UInt8](repeating: 0, count: 0x100) + xenon
            normalStatus = 0; errorStatus = 0
        }
        if bits & 5 != 0 { transfer = nil }
    }

    // MARK: Commands

    private func raise(_ bits: UInt16) { normalStatus |= bits & UInt16(get(Reg.normalStatusEnable, 2)) }
    private func raiseError(_ bits: UInt16) { errorStatus |= bits & UInt16(get(Reg.errorStatusEnable, 2)) }

    private func updateLine() {
        let normal = normalStatus & UInt16(get(Reg.normalSignalEnable, 2))
        let error = errorStatus & UInt16(get(Reg.errorSignalEnable, 2))
        let asserted = normal != 0 || error != 0
        if asserted != lineAsserted { lineAsserted = asserted; sink.setLevel(intid: irq, asserted: asserted) }
    }

    private func execute() {
        let command = UInt16(get(Reg.command, 2)), mode = UInt16(get(Reg.transferMode, 2))
        let index = Int(command >> 8 & 0x3F), argument = UInt32(get(Reg.argument, 4))
        transfer = nil
        guard let card, regs[Int(Reg.powerControl)] & 1 != 0 else { raiseError(Status.commandTimeout); return }
        let (response, data) = card.command(index, argument: argument)
        switch response {
        case .timeout: raiseError(Status.commandTimeout); return
        case .none: break
        case .short(let v): set(Reg.response, 4, UInt64(v))
        case .long(let w):
            // R2: bits 127:8 of the response (the CRC byte dropped) in RESP[119:0].
            let full = w.map(UInt64.init)
            let lo = (full[2] << 32 | full[3]) >> 8 | (full[1] & 0xFF) << 56
            let hi = (full[0] << 32 | full[1]) >> 8
            set(Reg.response, 8, lo)
            set(Reg.response + 8, 8, hi)
        }
        raise(Status.commandComplete)
        guard command & (1 << 5) != 0 else {
            // No data phase; a response with busy (R1b) ends with transfer complete when the card is ready.
            if command & 3 == 3 { raise(Status.transferComplete) }
            return
        }
        let blockSize = max(1, Int(get(Reg.blockSize, 2) & 0xFFF))
        let multi = mode & (1 << 5) != 0
        let blocks = multi ? (mode & (1 << 1) != 0 ? Int(get(Reg.blockCount, 2)) : Int.max) : 1
        transfer = Transfer(read: mode & (1 << 4) != 0, dma: mode & 1 != 0, blockSize: blockSize, blocksLeft: max(blocks, 1),
                            nextBlock: UInt64(argument), fixedData: data, autoCMD12: mode & (1 << 2) != 0, multiBlock: multi)
        if transfer!.read { fillReadBuffer() }
        if transfer!.dma { continueDMA() } else if transfer!.read { raise(Status.bufferReadReady) } else { raise(Status.bufferWriteReady) }
    }

    /// The next block of a read into the transfer's buffer (the card's own data, or a block of the image).
    private func fillReadBuffer() {
        guard var t = transfer, t.buffer.isEmpty, t.blocksLeft > 0 else { return }
        if let fixed = t.fixedData {
            t.buffer = Array(fixed.prefix(t.blockSize)) + [UInt8](repeating: 0, count: max(0, t.blockSize - fixed.count))
        } else if let block = card?.readBlock(t.nextBlock) {
            t.buffer = Array(block.prefix(t.blockSize))
            t.nextBlock += 1
        } else {
            t.buffer = [UInt8](repeating: 0, count: t.blockSize)
            raiseError(1 << 6)                                            // data end-bit error
        }
        transfer = t
    }

    /// One block done: the next, or the end of the transfer (with auto CMD12 where asked).
    private func blockDone() {
        guard var t = transfer else { return }
        t.blocksLeft -= 1
        transfer = t
        if t.blocksLeft == 0 {
            if t.autoCMD12 && t.multiBlock, let card {
                if case .short(let v) = card.command(12, argument: 0).0 { set(Reg.response + 12, 4, UInt64(v)) }
            }
            transfer = nil
            raise(Status.transferComplete)
        } else if t.read {
            fillReadBuffer()
            if !t.dma { raise(Status.bufferReadReady) }
        } else if !t.dma {
            raise(Status.bufferWriteReady)
        }
    }

    // MARK: PIO

    private func readData(_ size: Int) -> UInt64 {
        guard var t = transfer, t.read, !t.dma, !t.buffer.isEmpty else { return 0 }
        let n = min(size, t.buffer.count)
        let v = (0..<n).reduce(UInt64(0)) { $0 | UInt64(t.buffer[$1]) << (8 * UInt64($1)) }
        t.buffer.removeFirst(n)
        transfer = t
        if t.buffer.isEmpty { blockDone() }
        updateLine()
        return v
    }

    private func writeData(_ value: UInt64, _ size: Int) {
        guard var t = transfer, !t.read, !t.dma else { return }
        for i in 0..<size where t.buffer.count < t.blockSize { t.buffer.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(i)))) }
        transfer = t
        if t.buffer.count == t.blockSize { writeBlock() }
    }

    private func writeBlock() {
        guard var t = transfer else { return }
        if t.fixedData == nil, let card, !card.writeBlock(t.nextBlock, t.buffer) { raiseError(1 << 5) }   // data CRC error
        t.nextBlock += 1
        t.buffer = []
        transfer = t
        blockDone()
    }

    // MARK: SDMA

    /// Moves data between the card and guest memory from the SDMA address up to the next buffer
    /// boundary; there it stops with a DMA interrupt until the host writes a new address.
    private func continueDMA() {
        let boundary = UInt64(4096) << (get(Reg.blockSize, 2) >> 12 & 7)
        var address = get(Reg.sdmaAddress, 4)
        while let t = transfer, t.dma {
            if t.read {
                // A DMA address outside RAM: the bus error is reported as an ADMA error (v3 has no SDMA error bit).
                guard memory.dmaWrite(address, t.buffer) else { raiseError(1 << 9); transfer = nil; return }
                address += UInt64(t.buffer.count)
                transfer!.buffer = []
                blockDone()
            } else {
                guard let bytes = memory.dmaRead(address, count: t.blockSize) else { raiseError(1 << 9); transfer = nil; return }
                transfer!.buffer = bytes
                address += UInt64(t.blockSize)
                writeBlock()
            }
            set(Reg.sdmaAddress, 4, address)
            if transfer != nil && address % boundary == 0 { raise(Status.dmaInterrupt); return }
        }
    }
}
