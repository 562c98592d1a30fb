/// A text as one word for a POSIX shell, for the commands an advice spells out: as it is
/// when plain, else in single quotes.
public enum ShellWord {
    public static func quoted(_ text: String) -> String {
        let plain = !text.isEmpty && text.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "._-/".unicodeScalars.contains($0))
        }
        return plain ? text : "'" + text.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }

    /// A plan's path as the advice's `topup` takes it; `PLAN.csv` for one read from
    /// standard input (`-`), which has no name to type again.
    public static func plan(_ path: String) -> String {
        path == "-" || path.isEmpty ? "PLAN.csv" : quoted(path)
    }
}
