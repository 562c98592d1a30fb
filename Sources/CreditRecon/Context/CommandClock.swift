import CreditTypes

/// The command's clock: `--now` fixes where it starts, and it runs on from there at the
/// real pace, so a command that takes two readings still sees time pass.
public struct CommandClock: Sendable {
    private let start: Timestamp
    private let started: ContinuousClock.Instant
    /// Whether `--now` set it: then nothing checks it against another clock (a backfill
    /// dates its readings where the user says).
    public let isFixed: Bool

    /// A clock starting at `start` (`--now`), or at the system time.
    public init(start: Timestamp? = nil) {
        self.start = start ?? Timestamp.now()
        self.started = ContinuousClock.now
        self.isFixed = start != nil
    }

    /// A clock that reads `start` now as this machine's own would, not fixed by `--now`:
    /// for tests of a machine whose clock is set wrong.
    init(systemClockAt start: Timestamp) {
        self.start = start
        self.started = ContinuousClock.now
        self.isFixed = false
    }

    /// The current time.
    public func now() -> Timestamp {
        let elapsed = ContinuousClock.now - started
        let ms = elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
        return start.adding(milliseconds: ms)
    }
}
