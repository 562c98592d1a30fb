import CreditTypes
import Synchronization

/// The command's clock: the system time, running at the real pace; or, set by `--now`,
/// fixed there, moving one millisecond each time it is read, so that what a command
/// records in turn (a reading, the charges of a top-up, the reading after them) stays in
/// order, and the same commands with the same `--now` record the same times: two
/// backfills of the same files end in the same head hash, and `make run` writes the
/// same reports each time (it moved at the real pace, and each run's "as of" differed by
/// the milliseconds the command had taken, probe 128).
public struct CommandClock: Sendable {
    private let start: Timestamp
    private let started: ContinuousClock.Instant
    /// How many times a fixed clock has been read, shared by the copies of this clock.
    private let reads = Reads()
    /// Whether `--now` set it: then nothing checks it against another clock (a backfill
    /// dates its readings where the user says).
    public let isFixed: Bool

    /// A clock fixed at `start` (`--now`), or the system time.
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

    /// The current time: a fixed clock's start at its first reading, a millisecond later
    /// at each one after.
    public func now() -> Timestamp {
        if isFixed {
            return start.adding(milliseconds: reads.count.add(1, ordering: .relaxed).oldValue)
        }
        let elapsed = ContinuousClock.now - started
        let ms = elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
        return start.adding(milliseconds: ms)
    }

    private final class Reads: Sendable {
        let count = Atomic<Int64>(0)
    }
}
