/// An SD memory card (SD Physical Layer Simplified Specification 2.0): a high-capacity card
/// (block addressing, CSD version 2) backed by a disk image, answering the commands a host
/// controller sends. Responses are the 32-bit R1/R3/R6/R7 fields or 128-bit R2 registers; data
/// commands hand back or take whole blocks.
public final class SDCard {
    public enum Response: Equatable {
        case none
        case short(UInt32)
        case long([UInt32])   // bits 127:96, 95:64, 63:32, 31:0
        /// The card does not answer (unknown command, or not in a state to take it).
        case timeout
    }

    public let image: DiskImage
    private var appCommand = false
    private var state = 0          // card state: 0 idle, 1 ready, 2 ident, 3 stby, 4 tran, 5 data, 6 rcv
    private let rca: UInt32 = 0x4567
    public private(set) var blockLength = 512

    public init(image: DiskImage) { self.image = image }

    /// Card status (R1) with the current state and READY_FOR_DATA; APP_CMD while an ACMD is expected.
    private var status: UInt32 { UInt32(state) << 9 | 1 << 8 | (appCommand ? 1 << 5 : 0) }

    /// CID: manufacturer 0x4D ('M'), OEM "MS", product "MINOS", revision 1.0, serial, date 2026-12.
    var cid: [UInt32] {
        [0x4D4D_534D, 0x494E_4F53, 0x1012_3456, 0x7801_A2C0 | 0x01]
    }

    /// CSD version 2.0: TRAN_SPEED 25 MHz, block length 512, C_SIZE = capacity / 512 KiB - 1.
    var csd: [UInt32] {
        let cSize = UInt32(max(image.size >> 19, 1) - 1) & 0x3F_FFFF
        return [0x400E_0032, 0x5B59_0000 | cSize >> 16, (cSize & 0xFFFF) << 16 | 0x7F80, 0x0A40_0001]
    }

    /// Executes a command. `data` is the bytes a read command returns (nil: none).
    public func command(_ index: Int, argument: UInt32) -> (Response, data: [UInt8]?) {
        let app = appCommand
        appCommand = false
        if app {
            switch index {
            case 6: return (.short(status), nil)                          // SET_BUS_WIDTH
            case 13: return (.short(status), [UInt8](repeating: 0, count: 64)) // SD_STATUS
            case 41:                                                      // SD_SEND_OP_COND: ready, high capacity
                if state == 0 { state = 1 }
                return (.short(0xC0FF_8000), nil)
            case 42: return (.short(status), nil)                         // SET_CLR_CARD_DETECT
            case 51: return (.short(status), [0x02, 0x05, 0, 0, 0, 0, 0, 0]) // SCR: SD 2.0, 1- and 4-bit bus
            default: break
            }
        }
        switch index {
        case 0: state = 0; return (.none, nil)                            // GO_IDLE_STATE
        case 2: state = 2; return (.long(cid), nil)                       // ALL_SEND_CID
        case 3: state = 3; return (.short(rca << 16 | 0x0500), nil)       // SEND_RELATIVE_ADDR
        case 6: return (.short(status), [UInt8](repeating: 0, count: 64)) // SWITCH_FUNC: nothing switched
        case 7:                                                           // SELECT/DESELECT_CARD
            state = argument >> 16 == rca ? 4 : 3
            return (.short(status), nil)
        case 8: return (.short(argument & 0xFFF), nil)                    // SEND_IF_COND: voltage accepted
        case 9: return (.long(csd), nil)
        case 10: return (.long(cid), nil)
        case 12: state = 4; return (.short(status), nil)                  // STOP_TRANSMISSION
        case 13: return (.short(status), nil)                             // SEND_STATUS
        case 16: blockLength = Int(argument); return (.short(status), nil) // SET_BLOCKLEN
        case 17, 18, 24, 25: return (.short(status), nil)                 // data follows (controller's count)
        case 55: appCommand = true; return (.short(status | 1 << 5), nil) // APP_CMD
        default: return (.timeout, nil)
        }
    }

    /// Block `n` (block addressing) of the image, or nil past its end or on a host error.
    public func readBlock(_ n: UInt64) -> [UInt8]? {
        guard n < image.sectors else { return nil }
        return try? image.read(at: n * 512, count: 512)
    }

    public func writeBlock(_ n: UInt64, _ bytes: [UInt8]) -> Bool {
        guard n < image.sectors, !image.isReadOnly else { return false }
        return (try? image.write(bytes, at: n * 512)) != nil
    }
}
