import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A SIGINT or SIGTERM received by a command that talks to the API (`fetch`, `topup`,
/// `run`): each stage registers what stopping means for it — no new request, the ones in
/// flight finished and recorded — and the command ends with exit 75 after closing its run.
/// A write of one transaction (`import`, `ledger copy`) checks it between its batches
/// (`stoppingBetweenBatches`).
///
/// One per command: `run` traps the signals once for all its stages, so a signal between
/// two stages is not lost.
public final class Interruption: Sendable {
    private struct State {
        var signal: String?
        var actions: [@Sendable (String) -> Void] = []
        /// Set while a person is asked a question (`endingAtOnce`): a signal then ends the
        /// process at once, after this.
        var atOnce: (@Sendable () -> Void)?
    }

    private let state = Mutex(State())
    private let trap = Mutex<SignalTrap?>(nil)

    public init() {}

    /// The signal received (`SIGTERM`), or `nil` while the command goes on.
    public var signal: String? { state.withLock { $0.signal } }

    /// Records `name` (the first signal is kept) and runs the registered actions once.
    public func raise(_ name: String) {
        let (actions, atOnce) = state.withLock { state -> ([@Sendable (String) -> Void], (@Sendable () -> Void)?) in
            if let atOnce = state.atOnce { return ([], atOnce) }
            guard state.signal == nil else { return ([], nil) }
            state.signal = name
            defer { state.actions = [] }
            return (state.actions, nil)
        }
        if let atOnce {
            atOnce()
            SignalTrap.dieOf(name == "SIGINT" ? SIGINT : SIGTERM)
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

    /// Runs `body` (a question to a person) so that SIGINT or SIGTERM ends the command at
    /// once, by the signal's own action, as a person expects of Ctrl-C at a prompt; `tidy`
    /// runs first (on another thread, while `body` waits), for what the process would
    /// otherwise leave (a lock file beside a ledger not made yet). The trap stays in place
    /// throughout: taken down and set up again, a dispatch signal source could miss the
    /// next signal.
    public func endingAtOnce<T, E: Error>(tidy: @escaping @Sendable () -> Void, _ body: () throws(E) -> T) throws(E) -> T {
        state.withLock { $0.atOnce = tidy }
        defer { state.withLock { $0.atOnce = nil } }
        return try body()
    }
}
