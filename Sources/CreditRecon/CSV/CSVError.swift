/// A problem reading a CSV file, named by file and line.
public struct CSVError: ExitCoded, Equatable {
    /// The file's name as the user gave it.
    public let file: String
    /// The 1-based line where the problem is (0 when the file could not be read at all).
    public let line: Int
    /// What is wrong and how to fix it.
    public let message: String
    /// The reader cannot go on after this (unterminated quote, binary data, unreadable file).
    public let isFatal: Bool
    /// `dataError` (65) for bad content, `noInput` (66) for a missing or unreadable file.
    public let exitStatus: ExitStatus

    /// One line, whatever the file's name or the cell it quotes holds (a quoted field may
    /// hold a line break): a control character is shown as `?`.
    /// The characters it shows as `?` are named after it (probe 255: `"?2026-11-24T23:00:00Z"
    /// is not a time`, of a cell beginning with a byte-order mark, left the user guessing).
    public var description: String {
        let text = line > 0 ? "\(file):\(line): \(message)" : "\(file): \(message)"
        var named: [String] = []
        for scalar in text.unicodeScalars where TerminalText.isShownAsQuestionMark(scalar) {
            let name = LookAlikeName.named(scalar)
            if !named.contains(name) { named.append(name) }
        }
        guard !named.isEmpty else { return TerminalText.printable(text) }
        return TerminalText.printable(text) + " (each ? above stands for a character that shows nothing: "
            + named.joined(separator: ", ") + ")"
    }

    static func malformed(_ file: String, _ line: Int, _ message: String, fatal: Bool = false) -> CSVError {
        CSVError(file: file, line: line, message: message, isFatal: fatal, exitStatus: .dataError)
    }

    static func unreadable(_ file: String, _ message: String) -> CSVError {
        CSVError(file: file, line: 0, message: message, isFatal: true, exitStatus: .noInput)
    }
}
