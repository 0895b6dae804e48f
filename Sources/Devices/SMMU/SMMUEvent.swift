/// An event record (IHI 0070 7.3): 32 bytes in the event queue. dword 0: EventType 7:0, SSV 11,
/// SubstreamID 31:12, StreamID 63:32; for translation faults dword 1: Stall 31, PnU 33, InD 34,
/// RnW 35 (1: read), S2 39, CLASS 41:40 (0 CD, 1 TT, 2 IN); dword 2: the input address;
/// dword 3: the IPA (51:12) of a stage-2 fault or, for fetch aborts, the fetch address (51:3).
public struct SMMUEvent: Equatable, Sendable {
    public enum Kind: UInt8, Sendable {
        case badStreamID = 0x02, steFetch = 0x03, badSTE = 0x04, cdFetch = 0x09, badCD = 0x0A, walkAbort = 0x0B
        case translation = 0x10, addressSize = 0x11, access = 0x12, permission = 0x13
    }
    public enum FaultClass: UInt64, Sendable { case contextDescriptor = 0, tableWalk = 1, input = 2 }

    public var kind: Kind
    public var streamID: UInt32
    public var read = false
    public var stage2 = false
    public var faultClass = FaultClass.input
    public var inputAddress: UInt64 = 0
    /// The faulting IPA (stage-2 faults) or the address of the table entry that could not be read.
    public var address: UInt64 = 0

    public var record: [UInt64] {
        let d0 = UInt64(kind.rawValue) | UInt64(streamID) << 32
        var d1: UInt64 = 0
        var d3: UInt64 = 0
        switch kind {
        case .translation, .addressSize, .access, .permission, .walkAbort:
            d1 = (read ? 1 << 35 : 0) | (stage2 ? 1 << 39 : 0) | faultClass.rawValue << 40
            d3 = kind == .walkAbort ? address & 0x000F_FFFF_FFFF_FFF8 : address & 0x000F_FFFF_FFFF_F000
        case .steFetch, .cdFetch:
            d3 = address & 0x000F_FFFF_FFFF_FFF8
        case .badStreamID, .badSTE, .badCD:
            break
        }
        return [d0, d1, inputAddress, d3]
    }

    /// The record's name in the architecture, for logs.
    public var name: String {
        switch kind {
        case .badStreamID: return "C_BAD_STREAMID"
        case .steFetch: return "F_STE_FETCH"
        case .badSTE: return "C_BAD_STE"
        case .cdFetch: return "F_CD_FETCH"
        case .badCD: return "C_BAD_CD"
        case .walkAbort: return "F_WALK_EABT"
        case .translation: return "F_TRANSLATION"
        case .addressSize: return "F_ADDR_SIZE"
        case .access: return "F_ACCESS"
        case .permission: return "F_PERMISSION"
        }
    }
}
