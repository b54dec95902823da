import InletTestSupport
import Postgres

/// A row lock on one job, taken by a session of its own and held until let go: requests that write the job wait
/// for it, which is how the overload tests make a request slow without making the machine slow.
final class JobRowLock: Sendable {
    private let session: PostgresPool
    private let letGoSignal: AsyncStream<Void>.Continuation
    private let holder: Task<Void, any Error>

    /// Returns once the lock is held.
    init(job: String) async throws {
        let session = try TestDatabase.makePool(.init(maxConnections: 1))
        let (taken, lockTaken) = AsyncStream<Void>.makeStream()
        let (letGo, letGoSignal) = AsyncStream<Void>.makeStream()
        self.session = session
        self.letGoSignal = letGoSignal
        self.holder = Task {
            try await session.withTransaction { connection in
                _ = try await connection.query("SELECT 1 FROM jobs WHERE id = $1::uuid FOR UPDATE", [job])
                lockTaken.finish()
                for await _ in letGo {}
            }
        }
        for await _ in taken {}
    }

    /// Lets the lock go without waiting (callable from anywhere, any number of times).
    func letGo() { letGoSignal.finish() }

    /// Lets the lock go and waits until its session has ended.
    func release() async throws {
        letGo()
        try await holder.value
        await session.shutdown()
    }
}
