import Foundation
import Synchronization

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
    /// next job, does the work, lets go of what the work held, counts itself free, then says
    /// the work is done.
    ///
    /// What the work captured goes before anyone hears it is done: `verify`'s second reader
    /// of a SQLite ledger, let go after `then`, could close after the command's own
    /// connection, and a read-only connection closing last leaves the `-wal` and `-shm`
    /// files, which made the ledger unreadable to other users on read-only storage.
    private func serve() {
        condition.lock()
        while true {
            while jobs.isEmpty { condition.wait() }
            var job: Job? = jobs.removeFirst()
            condition.unlock()
            job?.work()
            let then = job?.then
            job = nil
            condition.lock()
            waiting += 1
            condition.unlock()
            then?()
            condition.lock()
        }
    }
}
