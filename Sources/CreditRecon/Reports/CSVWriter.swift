import CreditTypes
import Foundation

/// Builds RFC 4180 text (CRLF line ends, fields quoted when they hold a comma, quote or
/// line break) that is safe to open in a spreadsheet.
///
/// Text cells that begin with `=`, `+`, `-`, `@`, tab or CR are prefixed with `'` so a
/// spreadsheet never runs them as formulas, and so are those that begin with `'`, which
/// would otherwise read as another text guarded (`'-ops` as the guarded `-ops`, probe 319)
/// and show in a spreadsheet without it; number cells are written untouched (a negative
/// amount stays `-3.25`).
struct CSVWriter {
    /// One cell: text (guarded against formulas) or a number (untouched).
    enum Cell {
        case text(String?)
        case number(String)

        static func amount(_ value: Micros?) -> Cell { .number(value?.decimalText ?? "") }
        static func integer(_ value: Int) -> Cell { .number(String(value)) }
        static func time(_ value: Timestamp?) -> Cell { .text(value?.iso8601) }
    }

    private(set) var text = ""

    /// A writer that starts with the header row.
    init(header: [String]) { append(header.map { .text($0) }) }

    /// Appends one record.
    mutating func append(_ cells: [Cell]) {
        var first = true
        for cell in cells {
            if !first { text += "," }
            first = false
            text += Self.field(cell)
        }
        text += "\r\n"
    }

    static func field(_ cell: Cell) -> String {
        let raw: String
        switch cell {
        case .number(let number):
            raw = number
        case .text(let value):
            var value = value ?? ""
            if value.unicodeScalars.contains(where: { ReportText.isHidden($0) && !"\t\r\n".unicodeScalars.contains($0) }) {
                value = String(String.UnicodeScalarView(value.unicodeScalars.map {
                    ReportText.isHidden($0) && !"\t\r\n".unicodeScalars.contains($0) ? "?" : $0
                }))
            }
            raw = guarded(value)
        }
        return quoted(raw)
    }

    /// `value` with the `'` before it that keeps a spreadsheet from reading it as a formula,
    /// when it begins with `=`, `+`, `-`, `@`, tab, CR or `'`; else as it is.
    static func guarded(_ value: String) -> String {
        guard let first = value.unicodeScalars.first, "=+-@\t\r'".unicodeScalars.contains(first) else { return value }
        return "'" + value
    }

    /// `raw` as it is, in quotes (its quotes doubled) when it holds a comma, a quote or a
    /// line break. Scalar by scalar: a mark combining with a quote or a comma makes one
    /// `Character` that is neither, but a CSV reader still sees the quote (probe 306: a
    /// reference of a quote and U+0301 was written bare, and its row of charges.csv read as
    /// 15 columns).
    static func quoted(_ raw: String) -> String {
        guard raw.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else {
            return raw
        }
        var out = String.UnicodeScalarView()
        out.append("\"")
        for scalar in raw.unicodeScalars {
            out.append(scalar)
            if scalar == "\"" { out.append(scalar) }
        }
        out.append("\"")
        return String(out)
    }
}
