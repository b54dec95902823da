import ArgumentParser
import Foundation
import Inlet
import InletConfiguration
import InletHTTP
import InletStore
import InletTelemetry
import Logging
import Postgres
import ServiceLifecycle

@main
struct InletServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inlet-server",
        abstract: "Inlet's HTTP API server and administration commands.",
        subcommands: [Serve.self, Migrate.self, Admin.self, OpenAPI.self, Healthcheck.self],
        defaultSubcommand: Serve.self)
}

/// Reads the server configuration from the environment, exiting with a one-line message naming the variable and
/// status 78 (`EX_CONFIG`) when it is invalid, as `inlet-worker` does.
func loadConfiguration(tracing: Bool = false) throws -> (ServerConfiguration, tracing: (any Service)?) {
    do {
        let environment = ProcessInfo.processInfo.environment
        let configuration = try ServerConfiguration(environment: environment)
        let service = tracing ? try InletTracing.bootstrap(serviceName: "inlet-server", environment: environment) : nil
        LoggingSystem.bootstrap(
            format: configuration.logFormat, level: configuration.logLevel,
            metadataProvider: service == nil ? nil : InletTracing.loggingMetadataProvider)
        return (configuration, service)
    } catch {
        FileHandle.standardError.write(Data("inlet-server: invalid configuration: \(error)\n".utf8))
        throw ExitCode(ConfigurationError.exitStatus)
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the HTTP API (the default).")

    func run() async throws {
        let (configuration, tracing) = try loadConfiguration(tracing: true)
        let logger = Logger(label: "inlet.server")
        let application = try await buildApplication(
            configuration: configuration, logger: logger, services: tracing.map { [$0] } ?? [])
        try await application.runService()
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply pending database migrations, seal job headers older versions stored in plain text, and exit.")

    func run() async throws {
        let (configuration, _) = try loadConfiguration()
        let logger = Logger(label: "inlet.migrate")
        let secrets = try SecretBox(configuration: configuration.secretKey)
        let pool = try makePool(configuration, logger: logger, servesRequests: false)
        do {
            let migrator = Migrator(migrations: try Migration.load(from: Migration.defaultDirectory()), logger: logger)
            let applied = try await migrator.migrate(pool)
            print(
                applied.isEmpty
                    ? "migrations: up to date"
                    : "migrations: applied \(applied.map(String.init).joined(separator: ", "))")
            // SQL cannot seal: headers that versions before migration 0002 kept in jobs.config are sealed here.
            let sealed = try await JobHeaderSealing.sealPlainHeaders(pool: pool, secrets: secrets)
            if sealed > 0 { print("job headers: sealed the plain headers of \(sealed) jobs") }
            await pool.shutdown()
        } catch {
            await pool.shutdown()
            throw error
        }
    }
}

/// Prints the OpenAPI document the server serves at `/openapi.json` (`scripts/openapi-export` writes it to the
/// repository's `openapi.json`).
struct OpenAPI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "openapi", abstract: "Print the OpenAPI 3.1 document of the API, as served at /openapi.json.")

    func run() {
        FileHandle.standardOutput.write(Data(servedOpenAPIDocument()))
    }
}

/// Exits 0 when the server configured by the environment (`INLET_HOST`, `INLET_PORT`) answers `/healthz`, 1
/// otherwise: the container image's health check, which has no curl.
struct Healthcheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Exit 0 if the local server answers GET /healthz (for container health checks).")

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        let port = Int(environment["INLET_PORT"] ?? "") ?? 8080
        guard HealthProbe.isHealthy(host: environment["INLET_HOST"] ?? "127.0.0.1", port: port) else {
            FileHandle.standardError.write(Data("inlet-server: no healthy answer on port \(port)\n".utf8))
            throw ExitCode.failure
        }
    }
}

struct Admin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage projects and API keys directly in the database.",
        subcommands: [
            CreateProject.self, CreateKey.self, ListProjects.self, ListKeys.self, Stats.self, RequeueDead.self,
        ])

    /// Runs `body` with a short-lived pool on the configured database.
    static func withPool<T: Sendable>(_ body: (PostgresPool) async throws -> T) async throws -> T {
        let (configuration, _) = try loadConfiguration()
        let pool = try makePool(configuration, logger: Logger(label: "inlet.admin"), servesRequests: false)
        do {
            let result = try await body(pool)
            await pool.shutdown()
            return result
        } catch {
            await pool.shutdown()
            throw error
        }
    }

    /// Runs `body` with a project repository on a short-lived pool.
    static func withProjects<T: Sendable>(_ body: (ProjectRepository) async throws -> T) async throws -> T {
        try await withPool { pool in try await body(ProjectRepository(pool: pool)) }
    }
}

/// A command that could not do what was asked; ArgumentParser prints it as `Error: …` and exits 1.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

struct CreateProject: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create-project", abstract: "Create a project and print its id and a project key.")

    @Option(help: "The project's name.") var name: String

    func run() async throws {
        try await Admin.withProjects { projects in
            let project = try await projects.create(name: name)
            let (_, token) = try await projects.createKey(projectID: project.id, name: "created by inlet-server admin")
            print("project_id=\(project.id.lowercasedString)")
            print("api_key=\(token.unredactedText)")
        }
    }
}

struct CreateKey: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create-key", abstract: "Issue an API key for a project, or an admin key.")

    @Flag(help: "Issue an admin key (acts on every project).") var admin = false
    @Option(help: "The project the key acts on.") var project: String?
    @Option(help: "A name to recognise the key by.") var name = ""

    func validate() throws {
        guard admin != (project != nil) else { throw ValidationError("pass exactly one of --admin or --project ID") }
        if let project, UUID(uuidString: project) == nil {
            throw ValidationError("--project must be a project id (UUID)")
        }
    }

    func run() async throws {
        try await Admin.withProjects { projects in
            let (key, token) = try await projects.createKey(
                projectID: project.flatMap(UUID.init(uuidString:)), name: name)
            print("key_id=\(key.id.lowercasedString)")
            print("api_key=\(token.unredactedText)")
        }
    }
}

struct ListProjects: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list-projects", abstract: "List projects.")

    func run() async throws {
        try await Admin.withProjects { projects in
            var page = Page(limit: Page.maximumLimit)
            while true {
                let result = try await projects.list(page)
                for project in result.items { print("\(project.id.lowercasedString)\t\(project.name)") }
                guard result.hasMore, let last = result.items.last else { break }
                page.after = last.id
            }
        }
    }
}

struct ListKeys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list-keys", abstract: "List a project's API keys (their prefixes; tokens are never stored).")

    @Option(help: "The project whose keys to list.") var project: String

    func validate() throws {
        guard UUID(uuidString: project) != nil else { throw ValidationError("--project must be a project id (UUID)") }
    }

    func run() async throws {
        try await Admin.withProjects { projects in
            let projectID = UUID(uuidString: project)!
            guard try await projects.exists(projectID) else { throw CommandFailure("no project \(project)") }
            let format = ISO8601DateFormatter()
            var table = TextTable(["KEY", "NAME", "PREFIX", "CREATED", "LAST USED"])
            var page = Page(limit: Page.maximumLimit)
            while true {
                let result = try await projects.listKeys(projectID: projectID, page: page)
                for key in result.items {
                    table.append([
                        key.id.lowercasedString, key.name, key.tokenPrefix + "…", format.string(from: key.createdAt),
                        key.lastUsedAt.map(format.string(from:)) ?? "never",
                    ])
                }
                guard result.hasMore, let last = result.items.last else { break }
                page.after = last.id
            }
            print(table.rows.isEmpty ? "no keys" : table.rendered)
        }
    }
}
