/// A job's `retry_policy` as JSON: parsed and validated strictly (every value is tenant-controlled), and written
/// back in one normal form with every member present.
///
/// ```json
/// {"delays_ms": [1000, 60000], "jitter": 0.2, "max_age_ms": 86400000,
///  "non_retryable_statuses": ["4xx", 501], "retryable_statuses": [408, 425, 429]}
/// {"initial_delay_ms": 1000, "max_delay_ms": 3600000, "multiplier": 2}
/// ```
extension RetryPolicy {
    /// The most entries of `delays_ms`, `non_retryable_statuses` and `retryable_statuses`.
    public static let maximumListLength = 100
    /// The longest single delay: 7 days.
    public static let delayRange: ClosedRange<Int64> = 0...604_800_000
    /// `initial_delay_ms`: 1 ms to 1 day.
    public static let initialDelayRange: ClosedRange<Int64> = 1...86_400_000
    /// `max_age_ms`: 1 s to 30 days.
    public static let maxAgeRange: ClosedRange<Int64> = 1000...2_592_000_000
    public static let multiplierRange: ClosedRange<Double> = 1...10

    static let members: Set<String> = [
        "delays_ms", "initial_delay_ms", "max_delay_ms", "multiplier", "jitter", "max_age_ms",
        "non_retryable_statuses", "retryable_statuses",
    ]

    /// Parses a `retry_policy` object; members left out take the default. `path` is the object's JSON pointer in
    /// the request, so every issue names its field.
    public init(json: JSONValue, path: String = "/retry_policy") throws(ValidationError) {
        guard let object = json.objectValue else {
            throw ValidationError(path: path, "must be an object, found \(json.typeName)")
        }
        var issues: [ValidationIssue] = []
        func issue(_ key: String, _ message: String) {
            issues.append(ValidationIssue(path: JSONPointer.append(path, key), message: message))
        }
        func milliseconds(_ key: String, _ range: ClosedRange<Int64>) -> Duration? {
            guard let value = object[key] else { return nil }
            guard let integer = value.numberValue?.int64, range.contains(integer) else {
                issue(key, "must be an integer from \(range.lowerBound) to \(range.upperBound) (milliseconds)")
                return nil
            }
            return .milliseconds(integer)
        }
        func statuses(_ key: String, classes allowed: Bool) -> (codes: Set<Int>, classes: Set<Int>)? {
            guard let value = object[key] else { return nil }
            guard let entries = value.arrayValue, entries.count <= Self.maximumListLength else {
                issue(key, "must be an array of at most \(Self.maximumListLength) statuses")
                return nil
            }
            var codes: Set<Int> = []
            var classes: Set<Int> = []
            for (index, entry) in entries.enumerated() {
                let entryPath = JSONPointer.append(JSONPointer.append(path, key), index)
                if let code = entry.numberValue?.int64, (400...599).contains(code) {
                    codes.insert(Int(code))
                } else if allowed, let text = entry.stringValue, text == "4xx" || text == "5xx" {
                    classes.insert(text == "4xx" ? 4 : 5)
                } else {
                    let expected =
                        allowed
                        ? "an HTTP status from 400 to 599, \"4xx\" or \"5xx\"" : "an HTTP status from 400 to 599"
                    issues.append(ValidationIssue(path: entryPath, message: "must be \(expected)"))
                }
            }
            return (codes, classes)
        }

        for key in object.keys where !Self.members.contains(key) { issue(key, "unknown field") }
        var schedule = Schedule.delays(Self.defaultDelays)
        if let value = object["delays_ms"] {
            if let entries = value.arrayValue, (1...Self.maximumListLength).contains(entries.count) {
                var delays: [Duration] = []
                for (index, entry) in entries.enumerated() {
                    if let integer = entry.numberValue?.int64, Self.delayRange.contains(integer) {
                        delays.append(.milliseconds(integer))
                    } else {
                        issues.append(
                            ValidationIssue(
                                path: JSONPointer.append(JSONPointer.append(path, "delays_ms"), index),
                                message: "must be an integer from 0 to \(Self.delayRange.upperBound) (milliseconds)"))
                    }
                }
                schedule = .delays(delays)
            } else {
                issue("delays_ms", "must be an array of 1 to \(Self.maximumListLength) delays in milliseconds")
            }
            for key in ["initial_delay_ms", "max_delay_ms", "multiplier"] where object[key] != nil {
                issue(key, "cannot be combined with delays_ms; give a list of delays or exponential parameters")
            }
        } else if object["initial_delay_ms"] != nil || object["max_delay_ms"] != nil || object["multiplier"] != nil {
            let initial = milliseconds("initial_delay_ms", Self.initialDelayRange) ?? .seconds(1)
            let maximum = milliseconds("max_delay_ms", Self.delayRange) ?? .seconds(3600)
            var multiplier = 2.0
            if let value = object["multiplier"] {
                if let number = value.numberValue?.double, Self.multiplierRange.contains(number) {
                    multiplier = number
                } else {
                    issue("multiplier", "must be a number from 1 to 10")
                }
            }
            if maximum < initial { issue("max_delay_ms", "must be at least initial_delay_ms") }
            schedule = .exponential(initial: initial, maximum: maximum, multiplier: multiplier)
        }
        var jitter = Self.defaultJitter
        if let value = object["jitter"] {
            if let number = value.numberValue?.double, (0...1).contains(number) {
                jitter = number
            } else {
                issue("jitter", "must be a number from 0 to 1")
            }
        }
        var maxAge: Duration?
        if let value = object["max_age_ms"], !value.isNull {
            maxAge = milliseconds("max_age_ms", Self.maxAgeRange)
        }
        let nonRetryable = statuses("non_retryable_statuses", classes: true) ?? (codes: [], classes: [4])
        let retryable = statuses("retryable_statuses", classes: false)?.codes ?? Self.defaultRetryableStatuses
        guard issues.isEmpty else { throw ValidationError("the retry policy is invalid", issues: issues) }
        self.init(
            schedule: schedule, jitter: jitter, maxAge: maxAge,
            nonRetryableStatuses: StatusRule(codes: nonRetryable.codes, classes: nonRetryable.classes),
            retryableStatuses: retryable)
    }

    /// The policy in its normal form: every member present (`max_age_ms` null when there is no limit), statuses
    /// sorted. Parsing it gives the same policy.
    public var json: JSONValue {
        var object = JSONObject()
        switch schedule {
        case .delays(let delays):
            object["delays_ms"] = .array(delays.map { .int(Self.milliseconds($0)) })
        case .exponential(let initial, let maximum, let multiplier):
            object["initial_delay_ms"] = .int(Self.milliseconds(initial))
            object["max_delay_ms"] = .int(Self.milliseconds(maximum))
            object["multiplier"] = .double(multiplier)
        }
        object["jitter"] = .double(jitter)
        object["max_age_ms"] = maxAge.map { .int(Self.milliseconds($0)) } ?? .null
        let classes = nonRetryableStatuses.classes.sorted().map { JSONValue.string("\($0)xx") }
        object["non_retryable_statuses"] = .array(
            classes + nonRetryableStatuses.codes.sorted().map { .int(Int64($0)) })
        object["retryable_statuses"] = .array(retryableStatuses.sorted().map { .int(Int64($0)) })
        return .object(object)
    }

    static func milliseconds(_ duration: Duration) -> Int64 { duration.totalNanoseconds / 1_000_000 }
}
