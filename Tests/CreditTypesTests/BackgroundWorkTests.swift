import Dispatch
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
}
