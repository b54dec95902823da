import ArgumentParser
import Foundation
import Inlet

/// Filter matching and schema validation throughput on one thread, JSON parsing of each event included.
struct FilterBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "filters", abstract: "Events/s through the filter engine and the JSON Schema validator.")

    @Option(help: "Seconds per scenario.") var seconds: Double = 2
    @Option(help: "Run only these scenarios (comma-separated names).") var only: String?
    @Option(
        help: """
            Run each scenario exactly this many times without warm-up instead of timing it (for instruction counts \
            or CPU time: difference two runs, or toggle callgrind collection on 'runIterations').
            """)
    var iterations: Int?

    func run() throws {
        let event = Self.event(type: "order.created.0")
        let bytes = Array(event.serialized().utf8)
        for count in [1, 100, 1_000, 10_000] where wants("exact-\(count)") {
            let set = CompiledFilterSet(
                (0..<count).map { index in
                    (id: index, pattern: try! FilterPattern(["detail": ["type": [.string("order.created.\(index)")]]]))
                })
            report("exact-\(count)", measure { (try? set.matches(json: bytes))?.count == 1 })
        }
        if wants("tree-exact-1") {
            let set = CompiledFilterSet([(id: 0, pattern: try FilterPattern(["detail": ["type": ["order.created.0"]]]))]
            )
            report("tree-exact-1", measure { set.matches(try! JSONValue(parsing: bytes)).count == 1 })
        }
        if wants("mixed-100") {
            let mixed = CompiledFilterSet(
                Self.mixedPatterns(100).enumerated().map { (id: $0.offset, pattern: $0.element) })
            let viaTree = mixed.matches(try JSONValue(parsing: bytes))
            let viaBytes = try mixed.matches(json: bytes)
            precondition(viaBytes == viaTree && !viaTree.isEmpty, "byte and tree paths differ")
            report("mixed-100", measure { (try? mixed.matches(json: bytes))?.count == viaTree.count })
        }
        if wants("tree-mixed-100") {
            let mixed = CompiledFilterSet(
                Self.mixedPatterns(100).enumerated().map { (id: $0.offset, pattern: $0.element) })
            report("tree-mixed-100", measure { !mixed.matches(try! JSONValue(parsing: bytes)).isEmpty || true })
        }
        if wants("schema-push") {
            let schema = try JSONSchema(Self.pushSchema)
            let push = Array(Self.pushPayload.serialized().utf8)
            report("schema-push", measure { schema.isValid(try! JSONValue(parsing: push)) })
        }
        if wants("parse-only") {
            report("parse-only", measure { (try? JSONValue(parsing: bytes)) != nil })
        }
        let push = Array(Self.pushPayload.serialized().utf8)
        FileHandle.standardError.write(
            "event size \(bytes.count) bytes, push payload \(push.count) bytes\n".data(using: .utf8)!)
    }

    private func wants(_ scenario: String) -> Bool {
        only.map { $0.split(separator: ",").contains(Substring(scenario)) } ?? true
    }

    /// Calls `body` for `seconds` and returns calls per second; every call must return `true`.
    func measure(_ body: () -> Bool) -> Double {
        if let iterations {
            Self.runIterations(iterations, body)
            return Double(iterations)
        }
        for _ in 0..<1_000 { precondition(body(), "the benchmark scenario does not do what it claims") }
        let clock = ContinuousClock()
        var count = 0
        let started = clock.now
        let deadline = started.advanced(by: .milliseconds(Int64(seconds * 1000)))
        while clock.now < deadline {
            for _ in 0..<256 { precondition(body()) }
            count += 256
        }
        let elapsed = started.duration(to: clock.now)
        return Double(count) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    /// Kept out of line so that callgrind can count exactly the instructions of the measured calls.
    @inline(never)
    static func runIterations(_ iterations: Int, _ body: () -> Bool) {
        for _ in 0..<iterations { precondition(body(), "the benchmark scenario does not do what it claims") }
    }

    func report(_ scenario: String, _ perSecond: Double) {
        print(
            #"{"scenario":"\#(scenario)","per_second":\#(Int(perSecond)),"microseconds":\#(String(format: "%.2f", 1e6 / perSecond))}"#
        )
    }

    /// A ~1 KiB event shaped like a commerce webhook.
    static func event(type: String) -> JSONValue {
        [
            "version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718", "source": "shop.orders",
            "account": "123456789012", "time": "2026-11-26T15:37:07Z", "region": "eu-west-1",
            "resources": ["arn:shop:orders/4711", "arn:shop:customers/99"],
            "detail": [
                "type": .string(type), "amount": 129.95, "currency": "EUR", "ip": "203.0.113.42",
                "customer": ["id": "cus_9f8e7d", "email": "ana@example.com", "tier": "gold", "country": "PT"],
                "items": [
                    ["sku": "SKU-D7DLPJQP", "qty": 2, "price": 19.99, "tags": ["gift", "fragile"]],
                    ["sku": "SKU-U4FQCPHP", "qty": 1, "price": 89.97, "tags": ["express"]],
                ],
                "shipping": [
                    "method": "express",
                    "address": ["city": "Lisboa", "postcode": "1100-148", "line": "Rua Augusta 1"],
                ],
                "notes": "Leave the parcel with the neighbour at number 3 if nobody answers the door; thank you!",
                "gift_message":
                    "Happy birthday, Rita! With love from all of us in Porto, see you at Christmas. Enjoy the books and the tea.",
                "campaign": [
                    "source": "newsletter", "medium": "email", "name": "autumn-sale-2026", "coupon": "AUTUMN15",
                ],
                "flags": ["priority": true, "test": false, "retries": 0],
            ],
        ]
    }

    /// 100 patterns spreading every operator over the event's fields.
    static func mixedPatterns(_ count: Int) -> [FilterPattern] {
        let templates: [(Int) -> JSONValue] = [
            { ["detail": ["type": [["prefix": .string("order.\($0 % 7)")]]]] },
            { ["detail": ["currency": [["equals-ignore-case": .string($0 % 2 == 0 ? "eur" : "usd")]]]] },
            { ["detail": ["amount": [["numeric": [">", .int(Int64($0)), "<=", 1000]]]]] },
            {
                [
                    "detail": [
                        "customer": ["email": [["suffix": .string($0 % 3 == 0 ? "@example.com" : "@example.org")]]]
                    ]
                ]
            },
            { ["detail": ["customer": ["tier": [["anything-but": [.string("bronze-\($0)"), "silver"]]]]]] },
            { ["detail": ["ip": [["cidr": .string("203.0.\($0 % 255).0/24")]]]] },
            { ["detail": ["items": ["sku": [["wildcard": .string("SKU-*\($0 % 10)*")]]]]] },
            { ["detail": ["flags": ["priority": [.bool($0 % 2 == 0)]], "shipping": ["method": [["exists": true]]]]] },
            {
                [
                    "source": ["shop.orders"],
                    "$or": [
                        ["region": [.string("eu-west-\($0 % 3)")]],
                        ["detail": ["items": ["qty": [["numeric": [">=", 2]]]]]],
                    ],
                ]
            },
            { ["detail": ["customer": ["country": [["anything-but": ["prefix": .string("U\($0 % 5)")]]]]]] },
        ]
        return (0..<count).map { try! FilterPattern(templates[$0 % templates.count]($0)) }
    }

    /// A realistic webhook schema: the shape of a GitHub push payload.
    static let pushSchema: JSONValue = [
        "type": "object", "required": ["ref", "before", "after", "repository", "pusher", "commits"],
        "properties": [
            "ref": ["type": "string", "pattern": "^refs/(heads|tags)/.+$"],
            "before": ["type": "string", "pattern": "^[0-9a-f]{40}$"],
            "after": ["type": "string", "pattern": "^[0-9a-f]{40}$"],
            "repository": [
                "type": "object", "required": ["id", "full_name", "private"],
                "properties": [
                    "id": ["type": "integer"], "full_name": ["type": "string", "minLength": 3],
                    "private": ["type": "boolean"],
                ],
            ],
            "pusher": [
                "type": "object", "required": ["name"],
                "properties": ["name": ["type": "string"], "email": ["type": ["string", "null"]]],
            ],
            "commits": [
                "type": "array", "maxItems": 2048,
                "items": [
                    "type": "object", "required": ["id", "message", "timestamp"],
                    "properties": [
                        "id": ["type": "string"], "message": ["type": "string"],
                        "timestamp": ["type": "string", "format": "date-time"],
                        "added": ["type": "array", "items": ["type": "string"]],
                    ],
                ],
            ],
        ],
    ]

    static let pushPayload: JSONValue = [
        "ref": "refs/heads/main", "before": "6113728f27ae82c7b1a177c8d03f9e96e0adf246",
        "after": "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c",
        "repository": ["id": 1296269, "full_name": "octocat/Hello-World", "private": false],
        "pusher": ["name": "octocat", "email": "octocat@github.com"],
        "commits": [
            [
                "id": "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c", "message": "Update README",
                "timestamp": "2026-11-26T15:37:07Z", "added": ["README.md"],
            ],
            [
                "id": "6113728f27ae82c7b1a177c8d03f9e96e0adf246", "message": "Fix typo",
                "timestamp": "2026-11-26T15:36:07Z", "added": [],
            ],
        ],
    ]
}
