import Foundation
import Inlet
import Testing

@testable import InletStore

/// The route cache's bounds: per project in entries, overall in estimated bytes, least recently used first.
@Suite struct RouteTableTests {
    static func route(_ projectID: UUID, schema: JSONValue = [:]) throws -> SourceRoute {
        let source = EventSource(
            id: UUID(), projectID: projectID, name: "s", description: nil, schema: schema, enabled: true,
            signatureScheme: nil, signatureHeader: nil, signatureAlgorithm: .hmacSHA256, signatureEncoding: .hex,
            idempotencyHeader: nil, version: 1, createdAt: Date(), updatedAt: Date())
        return try SourceRoute(source: source, subscriptions: [])
    }

    static func key(_ projectID: UUID, _ name: String) -> RouteTable.Key {
        RouteTable.Key(projectID: projectID, reference: .nameOrID(name))
    }

    @Test func oneProjectChurningReferencesEvictsOnlyItsOwnEntries() throws {
        var table = RouteTable(byteLimit: .max, projectLimit: 8)
        let (hostile, quiet) = (UUID(), UUID())
        for name in ["a", "b", "c"] { table.insert(try Self.route(quiet), for: Self.key(quiet, name)) }
        for index in 0..<1_000 { table.insert(try Self.route(hostile), for: Self.key(hostile, "\(index)")) }
        #expect(table.count(of: hostile) <= 8)
        #expect(table.count(of: quiet) == 3)
        for name in ["a", "b", "c"] { #expect(table.contains(Self.key(quiet, name))) }
        // The most recent of the hostile project's entries are the ones kept.
        #expect(table.contains(Self.key(hostile, "999")))
        #expect(!table.contains(Self.key(hostile, "0")))
    }

    @Test func theByteBoundEvictsTheLeastRecentlyUsed() throws {
        let projectID = UUID()
        let size = try Self.route(projectID, schema: ["type": "string"]).estimatedBytes
        var table = RouteTable(byteLimit: size * 10, projectLimit: .max)
        for index in 0..<10 {
            table.insert(try Self.route(projectID, schema: ["type": "string"]), for: Self.key(projectID, "\(index)"))
        }
        #expect(table.count == 10)
        _ = table.route(for: Self.key(projectID, "0"))  // used: now the most recent
        table.insert(try Self.route(projectID, schema: ["type": "string"]), for: Self.key(projectID, "10"))
        #expect(table.totalBytes <= size * 10)
        #expect(table.contains(Self.key(projectID, "0")))
        #expect(table.contains(Self.key(projectID, "10")))
        #expect(!table.contains(Self.key(projectID, "1")))
    }

    @Test func replacingAndRemovingKeepTheAccountsRight() throws {
        let projectID = UUID()
        var table = RouteTable(byteLimit: .max, projectLimit: .max)
        let route = try Self.route(projectID)
        table.insert(route, for: Self.key(projectID, "a"))
        table.insert(route, for: Self.key(projectID, "a"))
        #expect(table.count(of: projectID) == 1)
        #expect(table.totalBytes == route.estimatedBytes)
        table.remove(Self.key(projectID, "a"))
        #expect(table.count == 0)
        #expect(table.totalBytes == 0)
        #expect(table.count(of: projectID) == 0)
    }
}
