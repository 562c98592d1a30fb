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

    /// Throws everything collected, sorted by line, when anything was.
    func throwIfAny() throws(InputErrors) {
        guard total > 0 else { return }
        let sorted = errors.enumerated().sorted { ($0.element.line, $0.offset) < ($1.element.line, $1.offset) }.map(\.element)
        throw InputErrors(errors: sorted, total: total)
    }
}
