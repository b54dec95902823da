/// Text compared and hashed by its UTF-8 bytes.
///
/// Swift's `String` equality is canonical equivalence (`"é"` equals `"e\u{301}"`); event patterns compare
/// exactly, without normalisation, so every exact lookup goes through this type instead.
struct TextKey: Hashable, Sendable {
    let text: Substring

    init(_ text: String) { self.text = Substring(text) }
    init(_ text: Substring) { self.text = text }

    static func == (lhs: TextKey, rhs: TextKey) -> Bool { utf8Equal(lhs.text, rhs.text) }

    func hash(into hasher: inout Hasher) {
        let hashed: Void? = text.utf8.withContiguousStorageIfAvailable { bytes in
            hasher.combine(bytes: UnsafeRawBufferPointer(bytes))
        }
        if hashed == nil {
            Array(text.utf8).withUnsafeBytes { hasher.combine(bytes: $0) }
        }
        hasher.combine(UInt8(0xFF))  // never part of UTF-8, so "ab"+"c" and "a"+"bc" differ
    }
}

/// Byte-wise equality of two strings' UTF-8 forms, without Unicode normalisation.
func utf8Equal(_ lhs: some StringProtocol, _ rhs: some StringProtocol) -> Bool {
    let fast: Bool? =
        lhs.utf8.withContiguousStorageIfAvailable { left in
            rhs.utf8.withContiguousStorageIfAvailable { right in
                left.count == right.count && left.elementsEqual(right)
            }
        } ?? nil
    return fast ?? lhs.utf8.elementsEqual(rhs.utf8)
}

extension StringProtocol {
    /// Whether the UTF-8 form starts with `prefix`'s UTF-8 form.
    func utf8HasPrefix(_ prefix: some StringProtocol) -> Bool {
        let fast: Bool? =
            utf8.withContiguousStorageIfAvailable { text in
                prefix.utf8.withContiguousStorageIfAvailable { head in
                    text.count >= head.count && UnsafeBufferPointer(rebasing: text[..<head.count]).elementsEqual(head)
                }
            } ?? nil
        return fast ?? utf8.starts(with: prefix.utf8)
    }

    /// Whether the UTF-8 form ends with `suffix`'s UTF-8 form.
    func utf8HasSuffix(_ suffix: some StringProtocol) -> Bool {
        let fast: Bool? =
            utf8.withContiguousStorageIfAvailable { text in
                suffix.utf8.withContiguousStorageIfAvailable { tail in
                    text.count >= tail.count
                        && UnsafeBufferPointer(rebasing: text[(text.count - tail.count)...]).elementsEqual(tail)
                }
            } ?? nil
        return fast ?? utf8.reversed().starts(with: suffix.utf8.reversed())
    }
}
