extension CSVReader {
    /// Opens a file whose first line must be a header naming `specs`' columns.
    ///
    /// An empty file, an unreadable header line, or missing or repeated required
    /// columns throw `PlanErrors` (65) with the line; a file that cannot be opened throws
    /// `CSVError` (66). `example` is the header to suggest for an empty file.
    static func openWithHeader(
        path: String, displayName: String, specs: [CSVColumns.Spec], example: String
    ) throws -> (reader: CSVReader, columns: CSVColumns) {
        let reader = try CSVReader(path: path, displayName: displayName)
        let header: CSVRecord
        do {
            guard let first = try reader.next() else {
                throw PlanErrors(errors: [.malformed(displayName, 1,
                    "is empty; the first line must be a header such as \(example)")], total: 1)
            }
            header = first
        } catch let error as CSVError {
            throw PlanErrors(errors: [error], total: 1)
        }
        do {
            return (reader, try CSVColumns(header: header, specs: specs, file: displayName))
        } catch {
            throw PlanErrors(errors: error.errors, total: error.errors.count)
        }
    }
}
