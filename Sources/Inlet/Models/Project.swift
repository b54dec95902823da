import Foundation

/// A tenant. Every other resource belongs to exactly one project.
public struct Project: Sendable, Equatable {
    public var id: UUID
    public var name: String
    public var createdAt: Date

    public init(id: UUID, name: String, createdAt: Date) {
        self.id = id
        self.name = name
        self.createdAt = createdAt
    }
}

/// A bearer token's record (the token itself is never stored; see `APIToken`).
public struct APIKey: Sendable, Equatable {
    public var id: UUID
    /// `nil` for admin keys.
    public var projectID: UUID?
    public var name: String
    /// The first characters of the token, to recognise it in lists.
    public var tokenPrefix: String
    public var isAdmin: Bool
    public var createdAt: Date
    public var lastUsedAt: Date?

    public init(
        id: UUID, projectID: UUID?, name: String, tokenPrefix: String, isAdmin: Bool, createdAt: Date,
        lastUsedAt: Date?
    ) {
        self.id = id
        self.projectID = projectID
        self.name = name
        self.tokenPrefix = tokenPrefix
        self.isAdmin = isAdmin
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
    }
}

/// Who is calling: resolved from the bearer token by the API's auth middleware.
public enum Principal: Sendable, Equatable {
    /// A project key acts on its one project.
    case project(UUID, keyID: UUID?)
    /// An admin key acts on every project and manages projects and keys.
    case admin(keyID: UUID?)

    public var isAdmin: Bool {
        if case .admin = self { return true }
        return false
    }

    /// The project a project key is bound to.
    public var projectID: UUID? {
        if case .project(let id, _) = self { return id }
        return nil
    }
}
