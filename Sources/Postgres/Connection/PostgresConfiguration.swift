import CLibPQ
import Foundation

/// How to reach a PostgreSQL server: a libpq connection URL plus driver settings.
///
/// Any URL libpq understands works, including `postgres://user:pass@host:5432/db?sslmode=require` and
/// unix sockets (`postgres:///db?host=/var/run/postgresql` or `postgres://%2Ftmp/db`).
public struct PostgresConfiguration: Sendable, CustomStringConvertible {
    public var url: String
    /// Seconds libpq waits for a connection to be established (`connect_timeout`).
    public var connectTimeoutSeconds: Int
    /// Reported in `pg_stat_activity`.
    public var applicationName: String
    /// Overrides the database named in the URL (tests use throwaway databases on one server).
    public var databaseName: String?
    /// The session's `statement_timeout`: PostgreSQL cancels a statement running longer (SQLSTATE 57014,
    /// ``PostgresError/Code/queryCancelled``). `nil` keeps the server's setting. Sent as the connection's
    /// `options`, so a URL that sets `options=` itself replaces it.
    public var statementTimeoutMilliseconds: Int?

    /// Validates the URL with libpq's own parser, so a typo fails at start-up with a clear message.
    public init(
        url: String, databaseName: String? = nil, connectTimeoutSeconds: Int = 5, applicationName: String = "inlet"
    ) throws {
        var errorMessage: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(url, &errorMessage) else {
            let reason = errorMessage.map { String(cString: $0).trimmingTrailingNewlines } ?? "unparseable"
            if let errorMessage { PQfreemem(errorMessage) }
            throw PostgresError(code: .invalidConfiguration, message: "invalid database URL: \(reason)")
        }
        PQconninfoFree(options)
        self.url = url
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.applicationName = applicationName
        self.databaseName = databaseName
    }

    /// The URL with any password replaced, for logs.
    public var description: String {
        guard let schemeEnd = url.range(of: "://"), let at = url[schemeEnd.upperBound...].firstIndex(of: "@") else {
            return url
        }
        let userInfo = url[schemeEnd.upperBound..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return url }
        return String(url[..<colon]) + ":***" + String(url[at...])
    }

    /// Keyword/value pairs for `PQconnectdbParams`: defaults first, then the URL (expanded), so the URL wins.
    var connectionParameters: [(String, String)] {
        var parameters = [
            ("connect_timeout", String(connectTimeoutSeconds)),
            ("application_name", applicationName),
            ("dbname", url),
        ]
        if let statementTimeoutMilliseconds {
            parameters.insert(("options", "-c statement_timeout=\(statementTimeoutMilliseconds)"), at: 0)
        }
        if let databaseName { parameters.append(("dbname", databaseName)) }
        return parameters
    }
}
