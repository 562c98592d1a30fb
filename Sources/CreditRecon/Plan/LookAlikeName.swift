/// A name the ledger keeps for good and matches byte for byte (a `reference`, an account
/// label): what would make it look like another name, which would be another top-up of
/// what was already paid.
///
/// Three checks. `problem` refuses, with no ledger, what is never meant in any name:
/// decomposed accents (not NFC), a character that shows nothing at an end. `hiddenProblem`
/// refuses in a new reference a character that shows nothing beside an ASCII character
/// (U+200B inside `ABC-01`), or a direction control, a private-use, unassigned or
/// noncharacter code point anywhere. `skeleton` is what a name looks like,
/// a reduced form of the skeletons of Unicode's confusables (UTS #39): the plan's reader
/// and `TopUpEngine` refuse a reference that looks like another (`lookAlike`) but is
/// other text, so `ＡBC-1`, `ᴀBC-1` or `ABC‐1` is refused beside `ABC-1`, while `ООО-12`,
/// `ユーザー1` or `Счёт № 15` are names of their own while nothing looks like them.
enum LookAlikeName {
    /// Why `value` cannot be a name at all, or `nil`: decomposed accents, or a space or a
    /// character that shows nothing at an end. Every name the ledger keeps is held to this
    /// (`hiddenProblem` is for new references only: names kept before it was made stay usable).
    static func problem(_ value: String, column: String, another: String) -> String? {
        guard !value.utf8.allSatisfy({ $0 < 0x80 }) else { return nil }
        let matched = matchedText(column, another)
        guard Array(value.precomposedStringWithCanonicalMapping.utf8) == Array(value.utf8) else {
            // A character Unicode writes as another (the Kelvin sign as "K"), compared as
            // scalars: String's == holds the two equal.
            for scalar in value.unicodeScalars {
                let plain = String(scalar).precomposedStringWithCanonicalMapping
                guard !plain.unicodeScalars.elementsEqual([scalar]) else { continue }
                return "holds \(named(scalar)), which Unicode writes as \"\(TerminalText.printable(plain))\"; write "
                    + "\"\(TerminalText.printable(plain))\" there: \(matched)"
            }
            return "\"\(TerminalText.printable(value))\" is written with decomposed accents; write it in composed form "
                + "(Unicode NFC), as most editors and keyboards do: \(matched)"
        }
        let scalars = Array(value.unicodeScalars)
        for (place, edge) in [(0, scalars.first), (scalars.count - 1, scalars.last)] {
            guard let edge else { continue }
            let properties = edge.properties
            guard properties.isWhitespace || properties.isDefaultIgnorableCodePoint else { continue }
            if isEmojiSelector(at: place, in: scalars) { continue }
            return "begins or ends with \(properties.isWhitespace ? "an invisible space" : "an invisible character") "
                + "(\(named(edge))); remove it: \(matched)"
        }
        return nil
    }

    /// Why a new reference `value` holds what no name is meant to, or `nil`: a character that
    /// shows nothing beside an ASCII character (U+200B inside `ABC-01`), a direction control
    /// anywhere, the braille blank, a private-use, unassigned or noncharacter code point.
    static func hiddenProblem(_ value: String, column: String, another: String) -> String? {
        guard !value.utf8.allSatisfy({ $0 < 0x80 }) else { return nil }
        let scalars = Array(value.unicodeScalars)
        for (place, scalar) in scalars.enumerated() {
            let besideASCII = (place > 0 && scalars[place - 1].isASCII) || (place + 1 < scalars.count && scalars[place + 1].isASCII)
            let properties = scalar.properties
            let never = [.privateUse, .unassigned].contains(properties.generalCategory) || properties.isNoncharacterCodePoint
            let hidden = properties.generalCategory == .format || properties.isDefaultIgnorableCodePoint || scalar == "\u{2800}"
            let emojiStyle = isEmojiSelector(at: place, in: scalars)
            // A direction control reorders what a viewer shows wherever it stands (`Ж‮Ж1-CBA` shows as `ЖABC-1Ж`).
            let anywhere = isDirectionControl(scalar)
            let edge = place == 0 || place == scalars.count - 1
            guard never || anywhere || (hidden && (edge || besideASCII) && !emojiStyle) else { continue }
            let kind = never ? "a character no text holds" : anywhere ? "a direction control" : "an invisible character"
            return (edge ? "begins or ends with" : "holds") + " \(kind) (\(named(scalar)))"
                + (edge ? "" : " as its character \(place + 1)") + "; remove it: \(matchedText(column, another))"
        }
        return nil
    }

    /// Whether the scalar at `place` is a variation selector that is part of an emoji: after
    /// one (`❤️`, at the end too), or in a keycap (`1️⃣`: a digit, the selector, U+20E3).
    private static func isEmojiSelector(at place: Int, in scalars: [Unicode.Scalar]) -> Bool {
        guard scalars[place] == "\u{FE0F}" || scalars[place] == "\u{FE0E}", place > 0 else { return false }
        return (!scalars[place - 1].isASCII && scalars[place - 1].properties.isEmoji)
            || (place + 1 < scalars.count && scalars[place + 1] == "\u{20E3}")
    }

    private static func matchedText(_ column: String, _ another: String) -> String {
        "\(article(column)) \(column) is matched byte for byte, and what looks the same would be another \(another)"
    }

    /// The characters that set the direction text is shown in (U+200E, U+200F, U+061C,
    /// U+202A–U+202E, U+2066–U+2069): a reference needs none, the direction of its letters
    /// being their own.
    static func isDirectionControl(_ scalar: Unicode.Scalar) -> Bool {
        [0x200E, 0x200F, 0x061C].contains(scalar.value) || (0x202A...0x202E).contains(scalar.value)
            || (0x2066...0x2069).contains(scalar.value)
    }

    /// What `name` looks like: compatibility forms as their plain characters (`Ａ` as `A`,
    /// `№` as `No`), lower case, no character that shows nothing, each run of
    /// spaces as one space, every dash and level line as `-`, every vertical stroke as `l`,
    /// and the Greek, Cyrillic, Armenian, Cherokee, Lisu and small-capital letters drawn
    /// like Latin ones as those.
    static func skeleton(_ name: String) -> String {
        if name.utf8.allSatisfy({ $0 < 0x80 }) {
            // The same for ASCII text, without the normalizations it needs none of.
            var ascii = name
            return ascii.withUTF8 { bytes in
                String(unsafeUninitializedCapacity: bytes.count) { asciiSkeleton(of: bytes, into: $0) ?? 0 }
            }
        }
        var out = String.UnicodeScalarView()
        var spaced = false
        func put(_ scalar: Unicode.Scalar) {
            let properties = scalar.properties
            // Marks are kept, as Unicode's skeletons keep them: バス and ハス, Мой and Мои, Año and Ano
            // are different names to a reader.
            if properties.generalCategory == .format || properties.isDefaultIgnorableCodePoint || scalar == "\u{2800}" { return }
            if properties.isWhitespace {
                if !spaced { out.append(" ") }
                spaced = true
                return
            }
            spaced = false
            if let drawn = drawnLike[scalar.value] {
                out.append(drawn)
            } else if properties.generalCategory == .dashPunctuation || drawnLikeADash.contains(scalar.value) {
                out.append("-")
            } else if properties.changesWhenLowercased {
                out.append(contentsOf: properties.lowercaseMapping.unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        for scalar in name.unicodeScalars {
            // A letter drawn like another is looked up as written first: the compatibility mapping
            // takes some to other look-alikes' letters (the lunate sigma Ϲ to Σ). The mapping itself,
            // the costly part, only for what it changes (most letters are their own form).
            if scalar.isASCII || drawnLike[scalar.value] != nil || !scalar.properties.changesWhenNFKCCaseFolded {
                put(scalar)
            } else {
                for mapped in String(scalar).precomposedStringWithCompatibilityMapping.unicodeScalars { put(mapped) }
            }
        }
        return String(out)
    }

    /// An ASCII byte as a skeleton has it: white space as a space, `1`, `I`, `i`, `|` as `l`,
    /// `0` as `o`, capitals in lower case; any other byte as it is.
    private static func asciiSkeleton(_ byte: UInt8) -> UInt8 {
        switch byte {
        case 0x20, 0x09...0x0D: 0x20
        case UInt8(ascii: "1"), UInt8(ascii: "I"), UInt8(ascii: "i"), UInt8(ascii: "|"): UInt8(ascii: "l")
        case UInt8(ascii: "0"): UInt8(ascii: "o")
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte | 0x20
        default: byte
        }
    }

    /// Writes the skeleton of the ASCII text `bytes` into `out` (as long at least), each run
    /// of spaces as one; how many bytes it wrote, or `nil` when a byte is not ASCII.
    private static func asciiSkeleton(of bytes: UnsafeBufferPointer<UInt8>, into out: UnsafeMutableBufferPointer<UInt8>) -> Int? {
        var count = 0
        for byte in bytes {
            guard byte < 0x80 else { return nil }
            let mapped = asciiSkeleton(byte)
            if mapped == 0x20 && count > 0 && out[count - 1] == 0x20 { continue }
            out[count] = mapped
            count += 1
        }
        return count
    }

    /// A 64-bit hash of `skeleton(name)`, made without building the skeleton of ASCII text
    /// (`plan check` takes one of every row's reference): its bytes are mapped into a
    /// buffer on the stack and hashed at once.
    static func fingerprint(_ name: String) -> Int {
        func hash(_ bytes: UnsafeRawBufferPointer) -> Int {
            var hasher = Hasher()
            hasher.combine(bytes: bytes)
            return hasher.finalize()
        }
        var text = name
        let ascii = text.withUTF8 { bytes in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: bytes.count) { out -> Int? in
                asciiSkeleton(of: bytes, into: out).map { hash(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(out)[..<$0])) }
            }
        }
        if let ascii { return ascii }
        // Not ASCII: from the skeleton itself, whose bytes hash as they are.
        var skeleton = skeleton(name)
        return skeleton.withUTF8 { hash(UnsafeRawBufferPointer($0)) }
    }

    /// Whether two names that share a skeleton look alike to a reader: always when one holds
    /// more than ASCII; of ASCII text alone, when they differ only in letter case or in runs
    /// of spaces (`inv-2026-001`, `INV-2026-001`), not in `1` for `l` or `0` for `O`, which
    /// are told apart as typed.
    static func lookAlike(_ one: String, _ other: String) -> Bool {
        guard one != other else { return false }
        let ascii = { (name: String) in name.utf8.allSatisfy { $0 < 0x80 } }
        guard ascii(one), ascii(other) else { return true }
        let folded = { (name: String) in name.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ") }
        return folded(one) == folded(other)
    }

    /// The account of `held` that `label`, one not held, looks like, if any.
    static func heldAccount(like label: String, in held: [String]) -> String? {
        guard !held.contains(label) else { return nil }
        let fingerprint = fingerprint(label)
        return held.first { Self.fingerprint($0) == fingerprint && lookAlike(label, $0) }
    }

    /// The accounts a file's rows name, each checked once as it first comes: one the ledger
    /// does not hold that looks like one it holds, or like a new one an earlier row gave,
    /// would open a second account (probe 239: one file opened `default` and `Default`).
    struct FileAccounts {
        private let held: Set<String>
        /// The labels met, held or new, by the fingerprint of what they look like: a file of
        /// many accounts is checked in time with its rows, not its rows times its accounts.
        private var byLook: [Int: [(label: String, held: Bool)]] = [:]
        /// Each label met: what it looks like, and whether that one is held.
        private var seen: [String: (other: String, held: Bool)?] = [:]
        private var previous: (label: String, like: (other: String, held: Bool)?)?

        init(held: [String]) {
            self.held = Set(held)
            for label in held { byLook[LookAlikeName.fingerprint(label), default: []].append((label, true)) }
        }

        /// What `label` looks like, when it is refused; rows come one account's after another.
        mutating func lookAlike(_ label: String) -> (other: String, held: Bool)? {
            if let previous, previous.label == label { return previous.like }
            let like: (other: String, held: Bool)?
            if let known = seen[label] {
                like = known
            } else if held.contains(label) {
                like = nil
            } else {
                let fingerprint = LookAlikeName.fingerprint(label)
                let alike = (byLook[fingerprint] ?? []).filter { LookAlikeName.lookAlike(label, $0.label) }
                // One the ledger holds first: it names the books this label would leave.
                like = (alike.first { $0.held } ?? alike.first).map { ($0.label, $0.held) }
                if like == nil { byLook[fingerprint, default: []].append((label, false)) }
            }
            seen[label] = .some(like)
            previous = (label, like)
            return like
        }
    }

    /// What to say of an account label that looks like `other`: an account the ledger
    /// holds (`held`), else one an earlier row gave. `writer` and `written` say what would
    /// open the second account and what it would leave out of the first's books.
    static func accountCollision(
        _ value: String, looksLike other: String, held: Bool = true, writer: String = "this row", written: String = "its charge"
    ) -> String {
        "\"\(TerminalText.printable(value))\" looks like account \"\(TerminalText.printable(other))\", "
            + (held ? "which the ledger holds" : "which an earlier line of this file gives") + ", but "
            + "is other text (\(difference(value, other))): a label is matched byte for byte, and \(writer) would open a second "
            + "account, \(written) out of \(TerminalText.printable(other))'s books. Write it as \(TerminalText.printable(other)) if it "
            + "is that account; a new account needs a label that looks different"
    }

    /// What to say of a charge's `reference` that names no plan row but looks like `other`,
    /// the reference of `row` (a plan row of the charge's account, said in words).
    static func chargeReference(_ value: String, looksLike other: String, of row: String) -> String {
        "\"\(TerminalText.printable(value))\" names no plan row, but looks like the reference \"\(TerminalText.printable(other))\" "
            + "of \(row), and is other text (\(difference(value, other))): a reference is matched byte for byte, and this charge "
            + "would not settle that row. Write it as \(TerminalText.printable(other)) if this charge is that row's purchase; if it "
            + "is another purchase, give it a reference that looks different"
    }

    /// What to say of a `reference` that looks like `other` (another top-up's, on `where`).
    static func collision(_ value: String, looksLike other: String, where: String) -> String {
        "\"\(TerminalText.printable(value))\" looks like the reference \"\(TerminalText.printable(other))\" \(`where`), "
            + "but is other text (\(difference(value, other))): a reference is matched byte for byte, and this one would be a "
            + "second top-up. Write it as that one if it is that top-up; if it is another, give it a reference that looks different"
    }

    /// The first character where `value` and `other` differ, named.
    private static func difference(_ value: String, _ other: String) -> String {
        let mine = Array(value.unicodeScalars), theirs = Array(other.unicodeScalars)
        let place = zip(mine, theirs).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(mine.count, theirs.count)
        let said = { (scalars: [Unicode.Scalar]) in place < scalars.count ? named(scalars[place]) : "nothing" }
        return "character \(place + 1) is \(said(mine)) there, \(said(theirs)) in the other"
    }

    private static func article(_ column: String) -> String {
        column.first.map { "aeiou".contains($0) } == true ? "an" : "a"
    }

    /// The aliases of the controls a text file most often holds by mistake.
    private static let controlNames: [UInt32: String] = [
        0x00: "NULL", 0x09: "CHARACTER TABULATION", 0x0A: "LINE FEED", 0x0B: "LINE TABULATION", 0x0C: "FORM FEED",
        0x0D: "CARRIAGE RETURN", 0x1B: "ESCAPE", 0x7F: "DELETE",
    ]

    /// `U+2011 NON-BREAKING HYPHEN`: a character's code point and Unicode name.
    static func named(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        // A control has no name, only an alias (`LINE FEED`), which not every platform's data holds.
        let name = scalar.properties.name ?? scalar.properties.nameAlias ?? controlNames[scalar.value]
        return "U+\(String(repeating: "0", count: max(0, 4 - hex.count)) + hex)" + (name.map { " " + $0 } ?? "")
    }

    /// Characters drawn as a short level line, read as `-`: the minus signs, the hyphen
    /// bullet, the modifier minus, the prolonged sound mark, the CJK "one" and stroke,
    /// box-drawing and other level lines, two Hangul vowels.
    private static let drawnLikeADash: Set<UInt32> = [
        0x2212, 0x2043, 0x02D7, 0x2796, 0x30FC, 0x4E00, 0x31D0, 0x2500, 0x2501, 0x2574, 0x2576, 0x2578, 0x257A,
        0x23AF, 0x23BA, 0x23BB, 0x23BC, 0x23BD, 0x3161, 0x1173, 0x10110, 0x1D360, 0xA78F, 0x0640,
    ]

    /// Letters, strokes and punctuation drawn like another character (a Latin letter after
    /// lower case, which every skeleton takes; typed punctuation; a kanji), from Unicode's
    /// confusables (UTS #39): `1`, `I`, `i`, `|` and the vertical strokes all read as `l`, `0` as `o`.
    private static let drawnLike: [UInt32: Unicode.Scalar] = {
        let pairs: [(String, Unicode.Scalar)] = [
            // `i` too, so that a skeleton is the same in either letter case (`INV`, `inv`).
            ("1Iil|ǀƖ∣│⏐❘׀ӏΙІӀɪꓲⲒוןߊⵏᛁ丨١۱ıɩіιᏞꓡʟ", "l"), ("0ΟοОоՕօዐ০߀〇ⵔ໐ᴏ", "o"), ("Ꮾб", "6"),
            ("АаΑαᎪꓮᴀɑⱭᗅ", "a"), ("ВвΒᏴꓐʙꞴᗷ", "b"), ("СсϹϲϾᏟꓚᴄᑕⲤ", "c"), ("ԁᎠꓓᴅ", "d"), ("ЕеΕεᎬꓰᴇ", "e"), ("ꓝ", "f"),
            ("Ꮐꓖɢɡց", "g"), ("НнΗһᎻꓧʜհ", "h"), ("ЈјᎫꓙᴊ", "j"), ("КкΚκᏦꓗᴋ", "k"), ("МмΜᎷꓟᴍ", "m"), ("ΝꓠɴⲚ", "n"),
            ("РрΡρᏢꓑᴘ", "p"), ("ԛ", "q"), ("Ꭱꓣʀ", "r"), ("ЅѕᏚꓢꜱ", "s"), ("ТтΤτᎢꓔᴛ", "t"), ("ꓴᴜսυ", "u"),
            ("Ꮩꓦᴠνѵᐯ∨", "v"), ("ԜԝᏔꓪᴡ", "w"), ("ХхΧχꓫ", "x"), ("УуΥγꓬʏү", "y"), ("ΖᏃꓜᴢ", "z"),
            // Punctuation that word processors, PDFs and mail put in for the typed one.
            ("’‘‛′ʼ´ꞌ", "'"), ("“”„‟″〃", "\""), ("∕⁄⧸╱", "/"), ("∶꞉", ":"), ("·•‧∙・", "."), ("‚", ","),
            // Katakana drawn like kanji (an input method's wrong choice).
            ("エ", "工"), ("カ", "力"), ("ロ", "口"), ("ニ", "二"), ("ト", "卜"), ("ハ", "八"), ("タ", "夕"), ("ヘ", "へ"),
            ("ペ", "ぺ"), ("ベ", "べ"),
        ]
        var table: [UInt32: Unicode.Scalar] = [:]
        for (letters, drawn) in pairs {
            for scalar in letters.unicodeScalars {
                precondition(table.updateValue(drawn, forKey: scalar.value) == nil, "\(scalar) is drawn like one thing")
            }
        }
        return table
    }()
}
