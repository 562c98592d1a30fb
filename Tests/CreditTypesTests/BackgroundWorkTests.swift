import Dispatch
import Synchronization
import Testing
@testable import CreditTypes

@Suite("BackgroundWork: its pool of threads")
struct BackgroundWorkTests {
    /// Generous: these waits end as soon as the work does.
    private static let deadline = DispatchTimeInterval.seconds(60)

    @Test func theValueIsThereForEveryWait() {
        let work = BackgroundWork { 6 * 7 }
        #expect(work.wait() == 42)
        #expect(work.wait() == 42)
    }

    /// A pipeline hands the pool its next piece as soon as the last one is done: the thread
    /// that did it must count as free by then, or every hand-off could start a thread.
    @Test func aPieceHandedOnAsTheLastIsDoneGoesToTheSameThread() {
        let pool = WorkerThreads()
        for _ in 0..<1000 {
            let done = DispatchSemaphore(value: 0)
            pool.run({}, then: { done.signal() })
            #expect(done.wait(timeout: .now() + Self.deadline) == .success)
        }
        #expect(pool.threads == 1)
    }

    /// A piece that waits for a later one gets a thread of its own for that later one.
    @Test func noPieceWaitsForAnotherToFinish() {
        let pool = WorkerThreads()
        let secondRan = DispatchSemaphore(value: 0)
        let bothDone = DispatchSemaphore(value: 0)
        pool.run({ _ = secondRan.wait(timeout: .now() + Self.deadline) }, then: { bothDone.signal() })
        pool.run({ secondRan.signal() }, then: { bothDone.signal() })
        #expect(bothDone.wait(timeout: .now() + Self.deadline) == .success)
        #expect(bothDone.wait(timeout: .now() + Self.deadline) == .success)
        #expect(pool.threads == 2)
    }

    /// What a piece of work captured is let go before its end is said: `verify`'s second
    /// reader of a SQLite ledger, let go after, could close after the command's own
    /// connection and leave the `-wal` and `-shm` files of a read-only last close.
    @Test func whatTheWorkHeldIsLetGoBeforeItIsSaidDone() {
        let counter = Counter()
        var late = 0
        for round in 1...1000 {
            let work: BackgroundWork<Int> = {
                let held = Held(counter)
                return BackgroundWork { withExtendedLifetime(held) { 0 } }
            }()
            _ = work.wait()
            if counter.released.withLock({ $0 }) != round { late += 1 }
        }
        #expect(late == 0, "\(late) of 1000 pieces still held what they captured when said done")
    }

    final class Counter: Sendable {
        let released = Mutex(0)
    }

    final class Held: Sendable {
        let counter: Counter
        init(_ counter: Counter) { self.counter = counter }
        deinit { counter.released.withLock { $0 += 1 } }
    }
}
