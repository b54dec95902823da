import CLibPQ

extension PostgresRows {
    /// Rows of a statement that returned none (an empty script).
    static let empty = PostgresRows(columns: [], affectedRows: 0, storage: [], cells: [], rowCount: 0)

    /// Copies a libpq result; the caller still owns and clears it.
    init(result: OpaquePointer) {
        let rowCount = Int(PQntuples(result))
        let columnCount = Int(PQnfields(result))
        columns = (0..<columnCount).map { column in
            Column(
                name: String(cString: PQfname(result, Int32(column))),
                type: PostgresType(rawValue: PQftype(result, Int32(column))))
        }
        var storage: [UInt8] = []
        var cells: [(start: Int32, length: Int32)?] = []
        cells.reserveCapacity(rowCount * columnCount)
        for row in 0..<Int32(rowCount) {
            for column in 0..<Int32(columnCount) {
                if PQgetisnull(result, row, column) == 1 {
                    cells.append(nil)
                    continue
                }
                let length = Int(PQgetlength(result, row, column))
                let start = storage.count
                if let value = PQgetvalue(result, row, column), length > 0 {
                    value.withMemoryRebound(to: UInt8.self, capacity: length) {
                        storage.append(contentsOf: UnsafeBufferPointer(start: $0, count: length))
                    }
                }
                cells.append((Int32(start), Int32(length)))
            }
        }
        self.storage = storage
        self.cells = cells
        self.rowCount = rowCount
        self.affectedRows = Int(String(cString: PQcmdTuples(result))) ?? rowCount
    }
}
