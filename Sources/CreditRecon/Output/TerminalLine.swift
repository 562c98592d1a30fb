import Foundation
import Synchronization

/// The last line of a terminal, where a long command keeps its progress (on stderr).
///
/// Every progress line draws through it and the log handler writes through it, so a log
/// line never lands in the middle of a progress line: the line is cleared, the log line
/// written, and the progress drawn again below it. Safe to use from any thread.
public final class TerminalLine: Sendable {
    /// Standard error's.
    public static let standardError = TerminalLine { FileHandle.standardError.write(Data($0.utf8)) }

    /// What the line shows; `nil` when it is clear.
    private let shown = Mutex<String?>(nil)
    private let write: @Sendable (String) -> Void

    /// A line written with `write` (a test's collector; stderr for `standardError`).
    public init(write: @escaping @Sendable (String) -> Void) {
        self.write = write
    }

    /// Draws `text` in place of what the line showed.
    public func show(_ text: String) {
        shown.withLock { shown in
            shown = text
            write("\r\(text)\u{1B}[K")
        }
    }

    /// Clears the line, if it shows anything.
    public func clear() {
        shown.withLock { shown in
            guard shown != nil else { return }
            shown = nil
            write("\r\u{1B}[K")
        }
    }

    /// Runs `body`, which writes whole lines to the terminal, with the line cleared, then
    /// draws the line again below what it wrote.
    public func writingAbove(_ body: () -> Void) {
        shown.withLock { shown in
            if shown != nil { write("\r\u{1B}[K") }
            body()
            if let shown { write("\r\(shown)\u{1B}[K") }
        }
    }
}
