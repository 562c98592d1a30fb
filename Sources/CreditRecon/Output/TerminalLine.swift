import Foundation
import Synchronization

/// The last line of a terminal, where a long command keeps its progress (on stderr).
///
/// Every progress line draws through it and the log handler writes through it, so a log
/// line never lands in the middle of a progress line: the line is cleared, the log line
/// written, and the progress drawn again below it. Safe to use from any thread.
///
/// Nothing is drawn during a quiet period after the line is made: a command that is done
/// within it (a report of a small ledger) leaves no line flashing on the terminal, and one
/// still working when it ends shows what it is doing then.
public final class TerminalLine: Sendable {
    /// Standard error's, quiet for its first half second; credit-recon makes it as it
    /// starts, so the half second counts from the command's start.
    public static let standardError = TerminalLine(quietFor: .milliseconds(500)) { FileHandle.standardError.write(Data($0.utf8)) }

    private struct State {
        /// What the line shows; `nil` when it is clear.
        var shown: String?
        /// What it is to show when the quiet period ends.
        var pending: String?
        /// Whether the end of the quiet period has been scheduled.
        var scheduled = false
    }

    private let state = Mutex(State())
    private let quietUntil: ContinuousClock.Instant
    private let write: @Sendable (String) -> Void

    /// A line written with `write` (a test's collector; stderr for `standardError`) that
    /// draws nothing for its first `quietFor`.
    public init(quietFor: Duration = .zero, write: @escaping @Sendable (String) -> Void) {
        quietUntil = .now + quietFor
        self.write = write
    }

    /// Draws `text` in place of what the line showed (during the quiet period, when it
    /// ends, if nothing has cleared the line by then).
    public func show(_ text: String) {
        state.withLock { state in
            let quiet = ContinuousClock.now.duration(to: quietUntil)
            guard quiet > .zero else {
                state.shown = text
                write("\r\(text)\u{1B}[K")
                return
            }
            state.pending = text
            guard !state.scheduled else { return }
            state.scheduled = true
            let nanoseconds = quiet.components.seconds * 1_000_000_000 + quiet.components.attoseconds / 1_000_000_000
            DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(nanoseconds))) { self.quietPeriodEnded() }
        }
    }

    private func quietPeriodEnded() {
        state.withLock { state in
            guard let text = state.pending else { return }
            state.pending = nil
            state.shown = text
            write("\r\(text)\u{1B}[K")
        }
    }

    /// Clears the line, if it shows anything (and forgets what it was to show).
    public func clear() {
        state.withLock { state in
            state.pending = nil
            guard state.shown != nil else { return }
            state.shown = nil
            write("\r\u{1B}[K")
        }
    }

    /// Runs `body`, which writes whole lines to the terminal, with the line cleared, then
    /// draws the line again below what it wrote.
    public func writingAbove(_ body: () -> Void) {
        state.withLock { state in
            if state.shown != nil { write("\r\u{1B}[K") }
            body()
            if let shown = state.shown { write("\r\(shown)\u{1B}[K") }
        }
    }
}
