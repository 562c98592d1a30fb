import Foundation
import Testing
@testable import CreditRecon

@Suite("CSVReader: strict, streaming RFC 4180")
struct CSVReaderTests {
    /// Reads everything, collecting recoverable errors.
    func readAll(_ text: String, chunkSize: Int? = nil) throws -> (records: [CSVRecord], errors: [CSVError]) {
        try readAll(bytes: Array(text.utf8), chunkSize: chunkSize)
    }

    func readAll(bytes: [UInt8], chunkSize: Int? = nil) throws -> (records: [CSVRecord], errors: [CSVError]) {
        let reader: CSVReader
        let temp = try TemporaryDirectory()
        if let chunkSize {
            reader = try CSVReader(path: try temp.write("f.csv", bytes: bytes), displayName: "f.csv", chunkSize: chunkSize)
        } else {
            reader = CSVReader(bytes: bytes, name: "f.csv")
        }
        var records: [CSVRecord] = []
        var errors: [CSVError] = []
        while true {
            do {
                guard let record = try reader.next() else { break }
                records.append(record)
            } catch {
                errors.append(error)
                if error.isFatal { break }
            }
        }
        return (records, errors)
    }

    @Test(arguments: [nil, 1, 2, 3, 7] as [Int?])
    func readsQuotedFieldsAcrossChunks(chunkSize: Int?) throws {
        let text = "\u{FEFF}a,b,c\r\n1,\"x, y\",\"say \"\"hi\"\"\"\r\n2,\"two\nlines\",\r\n3,,\"\"\n"
        let (records, errors) = try readAll(text, chunkSize: chunkSize)
        #expect(errors.isEmpty)
        #expect(records.map(\.fields) == [
            ["a", "b", "c"], ["1", "x, y", "say \"hi\""], ["2", "two\nlines", ""], ["3", "", ""],
        ])
        #expect(records.map(\.line) == [1, 2, 3, 5])
    }

    @Test func lastLineNeedsNoNewlineAndBlankLinesAreSkipped() throws {
        let (records, errors) = try readAll("a,b\n\n1,2\n\n3,4")
        #expect(errors.isEmpty)
        #expect(records.map(\.fields) == [["a", "b"], ["1", "2"], ["3", "4"]])
        #expect(records.map(\.line) == [1, 3, 5])
    }

    @Test func emptyFileHasNoRecords() throws {
        #expect(try readAll("").records.isEmpty)
        #expect(try readAll("\u{FEFF}").records.isEmpty)
    }

    @Test func raggedRowsAreReportedAndReadingGoesOn() throws {
        let (records, errors) = try readAll("a,b\n1,2,3\n4\n5,6\n")
        #expect(records.map(\.fields) == [["a", "b"], ["5", "6"]])
        #expect(errors.map(\.description) == [
            "f.csv:2: has 3 fields but the header has 2; quote any field that contains a comma",
            "f.csv:3: has 1 field but the header has 2; quote any field that contains a comma",
        ])
    }

    /// A line of only spaces and tabs is a blank line, as an empty one is (probe 350: it was
    /// told to quote a field holding a comma); one cell of spaces among commas is a cell.
    @Test func aLineOfOnlyBlanksIsSkipped() throws {
        let (records, errors) = try readAll("a,b\n1,2\n   \n\t \n5,6\n  ,  \n")
        #expect(records.map(\.fields) == [["a", "b"], ["1", "2"], ["5", "6"]])
        #expect(errors.isEmpty)
        // Before the header too: it was taken as the header (probe 351). Quoted, blanks are a
        // value: the header of a one-column file.
        #expect(try readAll("  \na,b\n1,2\n").records.map(\.fields) == [["a", "b"], ["1", "2"]])
        #expect(try readAll("\"  \"\nx\n").records.map(\.fields) == [["  "], ["x"]])
        #expect(errors.allSatisfy { !$0.isFatal && $0.exitStatus == .dataError })
    }

    /// A spreadsheet's empty rows (`,,,`, as many commas as the header has, or not; quoted,
    /// `"",""`, as an exporter quoting every field writes them) carry nothing and are
    /// skipped: they were refused, each for its first column (probes 448 and 454). Before
    /// the header, such a line is the header.
    @Test func aRowOfEmptyCellsIsSkipped() throws {
        let (records, errors) = try readAll("a,b,c\n1,2,3\n,,\n , \t,\n,,,,\n4,5,6\n\"\",\" \",\"\"\n,,\n")
        #expect(records.map(\.fields) == [["a", "b", "c"], ["1", "2", "3"], ["4", "5", "6"]])
        #expect(records.map(\.line) == [1, 2, 6])
        #expect(errors.isEmpty)
        #expect(try readAll("a,b\n\"\",\n").records.map(\.fields) == [["a", "b"]])
        #expect(try readAll(",,\n1,2,3\n").records.map(\.fields) == [["", "", ""], ["1", "2", "3"]])
    }

    @Test func badUTF8IsReportedByLine() throws {
        let (records, errors) = try readAll(bytes: Array("a,b\n1,2\n".utf8) + [0x33, 0x2C, 0xC3, 0x28, 0x0A] + Array("5,6\n".utf8))
        #expect(records.count == 3)
        #expect(errors.map(\.line) == [3])
        #expect(errors.first?.message.contains("UTF-8") == true)
    }

    @Test(arguments: [
        ("a,b\n1,\"open\n2,3\n", 2, "never closed"),
        ("a,b\n1,x\"y\n", 2, "quote inside an unquoted field"),
        ("a,b\n1,\"x\"y\n", 2, "text after a closing quote"),
        ("a,b\n1,2\u{0}\n", 2, "NUL byte"),
        ("a,b\r1,2\r", 1, "carriage return without a line feed"),
    ] as [(String, Int, String)])
    func malformedFilesStopWithTheLine(text: String, line: Int, message: String) throws {
        for chunkSize in [nil, 1, 4] as [Int?] {
            let (_, errors) = try readAll(text, chunkSize: chunkSize)
            #expect(errors.count == 1)
            #expect(errors.first?.line == line)
            #expect(errors.first?.isFatal == true)
            #expect(errors.first?.message.contains(message) == true, "\(errors)")
        }
    }

    /// A file saved as UTF-16 (with its byte-order mark or without) is said to be one, with
    /// the fix: "this does not look like a CSV text file" left a person guessing (probe 189).
    @Test func aUTF16FileIsSaidToBeOne() throws {
        let units: [UInt16] = Array("wallet,chain_id,amount\n".utf16)
        let littleEndian: [UInt8] = [0xFF, 0xFE] + units.flatMap { (unit: UInt16) -> [UInt8] in [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        let bigEndian: [UInt8] = units.flatMap { (unit: UInt16) -> [UInt8] in [UInt8(unit >> 8), UInt8(unit & 0xFF)] }
        for bytes in [littleEndian, bigEndian] {
            let (_, errors) = try readAll(bytes: bytes)
            #expect(errors.map(\.line) == [1] && errors.first?.isFatal == true, "\(errors)")
            #expect(errors.first?.message.hasSuffix("has one in nearly every character: save it as CSV UTF-8") == true, "\(errors)")
        }
    }

    /// A field of `maxFieldBytes` is read; one byte more stops the reader on that line,
    /// quoted or not, wherever the chunks end, so a file of another kind (or a quote never
    /// closed) is not held in memory or repeated in messages. The column is named as the
    /// header names it (probe 314: only the line was).
    @Test(arguments: [nil, 1, 7, 4096, 4097, 65536] as [Int?])
    func aFieldLongerThanTheLimitStopsTheReader(chunkSize: Int?) throws {
        let longest = String(repeating: "x", count: CSVReader.maxFieldBytes)
        let (records, errors) = try readAll("a,b\n1,\(longest)\n2,\"\(longest)\"\n", chunkSize: chunkSize)
        #expect(errors.isEmpty, "\(errors)")
        #expect(records.map { $0.fields[1].utf8.count } == [1, CSVReader.maxFieldBytes, CSVReader.maxFieldBytes])
        for (text, message) in [
            ("a,b\n1,2\n3,\(longest)y\n5,6\n", "has a field (column 2, \"b\") longer than 4096 bytes; the cells of this file are"),
            ("a,b\n1,2\n3,\"\(longest)\ny\"\n5,6\n", "has a quoted field (column 2, \"b\") longer than 4096 bytes; most often its closing quote is missing"),
            ("a,b\n1,2\n3,\"open\n" + String(repeating: "4,5\n", count: 1100), "has a quoted field (column 2, \"b\") longer than 4096 bytes"),
            // Escaped quotes and line breaks count too: a field of nothing else was read whole.
            ("a,b\n1,2\n3,\"" + String(repeating: "\"\"", count: 250_000) + "\"\n", "has a quoted field (column 2, \"b\") longer than 4096 bytes"),
            ("a,b\n1,2\n3,\"" + String(repeating: "\n", count: 250_000) + "\"\n", "has a quoted field (column 2, \"b\") longer than 4096 bytes"),
        ] {
            let (records, errors) = try readAll(text, chunkSize: chunkSize)
            #expect(records.count == 2)
            #expect(errors.count == 1)
            #expect(errors.first?.line == 3)
            #expect(errors.first?.isFatal == true)
            #expect(errors.first?.message.hasPrefix(message) == true, "\(errors)")
        }
    }

    /// A character a problem's message shows as `?` is named after it: a byte-order mark at a
    /// cell's start read `"?2026-11-24T23:00:00Z" is not a time` (probe 255).
    @Test func whatAQuestionMarkStandsForIsNamed() {
        let error = CSVError.malformed("s.csv", 2, "observed_at: \"\u{FEFF}2026-11-24T23:00:00Z\" is not a time")
        #expect(error.description == "s.csv:2: observed_at: \"?2026-11-24T23:00:00Z\" is not a time (each ? above stands for a "
            + "character that shows nothing: U+FEFF ZERO WIDTH NO-BREAK SPACE)")
        #expect(CSVError.malformed("s.csv", 2, "plain").description == "s.csv:2: plain")
    }

    /// A missing file is 66, and the message says what to check (it gave the reason alone, probe 248).
    @Test func missingFilesAreExit66() throws {
        #expect {
            _ = try CSVReader(path: "/nonexistent/plan.csv", displayName: "plan.csv")
        } throws: { error in
            (error as? CSVError)?.exitStatus == .noInput && String(describing: error)
                .hasSuffix("cannot read the file: No such file or directory; check the file's name and folder")
        }
        let folder = FileManager.default.currentDirectoryPath
        #expect {
            _ = try CSVReader(path: "nonexistent-plan.csv")
        } throws: { error in
            String(describing: error).hasSuffix("check the file's name and folder (a relative path is read from the folder the "
                + "command runs in, \(folder))")
        }
        // A link to nothing is said as one, a path through a file as that (probe 252).
        let temp = try TemporaryDirectory()
        let link = temp.path("dangling.csv")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: temp.path("nothere.csv"))
        #expect { _ = try CSVReader(path: link) } throws: { error in
            String(describing: error).hasSuffix("it is a symbolic link to \(temp.path("nothere.csv")), which is not there: "
                + "point it at the file, or give the file itself")
        }
        let file = try temp.write("afile", bytes: Array("x".utf8))
        #expect { _ = try CSVReader(path: file + "/x.csv") } throws: { error in
            String(describing: error).hasSuffix("a part of the path before the file's name is a file, not a folder: correct the path")
        }
        #expect { _ = try CSVReader(path: "/tmp") } throws: { ($0 as? CSVError)?.exitStatus == .noInput }
    }

    /// Property: any table written with RFC 4180 quoting reads back the same, whatever
    /// the chunk size.
    @Test func randomTablesRoundTrip() throws {
        var generator = SystemRandomNumberGenerator()
        let alphabet: [String] = ["a", "Z", "0", ",", "\"", "\n", "\r\n", " ", "é", "😀", "\t", "'", "="]
        for round in 0..<200 {
            let width = Int.random(in: 1...5, using: &generator)
            let height = Int.random(in: 1...6, using: &generator)
            let table: [[String]] = (0..<height).map { _ in
                (0..<width).map { _ in
                    (0..<Int.random(in: 0...6, using: &generator)).map { _ in alphabet.randomElement(using: &generator) ?? "" }.joined()
                }
            }
            // A row of one empty field is a blank line, which the reader skips by design; so is
            // a row after the header of fields all empty or blank (a spreadsheet's empty row).
            let written = table.filter { !($0.count == 1 && $0[0].isEmpty) }
            let blank = { (row: [String]) in row.count > 1 && row.allSatisfy { $0.allSatisfy { $0 == " " || $0 == "\t" } } }
            let rows = written.enumerated().filter { $0.offset == 0 || !blank($0.element) }.map(\.element)
            let text = written.map { row in
                row.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: ",")
            }.joined(separator: round % 2 == 0 ? "\n" : "\r\n")
            let (records, errors) = try readAll(text, chunkSize: [nil, 1, 5, 64].randomElement(using: &generator) ?? nil)
            #expect(errors.isEmpty, "\(errors)")
            #expect(records.map(\.fields) == rows)
        }
    }

    @Test func columnsAreCaseInsensitiveWithAliasesAndAllProblemsAtOnce() throws {
        let header = CSVRecord(fields: [" Sender ", "AMOUNT", "extra"], line: 1)
        let columns = try CSVColumns(header: header, specs: [
            .init("wallet", aliases: ["sender"], required: true), .init("amount", required: true), .init("memo"),
        ], file: "p.csv")
        let row = CSVRecord(fields: ["0xabc", "12", "x"], line: 2)
        #expect(columns.value("wallet", in: row) == "0xabc")
        #expect(columns.value("memo", in: row) == nil)
        #expect {
            _ = try CSVColumns(header: CSVRecord(fields: ["wallet", "sender"], line: 1), specs: [
                .init("wallet", aliases: ["sender"], required: true), .init("amount", required: true),
            ], file: "p.csv")
        } throws: { error in
            guard let errors = error as? InputErrors else { return false }
            return errors.errors.count == 2 && errors.description.contains("keep one")
                && errors.description.contains("required column \"amount\"")
        }
        // A name that reads right but holds a character that shows nothing is said as that,
        // not as a column missing from a header the user sees it in (probe 255).
        #expect {
            _ = try CSVColumns(header: CSVRecord(fields: ["wallet", "\u{200B}amount"], line: 1), specs: [
                .init("wallet", required: true), .init("amount", required: true),
            ], file: "p.csv")
        } throws: { error in
            String(describing: error).contains("p.csv:1: column 2's name reads as \"amount\" but holds U+200B ZERO WIDTH SPACE, "
                + "which shows nothing: delete it from the header (retype the name)")
        }
        // An optional column's name too: ignored as unknown, a currency column's EUR was
        // booked as USD (probe 454).
        #expect {
            _ = try CSVColumns(header: CSVRecord(fields: ["wallet", "amount", "cur\u{200B}rency\u{A0}"], line: 1), specs: [
                .init("wallet", required: true), .init("amount", required: true), .init("currency"),
            ], file: "p.csv")
        } throws: { error in
            String(describing: error).contains("p.csv:1: column 3's name reads as \"currency\" but holds U+200B ZERO WIDTH SPACE, "
                + "U+00A0 NO-BREAK SPACE, which shows nothing: delete them from the header (retype the name)")
        }
        // One that shows as a space and is none, a spreadsheet's no-break space: it was said
        // "required column \"amount\" is missing" (probe 448).
        #expect {
            _ = try CSVColumns(header: CSVRecord(fields: ["wallet", "amount\u{A0}"], line: 1), specs: [
                .init("wallet", required: true), .init("amount", required: true),
            ], file: "p.csv")
        } throws: { error in
            String(describing: error).contains("p.csv:1: column 2's name reads as \"amount\" but holds U+00A0 NO-BREAK SPACE, "
                + "which shows as a space but is none: delete it from the header (retype the name)")
        }
    }
}
