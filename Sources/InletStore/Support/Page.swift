import Foundation

/// Keyset pagination of a list: newest first, `limit` rows after the cursor `after` (the last id seen).
public struct Page: Sendable, Equatable {
    public static let defaultLimit = 100
    public static let maximumLimit = 1000

    public var limit: Int
    public var after: UUID?

    public init(limit: Int = Page.defaultLimit, after: UUID? = nil) {
        self.limit = min(max(limit, 1), Page.maximumLimit)
        self.after = after
    }
}

/// One page of results and whether more rows follow.
public struct PageResult<Element: Sendable>: Sendable {
    public var items: [Element]
    public var hasMore: Bool

    public init(items: [Element], hasMore: Bool) {
        self.items = items
        self.hasMore = hasMore
    }

    /// Builds a page from `limit + 1` fetched rows.
    init(fetched: [Element], limit: Int) {
        self.items = Array(fetched.prefix(limit))
        self.hasMore = fetched.count > limit
    }
}
