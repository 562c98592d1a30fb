import Synchronization

/// Tells the top-up workers to start no new requests. The first reason given is kept.
public final class StopFlag: Sendable {
    private let state = Mutex<StopReason?>(nil)

    public init() {}

    /// Asks the workers to stop after their current request.
    public func request(_ reason: StopReason) {
        state.withLock { current in
            if current == nil { current = reason }
        }
    }

    /// Why the run is stopping, or `nil` while it goes on.
    public var reason: StopReason? { state.withLock { $0 } }
}
