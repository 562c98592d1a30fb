/// Escapes free text (memos, references, API messages) for a Markdown table cell, so it
/// cannot break the table, start code, inject HTML or a link.
enum MarkdownText {
    static func cell(_ text: String?) -> String {
        guard let text, !text.isEmpty else { return "" }
        var out = ""
        out.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "\\": out += "\\\\"
            case "|": out += "\\|"
            case "`": out += "\\`"
            case "*": out += "\\*"
            case "_": out += "\\_"
            case "[": out += "\\["
            case "]": out += "\\]"
            case "#": out += "\\#"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\r\n", "\n", "\r", "\u{2028}", "\u{2029}": out += " "
            case "\t": out += " "
            default: out.append(character)
            }
        }
        return out
    }
}
