import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns SIGINT and SIGTERM into a `StopFlag` request instead of killing the process, so
/// requests already sent are finished and recorded (DESIGN.md § The top-up flow, step 5).
///
/// Dispatch signal sources run their handler on a queue, outside the signal context,
/// which makes it safe to take locks there.
public final class SignalTrap: @unchecked Sendable {
    // Mutated only in `init` and `cancel()`, which the owner calls once.
    private var sources: [DispatchSourceSignal] = []
    private let signals: [Int32]

    /// Starts trapping `signals` (default SIGINT and SIGTERM) into `flag`.
    public init(_ flag: StopFlag, signals: [Int32] = [SIGINT, SIGTERM], onSignal: (@Sendable (String) -> Void)? = nil) {
        self.signals = signals
        for number in signals {
            // The default action would kill the process before the handler runs.
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            let name = number == SIGINT ? "SIGINT" : number == SIGTERM ? "SIGTERM" : "signal \(number)"
            source.setEventHandler {
                flag.request(.interrupted(signal: name))
                onSignal?(name)
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Stops trapping and restores the default actions.
    public func cancel() {
        for source in sources { source.cancel() }
        sources.removeAll()
        for number in signals { signal(number, SIG_DFL) }
    }
}
