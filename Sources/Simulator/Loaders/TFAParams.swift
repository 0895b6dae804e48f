/// The hand-over TF-A's BL2 gives BL31 (TF-A include/common/{param_header,ep_info,bl_common}.h,
/// AArch64 layout): a bl_params_t whose one node describes BL33 — the payload, entered in
/// Non-secure EL2h with interrupts masked and x0 = the device tree, as BL2 sets it for a kernel.
enum TFAParams {
    static let paramBLParams: UInt8 = 0x05, paramEP: UInt8 = 0x01, paramImageBinary: UInt8 = 0x02
    static let version2: UInt8 = 0x02
    static let bl33ImageID: UInt32 = 5
    /// h.attr of BL33's entry point: NON_SECURE | EXECUTABLE.
    static let bl33Attributes: UInt32 = 0x1 | 0x8
    /// SPSR_EL3 for the hand-over: EL2h, D, A, I, F masked.
    static let spsrEL2h: UInt32 = 0x3C9

    /// The structures laid out from `at`: bl_params_t (16 bytes), one bl_params_node_t (32),
    /// entry_point_info_t (88), image_info_t (24).
    static func bl31(at base: UInt64, bl33: UInt64, dtb: UInt64) -> [UInt8] {
        var b = [UInt8]()
        func u8(_ v: UInt8) { b.append(v) }
        func u16(_ v: UInt16) { for i in 0..<2 { b.append(UInt8(truncatingIfNeeded: v >> (8 * i))) } }
        func u32(_ v: UInt32) { for i in 0..<4 { b.append(UInt8(truncatingIfNeeded: v >> (8 * i))) } }
        func u64(_ v: UInt64) { for i in 0..<8 { b.append(UInt8(truncatingIfNeeded: v >> (8 * i))) } }
        func header(_ type: UInt8, size: UInt16, attr: UInt32) { u8(type); u8(version2); u16(size); u32(attr) }
        let node = base + 16, entry = node + 32, image = entry + 88
        header(paramBLParams, size: 16, attr: 0); u64(node)                        // bl_params_t
        u32(bl33ImageID); u32(0); u64(image); u64(entry); u64(0)                    // bl_params_node_t
        header(paramEP, size: 88, attr: bl33Attributes); u64(bl33); u32(spsrEL2h); u32(0)
        u64(dtb); for _ in 1..<8 { u64(0) }                                       // args x0-x7
        header(paramImageBinary, size: 24, attr: 0); u64(bl33); u32(0); u32(0)     // image_info_t
        return b
    }
}
