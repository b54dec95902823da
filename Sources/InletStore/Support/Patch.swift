/// One field of a PATCH: absent (keep the stored value) or present (replace it; for optional fields `nil` clears).
public enum Patch<Value: Sendable>: Sendable {
    case keep
    case set(Value)

    /// The patched value given the stored one.
    public func applied(to current: Value) -> Value {
        switch self {
        case .keep: current
        case .set(let value): value
        }
    }

    public var isSet: Bool {
        if case .set = self { return true }
        return false
    }
}

extension Patch: Equatable where Value: Equatable {}
