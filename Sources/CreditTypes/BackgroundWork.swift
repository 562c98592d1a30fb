import Dispatch
import Synchronization

/// Work started on another core now and collected later: the one way this package puts
/// work on a second core (`report` renders its biggest file while it writes the others,
/// the ledger checks the file's integrity while it replays the journal).
public final class BackgroundWork<Value: Sendable>: Sendable {
    private let result = Mutex<Value?>(nil)
    private let finished = DispatchSemaphore(value: 0)

    /// Starts `work` on a global queue.
    public init(_ work: @escaping @Sendable () -> Value) {
        DispatchQueue.global().async { [self] in
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
