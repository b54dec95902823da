import Foundation
import InletTestSupport
import Postgres
import Testing

@testable import InletStore

/// The schema keeps what distributing tenant tables by `project_id` (Citus, or sharding by hand) needs, as
/// docs/scaling.md describes: every primary key, unique constraint, unique index and foreign key of a tenant table
/// includes `project_id`, and a foreign key maps its `project_id` to the referenced table's. A tenant table is one
/// with a `NOT NULL project_id`; every other table must be on the short list of global tables below.
@Suite struct TenantKeyTests {
    /// Tables without a tenant: small, read by key before a project is known, replicated to every node in a
    /// distributed deployment.
    static let globalTables: Set<String> = ["projects", "api_keys", "schema_migrations"]
    /// Tables that must be tenant tables (so that the checks below cannot pass by finding none).
    static let knownTenantTables: Set<String> = [
        "event_sources", "jobs", "subscriptions", "events", "job_runs", "run_attempts",
    ]

    @Test func everyKeyOfATenantTableIncludesTheProjectID() async throws {
        try await TestDatabase.withScratchDatabase { pool, _ in
            var tenant: Set<String> = []
            var global: Set<String> = []
            for row in try await pool.query(Self.tablesSQL) {
                let name = try row.decode(String.self, at: 0)
                if try row.decode(Bool.self, at: 1) { tenant.insert(name) } else { global.insert(name) }
            }
            #expect(tenant.isSuperset(of: Self.knownTenantTables), "tenant tables: \(tenant.sorted())")
            #expect(
                global.subtracting(Self.globalTables).isEmpty,
                "tables without a NOT NULL project_id that are not known global tables: \(global.subtracting(Self.globalTables).sorted())"
            )
            let violations = try await pool.query(Self.violationsSQL).map { try $0.decode(String.self, at: 0) }
            #expect(violations.isEmpty, "\(violations.joined(separator: "\n"))")
        }
    }

    @Test func theCheckFindsAKeyWithoutTheProjectID() async throws {
        try await TestDatabase.withScratchDatabase { pool, _ in
            try await pool.query(
                """
                CREATE TABLE bad_tenant (
                    project_id uuid NOT NULL REFERENCES projects (id),
                    id uuid PRIMARY KEY,
                    event_id uuid,
                    FOREIGN KEY (project_id, event_id) REFERENCES events (id, project_id)
                )
                """)
            try await pool.query("CREATE UNIQUE INDEX bad_tenant_event ON bad_tenant (event_id)")
            let violations = try await pool.query(Self.violationsSQL).map { try $0.decode(String.self, at: 0) }
            #expect(violations.contains { $0.hasPrefix("bad_tenant: constraint bad_tenant_pkey") }, "\(violations)")
            #expect(violations.contains { $0.hasPrefix("bad_tenant: unique index bad_tenant_event") }, "\(violations)")
            #expect(violations.contains { $0.hasPrefix("bad_tenant: foreign key") }, "\(violations)")
        }
    }

    /// Every ordinary table of the schema, and whether it has a `NOT NULL project_id`.
    static let tablesSQL = """
        SELECT c.relname, EXISTS (
            SELECT 1 FROM pg_attribute a
            WHERE a.attrelid = c.oid AND a.attname = 'project_id' AND a.attnotnull AND NOT a.attisdropped)
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition
        """

    /// One line per key of a tenant table that leaves `project_id` out.
    static let violationsSQL = """
        WITH tenant AS (
            SELECT c.oid, c.relname, a.attnum
            FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'project_id' AND a.attnotnull
                AND NOT a.attisdropped
            WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
        )
        SELECT t.relname || ': constraint ' || con.conname || ' ' || pg_get_constraintdef(con.oid) || ' leaves out project_id'
        FROM tenant t JOIN pg_constraint con ON con.conrelid = t.oid
        WHERE con.contype IN ('p', 'u', 'f') AND NOT (t.attnum = ANY (con.conkey))
        UNION ALL
        SELECT t.relname || ': foreign key ' || con.conname || ' does not map project_id to '
            || rc.relname || '''s project_id'
        FROM tenant t
        JOIN pg_constraint con ON con.conrelid = t.oid AND con.contype = 'f' AND t.attnum = ANY (con.conkey)
        JOIN pg_class rc ON rc.oid = con.confrelid
        JOIN pg_attribute ra ON ra.attrelid = rc.oid
            AND ra.attnum = con.confkey[array_position(con.conkey, t.attnum)]
        WHERE NOT (ra.attname = 'project_id' OR (rc.relname = 'projects' AND ra.attname = 'id'))
        UNION ALL
        SELECT t.relname || ': unique index ' || ic.relname || ' leaves out project_id'
        FROM tenant t
        JOIN pg_index i ON i.indrelid = t.oid AND i.indisunique
        JOIN pg_class ic ON ic.oid = i.indexrelid
        WHERE NOT (t.attnum = ANY (i.indkey::int2[]))
        ORDER BY 1
        """
}
