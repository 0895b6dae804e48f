/// Advanced SIMD integer, permute, copy, table, modified-immediate and shift families
/// (class numbers 64..<192). Classes are added together with their encodings.
extension Core {
    func simdInteger(_ cls: UInt8, _ w: UInt32, pc: UInt64) -> Bool {
        // No class in this range is decoded yet; reaching here would be a decoder bug.
        undefined(pc: pc)
        return true
    }
}
