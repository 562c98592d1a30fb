extension CSVReader {
    /// Opens a file whose first line must be a header naming `specs`' columns.
    ///
    /// An empty file, an unreadable header line, or missing or repeated required
    /// columns throw `InputErrors` (65) with the line, and with which command takes the
    /// file when it is another `CSVFileKind`'s (or that its columns are separated by
    /// semicolons: then that alone), or whose header makes it another kind's
    /// (`CSVFileKind.refusal`); a file
    /// that cannot be opened throws `CSVError` (66). `example` is the header to suggest for
    /// an empty file.
    static func openWithHeader(
        path: String, displayName: String, kind: CSVFileKind, example: String
    ) throws -> (reader: CSVReader, columns: CSVColumns) {
        let reader = try CSVReader(path: path, displayName: displayName)
        let header: CSVRecord
        do {
            guard let first = try reader.next() else {
                throw InputErrors(errors: [.malformed(displayName, 1,
                    "is empty; the first line must be a header such as \(example)")], total: 1)
            }
            header = first
        } catch let error as CSVError {
            throw InputErrors(errors: [error], total: 1)
        }
        if let refusal = kind.refusal(of: header, file: displayName) { throw InputErrors(errors: [refusal], total: 1) }
        do {
            return (reader, try CSVColumns(header: header, specs: kind.specs, file: displayName))
        } catch {
            // The hint alone: a file of another kind, or split by semicolons, lacks every column
            // for that reason, and listing each first buried it (probe 189: three "required
            // column … is missing" lines before it, counted as 4 problems).
            if let hint = kind.hint(for: header, file: displayName) { throw InputErrors(errors: [hint], total: 1) }
            throw error
        }
    }
}
