/// A text as one word for a POSIX shell, for the commands an advice spells out: as it is
/// when plain, else in single quotes.
public enum ShellWord {
    public static func quoted(_ text: String) -> String {
        let plain = !text.isEmpty && text.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "._-/".unicodeScalars.contains($0))
        }
        return plain ? text : "'" + text.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }

    /// `name value` for an option of a command an advice spells out, `name=value` for a
    /// value that begins with `-`, which the parser would take for an option (probe 463:
    /// `--batch -b` was refused, "Missing value").
    public static func option(_ name: String, _ value: String) -> String {
        value.hasPrefix("-") ? "\(name)=\(quoted(value))" : "\(name) \(quoted(value))"
    }

    /// A plan's path as the advice's `topup` takes it: `./` before one that starts with `-`,
    /// which `topup` would take for an option (probe 190); `PLAN.csv` for none, or for `-`,
    /// which names no file to type again.
    public static func plan(_ path: String) -> String {
        guard path != "-", !path.isEmpty else { return "PLAN.csv" }
        return quoted(path.hasPrefix("-") ? "./" + path : path)
    }
}
