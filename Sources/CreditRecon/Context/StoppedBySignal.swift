import Ledger
import Logging
import Synchronization

/// A write that is one transaction (`import`, `record`, `ledger copy`) stopped by SIGINT or
/// SIGTERM between two batches: its transaction rolled back, so what it was writing is as
/// it was (a new SQLite ledger was never put in place, its `.creating` file removed).
/// Exits 75, like a stopped `fetch` or `topup`: nothing is wrong, run it again.
public struct StoppedBySignal: ExitCoded {
    /// `SIGTERM` or `SIGINT`.
    public let signal: String
    /// What the stop left, in words: `the import of plan.csv wrote nothing; …`.
    public let outcome: String
    /// The holders of the ledger's lock the write was waiting for when it stopped
    /// (`LedgerError.sessions(_:)`), if it was.
    public var waitedFor: String?

    public init(signal: String, outcome: String, waitedFor: String? = nil) {
        self.signal = signal
        self.outcome = outcome
        self.waitedFor = waitedFor
    }

    public var exitStatus: ExitStatus { .tempFail }

    public var description: String {
        guard let waitedFor else { return "stopped by \(signal): \(outcome)" }
        return "stopped by \(signal) as it waited for a lock of the ledger held by \(waitedFor): \(outcome). A run before "
            + "the lock is let go (as the holder's transaction or session ends) waits behind it again"
    }
}

extension Interruption {
    /// Runs `body` with SIGINT and SIGTERM trapped into a new interruption, which `body`
    /// checks between batches (`stopIfSignalled`). The log says at once what a signal
    /// does: `work` stops at its next batch and `then`; a second signal stops the process
    /// at once, as an untrapped one would. A signal that comes after the last batch, as
    /// the work commits, does not stop it: the log says it finished. Once `body` says it is
    /// `finishing()` (an import's last batch handed over: its commit, and the checkpoint that
    /// may follow it, are under way), a signal is said as coming then: it said "nothing of it is written" of 2,000,000 readings committed and
    /// being moved from the log into the ledger's file (probe 164).
    public static func stoppingBetweenBatches<T>(
        _ work: String, then: String, logger: Logger, _ body: (Interruption) throws -> T
    ) throws -> T {
        let interruption = Interruption()
        let saidItStops = Mutex(false)
        interruption.onSignal { [weak interruption] name in
            if interruption?.isFinishing == true {
                // What a second signal leaves is said as it is: the write whole or not at all
                // (probe 321: 143, the import committed, and nothing said it).
                let said = "\(name) came as \(work) was finishing, its last batch written: it finishes (send the signal "
                    + "again to stop at once: the write is then in the ledger whole or not at all, and running the command "
                    + "again finishes it, finding what is there)"
                logger.notice("\(said)")
            } else {
                saidItStops.withLock { $0 = true }
                logger.notice("\(name): \(work) stops at its next batch, and \(then) (send the signal again to stop at once)")
            }
        }
        interruption.startTrapping()
        defer { interruption.stopTrapping() }
        let result = try body(interruption)
        if let signal = interruption.signal, saidItStops.withLock({ $0 }) {
            logger.notice("\(signal) came as \(work) was finishing, after its last batch: it finished")
        }
        return result
    }

    /// Runs `body`, a write of one transaction or the start of a command that has sent and
    /// written nothing yet, whose waits for a lock another session holds (another program's
    /// long statement on a PostgreSQL ledger) a signal that comes while `body` runs gives up
    /// (`Ledger.giveUpLockWaits(because:)`) on each ledger `body` hands the closure it is
    /// given, as soon as it opens one (the checks before the first batch wait too: a lock
    /// held on `snapshots` held an import past SIGTERM in its check of `--account`, probe
    /// 447; and `fetch`, `topup`, `run` and `void` waited out a lock before their work
    /// began, probe 453): it stops there, `StoppedBySignal` with `outcome` and the sessions
    /// it waited for, instead of waiting until they finish. A signal after `body` gives up
    /// nothing: what follows (a sent request's outcome) is recorded whatever it waits for.
    public func givingUpLockWaits<T>(
        outcome: @autoclosure () -> String, _ body: (_ opened: @escaping @Sendable (Ledger) -> Void) throws -> T
    ) throws -> T {
        let running = Mutex(true)
        defer { running.withLock { $0 = false } }
        do {
            return try body { ledger in
                self.onSignal { [weak ledger] name in
                    guard running.withLock({ $0 }) else { return }
                    ledger?.giveUpLockWaits(because: name)
                }
            }
        } catch LedgerError.lockWaitGivenUp(_, let signal, let holders) {
            throw StoppedBySignal(signal: signal, outcome: outcome(), waitedFor: LedgerError.sessions(holders))
        }
    }

    /// `givingUpLockWaits(outcome:_:)` on `interruption`, or, without one (a stage run
    /// untrapped, in a test), `body` alone.
    public static func givingUpLockWaits<T>(
        on interruption: Interruption?, outcome: @autoclosure () -> String,
        _ body: (_ opened: @escaping @Sendable (Ledger) -> Void) throws -> T
    ) throws -> T {
        guard let interruption else { return try body { _ in } }
        return try interruption.givingUpLockWaits(outcome: outcome(), body)
    }

    /// Throws `StoppedBySignal` with `outcome` once a signal has arrived.
    public func stopIfSignalled(_ outcome: @autoclosure () -> String) throws(StoppedBySignal) {
        if let signal { throw StoppedBySignal(signal: signal, outcome: outcome()) }
    }
}
