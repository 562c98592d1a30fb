/// A name the ledger keeps for good and matches byte for byte (a `reference`, a
/// `charge_id`, an account label): refused when it could look like another name, which
/// would be another top-up or charge of what was already paid.
///
/// What is refused, each said with the character and the fix:
/// - a character that shows nothing or shows as a blank or a box: white space but the ASCII
///   space, format and default-ignorable characters (U+200B, U+00AD, U+202E, U+FEFF), the
///   braille blank, private-use, unassigned and noncharacter code points. The joiner and
///   the emoji variation selectors inside an emoji sequence (👨‍👩‍👧, ❤️) are kept;
/// - another form of a character (Unicode's compatibility and singleton mappings): fullwidth
///   `Ａ`, mathematical `𝐀`, `①`, `ⅼ`, the Kelvin sign;
/// - a dash other than `-`, and a line drawn like one (`ー`, `一`, `─`) beside an ASCII character;
/// - a combining mark on an ASCII character, which no precomposed letter holds (`1̣`);
/// - digits of another numbering beside ASCII letters or digits (`١`);
/// - letters of two alphabets, but Latin with Chinese, Japanese or Korean (`Q4-Αlpha`,
///   `Invoice-Счёт`), and a Greek or Cyrillic name made only of letters drawn like Latin
///   ones (`2026-11-Α-01`);
/// - decomposed accents (not Unicode NFC).
///
/// A name wholly in another alphabet whose letters look Latin (Cherokee `ᎪᏴᏟ`) is not told
/// apart from the Latin one: that would need Unicode's confusables table (UTS #39).
enum LookAlikeName {
    /// Why `value` could look like another name, or `nil`.
    static func problem(_ value: String, column: String, another: String) -> String? {
        guard !value.utf8.allSatisfy({ $0 < 0x80 }) else { return nil }
        let article = column.first.map { "aeiou".contains($0) } == true ? "an" : "a"
        let matched = "\(article) \(column) is matched byte for byte, and what looks the same would be another \(another)"
        guard Array(value.precomposedStringWithCanonicalMapping.utf8) == Array(value.utf8) || hasSingleton(value) else {
            return "\"\(TerminalText.printable(value))\" is written with decomposed accents; write it in composed form "
                + "(Unicode NFC), as most editors and keyboards do: \(matched)"
        }
        let scalars = Array(value.unicodeScalars)
        let hasASCIILetterOrDigit = scalars.contains { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) }
        for (place, scalar) in scalars.enumerated() {
            let before = place > 0 ? scalars[place - 1] : nil, after = place + 1 < scalars.count ? scalars[place + 1] : nil
            if isInvisible(scalar, between: before, and: after) {
                let kind = scalar.properties.isWhitespace ? "space" : "character"
                let edge = place == 0 || place == scalars.count - 1
                return (edge ? "begins or ends with" : "holds") + " an invisible \(kind) (\(named(scalar)))"
                    + (edge ? "" : " as its character \(place + 1)") + "; remove it: \(matched)"
            }
            if isDash(scalar) || (drawnLikeADash.contains(scalar.value) && (before?.isASCII == true || after?.isASCII == true)) {
                return "holds \(named(scalar)), which looks like a hyphen; write \"-\" (U+002D) there: \(matched)"
            }
            // Compared as scalars: String's == holds canonical equivalents equal (the Kelvin sign and "K").
            let plain = String(scalar).precomposedStringWithCompatibilityMapping
            if !plain.unicodeScalars.elementsEqual([scalar]) {
                return "holds \(named(scalar)), another form of \"\(TerminalText.printable(plain))\"; write "
                    + "\"\(TerminalText.printable(plain))\" there: \(matched)"
            }
            let category = scalar.properties.generalCategory
            if [.nonspacingMark, .enclosingMark, .spacingMark].contains(category), let before, before.isASCII {
                return "holds \(named(scalar)) on \"\(TerminalText.printable(String(before)))\", a mark no letter of its "
                    + "own holds; remove it: \(matched)"
            }
            if category == .decimalNumber, !scalar.isASCII, hasASCIILetterOrDigit {
                return "holds \(named(scalar)), a digit of another numbering beside ASCII letters or digits; write the "
                    + "digits 0-9: \(matched)"
            }
        }
        var first: (script: String, letter: Unicode.Scalar)?
        var onlyLookAlikes = true  // every letter is a Greek or Cyrillic one drawn like a Latin one
        for scalar in scalars {
            guard let script = script(of: scalar) else { continue }
            if !looksLatin.contains(scalar.value) { onlyLookAlikes = false }
            guard script != "CJK" else { continue }
            guard let seen = first else { first = (script, scalar); continue }
            if seen.script != script {
                return "mixes \(seen.script) and \(script) letters (\(named(seen.letter)), then \(named(scalar))): in two "
                    + "alphabets a name can hold a letter drawn like one of the other's; write it in one alphabet (Latin may "
                    + "go with Chinese, Japanese or Korean): \(matched)"
            }
        }
        if let first, ["Greek", "Cyrillic"].contains(first.script), onlyLookAlikes {
            return "is written in \(first.script) letters that all look like Latin ones (\(named(first.letter)) first); "
                + "write it in Latin letters, or with a \(first.script) letter that looks like none: \(matched)"
        }
        return nil
    }

    /// Whether `value` is not NFC only for singletons (the Kelvin sign's NFC is "K"), which
    /// are said as another form of a character, not as decomposed accents.
    private static func hasSingleton(_ value: String) -> Bool {
        value.unicodeScalars.contains { !String($0).precomposedStringWithCanonicalMapping.unicodeScalars.elementsEqual([$0]) }
    }

    /// A character that shows nothing, or a blank or a box, where it stands; the joiner
    /// (U+200D) between two emoji and a variation selector after one are part of the emoji.
    private static func isInvisible(_ scalar: Unicode.Scalar, between before: Unicode.Scalar?, and after: Unicode.Scalar?) -> Bool {
        let emoji = { (neighbour: Unicode.Scalar?) in neighbour.map { !$0.isASCII && $0.properties.isEmoji } ?? false }
        if scalar == "\u{200D}" && emoji(before) && emoji(after) { return false }
        if (scalar == "\u{FE0F}" || scalar == "\u{FE0E}") && emoji(before) { return false }
        let properties = scalar.properties
        switch properties.generalCategory {
        case .format, .privateUse, .unassigned, .surrogate, .control, .lineSeparator, .paragraphSeparator: return true
        default: break
        }
        return (properties.isWhitespace && scalar != " ") || properties.isDefaultIgnorableCodePoint
            || properties.isNoncharacterCodePoint || scalar == "\u{2800}" || scalar == "\u{FFFC}"
    }

    /// A dash other than `-` (U+002D): dash punctuation and the minus sign.
    private static func isDash(_ scalar: Unicode.Scalar) -> Bool {
        (scalar.properties.generalCategory == .dashPunctuation && scalar != "-") || scalar == "\u{2212}"
    }

    /// Letters and symbols drawn as a short level line, read as `-` beside ASCII text: the
    /// hyphen bullet, the modifier minus, the heavy minus, the prolonged sound mark, the CJK
    /// "one", box-drawing lines, the horizontal line extension, two Hangul vowels.
    private static let drawnLikeADash: Set<UInt32> = [
        0x2043, 0x02D7, 0x2796, 0x30FC, 0x4E00, 0x2500, 0x2501, 0x2574, 0x2576, 0x2578, 0x257A, 0x23AF, 0x3161, 0x1173,
        0x23BA, 0x23BB, 0x23BC, 0x23BD, 0x10110, 0x1D360,
    ]

    /// `U+2011 NON-BREAKING HYPHEN`: a character's code point and Unicode name.
    static func named(_ scalar: Unicode.Scalar) -> String {
        "U+\(String(scalar.value, radix: 16, uppercase: true))" + (scalar.properties.name.map { " " + $0 } ?? "")
    }

    /// The alphabet of a letter, from the first word of its Unicode name ("Latin",
    /// "Greek", "Cherokee"; "CJK" for Chinese, Japanese and Korean), or `nil` for what is
    /// no letter (digits, punctuation, symbols, marks).
    static func script(of scalar: Unicode.Scalar) -> String? {
        let properties = scalar.properties
        guard properties.isAlphabetic,
              ![.nonspacingMark, .spacingMark, .enclosingMark].contains(properties.generalCategory),
              let word = properties.name?.split(separator: " ").first else { return nil }
        switch word {
        case "CJK", "HIRAGANA", "KATAKANA", "KATAKANA-HIRAGANA", "HANGUL", "BOPOMOFO", "IDEOGRAPHIC": return "CJK"
        default: return word.prefix(1) + word.dropFirst().lowercased()
        }
    }

    /// The Greek and Cyrillic letters drawn like Latin ones (from Unicode's confusables,
    /// UTS #39): a name made only of them (`2026-11-Α-01` with a Greek Alpha) reads as Latin.
    private static let looksLatin: Set<UInt32> = [
        0x391, 0x392, 0x395, 0x396, 0x397, 0x399, 0x39A, 0x39C, 0x39D, 0x39F, 0x3A1, 0x3A4, 0x3A5, 0x3A7,  // ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ
        0x3B9, 0x3BA, 0x3BD, 0x3BF, 0x3C1, 0x3C5,  // ικνορυ
        0x405, 0x406, 0x408, 0x410, 0x412, 0x415, 0x41A, 0x41C, 0x41D, 0x41E, 0x420, 0x421, 0x422, 0x425,  // ЅІЈАВЕКМНОРСТХ
        0x430, 0x435, 0x43E, 0x440, 0x441, 0x443, 0x445, 0x455, 0x456, 0x458, 0x4BB, 0x501, 0x51B, 0x51D,  // аеорсухѕіјһԁԛԝ
    ]
}
