import Foundation
import Inlet
import InletStore
import InletTestSupport
import Synchronization
import Testing

@testable import InletWorker

/// A resolver that gives a scripted answer per call (the last one repeats) and records every host it was asked
/// about: a rebinding DNS server in a box.
final class ScriptedResolver: HostResolver {
    private let answers: [[NetworkAddress]]
    private let asked = Mutex<[String]>([])

    init(_ answers: [[String]]) {
        self.answers = answers.map { $0.map { NetworkAddress($0)! } }
    }

    var calls: [String] { asked.withLock { $0 } }

    func addresses(of host: String) async throws -> [NetworkAddress] {
        let call = asked.withLock { asked in
            asked.append(host)
            return asked.count - 1
        }
        return answers[min(call, answers.count - 1)]
    }
}

/// The worker connects to the address its SSRF guard checked, and nowhere else: no second lookup, no redirect.
@Suite struct TargetPinningTests {
    /// `url` (a receiver on 127.0.0.1) with its host replaced by `host`.
    static func url(_ url: String, host: String) throws -> String {
        var components = try #require(URLComponents(string: url))
        components.host = host
        return try #require(components.string)
    }

    @Test func theDeliveryGoesToTheCheckedAddressWhateverALaterLookupWouldSay() async throws {
        try await TestDatabase.withScratchDatabase { pool, _ in
            let fixture = try await QueueFixture(pool: pool)
            let receiver = TestReceiver()
            try await receiver.serve { url in
                // The first answer is the receiver; any later one is 127.0.0.2, where nothing listens.
                let resolver = ScriptedResolver([["127.0.0.1"], ["127.0.0.2"]])
                let target = try Self.url(url, host: "rebinding.invalid")
                let job = try await fixture.createJob(kind: "http", config: #"{"url":"\#(target)"}"#)
                let id = try await fixture.enqueue(1, of: job, maxAttempts: 1)[0]
                try await HTTPDeliveryTests().deliver(fixture, resolver: resolver) {
                    try await fixture.run(id).finished
                }

                #expect(try await fixture.run(id).status == "succeeded")
                #expect(resolver.calls == ["rebinding.invalid"])
                let request = try #require(receiver.requests.first)
                #expect(receiver.requests.count == 1)
                let port = try #require(URLComponents(string: url)?.port)
                #expect(request.headers["host"] == "rebinding.invalid:\(port)")
            }
        }
    }

    @Test func aNameWithAnyPrivateAddressIsRefusedBeforeAnyConnection() async throws {
        try await TestDatabase.withScratchDatabase { pool, _ in
            let fixture = try await QueueFixture(pool: pool)
            let receiver = TestReceiver()
            try await receiver.serve { url in
                let resolver = ScriptedResolver([["93.184.215.14", "127.0.0.1"]])
                let target = try Self.url(url, host: "mixed.invalid")
                let job = try await fixture.createJob(kind: "http", config: #"{"url":"\#(target)"}"#)
                let id = try await fixture.enqueue(1, of: job, maxAttempts: 1)[0]
                try await HTTPDeliveryTests().deliver(fixture, allowPrivateTargets: false, resolver: resolver) {
                    try await fixture.run(id).status == "dead"
                }

                #expect(receiver.requests.isEmpty)
                #expect(resolver.calls == ["mixed.invalid"])
                let error = try #require(try await fixture.attempts(id).first?.error)
                #expect(error.contains("non-public address 127.0.0.1"), "\(error)")
            }
        }
    }

    @Test func anUnreachableCheckedAddressFallsThroughToTheNextCheckedOne() async throws {
        try await TestDatabase.withScratchDatabase { pool, _ in
            let fixture = try await QueueFixture(pool: pool)
            let receiver = TestReceiver()
            try await receiver.serve { url in
                // Nothing listens on 127.0.0.2 (the receiver is bound to 127.0.0.1 only): refused at once.
                let resolver = ScriptedResolver([["127.0.0.2", "127.0.0.1"], ["127.0.0.3"]])
                let target = try Self.url(url, host: "two.invalid")
                let job = try await fixture.createJob(kind: "http", config: #"{"url":"\#(target)"}"#)
                let id = try await fixture.enqueue(1, of: job, maxAttempts: 1)[0]
                try await HTTPDeliveryTests().deliver(fixture, resolver: resolver) {
                    try await fixture.run(id).finished
                }

                #expect(try await fixture.run(id).status == "succeeded")
                #expect(receiver.requests.count == 1)
                #expect(resolver.calls == ["two.invalid"])
            }
        }
    }

    @Test func redirectsAreNotFollowed() async throws {
        try await TestDatabase.withScratchDatabase { pool, _ in
            let fixture = try await QueueFixture(pool: pool)
            let elsewhere = TestReceiver()
            try await elsewhere.serve { elsewhereURL in
                let redirecting = TestReceiver { _ in .init(status: 307, headers: ["location": elsewhereURL]) }
                try await redirecting.serve { url in
                    let job = try await fixture.createJob(kind: "http", config: #"{"url":"\#(url)"}"#)
                    let id = try await fixture.enqueue(1, of: job, maxAttempts: 1)[0]
                    try await HTTPDeliveryTests().deliver(fixture) { try await fixture.run(id).status == "dead" }

                    #expect(redirecting.requests.count == 1)
                    #expect(elsewhere.requests.isEmpty)
                    let attempt = try #require(try await fixture.attempts(id).first)
                    #expect(attempt.statusCode == 307 && attempt.error == "the target answered 307")
                }
            }
        }
    }
}
