/// Escapes free text (memos, references, API messages, key names) for a Markdown table
/// cell, so it cannot break the table, start code, inject HTML or a link; a control
/// character, or one that reverses the text's direction, is shown as `?` (`cat` of the file
/// on a terminal must not recolour it or reorder what it shows).
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
            case _ where character.unicodeScalars.contains(where: ReportText.isHidden): out += "?"
            default: out.append(character)
            }
        }
        return out
    }
}
