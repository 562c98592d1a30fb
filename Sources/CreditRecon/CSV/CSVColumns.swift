/// Maps a CSV header to column positions: names are case-insensitive and trimmed, and a
/// column may have aliases (`wallet` or `sender`). Unknown columns are ignored.
public struct CSVColumns: Sendable {
    /// A column the importer understands.
    public struct Spec: Sendable {
        public let name: String
        public let aliases: [String]
        public let required: Bool
        public init(_ name: String, aliases: [String] = [], required: Bool = false) {
            self.name = name
            self.aliases = aliases
            self.required = required
        }
    }

    // A short list searched linearly, not a dictionary: it is asked for every field of
    // every row, and comparing a handful of small strings is cheaper than hashing one.
    private var positions: [(name: String, index: Int)] = []

    private func position(_ name: String) -> Int? {
        for entry in positions where entry.name == name { return entry.index }
        return nil
    }

    /// The first of `names` that reads as one of `accepted` once the characters that show
    /// nothing (`TerminalText.isShownAsQuestionMark`: a byte-order mark, a zero-width space,
    /// a control) or show as a space and are none (a no-break space a spreadsheet left,
    /// probe 448: "required column \"amount\" is missing" of `amount\u{A0}`) are taken out,
    /// with those characters.
    static func hiddenCharacters(in names: [String], reading accepted: [String]) -> (Int, [Unicode.Scalar])? {
        for (index, name) in names.enumerated() {
            let invisible: [Unicode.Scalar] = name.unicodeScalars.filter(isHidden)
            guard !invisible.isEmpty else { continue }
            var visible = String.UnicodeScalarView()
            visible.append(contentsOf: name.unicodeScalars.filter { !isHidden($0) })
            if accepted.contains(String(visible).trimmingASCIIWhitespace()) { return (index, invisible) }
        }
        return nil
    }

    /// Whether `scalar` shows nothing (`TerminalText.isShownAsQuestionMark`) or shows as a
    /// space and is none (a no-break space): what a cell or a column's name is not seen to hold.
    static func isHidden(_ scalar: Unicode.Scalar) -> Bool {
        TerminalText.isShownAsQuestionMark(scalar) || (scalar.properties.isWhitespace && scalar != " " && scalar != "\t")
    }

    /// Column `index`'s name reads as `name` but holds `invisible`.
    private static func hiddenProblem(_ index: Int, _ invisible: [Unicode.Scalar], _ name: String) -> String {
        let listed: String = invisible.map(LookAlikeName.named).joined(separator: ", ")
        let them = invisible.count == 1 ? "it" : "them"
        let shows = invisible.allSatisfy(\.properties.isWhitespace) ? "shows as a space but is none" : "shows nothing"
        return "column \(index + 1)'s name reads as \"\(name)\" but holds \(listed), which \(shows): delete \(them) from "
            + "the header (retype the name)"
    }

    /// Reads the header; throws every problem at once (missing or duplicated columns).
    public init(header: CSVRecord, specs: [Spec], file: String) throws(InputErrors) {
        var errors: [CSVError] = []
        let names = header.fields.map { $0.trimmingASCIIWhitespace().lowercased() }
        for spec in specs {
            let accepted = [spec.name] + spec.aliases
            let found = names.indices.filter { accepted.contains(names[$0]) }
            if found.count > 1 {
                let written = found.map { header.fields[$0] }.joined(separator: "\", \"")
                errors.append(.malformed(file, header.line, "columns \"\(written)\" all mean \(spec.name); keep one"))
            } else if let index = found.first {
                positions.append((spec.name, index))
            } else if !spec.required, let (index, invisible) = Self.hiddenCharacters(in: names, reading: accepted) {
                // An optional column too: ignored as unknown, `currency\u{A0}` let a EUR row be
                // booked as USD (probe 454).
                errors.append(.malformed(file, header.line, Self.hiddenProblem(index, invisible, spec.name)))
            } else if spec.required {
                let alternatives = spec.aliases.isEmpty ? "" : " (or \(spec.aliases.joined(separator: ", ")))"
                // A name that reads as the column's but holds a character that shows nothing
                // (a second BOM, a zero-width space): said, or the user saw the column there
                // and could not tell why it was missing (probe 255).
                if let (index, invisible) = Self.hiddenCharacters(in: names, reading: accepted) {
                    errors.append(.malformed(file, header.line, Self.hiddenProblem(index, invisible, spec.name)))
                } else {
                    errors.append(.malformed(file, header.line, "required column \"\(spec.name)\"\(alternatives) is missing from the header"))
                }
            }
        }
        if !errors.isEmpty { throw InputErrors(errors: errors, total: errors.count) }
    }

    /// The field of column `name` in `record`, or `nil` when the file has no such column.
    public func value(_ name: String, in record: CSVRecord) -> String? {
        position(name).map { record.fields[$0] }
    }

    /// Where column `name` is in each record, or `nil` when the file has no such column.
    /// Importers look each column up once per file and read `record.field(at:)` per row.
    public func index(of name: String) -> Int? { position(name) }

    /// Whether the header has column `name`.
    public func has(_ name: String) -> Bool { position(name) != nil }
}

extension String {
    /// Trims spaces and tabs at both ends (not Unicode white space: CSV cells are data).
    public func trimmingASCIIWhitespace() -> String {
        // Most cells need no trimming: answer from the first and last bytes without
        // walking characters (a space or tab byte is never part of a longer UTF-8 scalar).
        // (Through the contiguous bytes, not the UTF-8 view's slower generic `last`.)
        let plain = utf8.withContiguousStorageIfAvailable { bytes in
            guard let first = bytes.first, let last = bytes.last else { return false }
            return first != 0x20 && first != 0x09 && last != 0x20 && last != 0x09
        }
        if plain ?? false { return self }
        if plain == nil, let first = utf8.first, let last = utf8.last,
           first != 0x20, first != 0x09, last != 0x20, last != 0x09 { return self }
        var view = Substring(self)
        while let first = view.first, first == " " || first == "\t" { view = view.dropFirst() }
        while let last = view.last, last == " " || last == "\t" { view = view.dropLast() }
        return String(view)
    }
}
