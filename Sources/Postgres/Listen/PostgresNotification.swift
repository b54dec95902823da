/// A `NOTIFY` received on a ``PostgresListener`` channel.
public struct PostgresNotification: Sendable, Equatable {
    public let channel: String
    public let payload: String
    /// Set on the synthetic notification sent for every channel after the listener reconnected: notifications
    /// sent while it was disconnected are lost, so treat this as "something may have changed".
    public let afterReconnect: Bool

    public init(channel: String, payload: String, afterReconnect: Bool = false) {
        self.channel = channel
        self.payload = payload
        self.afterReconnect = afterReconnect
    }
}
