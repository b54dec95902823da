import InletTestSupport
import Testing

@testable import Inlet

@Suite struct RetryBackoffTests {
    let backoff = RetryBackoff.standard

    @Test func upperBoundDoublesFromOneSecondUpToOneHour() {
        let expected: [Int64] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 3600, 3600]
        for (index, seconds) in expected.enumerated() {
            #expect(backoff.upperBound(afterAttempt: index + 1) == .seconds(seconds), "attempt \(index + 1)")
        }
    }

    @Test(arguments: [0, -1, Int.min])
    func attemptsBelowOneCountAsTheFirst(_ attempt: Int) {
        #expect(backoff.upperBound(afterAttempt: attempt) == .seconds(1))
    }

    @Test(arguments: [14, 30, 62, 63, 64, 100, 1_000_000, Int.max])
    func largeAttemptsStayAtTheCapWithoutOverflow(_ attempt: Int) {
        #expect(backoff.upperBound(afterAttempt: attempt) == .seconds(3600))
        var generator = SeededGenerator(seed: UInt64(truncatingIfNeeded: attempt))
        let delay = backoff.delay(afterAttempt: attempt, using: &generator)
        #expect(delay >= .zero && delay <= .seconds(3600))
    }

    @Test func customPolicies() {
        let fast = RetryBackoff(base: .milliseconds(100), maximum: .seconds(5))
        #expect(fast.upperBound(afterAttempt: 1) == .milliseconds(100))
        #expect(fast.upperBound(afterAttempt: 4) == .milliseconds(800))
        #expect(fast.upperBound(afterAttempt: 7) == .seconds(5))
        #expect(RetryBackoff(base: .seconds(10), maximum: .seconds(3)).upperBound(afterAttempt: 1) == .seconds(3))
        #expect(RetryBackoff(base: .zero).upperBound(afterAttempt: 5) == .zero)
    }

    @Test func delaysStayWithinTheirBound() {
        var generator = SeededGenerator(seed: 1)
        for attempt in 1...20 {
            let bound = backoff.upperBound(afterAttempt: attempt)
            for _ in 0..<200 {
                let delay = backoff.delay(afterAttempt: attempt, using: &generator)
                #expect(delay >= .zero && delay <= bound)
            }
        }
    }

    /// Full jitter: delays spread evenly over [0, bound] rather than clustering at the bound.
    @Test func jitterIsRoughlyUniform() {
        var generator = SeededGenerator(seed: 42)
        let samples = (0..<10_000).map { _ in backoff.delay(afterAttempt: 20, using: &generator) / .seconds(3600) }
        let mean = samples.reduce(0, +) / Double(samples.count)
        #expect(abs(mean - 0.5) < 0.02)
        var buckets = [Int](repeating: 0, count: 10)
        for sample in samples {
            buckets[min(Int(sample * 10), 9)] += 1
        }
        for count in buckets {
            #expect((850...1150).contains(count), "\(buckets)")
        }
        #expect(samples.contains { $0 < 0.01 } && samples.contains { $0 > 0.99 })
    }

    @Test func sameSeedSameDelays() {
        var first = SeededGenerator(seed: 7)
        var second = SeededGenerator(seed: 7)
        let a = (1...10).map { backoff.delay(afterAttempt: $0, using: &first) }
        let b = (1...10).map { backoff.delay(afterAttempt: $0, using: &second) }
        #expect(a == b)
    }

    @Test func retryAfterReplacesTheJitterAndIsCapped() {
        var generator = SeededGenerator(seed: 3)
        #expect(
            backoff.delay(afterAttempt: 1, retryAfter: RetryAfter(delay: .seconds(120)), using: &generator)
                == .seconds(120))
        #expect(
            backoff.delay(afterAttempt: 1, retryAfter: RetryAfter(delay: .seconds(86_400)), using: &generator)
                == .seconds(3600))
        #expect(backoff.delay(afterAttempt: 3, retryAfter: nil, using: &generator) <= .seconds(4))
    }
}
