import Foundation
import Synchronization

/// The last timestamp and sequence handed out, so ids of one process are strictly increasing.
private let uuidV7State = Mutex<(milliseconds: UInt64, sequence: UInt16)>((0, 0))

extension UUID {
    /// A time-ordered UUID (RFC 9562 version 7): 48 bits of Unix milliseconds, a 12-bit sequence, then random bits.
    /// Ids created later sort later — strictly, within one process (RFC 9562 method 1: the sequence counts ids
    /// within a millisecond) — so lists ordered by id are ordered by creation and B-tree inserts stay local.
    public static func v7(now: Date = Date()) -> UUID {
        let clock = UInt64(max(0, now.timeIntervalSince1970 * 1000))
        let (milliseconds, sequence) = uuidV7State.withLock { state -> (UInt64, UInt16) in
            if clock > state.milliseconds {
                state = (clock, UInt16.random(in: 0..<0x400))  // random start leaves room to count up
            } else if state.sequence < 0xFFF {
                state.sequence += 1
            } else {
                state = (state.milliseconds + 1, 0)  // sequence exhausted: borrow from the next millisecond
            }
            return (state.milliseconds, state.sequence)
        }
        var generator = SystemRandomNumberGenerator()
        return v7(milliseconds: milliseconds, sequence: sequence, using: &generator)
    }

    static func v7(milliseconds: UInt64, sequence: UInt16, using generator: inout some RandomNumberGenerator) -> UUID {
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: milliseconds >> (8 * (5 - index))) }
        let random = generator.next() as UInt64
        let more = generator.next() as UInt64
        for index in 6..<16 {
            let source = index < 14 ? random >> (8 * (index - 6)) : more >> (8 * (index - 14))
            bytes[index] = UInt8(truncatingIfNeeded: source)
        }
        bytes[6] = 0x70 | UInt8(truncatingIfNeeded: sequence >> 8) & 0x0F  // version 7, sequence high bits
        bytes[7] = UInt8(truncatingIfNeeded: sequence)
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 4122 variant
        return UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9],
                bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            ))
    }

    /// The lower-case text form used in Inlet's API.
    public var lowercasedString: String { uuidString.lowercased() }
}
