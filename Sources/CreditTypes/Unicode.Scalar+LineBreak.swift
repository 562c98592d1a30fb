extension Unicode.Scalar {
    /// A line break of any script (LF, CR, VT, FF, NEL, U+2028, U+2029) or a tab: what text
    /// put on one line (a log line, a server's message) writes as a space.
    public var spacesOneLine: Bool {
        switch self {
        case "\n", "\r", "\t", "\u{0B}", "\u{0C}", "\u{85}", "\u{2028}", "\u{2029}": true
        default: false
        }
    }
}
