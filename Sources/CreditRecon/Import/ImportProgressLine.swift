import Foundation

/// The line an import keeps up to date on a terminal (stderr) while it works through a
/// long file: `import: 1048576 snapshots checked and written so far`. It is redrawn at
/// most every `step` rows and cleared when the import ends, before its summary or error.
public final class ImportProgressLine {
    private let noun: String
    private let command: String
    private let done: String
    private let enabled: Bool
    private let step: Int
    private let write: (String) -> Void
    private var shown = 0

    /// `enabled` is for a terminal without `--json`; `write` is stderr unless a test says
    /// otherwise. The line reads `<command>: <rows> <noun> <done> so far`.
    public init(noun: String, command: String = "import", done: String = "checked and written", enabled: Bool, step: Int = 65_536,
                write: @escaping (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }) {
        self.noun = noun
        self.command = command
        self.done = done
        self.enabled = enabled
        self.step = step
        self.write = write
    }

    /// `rows` rows have been checked and handed to the writer.
    public func update(_ rows: Int) {
        guard enabled, rows - shown >= step else { return }
        shown = rows
        write("\r\(command): \(rows) \(noun) \(done) so far\u{1B}[K")
    }

    /// Clears the line, if it was ever shown.
    public func finish() {
        guard shown > 0 else { return }
        shown = 0
        write("\r\u{1B}[K")
    }
}
