/// A text as one word for a shell, for the commands an advice spells out: as it is when
/// plain, else in single quotes, or, holding a control character, in bash's and zsh's `$'…'`.
public enum ShellWord {
    public static func quoted(_ text: String) -> String {
        // A control character (a line break in a file's name) is spelled out, `$'p\nx'`: a
        // terminal or a log shows none as it is (probe 465: the line read `p x`, another file).
        if text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            var out = "$'"
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\\": out += "\\\\"
                case "'": out += "\\'"
                case "\n": out += "\\n"
                case "\t": out += "\\t"
                case "\r": out += "\\r"
                case _ where scalar.properties.generalCategory == .control:
                    let hex = String(scalar.value, radix: 16)
                    out += scalar.value < 0x80
                        ? "\\x" + String(repeating: "0", count: 2 - hex.count) + hex
                        : "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                default: out.unicodeScalars.append(scalar)
                }
            }
            return out + "'"
        }
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
