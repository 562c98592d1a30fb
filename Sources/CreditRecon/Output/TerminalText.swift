/// Text from elsewhere (key names from the API, account labels) made safe to print on a
/// terminal: a control character could move the cursor, recolour the screen or hide what
/// follows, so each one is shown as `?`.
enum TerminalText {
    static func printable(_ text: String) -> String {
        var out = ""
        out.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator: out.unicodeScalars.append("?")
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
