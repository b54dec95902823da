import ArgumentParser
import Foundation

/// The options every command takes: where the API is, the key, the project and the output format.
struct GlobalOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp("The server's base URL (default: INLET_URL, else http://127.0.0.1:8080).", valueName: "url"))
    var url: String?

    @Option(help: ArgumentHelp("The API key (default: INLET_API_KEY).", valueName: "key"))
    var apiKey: String?

    @Option(
        help: ArgumentHelp(
            "The project to act on; needed with an admin key (default: INLET_PROJECT_ID).", valueName: "id"))
    var project: String?

    @Flag(help: "Print the API's JSON instead of a table.")
    var json = false

    var environment: [String: String] { ProcessInfo.processInfo.environment }

    var serverURL: String { url ?? environment["INLET_URL"] ?? "http://127.0.0.1:8080" }
    var resolvedAPIKey: String? { apiKey ?? environment["INLET_API_KEY"] }
    var projectID: String? { project ?? environment["INLET_PROJECT_ID"] }

    func validate() throws {
        guard let url = URL(string: serverURL), url.scheme == "http" || url.scheme == "https", url.host != nil else {
            throw ValidationError("--url must be an http or https URL, not \(serverURL)")
        }
    }
}
