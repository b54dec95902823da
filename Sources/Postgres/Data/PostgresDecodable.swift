import Foundation

/// A Swift type that can be read from a result column sent in PostgreSQL's binary format.
public protocol PostgresDecodable: Sendable {
    /// Decodes a non-NULL value of column type `type`.
    static func decode(from bytes: UnsafeRawBufferPointer, type: PostgresType) throws(PostgresError) -> Self
}

/// Decodes `nil` for SQL NULL; `Optional` is the only way to read a NULL without an error.
public protocol PostgresOptionalDecodable {
    associatedtype Wrapped: PostgresDecodable
    static func wrap(_ value: Wrapped?) -> Self
}

extension Optional: PostgresOptionalDecodable where Wrapped: PostgresDecodable {
    public static func wrap(_ value: Wrapped?) -> Wrapped? { value }
}

extension PostgresError {
    static func decoding(_ swiftType: Any.Type, from type: PostgresType, _ reason: String = "") -> PostgresError {
        let suffix = reason.isEmpty ? "" : ": \(reason)"
        return PostgresError(code: .decodingFailed, message: "cannot decode \(swiftType) from \(type)\(suffix)")
    }
}

extension UnsafeRawBufferPointer {
    func readBigEndian<T: FixedWidthInteger>(_: T.Type, at offset: Int = 0) -> T {
        var value: T = 0
        Swift.withUnsafeMutableBytes(of: &value) {
            $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: self[offset..<offset + MemoryLayout<T>.size]))
        }
        return T(bigEndian: value)
    }
}

extension String: PostgresDecodable {
    public static func decode(from bytes: UnsafeRawBufferPointer, type: PostgresType) throws(PostgresError) -> String {
        switch type {
        case _ where type.isText, .json:
            return String(decoding: bytes, as: UTF8.self)
        case .jsonb:
            return String(decoding: bytes.dropFirst(), as: UTF8.self)
        case .uuid:
            return try UUID.decode(from: bytes, type: type).uuidString.lowercased()
        default:
            throw .decoding(String.self, from: type)
        }
    }
}

extension Bool: PostgresDecodable {
    public static func decode(from bytes: UnsafeRawBufferPointer, type: PostgresType) throws(PostgresError) -> Bool {
        guard type == .bool, bytes.count == 1 else { throw .decoding(Bool.self, from: type) }
        return bytes[0] != 0
    }
}

extension FixedWidthInteger where Self: SignedInteger {
    /// Reads int2/int4/int8 columns, refusing values that do not fit.
    static func decodeInteger(from bytes: UnsafeRawBufferPointer, type: PostgresType) throws(PostgresError) -> Self {
        let wide: Int64
        switch (type, bytes.count) {
        case (.int2, 2): wide = Int64(bytes.readBigEndian(Int16.self))
        case (.int4, 4), (.oid, 4): wide = Int64(bytes.readBigEndian(Int32.self))
        case (.int8, 8): wide = bytes.readBigEndian(Int64.self)
        default: throw .decoding(Self.self, from: type)
        }
        guard let value = Self(exactly: wide) else { throw .decoding(Self.self, from: type, "\(wide) out of range") }
        return value
    }
}

extension Int16: PostgresDecodable {
    public static func decode(from bytes: UnsafeRawBufferPointer, type: PostgresType) throws(PostgresError) -> Int16 {
        try decodeInteger(from: bytes, type: type)
    }
}

extension Int32: PostgresDecodable {
    public static func decode(from bytes: UnsafeRawBufferPointer, type: PostgresType) throws(PostgresError) -> Int32 {
        try decodeInteger(from: bytes, type: type)
    }
}

extension Int64: PostgresDecodable {
    public static func decode(from bytes: UnsafeRawBufferPointer, type: PostgresType) throws(PostgresError) -> Int64 {
        try decodeInteger(from: bytes, type: type)
    }
}

extension Int: PostgresDecodable {
    public static func decode(from bytes: UnsafeRawBufferPointer, type: PostgresType) throws(PostgresError) -> Int {
        try decodeInteger(from: bytes, type: type)
    }
}

extension Double: PostgresDecodable {
    public static func decode(from bytes: UnsafeRawBufferPointer, type: PostgresType) throws(PostgresError) -> Double {
        switch (type, bytes.count) {
        case (.float8, 8): return Double(bitPattern: bytes.readBigEndian(UInt64.self))
        case (.float4, 4): return Double(Float(bitPattern: bytes.readBigEndian(UInt32.self)))
        case (.int2, _), (.int4, _), (.int8, _): return Double(try Int64.decodeInteger(from: bytes, type: type))
        default: throw .decoding(Double.self, from: type)
        }
    }
}

extension UUID: PostgresDecodable {
    public static func decode(from bytes: UnsafeRawBufferPointer, type: PostgresType) throws(PostgresError) -> UUID {
        guard type == .uuid, bytes.count == 16 else { throw .decoding(UUID.self, from: type) }
        var value: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        Swift.withUnsafeMutableBytes(of: &value) { $0.copyMemory(from: bytes) }
        return UUID(uuid: value)
    }
}

extension Date: PostgresDecodable {
    public static func decode(from bytes: UnsafeRawBufferPointer, type: PostgresType) throws(PostgresError) -> Date {
        guard type == .timestamptz || type == .timestamp, bytes.count == 8 else {
            throw .decoding(Date.self, from: type)
        }
        let microseconds = bytes.readBigEndian(Int64.self)
        if microseconds == .max { return .distantFuture }  // 'infinity'
        if microseconds == .min { return .distantPast }
        return Date(timeIntervalSince1970: Double(microseconds) / 1_000_000 + postgresEpochOffsetSeconds)
    }
}

extension Data: PostgresDecodable {
    public static func decode(from bytes: UnsafeRawBufferPointer, type: PostgresType) throws(PostgresError) -> Data {
        guard type == .bytea else { throw .decoding(Data.self, from: type) }
        return Data(bytes)
    }
}

extension PostgresJSON: PostgresDecodable {
    public static func decode(from bytes: UnsafeRawBufferPointer, type: PostgresType) throws(PostgresError)
        -> PostgresJSON
    {
        switch type {
        case .jsonb:
            guard bytes.first == 1 else { throw .decoding(PostgresJSON.self, from: type, "unknown jsonb version") }
            return PostgresJSON(bytes: Array(bytes.dropFirst()))
        case .json, .text:
            return PostgresJSON(bytes: Array(bytes))
        default:
            throw .decoding(PostgresJSON.self, from: type)
        }
    }
}

extension Array: PostgresDecodable where Element: PostgresDecodable {
    /// Decodes a one-dimensional array; NULL elements are an error (decode `[T?]` to allow them).
    public static func decode(from bytes: UnsafeRawBufferPointer, type: PostgresType) throws(PostgresError) -> [Element]
    {
        guard bytes.count >= 12 else { throw .decoding(Self.self, from: type, "truncated array header") }
        let dimensions = bytes.readBigEndian(Int32.self)
        let elementType = PostgresType(rawValue: bytes.readBigEndian(UInt32.self, at: 8))
        if dimensions == 0 { return [] }
        guard dimensions == 1, bytes.count >= 20 else {
            throw .decoding(Self.self, from: type, "only one-dimensional arrays are supported")
        }
        let count = Int(bytes.readBigEndian(Int32.self, at: 12))
        var offset = 20
        var result: [Element] = []
        result.reserveCapacity(count)
        for _ in 0..<count {
            guard offset + 4 <= bytes.count else { throw .decoding(Self.self, from: type, "truncated array") }
            let length = Int(bytes.readBigEndian(Int32.self, at: offset))
            offset += 4
            if length < 0 {
                guard let optional = Element.self as? any PostgresOptionalDecodable.Type else {
                    throw .decoding(Self.self, from: type, "NULL element")
                }
                result.append(optional.nullValue() as! Element)
                continue
            }
            guard offset + length <= bytes.count else { throw .decoding(Self.self, from: type, "truncated array") }
            result.append(
                try Element.decode(
                    from: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + length]), type: elementType))
            offset += length
        }
        return result
    }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public static func decode(from bytes: UnsafeRawBufferPointer, type: PostgresType) throws(PostgresError) -> Wrapped?
    {
        try Wrapped.decode(from: bytes, type: type)
    }
}

extension PostgresOptionalDecodable {
    static func nullValue() -> Self { wrap(nil) }
}
