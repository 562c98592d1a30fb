import Synchronization

/// A request from outside the ledger (a signal that stops a write) that its statements give
/// up waiting for locks other sessions hold (`Ledger.giveUpLockWaits(because:)`). One is
/// shared by the sessions of a store and of its second readers; each statement waiting for
/// its answer (`PostgresSession.answer(_:)`) is told when the request comes.
final class LockWaitStop: Sendable {
    private struct State {
        var reason: String?
        var next = 0
        var told: [Int: @Sendable () -> Void] = [:]
    }
    private let state = Mutex(State())

    init() {}

    /// Why the waits are given up (`SIGTERM`), or `nil` while they are not.
    var reason: String? { state.withLock { $0.reason } }

    /// Records `reason` (the first is kept) and tells every statement waiting now.
    func stop(because reason: String) {
        let told = state.withLock { state -> [@Sendable () -> Void] in
            guard state.reason == nil else { return [] }
            state.reason = reason
            return Array(state.told.values)
        }
        for tell in told { tell() }
    }

    /// Keeps `tell` until `forget`, to run it when `stop(because:)` comes; `nil` (and
    /// nothing kept) when it has come already.
    func tell(_ tell: @escaping @Sendable () -> Void) -> Int? {
        state.withLock { state -> Int? in
            guard state.reason == nil else { return nil }
            state.next += 1
            state.told[state.next] = tell
            return state.next
        }
    }

    func forget(_ kept: Int?) {
        guard let kept else { return }
        _ = state.withLock { $0.told.removeValue(forKey: kept) }
    }
}
