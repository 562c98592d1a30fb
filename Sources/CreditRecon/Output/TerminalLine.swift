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
    public static let standardError = TerminalLine(quietFor: .milliseconds(500), width: { terminalWidth(STDERR_FILENO) }) {
        StandardStream.error($0)
    }

    private struct State {
        /// What the line shows; `nil` when it is clear.
        var shown: String?
        /// What it is to show when the quiet period ends.
        var pending: String?
    }

    private let state = Mutex(State())
    private let quietUntil: ContinuousClock.Instant
    private let write: @Sendable (String) -> Void
    /// The terminal's width in columns as each line is drawn, `nil` when not known.
    private let width: @Sendable () -> Int?

    /// A line written with `write` (a test's collector; stderr for `standardError`) that
    /// draws nothing for its first `quietFor`, each text cut to `width()` less one column.
    public init(quietFor: Duration = .zero, width: @escaping @Sendable () -> Int? = { nil },
                write: @escaping @Sendable (String) -> Void) {
        quietUntil = .now + quietFor
        self.width = width
        self.write = write
        guard quietFor > .zero else { return }
        Task { [self] in
            try? await Task.sleep(until: quietUntil, clock: .continuous)
            state.withLock { state in
                if let text = state.pending { draw(text, &state) }
            }
        }
    }

    /// Draws `text` in place of what the line showed (during the quiet period, when it
    /// ends, if nothing has cleared the line by then).
    public func show(_ text: String) {
        state.withLock { state in
            if ContinuousClock.now < quietUntil {
                state.pending = text
            } else {
                draw(text, &state)
            }
        }
    }

    /// Clears the line, if it shows anything (and forgets what it was to show).
    public func clear() {
        state.withLock { state in
            state.pending = nil
            guard state.shown != nil else { return }
            state.shown = nil
            write(Self.clearing)
        }
    }

    /// Runs `body`, which writes whole lines to the terminal, with the line cleared, then
    /// draws the line again below what it wrote.
    public func writingAbove(_ body: () -> Void) {
        state.withLock { state in
            if state.shown != nil { write(Self.clearing) }
            body()
            if let shown = state.shown { write("\r\(fitted(shown))\u{1B}[K") }
        }
    }

    /// `text` cut to the terminal's width less one column: a line that wraps leaves its first
    /// row behind at every redraw, since the carriage return goes back to its last row only
    /// (probe 399: a 40-column terminal filled with stale lines).
    private func fitted(_ text: String) -> String {
        guard let columns = width(), text.count >= columns else { return text }
        // One column holds no text beside the cursor.
        return columns < 2 ? "" : String(text.prefix(columns - 2)) + "…"
    }

    /// The width of the terminal `fd` is, from the kernel (`TIOCGWINSZ`); when the terminal
    /// does not say (a width of 0: a serial line, a pseudo-terminal nobody sized), `COLUMNS`
    /// (40 at least, as credit-recon leaves it for its help), else 80 columns, so that a long
    /// line is still cut (probe 451: drawn whole, 89 columns, it would leave a row behind at
    /// each redraw); `nil` for no terminal.
    static func terminalWidth(_ fd: Int32) -> Int? {
        var size = winsize()
        guard ioctl(fd, UInt(TIOCGWINSZ), &size) == 0 else { return nil }
        if size.ws_col > 0 { return Int(size.ws_col) }
        if let given = ProcessInfo.processInfo.environment["COLUMNS"].flatMap({ Int($0) }), given > 0, given <= 10_000 { return given }
        return 80
    }

    /// Carriage return, then erase to the end of the line.
    private static let clearing = "\r\u{1B}[K"

    private func draw(_ text: String, _ state: inout State) {
        state.pending = nil
        state.shown = text
        write("\r\(fitted(text))\u{1B}[K")
    }
}
