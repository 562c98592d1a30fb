/// Escapes free text (memos, references, API messages, key names) for a Markdown table
/// cell, so it cannot break the table, start code, inject HTML or a link; a control
/// character, or one that reverses the text's direction, is shown as `?` (`cat` of the file
/// on a terminal must not recolour it or reorder what it shows).
enum MarkdownText {
    /// Scalar by scalar: a mark combining with `|` or a backquote makes one `Character`
    /// that is neither, but the Markdown reader still sees the `|` (probe 306).
    static func cell(_ text: String?) -> String {
        guard let text, !text.isEmpty else { return "" }
        let scalars = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var index = 0
        func put(_ text: String) { out.append(contentsOf: text.unicodeScalars) }
        while index < scalars.count {
            let scalar = scalars[index]
            switch scalar {
            case "\\": put("\\\\")
            case "|": put("\\|")
            case "`": put("\\`")
            case "*": put("\\*")
            case "_": put("\\_")
            case "[": put("\\[")
            case "]": put("\\]")
            case "#": put("\\#")
            case "<": put("&lt;")
            case ">": put("&gt;")
            case "&": put("&amp;")
            case "\r":
                put(" ")  // CR LF is one space
                if index + 1 < scalars.count, scalars[index + 1] == "\n" { index += 1 }
            case "\n", "\u{2028}", "\u{2029}", "\t": put(" ")
            case _ where ReportText.isHidden(scalar): put("?")
            default: out.append(scalar)
            }
            index += 1
        }
        return String(out)
    }
}
