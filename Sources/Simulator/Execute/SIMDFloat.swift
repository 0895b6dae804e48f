/// Advanced SIMD floating-point families, vector and scalar (class numbers 192..<256).
/// Classes are added together with their encodings.
extension Core {
    func simdFloat(_ cls: UInt8, _ w: UInt32, pc: UInt64) -> Bool {
        // No class in this range is decoded yet; reaching here would be a decoder bug.
        undefined(pc: pc)
        return true
    }
}
