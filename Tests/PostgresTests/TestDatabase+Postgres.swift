import InletTestSupport
import Postgres

extension TestDatabase {
    static var configuration: PostgresConfiguration {
        get throws { try configuration(databaseName: nil) }
    }
}
