/// A text as one word for a POSIX shell, for the commands an advice spells out: as it is
/// when plain, else in single quotes.
public enum ShellWord {
    public static func quoted(_ text: String) -> String {
        let plain = !text.isEmpty && text.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "._-/".unicodeScalars.contains($0))
        }
        return plain ? text : "'" + text.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }

    /// A plan's path as the advice's `topup` takes it: `./` before one that starts with `-`,
    /// which `topup` would take for an option (probe 190); `PLAN.csv` for none, or for `-`,
    /// which names no file to type again.
    public static func plan(_ path: String) -> String {
        guard path != "-", !path.isEmpty else { return "PLAN.csv" }
        return quoted(path.hasPrefix("-") ? "./" + path : path)
    }
}
