/// One CSV record: its fields and the line it starts on.
public struct CSVRecord: Sendable, Equatable {
    /// The fields, unquoted.
    public var fields: [String]
    /// The 1-based line where the record starts.
    public var line: Int

    public init(fields: [String], line: Int) {
        self.fields = fields
        self.line = line
    }
}

extension CSVRecord {
    /// The field at `index` (from `CSVColumns.index(of:)`), or `nil` for a column the file lacks.
    @inline(__always)
    public func field(at index: Int?) -> String? {
        index.map { fields[$0] }
    }
}
