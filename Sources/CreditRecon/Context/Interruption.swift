import Logging
import Synchronization

/// A SIGINT or SIGTERM received by a command that talks to the API (`fetch`, `topup`,
/// `run`): each stage registers what stopping means for it — no new request, the ones in
/// flight finished and recorded — and the command ends with exit 75 after closing its run.
///
/// One per command: `run` traps the signals once for all its stages, so a signal between
/// two stages is not lost.
public final class Interruption: Sendable {
    private struct State {
        var signal: String?
        var actions: [@Sendable (String) -> Void] = []
    }

    private let state = Mutex(State())
    private let trap = Mutex<SignalTrap?>(nil)

    public init() {}

    /// The signal received (`SIGTERM`), or `nil` while the command goes on.
    public var signal: String? { state.withLock { $0.signal } }

    /// Records `name` (the first signal is kept) and runs the registered actions once.
    public func raise(_ name: String) {
        let actions = state.withLock { state -> [@Sendable (String) -> Void] in
            guard state.signal == nil else { return [] }
            state.signal = name
            defer { state.actions = [] }
            return state.actions
        }
        for action in actions { action(name) }
    }

    /// Runs `action` with the signal's name when one arrives; at once when one already has.
    public func onSignal(_ action: @escaping @Sendable (String) -> Void) {
        let received = state.withLock { state -> String? in
            if state.signal == nil { state.actions.append(action) }
            return state.signal
        }
        if let received { action(received) }
    }

    /// Runs `body` with `given`, or, when `nil` (the stage is the whole command), with a new
    /// interruption that SIGINT and SIGTERM raise while `body` runs.
    public static func trapping<T>(
        _ given: Interruption?, logger: Logger, _ body: (Interruption) async throws -> T
    ) async throws -> T {
        if let given { return try await body(given) }
        let interruption = trapped(logger: logger, then: "the command ends")
        defer { interruption.stopTrapping() }
        return try await body(interruption)
    }

    /// A new interruption that SIGINT and SIGTERM raise from now on (the caller stops the
    /// trapping), saying so in the log with what happens `then`.
    public static func trapped(logger: Logger, then: String) -> Interruption {
        let interruption = Interruption()
        interruption.onSignal { name in
            logger.notice("""
                \(name): no new API calls; the ones in flight finish and are recorded, then \(then) (send the signal \
                again to stop at once: a call in flight is then left as a killed command leaves it)
                """)
        }
        interruption.startTrapping()
        return interruption
    }

    /// Makes SIGINT and SIGTERM raise this interruption instead of killing the process.
    public func startTrapping() {
        trap.withLock { trap in
            if trap == nil { trap = SignalTrap(self) }
        }
    }

    /// Gives SIGINT and SIGTERM their default action back.
    public func stopTrapping() {
        trap.withLock { trap in
            trap?.cancel()
            trap = nil
        }
    }

    /// Runs `body` with the signals' default action, so that Ctrl-C at a prompt ends the
    /// command as a person expects; traps them again afterwards if they were trapped.
    public func untrapped<T>(_ body: () throws -> T) rethrows -> T {
        let wasTrapping = trap.withLock { $0 != nil }
        guard wasTrapping else { return try body() }
        stopTrapping()
        defer { startTrapping() }
        return try body()
    }
}
