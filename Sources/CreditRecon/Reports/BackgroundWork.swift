import Dispatch
import Synchronization

/// Pure work started on another core now and collected later (`report` renders its
/// biggest file this way while it writes the others; issue "Speed").
final class BackgroundWork<Value: Sendable>: Sendable {
    private let result = Mutex<Value?>(nil)
    private let finished = DispatchSemaphore(value: 0)

    /// Starts `work` on a global queue.
    init(_ work: @escaping @Sendable () -> Value) {
        DispatchQueue.global().async { [self] in
            let value = work()
            result.withLock { $0 = value }
            finished.signal()
        }
    }

    /// Waits for the work to finish and gives its value.
    func wait() -> Value {
        finished.wait()
        finished.signal()  // later calls do not block
        return result.withLock { value in
            guard let value else { preconditionFailure("the work signalled before setting its value") }
            return value
        }
    }
}
