import Foundation
import Ledger

/// The line a long command keeps up to date on a terminal (stderr) while it works:
/// `import: 1048576 snapshots checked and written so far`, or the step a report has got to,
/// `report: writing charges.csv`. A count is redrawn at most every `step` rows; the line
/// is cleared when the work ends, before its summary or error.
public final class ProgressLine {
    private let noun: String
    private let command: String
    private let done: String
    private let enabled: Bool
    private let step: Int
    private let write: (String) -> Void
    /// The count last drawn; 0 before the first.
    private var shown = 0
    /// Whether the line is on the terminal.
    private var visible = false

    /// `enabled` is for a terminal without `--json`; `write` is stderr unless a test says
    /// otherwise. The line reads `<command>: <rows> <noun> <done> so far`.
    public init(noun: String = "rows", command: String = "import", done: String = "checked and written", enabled: Bool, step: Int = 65_536,
                write: @escaping (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }) {
        self.noun = noun
        self.command = command
        self.done = done
        self.enabled = enabled
        self.step = step
        self.write = write
    }

    /// `rows` rows have been done.
    public func update(_ rows: Int) {
        guard enabled, rows > 0, rows - shown >= step else { return }
        shown = rows
        draw("\(rows) \(noun) \(done) so far")
    }

    /// Says what the work has moved on to (`<command>: <text>`), when the line is showing:
    /// work too short to have shown a count shows nothing.
    public func moveOn(to text: String) {
        guard visible else { return }
        draw(text)
    }

    /// Shows the step `report` or `export` has got to. Each step is shown as it starts,
    /// however short: a report has no count to wait for.
    public func show(_ reporting: ReportProgress) {
        guard enabled else { return }
        draw(reporting.words)
    }

    /// Shows how far `verify` has got.
    public func show(_ verifying: VerifyProgress) {
        switch verifying {
        case .checked(let entries): update(Int(entries))
        case .comparing: moveOn(to: "comparing the replay with the stored tables; the database checks its own files")
        }
    }

    /// Clears the line, if it was ever shown.
    public func finish() {
        guard visible else { return }
        visible = false
        shown = 0
        write("\r\u{1B}[K")
    }

    private func draw(_ text: String) {
        visible = true
        write("\r\(command): \(text)\u{1B}[K")
    }
}
