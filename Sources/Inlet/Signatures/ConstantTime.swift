/// Comparison whose running time does not depend on where two byte strings differ.
enum ConstantTime {
    /// Whether `lhs` and `rhs` hold the same bytes.
    ///
    /// Every byte of the longer input is visited whatever the contents, so the time taken reveals only
    /// the lengths, which are public (digest sizes). The loop has no early exit.
    static func equals(_ lhs: some Collection<UInt8>, _ rhs: some Collection<UInt8>) -> Bool {
        let left = Array(lhs)
        let right = Array(rhs)
        let length = max(left.count, right.count)
        var difference: UInt8 = left.count == right.count ? 0 : 1
        for index in 0..<length {
            let a = index < left.count ? left[index] : 0
            let b = index < right.count ? right[index] : 0
            difference |= a ^ b
        }
        return difference == 0
    }
}
