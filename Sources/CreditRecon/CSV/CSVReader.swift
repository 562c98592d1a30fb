#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A strict, streaming RFC 4180 reader: UTF-8 (a leading BOM is skipped), `,` separator,
/// CRLF or LF line ends, quoted fields that may hold commas, doubled quotes and newlines.
///
/// It reads the file in fixed-size chunks, so memory stays bounded whatever the file's
/// size. Every problem is reported with the line it is on. After a recoverable error
/// (a ragged row, bad UTF-8 in a field) the reader is positioned on the next record, so
/// a caller can list every bad row; after a fatal one (an unterminated quote, a NUL byte)
/// `next()` returns `nil`.
///
/// Hand-written because the importers must stream millions of rows faster than the
/// sqlite3 shell's `.import` (`make bench`); it is tested against RFC 4180's examples
/// and against round trips through `CSVWriter`.
public final class CSVReader {
    /// The longest field read, in bytes. The files this tool reads hold times, amounts,
    /// addresses, ids and short memos; a field longer than this is a file of another kind
    /// (or a quote never closed), and reading on would hold it all in memory and repeat it
    /// in messages.
    public static let maxFieldBytes = 4096

    /// The file name used in messages.
    public let name: String
    private var fd: Int32 = -1
    // The reader is used by one thread at a time and never hands these out, so the state
    // read for every byte and field skips the runtime's exclusivity checks.
    @exclusivity(unchecked) private var buffer: [UInt8]
    @exclusivity(unchecked) private var position = 0
    @exclusivity(unchecked) private var filled = 0
    private var atEOF = false
    @exclusivity(unchecked) private var line = 1
    private var finished = false
    /// Whether the record being read (or last read) has a quoted field: a quoted field of
    /// blanks is a value, never a blank line.
    private var recordQuoted = false
    private var started = false
    private var expectedFieldCount: Int?
    /// The first record's fields (the header), which name the columns of the records after it.
    private var header: [String] = []
    @exclusivity(unchecked) private var field: [UInt8] = []
    @exclusivity(unchecked) private var fields: [String] = []

    /// Opens `path` for reading; a missing or unreadable file throws (exit 66).
    public init(path: String, displayName: String? = nil, chunkSize: Int = 1 << 20) throws(CSVError) {
        name = displayName ?? path
        buffer = [UInt8](repeating: 0, count: chunkSize)
        var info = stat()
        guard stat(path, &info) == 0 else {
            let error = errno
            throw .unreadable(name, "cannot read the file: \(String(cString: strerror(error)))\(Self.advice(error, path))")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            // Input files are read more than once (checked whole, then stored): a pipe
            // (`<(…)`, `/dev/stdin`) would be empty the second time.
            throw .unreadable(name, (info.st_mode & S_IFMT) == S_IFDIR ? "is a folder, not a file"
                : "is not a regular file (a pipe or a device), which can be read only once, and input files are read "
                    + "twice (checked whole, then stored): save it to a file and give that file")
        }
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let error = errno
            throw .unreadable(name, "cannot read the file: \(String(cString: strerror(error)))\(Self.advice(error, path))")
        }
    }

    /// What to check when `path` cannot be read for `error`, from `; `, or empty (probes 248,
    /// 252: the reason alone, or "check the file's name" of a link to nothing).
    static func advice(_ error: Int32, _ path: String) -> String {
        switch error {
        case ENOENT:
            var link = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let length = readlink(path, &link, link.count - 1)
            if length >= 0 {
                return "; it is a symbolic link to \(String(decoding: link[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)), "
                    + "which is not there: point it at the file, or give the file itself"
            }
            var folder = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let relative = !path.hasPrefix("/") && getcwd(&folder, folder.count) != nil
            return "; check the file's name and folder"
                + (relative ? " (a relative path is read from the folder the command runs in, \(String(cString: folder)))" : "")
        case ENOTDIR:
            return "; a part of the path before the file's name is a file, not a folder: correct the path"
        case EACCES:
            return "; this user may not read it, or a folder on its way: run the command as a user who may, or make it readable"
        default:
            return ""
        }
    }

    /// Reads from bytes in memory (tests, fuzzing).
    public init(bytes: [UInt8], name: String) {
        self.name = name
        buffer = bytes
        filled = bytes.count
        atEOF = true
    }

    deinit { if fd >= 0 { close(fd) } }

    /// The next record, or `nil` at the end of the file.
    ///
    /// Every record must have as many fields as the first (the header); a ragged row
    /// throws a recoverable error. Lines that are empty, or in a file of more than one
    /// column hold only spaces and tabs (an editor's trailing line: "quote any field that
    /// contains a comma" was its advice, probe 350), and rows after the header of fields
    /// that are all empty or blank, quoted or not (a spreadsheet's empty rows, `,,,,` or
    /// `"",""`, refused for their first column, probes 448 and 454), are skipped.
    public func next() throws(CSVError) -> CSVRecord? {
        while !finished {
            let record = try readRecord()
            guard let record else { finished = true; return nil }
            if record.fields.count == 1 && record.fields[0].isEmpty { continue }  // blank line
            // Spaces alone, unquoted, are a row of a one-column file, and no row of a wider one,
            // nor a header (probe 351: a line of spaces before the header was taken as the
            // header). Quoted, they are a value.
            if record.fields.count == 1, !recordQuoted, (expectedFieldCount ?? 2) > 1,
               record.fields[0].allSatisfy({ $0 == " " || $0 == "\t" }) {
                continue
            }
            if let expected = expectedFieldCount {
                if record.fields.count > 1, record.fields.allSatisfy({ $0.utf8.allSatisfy { $0 == 0x20 || $0 == 0x09 } }) {
                    continue
                }
                if record.fields.count != expected {
                    throw .malformed(
                        name, record.line,
                        "has \(record.fields.count) field\(record.fields.count == 1 ? "" : "s") but the header has \(expected); "
                            + "quote any field that contains a comma")
                }
            } else {
                expectedFieldCount = record.fields.count
                header = record.fields
            }
            return record
        }
        return nil
    }

    // MARK: - Bytes

    @inline(__always)
    private func peekByte() throws(CSVError) -> UInt8? {
        if position == filled {
            try refill()
            if position == filled { return nil }
        }
        return buffer[position]
    }

    private func refill() throws(CSVError) {
        guard !atEOF, fd >= 0 else { return }
        position = 0
        filled = 0
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                finished = true
                throw .unreadable(name, "read failed: \(String(cString: strerror(errno)))")
            }
            if count == 0 { atEOF = true }
            filled = count
            return
        }
    }

    // MARK: - Records

    private enum Lexeme { case comma, endOfRecord, endOfFile }

    private func readRecord() throws(CSVError) -> CSVRecord? {
        if !started {
            started = true
            try skipByteOrderMark()
        }
        guard try peekByte() != nil else { return nil }
        let startLine = line
        recordQuoted = false
        fields.removeAll(keepingCapacity: true)
        var badUTF8 = false
        while true {
            let text: String?
            let end: Lexeme
            if let buffered = bufferedField() {
                (text, end) = buffered
            } else {
                field.removeAll(keepingCapacity: true)
                end = try readField(recordLine: startLine)
                text = Self.string(field)
            }
            if let text {
                fields.append(text)
            } else {
                badUTF8 = true
                fields.append("")
            }
            if end != .comma { break }
        }
        if badUTF8 {
            throw .malformed(name, startLine, "is not valid UTF-8; save the file as UTF-8 and try again")
        }
        return CSVRecord(fields: fields, line: startLine)
    }

    /// An unquoted field that ends with `,` or LF within the buffered bytes (nearly every
    /// field of a large file), read straight from the buffer: no copy into `field`, and one
    /// exclusivity check per field instead of several per byte.
    /// `nil`, having consumed nothing, when the general path must take it: a quote, CR or
    /// NUL, or the field runs past the buffered bytes or past `maxFieldBytes`.
    private func bufferedField() -> (text: String?, end: Lexeme)? {
        let start = position
        let end = min(filled, start + Self.maxFieldBytes + 1)
        let found: (text: String?, end: Lexeme, next: Int)? = buffer.withUnsafeBufferPointer { bytes in
            var index = start
            while index < end {
                let byte = bytes[index]
                if byte == 0x2C || byte == 0x0A {
                    let text = Self.string(UnsafeBufferPointer(rebasing: bytes[start..<index]))
                    return (text, byte == 0x2C ? .comma : .endOfRecord, index + 1)
                }
                if byte == 0x0D || byte == 0x22 || byte == 0 { return nil }
                index += 1
            }
            return nil
        }
        guard let found else { return nil }
        position = found.next
        if found.end == .endOfRecord { line += 1 }
        return (found.text, found.end)
    }

    /// The field's text, or `nil` when it is not valid UTF-8. ASCII (nearly every cell)
    /// takes a specialized path, much cheaper than the generic `String(validating:)`.
    private static func string(_ bytes: [UInt8]) -> String? {
        bytes.withUnsafeBufferPointer { string($0) }
    }

    private static func string(_ buffer: UnsafeBufferPointer<UInt8>) -> String? {
        var ascii = true
        for byte in buffer where byte >= 0x80 { ascii = false; break }
        return ascii ? String(decoding: buffer, as: UTF8.self) : String(validating: buffer, as: UTF8.self)
    }

    private func skipByteOrderMark() throws(CSVError) {
        // Consumed byte by byte, so a chunk boundary inside the mark does not matter.
        guard try peekByte() == 0xEF else { return }
        position += 1
        for expected: UInt8 in [0xBB, 0xBF] {
            guard try peekByte() == expected else {
                throw fatal(1, "starts with a broken byte order mark; save the file as UTF-8 and try again")
            }
            position += 1
        }
    }

    private func readField(recordLine: Int) throws(CSVError) -> Lexeme {
        guard let first = try peekByte() else { return .endOfFile }
        if first == UInt8(ascii: "\"") {
            position += 1
            recordQuoted = true
            return try readQuoted(recordLine: recordLine)
        }
        while true {
            // Fast path: scan the buffered bytes for a delimiter.
            var index = position
            while index < filled {
                let byte = buffer[index]
                if byte == 0x2C || byte == 0x0A || byte == 0x0D || byte == 0x22 || byte == 0 { break }
                index += 1
            }
            if index > position {
                field.append(contentsOf: buffer[position..<index])
                position = index
                try checkFieldLength()
            }
            guard let byte = try peekByte() else { return .endOfFile }
            switch byte {
            case 0x2C:
                position += 1
                return .comma
            case 0x0A:
                position += 1
                line += 1
                return .endOfRecord
            case 0x0D:
                position += 1
                guard try peekByte() == 0x0A else {
                    finished = true
                    throw .malformed(name, line, "has a carriage return without a line feed; save the file with LF or CRLF line ends", fatal: true)
                }
                position += 1
                line += 1
                return .endOfRecord
            case 0x22:
                throw fatal(line, "has a quote inside an unquoted field; put the whole field in quotes and double the quote (\"\")")
            case 0:
                throw fatal(line, Self.nulByte)
            default:
                continue  // a refill brought bytes the scan has not looked at yet
            }
        }
    }

    /// A NUL byte's problem: most often a file saved as UTF-16, whose every ASCII character
    /// has one (probe 189: the message said only that it did not look like CSV).
    static let nulByte = "contains a NUL byte, which no CSV text holds; a file saved as UTF-16 (\"Unicode text\", as some "
        + "spreadsheets write it) has one in nearly every character: save it as CSV UTF-8"

    private func readQuoted(recordLine: Int) throws(CSVError) -> Lexeme {
        let fieldLine = line
        while true {
            var index = position
            while index < filled {
                let byte = buffer[index]
                if byte == 0x22 || byte == 0x0A || byte == 0 { break }
                index += 1
            }
            if index > position {
                field.append(contentsOf: buffer[position..<index])
                position = index
                try checkFieldLength(quotedFrom: fieldLine)
            }
            guard let byte = try peekByte() else {
                throw fatal(fieldLine, "has a quoted field that is never closed; add the closing quote")
            }
            guard byte == 0x22 || byte == 0x0A || byte == 0 else { continue }  // fresh bytes after a refill
            position += 1
            switch byte {
            case 0x0A:
                line += 1
                field.append(byte)
                try checkFieldLength(quotedFrom: fieldLine)
            case 0:
                throw fatal(line, Self.nulByte)
            default:  // a quote: either an escaped quote or the end of the field
                if try peekByte() == 0x22 {
                    position += 1
                    field.append(0x22)
                    try checkFieldLength(quotedFrom: fieldLine)
                    continue
                }
                guard let next = try peekByte() else { return .endOfFile }
                switch next {
                case 0x2C:
                    position += 1
                    return .comma
                case 0x0A:
                    position += 1
                    line += 1
                    return .endOfRecord
                case 0x0D:
                    position += 1
                    guard try peekByte() == 0x0A else {
                        throw fatal(line, "has a carriage return without a line feed after a quoted field")
                    }
                    position += 1
                    line += 1
                    return .endOfRecord
                default:
                    throw fatal(line, "has text after a closing quote; double any quote inside a quoted field (\"\")")
                }
            }
        }
    }

    /// Stops at a field longer than `maxFieldBytes` (`quotedFrom`: the line a quoted one
    /// opened on, which is most often a quote never closed).
    private func checkFieldLength(quotedFrom fieldLine: Int? = nil) throws(CSVError) {
        guard field.count > Self.maxFieldBytes else { return }
        // Which column, as the header names it (probe 314: only the line was said).
        let index = fields.count
        let column = index < header.count ? " (column \(index + 1), \(TerminalText.quoted(header[index])))" : " (column \(index + 1))"
        if let fieldLine {
            throw fatal(fieldLine, "has a quoted field\(column) longer than \(Self.maxFieldBytes) bytes; most often its closing "
                + "quote is missing: check the quotes on this line")
        }
        throw fatal(line, "has a field\(column) longer than \(Self.maxFieldBytes) bytes; the cells of this file are times, "
            + "amounts, addresses, ids and short notes: check that this is the right file")
    }

    private func fatal(_ line: Int, _ message: String) -> CSVError {
        finished = true
        return .malformed(name, line, message, fatal: true)
    }
}
