import ArgumentParser

/// Paging of a list command: the API answers newest first, `--limit` rows after the `--after` cursor.
struct ListOptions: ParsableArguments {
    @Option(help: "Rows per page, 1–1000 (the API's default is 100).")
    var limit: Int?

    @Option(help: ArgumentHelp("Continue after this id (the last row of the previous page).", valueName: "id"))
    var after: String?
}

extension Session {
    /// Prints a list's rows; for people, a last line tells how to get the next page when the API has one.
    func emitList<Row: Encodable>(_ rows: [Row], hasMore: Bool, lastID: String?, table: () -> Table) throws {
        try emit(rows) {
            var text = table().rendered
            if hasMore, let lastID { text += "\n(more: --after \(lastID))" }
            return text
        }
    }
}
