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
