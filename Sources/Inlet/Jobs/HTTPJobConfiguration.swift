import Foundation

/// The `config` of an `http` job: where and how the worker delivers each run.
///
/// `{"url": "https://…", "method": "POST", "headers": {"authorization": "Bearer …"}, "timeout_ms": 10000}`
///
/// The headers are secrets: they are stored sealed, apart from the rest of the config (``storedJSON`` leaves them
/// out), and the API shows their names only.
public struct HTTPJobConfiguration: Sendable, Equatable {
    public var url: URL
    public var method: String
    public var headers: HTTPJobHeaders
    public var timeoutMilliseconds: Int

    public static let allowedMethods: Set<String> = ["POST", "PUT", "PATCH"]
    public static let defaultTimeoutMilliseconds = 10_000
    public static let maximumTimeoutMilliseconds = 300_000
    /// Headers the worker sets itself and a job may not override.
    static let reservedHeaders: Set<String> = [
        "host", "content-length", "content-type", "transfer-encoding", "connection", "upgrade", "te", "trailer",
        "webhook-id", "webhook-timestamp", "webhook-signature", "keep-alive", "proxy-connection", "expect",
    ]

    /// Validates a job's `config`. `allowPrivateTargets` lifts the SSRF guard on literal addresses and
    /// `localhost` (the worker checks resolved addresses again at delivery time). Issue paths are relative to
    /// `pathPrefix` (e.g. `/config`).
    public init(config: JSONValue, allowPrivateTargets: Bool, pathPrefix: String = "/config") throws(ValidationError) {
        guard let object = config.objectValue else {
            throw ValidationError(path: pathPrefix, "an http job's config must be an object with a \"url\"")
        }
        var issues: [ValidationIssue] = []
        func issue(_ field: String, _ message: String) {
            issues.append(ValidationIssue(path: JSONPointer.append(pathPrefix, field), message: message))
        }
        for key in object.keys where !["url", "method", "headers", "timeout_ms"].contains(key) {
            if key == "header_names" {
                issue(key, "is read-only (responses list the header names); send headers to set them")
            } else {
                issue(key, "unknown field; allowed are url, method, headers, timeout_ms")
            }
        }
        var parsedURL: URL?
        if let text = object["url"]?.stringValue {
            if let problem = Self.problem(withURL: text, allowPrivateTargets: allowPrivateTargets) {
                issue("url", problem)
            } else {
                parsedURL = URL(string: text)
            }
        } else {
            issue("url", object["url"] == nil ? "is required" : "must be a string")
        }
        var method = "POST"
        if let value = object["method"] {
            if let text = value.stringValue, Self.allowedMethods.contains(text.uppercased()) {
                method = text.uppercased()
            } else {
                issue("method", "must be one of POST, PUT, PATCH")
            }
        }
        var headers: [(name: String, value: String)] = []
        if let value = object["headers"] {
            if let members = value.objectValue {
                for (name, headerValue) in members {
                    let headerPath = JSONPointer.append(JSONPointer.append(pathPrefix, "headers"), name)
                    guard Self.isToken(name) else {
                        issues.append(ValidationIssue(path: headerPath, message: "is not a valid header name"))
                        continue
                    }
                    guard !Self.reservedHeaders.contains(name.lowercased()) else {
                        issues.append(
                            ValidationIssue(path: headerPath, message: "is set by Inlet and cannot be overridden"))
                        continue
                    }
                    guard let text = headerValue.stringValue,
                        !text.utf8.contains(where: { $0 == 10 || $0 == 13 || $0 == 0 }),
                        text.utf8.count <= 4096
                    else {
                        issues.append(ValidationIssue(path: headerPath, message: "must be a single-line string"))
                        continue
                    }
                    headers.append((name, text))
                }
                if members.count > 50 { issue("headers", "at most 50 headers") }
            } else {
                issue("headers", "must be an object of header names to string values")
            }
        }
        var timeout = Self.defaultTimeoutMilliseconds
        if let value = object["timeout_ms"] {
            if let number = value.numberValue?.int64, number >= 1, number <= Int64(Self.maximumTimeoutMilliseconds) {
                timeout = Int(number)
            } else {
                issue("timeout_ms", "must be an integer from 1 to \(Self.maximumTimeoutMilliseconds)")
            }
        }
        guard issues.isEmpty, let parsedURL else { throw ValidationError("invalid http job config", issues: issues) }
        self.url = parsedURL
        self.method = method
        self.headers = HTTPJobHeaders(headers)
        self.timeoutMilliseconds = timeout
    }

    /// The config as stored in `jobs.config`, with defaults filled in and without the headers (they are sealed
    /// into a column of their own).
    public var storedJSON: JSONValue {
        .object(
            JSONObject([
                ("url", .string(url.absoluteString)), ("method", .string(method)),
                ("timeout_ms", .int(Int64(timeoutMilliseconds))),
            ]))
    }

    /// Why `text` is not an acceptable delivery URL, or `nil` when it is.
    public static func problem(withURL text: String, allowPrivateTargets: Bool) -> String? {
        guard text.utf8.count <= 2048 else { return "must be at most 2048 characters" }
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https"
        else { return "must be an absolute http or https URL" }
        guard let host = components.host, !host.isEmpty else { return "must name a host" }
        guard components.user == nil, components.password == nil else { return "must not contain credentials" }
        guard URL(string: text) != nil else { return "is not a valid URL" }
        if allowPrivateTargets { return nil }
        let lowered = host.lowercased()
        if lowered == "localhost" || lowered.hasSuffix(".localhost") {
            return "must not point at localhost (set INLET_ALLOW_PRIVATE_TARGETS=true to allow private targets)"
        }
        if let address = NetworkAddress(lowered), !address.isPublic {
            return "must not point at a private, loopback or link-local address "
                + "(set INLET_ALLOW_PRIVATE_TARGETS=true to allow private targets)"
        }
        return nil
    }

    static func isToken(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 128
            && name.utf8.allSatisfy { byte in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                    || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || "!#$%&'*+-.^_`|~".utf8.contains(byte)
            }
    }
}
