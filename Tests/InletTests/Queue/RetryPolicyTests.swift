import InletTestSupport
import Testing

@testable import Inlet

@Suite struct RetryPolicyTests {
    @Test func theDefaultScheduleSpansMoreThanADayEvenWithJitter() {
        let policy = RetryPolicy.standard
        var shortest = Duration.zero
        var longest = Duration.zero
        var generator = SeededGenerator(seed: 7)
        for attempt in 1..<Job.defaultMaxAttempts {
            shortest += policy.nominalDelay(afterAttempt: attempt) * (1 - policy.jitter)
            longest += policy.nominalDelay(afterAttempt: attempt)
            guard
                case .retry(let delay) = policy.decision(
                    afterAttempt: attempt, status: 503, retryAfter: nil, sinceFirstAttempt: .zero, using: &generator)
            else {
                Issue.record("a 503 is retried")
                return
            }
            #expect(delay <= policy.nominalDelay(afterAttempt: attempt))
            #expect(delay >= policy.nominalDelay(afterAttempt: attempt) * (1 - policy.jitter))
        }
        #expect(shortest >= .seconds(86_400))
        #expect(longest <= .seconds(40 * 3600))
    }

    /// Full jitter (1): delays spread evenly over [0, d] rather than clustering at d; the same seed, the same delays.
    @Test func fullJitterIsRoughlyUniformAndSeeded() {
        let policy = RetryPolicy(schedule: .delays([.seconds(3600)]), jitter: 1)
        var generator = SeededGenerator(seed: 42)
        let samples = (0..<10_000).map { _ in
            policy.jittered(policy.nominalDelay(afterAttempt: 1), using: &generator) / .seconds(3600)
        }
        #expect(abs(samples.reduce(0, +) / Double(samples.count) - 0.5) < 0.02)
        var buckets = [Int](repeating: 0, count: 10)
        for sample in samples { buckets[min(Int(sample * 10), 9)] += 1 }
        for count in buckets { #expect((850...1150).contains(count), "\(buckets)") }
        var first = SeededGenerator(seed: 7)
        var second = SeededGenerator(seed: 7)
        #expect(
            (1...10).map { _ in policy.jittered(.seconds(60), using: &first) }
                == (1...10).map { _ in policy.jittered(.seconds(60), using: &second) })
    }

    @Test func listsRepeatTheirLastDelay() {
        let policy = RetryPolicy(schedule: .delays([.seconds(1), .seconds(5)]), jitter: 0)
        #expect(policy.nominalDelay(afterAttempt: 0) == .seconds(1))
        #expect(policy.nominalDelay(afterAttempt: 2) == .seconds(5))
        #expect(policy.nominalDelay(afterAttempt: 50) == .seconds(5))
    }

    @Test func exponentialParametersGrowToTheirCapWithoutOverflow() {
        let policy = RetryPolicy(
            schedule: .exponential(initial: .milliseconds(100), maximum: .seconds(10), multiplier: 3), jitter: 0)
        #expect(policy.nominalDelay(afterAttempt: 1) == .milliseconds(100))
        #expect(policy.nominalDelay(afterAttempt: 3) == .milliseconds(900))
        #expect(policy.nominalDelay(afterAttempt: 10) == .seconds(10))
        #expect(policy.nominalDelay(afterAttempt: Int.max) == .seconds(10))
    }

    @Test(arguments: [400, 401, 403, 404, 410, 422, 499])
    func clientErrorsAreNotRetriedByDefault(_ status: Int) {
        var generator = SeededGenerator(seed: 1)
        #expect(
            RetryPolicy.standard.decision(
                afterAttempt: 1, status: status, retryAfter: nil, sinceFirstAttempt: .zero, using: &generator)
                == .giveUp(.nonRetryableStatus))
    }

    @Test(arguments: [408, 425, 429, 500, 502, 503, 504])
    func timeoutsThrottlingAndServerErrorsAreRetried(_ status: Int) {
        #expect(RetryPolicy.standard.isRetryable(status: status))
    }

    @Test func retryAfterIsHonouredUpToTheLongestDelay() {
        let policy = RetryPolicy(schedule: .delays([.seconds(1), .seconds(30)]), jitter: 0)
        var generator = SeededGenerator(seed: 2)
        #expect(
            policy.decision(
                afterAttempt: 1, status: 429, retryAfter: RetryAfter(delay: .seconds(20)), sinceFirstAttempt: .zero,
                using: &generator) == .retry(after: .seconds(20)))
        #expect(
            policy.decision(
                afterAttempt: 1, status: 503, retryAfter: RetryAfter(delay: .seconds(86_400)),
                sinceFirstAttempt: .zero, using: &generator) == .retry(after: .seconds(30)))
    }

    @Test func aRetryPastTheMaximumAgeEndsTheRun() {
        let policy = RetryPolicy(schedule: .delays([.seconds(60)]), jitter: 0, maxAge: .seconds(100))
        var generator = SeededGenerator(seed: 3)
        #expect(
            policy.decision(
                afterAttempt: 1, status: 500, retryAfter: nil, sinceFirstAttempt: .seconds(30), using: &generator)
                == .retry(after: .seconds(60)))
        #expect(
            policy.decision(
                afterAttempt: 2, status: 500, retryAfter: nil, sinceFirstAttempt: .seconds(50), using: &generator)
                == .giveUp(.maxAgeExceeded))
    }

    @Test func parsesAndWritesBackItsNormalForm() throws {
        let policy = try RetryPolicy(
            json: [
                "delays_ms": [1000, 60000], "jitter": 0, "max_age_ms": 3_600_000,
                "non_retryable_statuses": ["5xx", 404], "retryable_statuses": [503],
            ])
        #expect(policy.schedule == .delays([.seconds(1), .seconds(60)]))
        #expect(policy.maxAge == .seconds(3600))
        #expect(!policy.isRetryable(status: 500) && policy.isRetryable(status: 503))
        #expect(!policy.isRetryable(status: 404) && policy.isRetryable(status: 400))
        #expect(try RetryPolicy(json: policy.json) == policy)
        #expect(try RetryPolicy(json: RetryPolicy.standard.json) == RetryPolicy.standard)
        #expect(try RetryPolicy(json: [:]) == RetryPolicy.standard)
        let exponential = try RetryPolicy(json: ["initial_delay_ms": 500, "max_delay_ms": 5000])
        #expect(exponential.schedule == .exponential(initial: .milliseconds(500), maximum: .seconds(5), multiplier: 2))
        #expect(try RetryPolicy(json: exponential.json) == exponential)
    }

    struct Nonsense: Sendable, CustomTestStringConvertible {
        let json: JSONValue
        let path: String
        var testDescription: String { "\(json) → \(path)" }
    }

    static let nonsense: [Nonsense] = [
        Nonsense(json: ["delays_ms": []], path: "/retry_policy/delays_ms"),
        Nonsense(json: ["delays_ms": [1000, -1]], path: "/retry_policy/delays_ms/1"),
        Nonsense(json: ["delays_ms": [1000, 604_800_001]], path: "/retry_policy/delays_ms/1"),
        Nonsense(json: ["delays_ms": .array([JSONValue](repeating: 1, count: 101))], path: "/retry_policy/delays_ms"),
        Nonsense(json: ["delays_ms": [1], "initial_delay_ms": 5], path: "/retry_policy/initial_delay_ms"),
        Nonsense(json: ["initial_delay_ms": 5000, "max_delay_ms": 10], path: "/retry_policy/max_delay_ms"),
        Nonsense(json: ["multiplier": 11], path: "/retry_policy/multiplier"),
        Nonsense(json: ["jitter": 1.5], path: "/retry_policy/jitter"),
        Nonsense(json: ["max_age_ms": 10], path: "/retry_policy/max_age_ms"),
        Nonsense(json: ["non_retryable_statuses": ["3xx"]], path: "/retry_policy/non_retryable_statuses/0"),
        Nonsense(json: ["retryable_statuses": ["4xx"]], path: "/retry_policy/retryable_statuses/0"),
        Nonsense(json: ["retryable_statuses": 429], path: "/retry_policy/retryable_statuses"),
        Nonsense(json: ["tries": 3], path: "/retry_policy/tries"),
    ]

    @Test(arguments: nonsense)
    func nonsenseIsRefusedNamingTheField(_ case: Nonsense) {
        var paths: [String] = []
        do {
            _ = try RetryPolicy(json: `case`.json)
        } catch {
            paths = error.issues.map(\.path)
        }
        #expect(paths.contains(`case`.path), "\(paths)")
    }
}
