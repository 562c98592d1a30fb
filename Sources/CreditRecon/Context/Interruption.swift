import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A SIGINT, SIGTERM or SIGHUP received by a command that talks to the API (`fetch`, `topup`,
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
        /// Set once a write of one transaction has no batch left to stop at (`finishing()`).
        var finishing = false
    }

    private let state = Mutex(State())
    private let trap = Mutex<SignalTrap?>(nil)
    /// The signals `startTrapping()` traps.
    private let signals: [Int32]

    public init(signals: [Int32] = SignalTrap.stopping) {
        self.signals = signals
    }

    /// Whether `stopTrapping()` keeps the signals trapped until the process exits
    /// (`keepTrapsUntilExit()`).
    private static let trapsUntilExit = Mutex(false)
    /// The trap a stage stopped, kept until the process exits, raising an interruption with
    /// no action: the next stage's `startTrapping()` takes it over.
    private static let kept = Mutex<SignalTrap?>(nil)

    /// Makes every `stopTrapping()` of this process keep SIGINT and SIGTERM trapped until it
    /// exits, for the credit-recon command: a signal between a stage's end and the exit (as
    /// an import that committed lets its writer lock go and prints what it did) is then
    /// let through, and the command ends with its own status, where the signal's default
    /// action ended it with 143 and no word of the committed import (probe 76). A second
    /// one still ends it at once. Not for a process that goes on after its command (the
    /// tests): a signal to it would only be recorded, for ever.
    public static func keepTrapsUntilExit() {
        trapsUntilExit.withLock { $0 = true }
    }

    /// The signal received (`SIGTERM`), or `nil` while the command goes on.
    public var signal: String? { state.withLock { $0.signal } }

    /// Says that the write checking this interruption between its batches has checked it
    /// for the last time: its last batch is written and it is committing, or closing the
    /// ledger, which a signal does not stop (`stoppingBetweenBatches`).
    public func finishing() {
        state.withLock { $0.finishing = true }
    }

    /// Whether `finishing()` was said.
    var isFinishing: Bool { state.withLock { $0.finishing } }

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
            SignalTrap.dieOf(SignalTrap.number(named: name))
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

    /// Makes SIGINT and SIGTERM raise this interruption instead of killing the process. A
    /// signal the kept trap heard before (`trapFromStart()`, or an earlier stage's) is raised
    /// here at once: the stage stops before it has done anything.
    public func startTrapping() {
        let heard = trap.withLock { trap -> String? in
            guard trap == nil else { return nil }
            let signals = signals
            if let kept = Self.kept.withLock({ kept in kept?.signals == signals ? kept.take() : nil }) {
                // Retargeted first: a signal being raised on the one it replaces is raised by then.
                let before = kept.raising
                kept.retarget(self)
                trap = kept
                return before?.signal
            }
            trap = SignalTrap(self, signals: signals)
            return nil
        }
        if let heard { raise(heard) }
    }

    /// Traps SIGINT and SIGTERM from now on until the process exits (a writing command, from
    /// its start): a signal before its stage begins is kept, and the stage, taking the trap
    /// over, stops at once with 75, where the signal's default action ended the command with
    /// 143 and could leave a lock file behind (probes 76 and 77). With `keepTrapsUntilExit()`.
    /// The log says at once what such a signal does, since what comes before the stage
    /// may take a while (a PostgreSQL login, up to --timeout).
    public static func trapFromStart(logger: Logger) {
        kept.withLock { kept in
            guard kept == nil else { return }
            let early = Interruption()
            early.onSignal { name in
                logger.notice("\(name): the command stops as its work begins (send the signal again to stop at once)")
            }
            kept = SignalTrap(early)
        }
    }

    /// Gives SIGINT and SIGTERM their default action back; or, in the credit-recon command
    /// (`keepTrapsUntilExit()`), keeps them trapped until the process exits.
    public func stopTrapping() {
        stopTrapping(keepingUntilExit: Self.trapsUntilExit.withLock { $0 })
    }

    /// `stopTrapping()`, keeping the trap `untilExit` or not: kept, a signal from now on is
    /// only recorded, and one after a signal this interruption had ends the process at once.
    func stopTrapping(keepingUntilExit untilExit: Bool) {
        trap.withLock { trap in
            guard let current = trap else { return }
            trap = nil
            guard untilExit else { return current.cancel() }
            let after = Interruption(signals: signals)
            current.retarget(after)
            if let signal { after.raise(signal) }
            Self.kept.withLock { kept in
                kept?.cancel()
                kept = current
            }
        }
    }

    /// What a signal raises before a stage takes the trap over: the interruption of the trap
    /// `trapFromStart(logger:)` set (or one a stage left), for a command's own start to give
    /// up its waits with (`givingUpLockWaits(on:outcome:_:)`); `nil` when none is set.
    public static var starting: Interruption? { kept.withLock { $0?.raising } }

    /// The signal the trap `stopTrapping(keepingUntilExit: true)` kept has recorded, if any.
    static var keptTrapHeard: String? { kept.withLock { $0?.raising?.signal } }

    /// Cancels the trap `stopTrapping(keepingUntilExit: true)` kept, if any (for tests).
    static func cancelKeptTrap() {
        kept.withLock { kept in
            kept?.cancel()
            kept = nil
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
