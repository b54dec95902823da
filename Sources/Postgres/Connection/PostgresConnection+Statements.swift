import CLibPQ
import Foundation

/// Sending statements and collecting their results with libpq's non-blocking API. Every function here runs on
/// the calling task and only suspends (on the reactor), never blocks.
extension PostgresConnection {
    /// Runs a prepared statement with binary parameters and results, preparing it first on its first use.
    func executePrepared(
        _ sql: String, _ bindings: [any PostgresEncodable]
    ) async throws(PostgresError) -> PostgresRows {
        let types = bindings.map { type(of: $0).postgresType.rawValue }
        let name = try await preparedStatementName(sql: sql, types: types)
        var buffer: [UInt8] = []
        var ranges: [Range<Int>?] = []
        ranges.reserveCapacity(bindings.count)
        for binding in bindings {
            if binding.isNull {
                ranges.append(nil)
                continue
            }
            let start = buffer.count
            binding.encode(into: &buffer)
            ranges.append(start..<buffer.count)
        }
        let lengths = ranges.map { Int32($0?.count ?? 0) }
        let formats = [Int32](repeating: 1, count: bindings.count)
        return try await roundTrip {
            // libpq copies the parameters into its output buffer before PQsendQueryPrepared returns.
            buffer.withUnsafeBufferPointer { bytes in
                let base = UnsafeRawPointer(bytes.baseAddress ?? UnsafePointer(bitPattern: 1)!)
                let values: [UnsafePointer<CChar>?] = ranges.map { range in
                    range.map { (base + $0.lowerBound).assumingMemoryBound(to: CChar.self) }
                }
                return PQsendQueryPrepared(handle, name, Int32(bindings.count), values, lengths, formats, 1)
            }
        }
    }

    private func preparedStatementName(sql: String, types: [UInt32]) async throws(PostgresError) -> String {
        let key = StatementKey(sql: sql, types: types)
        if let name = statements[key] { return name }
        if statements.count >= Self.statementCacheLimit {
            _ = try await executeScript("DEALLOCATE ALL")
            statements.removeAll()
        }
        let name = "inlet_\(statements.count)_\(UInt32.random(in: 0...UInt32.max))"
        _ = try await roundTrip { PQsendPrepare(handle, name, sql, Int32(types.count), types) }
        statements[key] = name
        return name
    }

    /// Runs a script of statements without parameters; returns the rows of the last one.
    @discardableResult
    func executeScript(_ script: String) async throws(PostgresError) -> PostgresRows {
        try await roundTrip { PQsendQuery(handle, script) }
    }

    /// Sends with `send` (a `PQsend…` call) and collects the results, unless the call was cancelled first.
    private func roundTrip(_ send: () -> Int32) async throws(PostgresError) -> PostgresRows {
        guard currentCall?.beginRoundTrip() ?? true else {
            throw PostgresError(code: .queryCancelled, message: "cancelled before the statement was sent")
        }
        let result: Result<PostgresRows, PostgresError>
        if send() == 1 {
            do throws(PostgresError) {
                result = .success(try await collectResults())
            } catch {
                result = .failure(error)
            }
        } else {
            result = .failure(PostgresError.connectionError(handle, fallback: "could not send the statement"))
        }
        await currentCall?.endRoundTrip()
        return try result.get()
    }

    /// Sends what libpq buffered, then reads every result of what was sent until libpq reports the end.
    /// Returns the rows of the last result or throws the first error (as `PQexec` does); either way the
    /// connection is left idle, unless it was lost.
    private func collectResults() async throws(PostgresError) -> PostgresRows {
        // Whether input was read since the reactor last reported the socket: then more may be pending that no
        // new readiness report will announce.
        var readSinceReport = try await flush()
        var firstError: PostgresError?
        var rows = PostgresRows.empty
        while true {
            while PQisBusy(handle) == 1 {
                if !(readSinceReport && socketIsReadable()) {
                    do throws(PostgresError) {
                        try await waitForSocket()
                    } catch {
                        // The pool shut down under a running statement: stop it on the server too.
                        if error.code == .poolClosed { sendCancelRequest() }
                        throw firstError ?? error
                    }
                }
                guard PQconsumeInput(handle) == 1 else {
                    throw firstError ?? PostgresError.connectionError(handle, fallback: "connection lost")
                }
                readSinceReport = true
            }
            guard let result = PQgetResult(handle) else { break }
            defer { PQclear(result) }
            switch PQresultStatus(result) {
            case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
                if firstError == nil { rows = PostgresRows(result: result) }
            case PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_COPY_BOTH:
                // libpq would report the copy state forever; the connection is unusable and will be discarded.
                throw firstError
                    ?? PostgresError(code: .other, message: "COPY is not supported by this driver")
            default:
                if firstError == nil { firstError = PostgresError.from(result: result, connection: handle) }
            }
        }
        if let firstError { throw firstError }
        return rows
    }

    /// Sends libpq's output buffer, waiting for the socket to accept more when it is full. Input is read
    /// meanwhile, as libpq asks, so a server blocked on writing to us cannot deadlock the exchange. Returns
    /// whether input was read.
    private func flush() async throws(PostgresError) -> Bool {
        var readInput = false
        while true {
            switch PQflush(handle) {
            case 0:
                return readInput
            case 1:
                // PQflush found the socket full, so freed space will be reported.
                try await waitForSocket()
                guard PQconsumeInput(handle) == 1 else {
                    throw PostgresError.connectionError(handle, fallback: "connection lost")
                }
                readInput = true
            default:
                throw PostgresError.connectionError(handle, fallback: "could not send the statement")
            }
        }
    }

    private func waitForSocket() async throws(PostgresError) {
        // libpq closes the socket when it sees the connection fail; its number may then belong to another
        // connection already.
        guard PQsocket(handle) == registration.socket else {
            throw PostgresError.connectionError(handle, fallback: "connection lost")
        }
        try await reactor.wait(for: registration)
    }

    /// Whether input is pending on the socket right now (a `poll` that does not wait).
    private func socketIsReadable() -> Bool {
        let socket = PQsocket(handle)
        guard socket == registration.socket else { return true }  // closed: reading reports the failure
        var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, 0) > 0
    }
}
