import CreditTypes

/// A report file's UTF-8 bytes, built by appending.
///
/// Reports of a million charges are hundreds of megabytes; building them as `String`s,
/// one small string per cell, costs far more than appending bytes.
/// Everything here writes exactly the bytes the `String` forms print (`decimalText`,
/// `centsText`, `iso8601`, `CSVWriter.field`, `MarkdownText.cell`); `ReportTextTests`
/// checks each against them.
struct ReportText {
    /// The bytes appended, or, written into a file (`init(draining:)`), those not handed
    /// to it yet.
    private(set) var bytes: [UInt8] = []
    /// The file the bytes go to once they fill a chunk; `nil` keeps them all here.
    private let sink: ReportSink?
    /// Writes the times, remembering the last two days' dates: a report's times come by
    /// the million, mostly on a day written just before.
    private var times = TimestampText()

    init(capacity: Int = 0) {
        sink = nil
        bytes.reserveCapacity(capacity)
    }

    /// A text written into `sink` as it grows (`drainIfFull`), and at the end (`drain`).
    init(draining sink: ReportSink) {
        self.sink = sink
        bytes.reserveCapacity(sink.chunk + 65_536)
    }

    /// Hands the bytes so far to the file once they fill a chunk. The renderers call it
    /// after each row of the long tables; between two calls the text only grows.
    mutating func drainIfFull() {
        guard let sink, bytes.count >= sink.chunk else { return }
        drain(into: sink)
    }

    /// Hands every byte left to the file (the renderer is done).
    mutating func drain() {
        guard let sink else { return }
        drain(into: sink)
    }

    private mutating func drain(into sink: ReportSink) {
        bytes.withUnsafeBytes { sink.write($0) }
        bytes.removeAll(keepingCapacity: true)
    }

    /// Appends `other` whole (bytes already rendered: a small file of `report
    /// --all-accounts`), handed to the file once they fill a chunk.
    mutating func append(bytes other: [UInt8]) {
        bytes.append(contentsOf: other)
        drainIfFull()
    }

    /// A character a report shows as `?`, as `status` does (`TerminalText`): a control
    /// character (ESC would recolour a terminal that shows the file) or a format character,
    /// one that reverses the direction of what follows or shows nothing (two model names
    /// apart by a U+200B read as one, probe 337).
    static func isHidden(_ scalar: Unicode.Scalar) -> Bool {
        let category = scalar.properties.generalCategory
        return category == .control || category == .format
    }

    /// Whether an ASCII byte is a control character other than tab, CR and LF.
    private static func isHiddenASCII(_ byte: UInt8) -> Bool {
        (byte < 0x20 && byte != 0x09 && byte != 0x0A && byte != 0x0D) || byte == 0x7F
    }

    /// The text as a `String` (for tests and small files).
    var string: String { String(decoding: bytes, as: UTF8.self) }

    mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    mutating func append(byte: UInt8) { bytes.append(byte) }

    mutating func append(utf8 run: UnsafeBufferPointer<UInt8>) { bytes.append(contentsOf: run) }

    mutating func append(_ time: Timestamp) { times.append(time, to: &bytes) }

    mutating func append(_ date: CivilDate) { date.appendISOText(to: &bytes) }

    /// An integer in decimal, as `String(value)` prints it.
    mutating func append(integer value: Int64) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        appendUnsigned(value.magnitude)
    }

    private mutating func appendUnsigned(_ value: UInt64) {
        var digits: (UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0)  // 40 bytes ≥ 20 digits
        withUnsafeMutableBytes(of: &digits) { buffer in
            var rest = value
            var index = buffer.count
            repeat {
                index -= 1
                buffer[index] = UInt8(truncatingIfNeeded: 0x30 &+ rest % 10)
                rest /= 10
            } while rest > 0
            bytes.append(contentsOf: buffer[index...])
        }
    }

    /// `Micros.decimalText`: `1234.5`, `-3.25`, `0`.
    mutating func append(decimal value: Micros) {
        let magnitude = value.raw.magnitude
        if value.raw < 0 { bytes.append(UInt8(ascii: "-")) }
        appendUnsigned(magnitude / UInt64(Micros.perDollar))
        var fraction = magnitude % UInt64(Micros.perDollar)
        guard fraction != 0 else { return }
        var digits = 6
        while fraction % 10 == 0 { fraction /= 10; digits -= 1 }
        bytes.append(UInt8(ascii: "."))
        var divisor: UInt64 = 1
        for _ in 1..<digits { divisor *= 10 }
        while divisor > 0 {
            bytes.append(UInt8(truncatingIfNeeded: 0x30 &+ fraction / divisor))
            fraction %= divisor
            divisor /= 10
        }
    }

    /// `Micros.centsText`: two decimals when exact (`1234.50`), else `decimalText`.
    mutating func append(cents value: Micros) {
        guard value.raw % 10_000 == 0 else { return append(decimal: value) }
        let cents = value.raw / 10_000
        if cents < 0 { bytes.append(UInt8(ascii: "-")) }
        let magnitude = cents.magnitude
        appendUnsigned(magnitude / 100)
        let fraction = magnitude % 100
        bytes.append(UInt8(ascii: "."))
        bytes.append(UInt8(truncatingIfNeeded: 0x30 &+ fraction / 10))
        bytes.append(UInt8(truncatingIfNeeded: 0x30 &+ fraction % 10))
    }

    /// `MarkdownText.cell(text)`.
    mutating func append(markdownCell text: String?) {
        guard var text, !text.isEmpty else { return }
        let done = text.withUTF8 { utf8 -> Bool in
            // Only ASCII is escaped byte by byte: there every byte is a Character, except
            // CR LF, which is one Character and becomes one space, as `cell` does.
            for byte in utf8 where byte >= 0x80 || Self.isHiddenASCII(byte) { return false }
            var index = 0
            while index < utf8.count {
                let byte = utf8[index]
                switch byte {
                case UInt8(ascii: "\\"): append("\\\\")
                case UInt8(ascii: "|"): append("\\|")
                case UInt8(ascii: "`"): append("\\`")
                case UInt8(ascii: "*"): append("\\*")
                case UInt8(ascii: "_"): append("\\_")
                case UInt8(ascii: "["): append("\\[")
                case UInt8(ascii: "]"): append("\\]")
                case UInt8(ascii: "#"): append("\\#")
                case UInt8(ascii: "<"): append("&lt;")
                case UInt8(ascii: ">"): append("&gt;")
                case UInt8(ascii: "&"): append("&amp;")
                case UInt8(ascii: "\r"):
                    bytes.append(UInt8(ascii: " "))
                    if index + 1 < utf8.count && utf8[index + 1] == UInt8(ascii: "\n") { index += 1 }
                case UInt8(ascii: "\n"), UInt8(ascii: "\t"): bytes.append(UInt8(ascii: " "))
                default: bytes.append(byte)
                }
                index += 1
            }
            return true
        }
        if !done { append(MarkdownText.cell(text)) }
    }

    /// `CSVWriter.field(.text(text))`: guarded against formulas, quoted when needed.
    mutating func append(csvText text: String?) {
        guard var text, !text.isEmpty else { return }
        let done = text.withUTF8 { utf8 -> Bool in
            // ASCII only (see `append(markdownCell:)`); anything else takes `field`.
            var needsQuotes = false
            for byte in utf8 {
                if byte >= 0x80 || Self.isHiddenASCII(byte) { return false }
                if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\n")
                    || byte == UInt8(ascii: "\r")
                {
                    needsQuotes = true
                }
            }
            let first = utf8[0]
            let guarded = first == UInt8(ascii: "=") || first == UInt8(ascii: "+") || first == UInt8(ascii: "-")
                || first == UInt8(ascii: "@") || first == UInt8(ascii: "\t") || first == UInt8(ascii: "\r")
                || first == UInt8(ascii: "'")
            if needsQuotes { bytes.append(UInt8(ascii: "\"")) }
            if guarded { bytes.append(UInt8(ascii: "'")) }
            if needsQuotes {
                for byte in utf8 {
                    bytes.append(byte)
                    if byte == UInt8(ascii: "\"") { bytes.append(byte) }
                }
                bytes.append(UInt8(ascii: "\""))
            } else {
                bytes.append(contentsOf: utf8)
            }
            return true
        }
        if !done { append(CSVWriter.field(.text(text))) }
    }

    /// A CSV header line: the column names, then CRLF.
    mutating func appendHeader(_ columns: [String]) {
        for (index, column) in columns.enumerated() {
            if index > 0 { append(byte: UInt8(ascii: ",")) }
            append(csvText: column)
        }
        append("\r\n")
    }

    /// `CSVWriter.field(.time(time))`: a time never needs quoting or a guard.
    mutating func append(csvTime time: Timestamp?) {
        guard let time else { return }
        // Years 0…9999 print as plain digits; others keep `field`'s rules (a sign is guarded).
        guard time.millisecondsSinceEpoch >= -62_167_219_200_000, time.millisecondsSinceEpoch < 253_402_300_800_000 else {
            return append(CSVWriter.field(.time(time)))
        }
        append(time)
    }
}
