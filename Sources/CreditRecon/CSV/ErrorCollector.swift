/// Collects problems in bounded memory.
struct ErrorCollector {
    private(set) var errors: [CSVError] = []
    private(set) var total = 0
    let file: String

    init(file: String) { self.file = file }

    var isEmpty: Bool { total == 0 }

    mutating func add(_ error: CSVError) {
        total += 1
        if errors.count < InputErrors.keptLimit { errors.append(error) }
    }

    /// `file:line: column: message`.
    mutating func add(line: Int, column: String, _ message: String) {
        add(.malformed(file, line, "\(column): \(message)"))
    }

    /// Another reading's problems, kept as they were counted there.
    mutating func add(contentsOf other: InputErrors) {
        total += other.total
        errors.append(contentsOf: other.errors.prefix(InputErrors.keptLimit - errors.count))
    }

    /// Everything collected, sorted by line; `nil` when nothing was.
    var collected: InputErrors? {
        guard total > 0 else { return nil }
        let sorted = errors.enumerated().sorted { ($0.element.line, $0.offset) < ($1.element.line, $1.offset) }.map(\.element)
        return InputErrors(errors: sorted, total: total)
    }

    /// Throws everything collected, sorted by line, when anything was.
    func throwIfAny() throws(InputErrors) {
        if let collected { throw collected }
    }
}
