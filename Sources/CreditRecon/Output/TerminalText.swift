import CreditTypes

/// Text from elsewhere (key names from the API, account labels, a CSV file's cells quoted in
/// an error, a server's message in a log line) made safe to print on a terminal: a control
/// character could move the cursor, recolour the screen or hide what follows, so each one is
/// shown as `?`.
public enum TerminalText {
    public static func printable(_ text: String) -> String {
        var out = ""
        out.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            out.unicodeScalars.append(isShownAsQuestionMark(scalar) ? "?" : scalar)
        }
        return out
    }

    /// Whether `printable(_:)` shows `scalar` as `?`: a control or format character, or a
    /// line or paragraph separator.
    public static func isShownAsQuestionMark(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator: return true
        default: return false
        }
    }

    /// `text` between double quotes, as `printable(_:)` shows it, its quotes and backslashes
    /// escaped (`"ops \"x\""`), so where a label ends can be seen and it reads as typed; not
    /// `String(reflecting:)`, which wrote `'-ops` as `\'-ops` (probe 319) and kept a
    /// direction override.
    public static func quoted(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        out.append("\"")
        for scalar in printable(text).unicodeScalars {
            if scalar == "\"" || scalar == "\\" { out.append("\\") }
            out.append(scalar)
        }
        out.append("\"")
        return String(out)
    }

    /// `text` on one line, as `printable(_:)` shows it but for its line breaks and tabs, which
    /// become spaces: a log line quoting a server's text (a charge id, an answer that could
    /// not be read) cannot write lines of its own into the log.
    public static func oneLine(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            out.append(scalar.spacesOneLine ? " " : isShownAsQuestionMark(scalar) ? "?" : scalar)
        }
        return String(out)
    }

    /// `printable(_:)` of each line of `text`, its line breaks kept.
    public static func printableLines(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { printable(String($0)) }.joined(separator: "\n")
    }
}
