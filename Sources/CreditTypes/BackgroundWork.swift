import Foundation
import Synchronization

/// Work started on another core now and collected later: the one way this package puts
/// work on a second core (`report` renders its biggest file while it writes the others,
/// `plan check` checks wallets while it reads on, the ledger stores one batch while it
/// frames the next).
///
/// The work runs on a thread of this package's own pool, which starts a thread whenever
/// none is free: the work often waits (for a lock, for the other side of a pipeline), and
/// a queue with only as many threads as cores would hold the next piece back meanwhile.
public final class BackgroundWork<Value: Sendable>: Sendable {
    private let result = Mutex<Value?>(nil)
    private let finished = DispatchSemaphore(value: 0)

    /// Starts `work` on a free thread of the pool.
    public init(_ work: @escaping @Sendable () -> Value) {
        WorkerThreads.shared.run { [self] in
            let value = work()
            result.withLock { $0 = value }
        } then: { [self] in
            finished.signal()
        }
    }

    /// Waits for the work to finish and gives its value.
    public func wait() -> Value {
        finished.wait()
        finished.signal()  // later calls do not block
        return result.withLock { value in
            guard let value else { preconditionFailure("the work signalled before setting its value") }
            return value
        }
    }
}

/// Threads kept for `BackgroundWork`: a piece of work goes to a thread waiting for one, or
/// to a new thread when none is waiting, so no piece ever waits for another to finish, and
/// none waits for a thread to start while one is free.
final class WorkerThreads: @unchecked Sendable {
    static let shared = WorkerThreads()

    // Only touched with `condition` locked.
    private let condition = NSCondition()
    private var jobs: [Job] = []
    /// Threads free for work that no job has been promised to yet: with the jobs queued,
    /// the number of threads that are free.
    private var waiting = 0
    /// Threads started.
    private var started = 0

    private struct Job {
        let work: @Sendable () -> Void
        let then: @Sendable () -> Void
    }

    /// The threads this pool has started.
    var threads: Int {
        condition.lock()
        defer { condition.unlock() }
        return started
    }

    /// Runs `work` on a free thread, then `then` once that thread counts as free again:
    /// whoever `then` wakes may hand the pool its next piece at once, and finds this thread
    /// waiting for it rather than starting another.
    func run(_ work: @escaping @Sendable () -> Void, then: @escaping @Sendable () -> Void) {
        condition.lock()
        jobs.append(Job(work: work, then: then))
        if waiting > 0 {
            waiting -= 1
            condition.signal()
            condition.unlock()
        } else {
            started += 1
            condition.unlock()
            let thread = Thread { [self] in serve() }
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    /// A thread's life: free (a job queued for it, or counted in `waiting`), it takes the
    /// next job, does the work, counts itself free, then says the work is done.
    private func serve() {
        condition.lock()
        while true {
            while jobs.isEmpty { condition.wait() }
            let job = jobs.removeFirst()
            condition.unlock()
            job.work()
            condition.lock()
            waiting += 1
            condition.unlock()
            job.then()
            condition.lock()
        }
    }
}
