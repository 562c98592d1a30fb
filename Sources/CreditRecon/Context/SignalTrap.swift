import Dispatch
import Logging
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns SIGINT and SIGTERM into an `Interruption` instead of killing the process, so
/// requests already sent are finished and recorded and the run is closed in the ledger
/// (DESIGN.md § The top-up flow, step 5).
///
/// Dispatch signal sources run their handler on a queue, outside the signal context,
/// which makes it safe to take locks there.
public final class SignalTrap: @unchecked Sendable {
    // Mutated only in `init` and `cancel()`, which the owner calls once.
    private var sources: [DispatchSourceSignal] = []
    private let signals: [Int32]

    /// Starts trapping `signals` (default SIGINT and SIGTERM) into `interruption`.
    public init(_ interruption: Interruption, signals: [Int32] = [SIGINT, SIGTERM]) {
        self.signals = signals
        for number in signals {
            // The default action would kill the process before the handler runs.
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            let name = number == SIGINT ? "SIGINT" : number == SIGTERM ? "SIGTERM" : "signal \(number)"
            source.setEventHandler {
                // The second signal is someone who will not wait for the calls in flight (a
                // GET may wait out --timeout): the signal's own action, at once. What was in
                // flight then is what a killed command leaves: its run never ended, a charge
                // request `unknown`.
                guard interruption.signal == nil else { return Self.dieOf(number) }
                interruption.raise(name)
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Ends the process by `number`'s own action, at once.
    static func dieOf(_ number: Int32) {
        signal(number, SIG_DFL)
        kill(getpid(), number)
    }

    /// Stops trapping and restores the default actions.
    public func cancel() {
        for source in sources { source.cancel() }
        sources.removeAll()
        for number in signals { signal(number, SIG_DFL) }
    }
}
