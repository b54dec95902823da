import Foundation
import InletTestSupport
import Postgres
import Testing

@Suite struct TypeRoundTripTests {
    @Test func scalarsRoundTripIncludingExtremes() async throws {
        try await TestDatabase.makePool().using { pool in
            let uuid = UUID()
            let date = Date(timeIntervalSince1970: 1_795_759_605.123456)
            let rows = try await pool.query(
                "SELECT $1::text, $2::int2, $3::int4, $4::int8, $5::bool, $6::float8, $7::uuid, $8::timestamptz, $9::bytea, $10::int8, $11::float8",
                [
                    "héllo 🌍 \u{0}".replacingOccurrences(of: "\u{0}", with: ""), Int16.min, Int32.max, Int64.min, true,
                    -Double.greatestFiniteMagnitude, uuid, date, Data([0, 1, 254, 255]), Int64.max,
                    Double.leastNonzeroMagnitude,
                ])
            let row = try #require(rows.first)
            #expect(try row.decode(String.self, at: 0) == "héllo 🌍 ")
            #expect(try row.decode(Int16.self, at: 1) == Int16.min)
            #expect(try row.decode(Int32.self, at: 2) == Int32.max)
            #expect(try row.decode(Int64.self, at: 3) == Int64.min)
            #expect(try row.decode(Bool.self, at: 4) == true)
            #expect(try row.decode(Double.self, at: 5) == -Double.greatestFiniteMagnitude)
            #expect(try row.decode(UUID.self, at: 6) == uuid)
            #expect(abs(try row.decode(Date.self, at: 7).timeIntervalSince(date)) < 0.000_001)
            #expect(try row.decode(Data.self, at: 8) == Data([0, 1, 254, 255]))
            #expect(try row.decode(Int64.self, at: 9) == Int64.max)
            #expect(try row.decode(Double.self, at: 10) == Double.leastNonzeroMagnitude)
        }
    }

    @Test func nullsDecodeAsOptionalsAndFailAsNonOptionals() async throws {
        try await TestDatabase.makePool().using { pool in
            let none: String? = nil
            let noInt: Int64? = nil
            let noUUID: UUID? = nil
            let rows = try await pool.query(
                "SELECT $1::text AS a, $2::int8 AS b, $3::uuid AS c", [none, noInt, noUUID])
            let row = try #require(rows.first)
            #expect(try row.decode(String?.self, column: "a") == nil)
            #expect(try row.decode(Int64?.self, column: "b") == nil)
            #expect(try row.decode(UUID?.self, column: "c") == nil)
            #expect(row.isNull(at: 0))
            let error = #expect(throws: PostgresError.self) { try row.decode(String.self, at: 0) }
            #expect(error?.code == .decodingFailed)
        }
    }

    @Test func jsonAndJsonbRoundTrip() async throws {
        try await TestDatabase.makePool().using { pool in
            let document = PostgresJSON(#"{"a": [1, 2.5, "ü"], "b": null}"#)
            let rows = try await pool.query("SELECT $1::jsonb, $1::jsonb::json, ($1::jsonb)->>'b' IS NULL", [document])
            let row = try #require(rows.first)
            #expect(try row.decode(PostgresJSON.self, at: 0).text == #"{"a": [1, 2.5, "ü"], "b": null}"#)
            #expect(try row.decode(PostgresJSON.self, at: 1).text == #"{"a": [1, 2.5, "ü"], "b": null}"#)
            #expect(try row.decode(Bool.self, at: 2))
        }
    }

    @Test func arraysBindForAnyAndUnnest() async throws {
        try await TestDatabase.makePool().using { pool in
            let ids = [UUID(), UUID(), UUID()]
            let numbers: [Int64] = [1, -2, Int64.max]
            let words = ["a", "b c", "\"quoted\"", "ü", ""]
            let rows = try await pool.query(
                "SELECT $1::uuid[], (SELECT count(*) FROM unnest($2::int8[])), $3::text[], $4::uuid = ANY($1), $5::int8[]",
                [ids, numbers, words, ids[1], [Int64]()])
            let row = try #require(rows.first)
            #expect(try row.decode([UUID].self, at: 0) == ids)
            #expect(try row.decode(Int64.self, at: 1) == 3)
            #expect(try row.decode([String].self, at: 2) == words)
            #expect(try row.decode(Bool.self, at: 3))
            #expect(try row.decode([Int64].self, at: 4) == [])
            let withNull = try await pool.query("SELECT ARRAY['x', NULL]::text[]")
            #expect(try withNull[0].decode([String?].self, at: 0) == ["x", nil])
            #expect(throws: PostgresError.self) { try withNull[0].decode([String].self, at: 0) }
        }
    }

    @Test func preparedStatementsAreReusedAcrossCalls() async throws {
        try await TestDatabase.makePool(.init(maxConnections: 1)).using { pool in
            for value in 0..<20 {
                let rows = try await pool.query("SELECT $1::int8 + 1", [Int64(value)])
                #expect(try rows[0].decode(Int64.self, at: 0) == Int64(value) + 1)
            }
            let prepared = try await pool.query(
                "SELECT count(*) FROM pg_prepared_statements WHERE statement = $1", ["SELECT $1::int8 + 1"])
            #expect(try prepared[0].decode(Int64.self, at: 0) == 1)
        }
    }
}
