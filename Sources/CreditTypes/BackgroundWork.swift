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
/// to a new thread when none is waiting, so no piece ever waits for another to finish.
/// Starting a thread for each piece took about a millisecond before it ran, once per
/// thousand entries of an import.
private final class WorkerThreads: @unchecked Sendable {
    static let shared = WorkerThreads()

    // Only touched with `condition` locked.
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    /// Threads waiting for work that no job has been promised to yet.
    private var waiting = 0

    func run(_ job: @escaping @Sendable () -> Void) {
        condition.lock()
        jobs.append(job)
        if waiting > 0 {
            waiting -= 1
            condition.signal()
            condition.unlock()
        } else {
            condition.unlock()
            let thread = Thread { [self] in work() }
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    private func work() {
        condition.lock()
        while true {
            if jobs.isEmpty {
                waiting += 1
                repeat { condition.wait() } while jobs.isEmpty
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
            condition.lock()
        }
    }
}
