import Crypto
import Foundation
import Hummingbird
import Inlet
import InletStore
import Synchronization

/// Resolves `Authorization: Bearer …` into the request's ``Principal``; leaves it `nil` when absent or unknown
/// (``AuthenticatedContext`` then answers 401). Lookups are cached for a few seconds per node, so a deleted key
/// stops working within ``cacheLifetime``.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = InletRequestContext

    let projects: ProjectRepository
    let adminTokenHash: [UInt8]?
    let cache = PrincipalCache()
    static let cacheLifetime: Duration = .seconds(5)

    init(projects: ProjectRepository, adminToken: String?) {
        self.projects = projects
        self.adminTokenHash = adminToken.map { Array(SHA256.hash(data: Data($0.utf8))) }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var context = context
        if let header = request.headers[.authorization], header.count > 7,
            header.prefix(7).lowercased() == "bearer "
        {
            let text = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
            context.principal = try await principal(for: text)
            if let projectID = context.principal?.projectID {
                context.logger[metadataKey: "project_id"] = .string(projectID.lowercasedString)
            }
        }
        return try await next(request, context)
    }

    private func principal(for text: String) async throws -> Principal? {
        let hash = Array(SHA256.hash(data: Data(text.utf8)))
        if let adminTokenHash, constantTimeEqual(hash, adminTokenHash) { return .admin(keyID: nil) }
        let token = APIToken(text)
        guard token.hasValidFormat else { return nil }
        if let cached = cache.lookup(hash) { return cached }
        let principal = try await projects.authenticate(token)
        cache.store(hash, principal, lifetime: Self.cacheLifetime)
        return principal
    }

    private func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }
}

/// A small time-bounded cache of token hash → principal (including "unknown", to blunt guessing floods).
final class PrincipalCache: Sendable {
    private struct Entry {
        let principal: Principal?
        let expires: ContinuousClock.Instant
    }

    private let entries = Mutex<[[UInt8]: Entry]>([:])
    private let capacity = 10_000

    func lookup(_ hash: [UInt8]) -> Principal?? {
        entries.withLock { entries in
            guard let entry = entries[hash] else { return nil }
            guard entry.expires > .now else {
                entries[hash] = nil
                return nil
            }
            return .some(entry.principal)
        }
    }

    func store(_ hash: [UInt8], _ principal: Principal?, lifetime: Duration) {
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[hash] = Entry(principal: principal, expires: .now.advanced(by: lifetime))
        }
    }
}
