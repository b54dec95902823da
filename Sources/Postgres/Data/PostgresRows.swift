/// The rows a statement returned, copied out of libpq's result so it can be freed at once.
public struct PostgresRows: Sendable, RandomAccessCollection {
    public struct Column: Sendable {
        public let name: String
        public let type: PostgresType
    }

    public let columns: [Column]
    /// Rows affected by an INSERT/UPDATE/DELETE (`PQcmdTuples`), or the row count of a SELECT.
    public let affectedRows: Int
    let storage: [UInt8]
    /// Per cell: start offset in `storage` and length, or `nil` for SQL NULL; row-major.
    let cells: [(start: Int32, length: Int32)?]
    let rowCount: Int

    public var startIndex: Int { 0 }
    public var endIndex: Int { rowCount }
    public subscript(position: Int) -> PostgresRow { PostgresRow(rows: self, index: position) }

    func columnIndex(named name: String) -> Int? { columns.firstIndex { $0.name == name } }
}

/// One row of ``PostgresRows``; decode columns by position or name.
public struct PostgresRow: Sendable {
    let rows: PostgresRows
    let index: Int

    /// How many columns the row has.
    public var columnCount: Int { rows.columns.count }

    /// Decodes column `column`. Use an `Optional` type to read NULLs.
    public func decode<T: PostgresDecodable>(_: T.Type = T.self, at column: Int) throws(PostgresError) -> T {
        guard column >= 0, column < rows.columns.count else {
            throw PostgresError(code: .decodingFailed, message: "column index \(column) out of range")
        }
        let type = rows.columns[column].type
        guard let cell = rows.cells[index * rows.columns.count + column] else {
            if let optional = T.self as? any PostgresOptionalDecodable.Type { return optional.nullValue() as! T }
            throw PostgresError(
                code: .decodingFailed, message: "column \"\(rows.columns[column].name)\" is NULL; decode \(T.self)?")
        }
        let result = rows.storage.withUnsafeBytes { buffer in
            let start = Int(cell.start)
            let slice = UnsafeRawBufferPointer(rebasing: buffer[start..<start + Int(cell.length)])
            return Result { () throws(PostgresError) in try T.decode(from: slice, type: type) }
        }
        return try result.get()
    }

    /// Decodes the column called `name`.
    public func decode<T: PostgresDecodable>(_: T.Type = T.self, column name: String) throws(PostgresError) -> T {
        guard let column = rows.columnIndex(named: name) else {
            throw PostgresError(code: .decodingFailed, message: "no column named \"\(name)\"")
        }
        return try decode(T.self, at: column)
    }

    /// Whether column `column` is SQL NULL.
    public func isNull(at column: Int) -> Bool { rows.cells[index * rows.columns.count + column] == nil }
}
