import CreditTypes
import Foundation

/// Builds RFC 4180 text (CRLF line ends, fields quoted when they hold a comma, quote or
/// line break) that is safe to open in a spreadsheet.
///
/// Text cells that begin with `=`, `+`, `-`, `@`, tab or CR are prefixed with `'` so a
/// spreadsheet never runs them as formulas; number cells are written untouched (a
/// negative amount stays `-3.25`).
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
            if let first = value.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) {
                raw = "'" + value
            } else {
                raw = value
            }
        }
        return quoted(raw)
    }

    /// `raw` as it is, in quotes (its quotes doubled) when it holds a comma, a quote or a
    /// line break.
    static func quoted(_ raw: String) -> String {
        guard raw.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else {
            return raw
        }
        return "\"" + raw.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
