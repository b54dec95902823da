import Foundation
import InletClient

/// What `inlet tail` has seen, and the polls that find what is new: events since the newest one seen, and runs
/// that reached a final state.
struct TailFollower {
    let session: Session
    let source: String?
    /// Events are asked for from the newest `received_at` seen (server time, so the clocks need not agree).
    private var eventsFrom: Date?
    /// The events seen at or after `eventsFrom`: the next poll answers them again.
    private var seenEvents: [String: Date] = [:]
    private var seenOutcomes = BoundedSet(capacity: 20_000)

    static let pageSize = 100
    /// A poll reads at most this many pages of each list.
    static let maximumPages = 10
    static let finalStates = "succeeded,dead,cancelled"

    init(session: Session, source: String?) {
        self.session = session
        self.source = source
    }

    /// Marks what exists now as seen: `tail` prints only what happens from here on.
    mutating func skipExisting() async throws {
        _ = try await newEvents()
        _ = try await newOutcomes(pages: 1)
    }

    /// New events and outcomes, oldest first.
    mutating func poll() async throws -> [TailEntry] {
        let events = try await newEvents().map(TailEntry.event)
        let runs = try await newOutcomes(pages: Self.maximumPages).map(TailEntry.run)
        return events + runs
    }

    private mutating func newEvents() async throws -> [Components.Schemas.Event] {
        var found: [Components.Schemas.Event] = []
        var after: String?
        for _ in 0..<Self.maximumPages {
            let output = try await session.client.listEvents(
                query: .init(
                    projectId: session.projectID, source: source, from: eventsFrom, limit: Self.pageSize, after: after)
            ).ok
            let page = try output.body.json
            found += page.filter { seenEvents[$0.id] == nil }
            guard output.headers.link != nil, let last = page.last else { break }
            after = last.id
        }
        for event in found { seenEvents[event.id] = event.receivedAt }
        if let newest = found.map(\.receivedAt).max(), newest > eventsFrom ?? .distantPast {
            eventsFrom = newest
            seenEvents = seenEvents.filter { $0.value >= newest }
        }
        return found.sorted { ($0.receivedAt, $0.id) < ($1.receivedAt, $1.id) }
    }

    /// Runs in a final state not reported yet, newest first from the API; a page that holds only unseen ones is
    /// followed by the next, up to `pages`.
    private mutating func newOutcomes(pages: Int) async throws -> [Components.Schemas.JobRun] {
        var found: [Components.Schemas.JobRun] = []
        var after: String?
        for _ in 0..<pages {
            let output = try await session.client.listRuns(
                query: .init(projectId: session.projectID, status: Self.finalStates, limit: Self.pageSize, after: after)
            ).ok
            let page = try output.body.json
            let unseen = page.filter { !seenOutcomes.contains(Self.outcomeKey($0)) }
            found += unseen
            guard unseen.count == page.count, output.headers.link != nil, let last = page.last else { break }
            after = last.id
        }
        for run in found { seenOutcomes.insert(Self.outcomeKey(run)) }
        return found.sorted { ($0.updatedAt, $0.id) < ($1.updatedAt, $1.id) }
    }

    /// A run that is retried and finishes again is a new outcome.
    static func outcomeKey(_ run: Components.Schemas.JobRun) -> String {
        "\(run.id) \(run.status.rawValue) \(run.attempt)"
    }
}

/// One line of `inlet tail`.
enum TailEntry {
    case event(Components.Schemas.Event)
    case run(Components.Schemas.JobRun)

    func line(json: Bool) throws -> String {
        switch self {
        case .event(let event):
            if json { return try JSONOutput.text(Tagged(type: "event", event: event), pretty: false) }
            return [
                JSONOutput.time(event.receivedAt), "event", event.id, "source \(event.sourceId)",
                "via \(event.via.rawValue)", "dispatched \(event.dispatched)",
            ].joined(separator: "  ")
        case .run(let run):
            if json { return try JSONOutput.text(Tagged(type: "run", run: run), pretty: false) }
            var fields = [
                JSONOutput.time(run.finishedAt ?? run.updatedAt), "run  ", run.id, run.status.rawValue,
                "job \(run.jobId)", "event \(run.eventId)", "attempt \(run.attempt)/\(run.maxAttempts)",
            ]
            if run.status != .succeeded, let error = run.lastError { fields.append("error \(error)") }
            return fields.joined(separator: "  ")
        }
    }

    /// `{"type": …, "event" or "run": …}`.
    private struct Tagged: Encodable {
        let type: String
        var event: Components.Schemas.Event? = nil
        var run: Components.Schemas.JobRun? = nil
    }
}

/// A set that forgets its oldest members beyond `capacity`, so a long `tail` does not grow without end.
struct BoundedSet {
    let capacity: Int
    private var members = Set<String>()
    private var order: [String] = []

    init(capacity: Int) {
        self.capacity = capacity
    }

    func contains(_ member: String) -> Bool { members.contains(member) }

    mutating func insert(_ member: String) {
        guard members.insert(member).inserted else { return }
        order.append(member)
        if order.count > capacity {
            let dropped = order.count - capacity
            for old in order.prefix(dropped) { members.remove(old) }
            order.removeFirst(dropped)
        }
    }
}
