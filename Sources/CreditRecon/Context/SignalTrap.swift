import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns SIGINT, SIGTERM and SIGHUP into an `Interruption` instead of killing the process, so
/// requests already sent are finished and recorded and the run is closed in the ledger
/// (DESIGN.md § The top-up flow, step 5).
///
/// The signal's handler is in place when `init` returns (`SignalPipe`): a signal from then
/// on is never lost, nor does it take its default action. What a signal does runs on a
/// thread of its own, outside the signal context, which makes it safe to take locks there.
public final class SignalTrap: Sendable {
    let signals: [Int32]
    /// The interruption the signals raise (`retarget(_:)`).
    private let target: Mutex<Interruption?>

    /// Starts trapping `signals` (default `stopping`) into `interruption`.
    public init(_ interruption: Interruption, signals: [Int32] = SignalTrap.stopping) {
        self.signals = signals
        target = Mutex(interruption)
        SignalPipe.shared.add(self)
    }

    /// When this trap raised its interruption (`oneStop`).
    private let raisedAt = Mutex<ContinuousClock.Instant?>(nil)

    /// A signal this soon after the one that raised the interruption is the same stop, heard
    /// twice: GNU `timeout` sends its signal to the command, then to its whole process group
    /// (probe 445: a cron job's `run` ended at once, exit 143, no report, its runs left open).
    static let oneStop: Duration = .seconds(1)

    /// What a signal does, on `SignalPipe`'s thread. The second signal (`oneStop` or more
    /// after the first) is someone who will not wait for the calls in flight (a GET may wait
    /// out --timeout): the signal's own action, at once. What was in flight then is what a
    /// killed command leaves: its run never ended, a charge request `unknown`.
    fileprivate func heard(_ number: Int32) {
        // Raised under the lock: `retarget(_:)` waits for it, so a signal is never raised on
        // an interruption after another has taken its place and read it.
        target.withLock { interruption in
            guard let interruption else { return }
            let now = ContinuousClock.now
            guard interruption.signal == nil else {
                if let first = raisedAt.withLock({ $0 }), now - first < Self.oneStop { return }
                return Self.dieOf(number)
            }
            raisedAt.withLock { $0 = now }
            interruption.raise(Self.name(of: number))
        }
    }

    /// The signals that stop a command: SIGINT (Ctrl-C), SIGTERM (cron's timeout) and SIGHUP
    /// (the terminal or SSH session closed: it ended a top-up as `kill -9` would, its
    /// requests in flight left unknown, probe 212), unless the process started with SIGHUP
    /// ignored (`nohup`), which asks it to go on.
    public static let stopping: [Int32] = [SIGINT, SIGTERM] + (hangupIgnored ? [] : [SIGHUP])

    /// Whether SIGHUP was ignored when this was first asked (before any trap holds it).
    private static var hangupIgnored: Bool {
        var current = sigaction()
        guard sigaction(SIGHUP, nil, &current) == 0, let handler = current.__sigaction_handler.sa_handler else { return false }
        return unsafeBitCast(handler, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self)
    }

    /// `SIGINT`, `SIGTERM`, `SIGHUP`.
    static func name(of number: Int32) -> String {
        switch number {
        case SIGINT: "SIGINT"
        case SIGTERM: "SIGTERM"
        case SIGHUP: "SIGHUP"
        default: "signal \(number)"
        }
    }

    /// The number of a signal `name(of:)` named.
    static func number(named name: String) -> Int32 {
        [SIGINT, SIGHUP].first { self.name(of: $0) == name } ?? SIGTERM
    }

    /// The interruption the signals raise now; `nil` once cancelled.
    var raising: Interruption? { target.withLock { $0 } }

    /// Makes the signals raise `interruption` from now on, with no moment between in which
    /// they would have their default action (a new trap set up, and this one taken down).
    func retarget(_ interruption: Interruption) {
        target.withLock { $0 = interruption }
    }

    /// Ends the process by `number`'s own action, at once.
    static func dieOf(_ number: Int32) {
        signal(number, SIG_DFL)
        kill(getpid(), number)
    }

    /// Stops trapping: a signal no other trap holds has its default action again.
    public func cancel() {
        target.withLock { $0 = nil }
        SignalPipe.shared.remove(self)
    }
}

/// The process's one handler of the signals traps hold: it writes the signal's number to a
/// pipe, all a signal handler may safely do, and a thread reading the pipe tells the traps.
/// Installed with `signal(2)`, it is in place at once (a dispatch signal source, set up
/// asynchronously, let a signal in its first moments go unseen, the signal ignored), and a
/// child process starts with the default action, not with the signal ignored.
private final class SignalPipe: Sendable {
    static let shared = SignalPipe()

    /// The pipe's write end, for the handler (which can read no context); set once, before
    /// any handler is installed.
    nonisolated(unsafe) static var writeEnd: Int32 = -1
    private let readEnd: Int32
    private let traps = Mutex<[ObjectIdentifier: SignalTrap]>([:])

    private init() {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { fatalError("cannot make the signal pipe: \(String(cString: strerror(errno)))") }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        // Never blocks a handler: a full pipe (65,536 signals unread) drops the signal.
        _ = fcntl(ends[1], F_SETFL, fcntl(ends[1], F_GETFL) | O_NONBLOCK)
        readEnd = ends[0]
        Self.writeEnd = ends[1]
        let thread = Thread { [readEnd] in
            var byte: UInt8 = 0
            while true {
                let count = read(readEnd, &byte, 1)
                if count < 0 && errno == EINTR { continue }
                guard count == 1 else { return }
                SignalPipe.shared.tell(Int32(byte))
            }
        }
        thread.name = "credit-recon signals"
        thread.start()
    }

    func add(_ trap: SignalTrap) {
        traps.withLock { traps in
            traps[ObjectIdentifier(trap)] = trap
            for number in trap.signals { signal(number, SignalPipe.handler) }
        }
    }

    func remove(_ trap: SignalTrap) {
        traps.withLock { traps in
            traps[ObjectIdentifier(trap)] = nil
            let held = Set(traps.values.flatMap(\.signals))
            for number in trap.signals where !held.contains(number) { signal(number, SIG_DFL) }
        }
    }

    private func tell(_ number: Int32) {
        let holding = traps.withLock { $0.values.filter { $0.signals.contains(number) } }
        for trap in holding { trap.heard(number) }
    }

    private static let handler: @convention(c) (Int32) -> Void = { number in
        let saved = errno
        var byte = UInt8(truncatingIfNeeded: number)
        _ = write(SignalPipe.writeEnd, &byte, 1)
        errno = saved
    }
}
