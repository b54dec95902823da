import Foundation

/// The entries of a ``SourceRouteCache``: bounded in (estimated) bytes overall and in count per project, least
/// recently used evicted first. The per-project bound keeps one tenant that names its sources in many ways (or
/// has very many) from evicting other tenants' routes; only its own are recompiled.
struct RouteTable {
    struct Key: Hashable {
        let projectID: UUID
        let reference: SourceReference
    }

    private struct Entry {
        let route: SourceRoute
        var lastUse: UInt64
    }

    let byteLimit: Int
    let projectLimit: Int
    private var entries: [Key: Entry] = [:]
    private var countByProject: [UUID: Int] = [:]
    private(set) var totalBytes = 0
    private var clock: UInt64 = 0

    init(byteLimit: Int, projectLimit: Int) {
        self.byteLimit = byteLimit
        self.projectLimit = projectLimit
    }

    var count: Int { entries.count }

    func count(of projectID: UUID) -> Int { countByProject[projectID] ?? 0 }

    func contains(_ key: Key) -> Bool { entries[key] != nil }

    mutating func route(for key: Key) -> SourceRoute? {
        guard entries[key] != nil else { return nil }
        clock += 1
        entries[key]!.lastUse = clock
        return entries[key]!.route
    }

    mutating func insert(_ route: SourceRoute, for key: Key) {
        remove(key)
        clock += 1
        entries[key] = Entry(route: route, lastUse: clock)
        countByProject[key.projectID, default: 0] += 1
        totalBytes += route.estimatedBytes
        if countByProject[key.projectID, default: 0] > projectLimit {
            evictOldest(
                where: { $0.projectID == key.projectID },
                until: { $0.count(of: key.projectID) <= $0.projectLimit * 3 / 4 })
        }
        if totalBytes > byteLimit {
            evictOldest(where: { _ in true }, until: { $0.totalBytes <= $0.byteLimit * 3 / 4 })
        }
    }

    mutating func remove(_ key: Key) {
        guard let entry = entries.removeValue(forKey: key) else { return }
        totalBytes -= entry.route.estimatedBytes
        countByProject[key.projectID, default: 1] -= 1
        if countByProject[key.projectID] == 0 { countByProject[key.projectID] = nil }
    }

    /// Evicts the least recently used entries matching `candidate` until `done` holds: one sort for a batch of
    /// evictions (down to three quarters of the bound), so the cost per insert stays logarithmic on average.
    private mutating func evictOldest(where candidate: (Key) -> Bool, until done: (RouteTable) -> Bool) {
        let oldestFirst = entries.filter { candidate($0.key) }.sorted { $0.value.lastUse < $1.value.lastUse }
        for (key, _) in oldestFirst {
            if done(self) { return }
            remove(key)
        }
    }
}
