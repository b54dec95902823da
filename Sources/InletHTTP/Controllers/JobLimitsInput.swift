import Inlet
import InletStore

/// Reads a job's limit fields (`max_concurrency`, `rate_limit`, `circuit_breaker`) from a create or update body.
/// Each is absent (keep), `null` (no limit; the breaker off) or a value, validated with a 422 naming the member.
struct JobLimitsInput {
    var maxConcurrency: Patch<Int?> = .keep
    var rateLimit: Patch<JobLimits.RateLimit?> = .keep
    var breakerThreshold: Patch<Int?> = .keep
    var breakerProbeSeconds: Patch<Int> = .keep

    init(_ reader: inout ObjectReader) {
        if let value = reader.raw("max_concurrency") {
            if value.isNull {
                maxConcurrency = .set(nil)
            } else if let count = Self.integer(value, in: JobLimits.maxConcurrencyRange) {
                maxConcurrency = .set(count)
            } else {
                reader.issue("max_concurrency", "must be null (no limit) or an integer from 1 to 100000")
            }
        }
        if let value = reader.raw("rate_limit") {
            if value.isNull {
                rateLimit = .set(nil)
            } else if let object = value.objectValue {
                var nested = ObjectReader(object, pathPrefix: reader.path("rate_limit"))
                let perSecond = nested.raw("per_second")
                let burst = nested.raw("burst")
                nested.rejectUnknownFields()
                var rate: Double?
                if let number = perSecond?.numberValue?.double, JobLimits.RateLimit.perSecondRange.contains(number) {
                    rate = number
                } else {
                    nested.issue("per_second", "is required: a number of starts per second from 0.001 to 100000")
                }
                var size: Int?
                if let burst {
                    size = Self.integer(burst, in: JobLimits.RateLimit.burstRange)
                    if size == nil { nested.issue("burst", "must be an integer from 1 to 100000") }
                }
                for issue in nested.issues { reader.issue(issue) }
                if nested.issues.isEmpty, let rate {
                    rateLimit = .set(
                        JobLimits.RateLimit(perSecond: rate, burst: size ?? max(1, Int(rate.rounded(.up)))))
                }
            } else {
                reader.issue("rate_limit", "must be null (no limit) or an object {\"per_second\", \"burst\"}")
            }
        }
        if let value = reader.raw("circuit_breaker") {
            if value.isNull {
                breakerThreshold = .set(nil)
            } else if let object = value.objectValue {
                var nested = ObjectReader(object, pathPrefix: reader.path("circuit_breaker"))
                let threshold = nested.raw("failure_threshold")
                let probe = nested.raw("probe_interval_seconds")
                nested.rejectUnknownFields()
                var count = JobLimits.defaultBreakerThreshold
                if let threshold {
                    if let value = Self.integer(threshold, in: JobLimits.breakerThresholdRange) {
                        count = value
                    } else {
                        nested.issue("failure_threshold", "must be an integer from 1 to 10000")
                    }
                }
                var seconds = JobLimits.defaultBreakerProbeSeconds
                if let probe {
                    if let value = Self.integer(probe, in: JobLimits.breakerProbeSecondsRange) {
                        seconds = value
                    } else {
                        nested.issue("probe_interval_seconds", "must be an integer from 1 to 3600")
                    }
                }
                for issue in nested.issues { reader.issue(issue) }
                if nested.issues.isEmpty {
                    breakerThreshold = .set(count)
                    breakerProbeSeconds = .set(seconds)
                }
            } else {
                reader.issue(
                    "circuit_breaker",
                    "must be null (no breaker) or an object {\"failure_threshold\", \"probe_interval_seconds\"}")
            }
        }
    }

    static func integer(_ value: JSONValue, in range: ClosedRange<Int>) -> Int? {
        guard let number = value.numberValue?.int64, number >= range.lowerBound, number <= range.upperBound else {
            return nil
        }
        return Int(number)
    }

    /// The limits of a new job of `kind`: the kind's defaults with the fields given.
    func limits(for kind: JobKind) -> JobLimits {
        var limits = JobLimits.defaults(for: kind)
        limits.maxConcurrency = maxConcurrency.applied(to: limits.maxConcurrency)
        limits.rateLimit = rateLimit.applied(to: limits.rateLimit)
        limits.breakerThreshold = breakerThreshold.applied(to: limits.breakerThreshold)
        limits.breakerProbeSeconds = breakerProbeSeconds.applied(to: limits.breakerProbeSeconds)
        return limits
    }

    func apply(to patch: inout JobPatch) {
        patch.maxConcurrency = maxConcurrency
        patch.rateLimit = rateLimit
        patch.breakerThreshold = breakerThreshold
        patch.breakerProbeSeconds = breakerProbeSeconds
    }
}

extension ObjectReader {
    /// Records an issue found by a nested reader (its path is already complete).
    mutating func issue(_ issue: ValidationIssue) {
        appendIssue(issue)
    }
}
