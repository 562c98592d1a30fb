/// Every problem found in a plan (or a charges file), reported together; nothing was
/// written (exit 65).
///
/// Only the first `PlanErrors.keptLimit` problems are kept, with a count of the rest, so
/// a plan with a million bad rows still checks in bounded memory.
public struct PlanErrors: ExitCoded, Equatable {
    /// How many problems are kept in `errors`.
    public static let keptLimit = 1000
    /// How many are printed.
    public static let shownLimit = 200

    /// The first problems, in line order.
    public var errors: [CSVError]
    /// How many problems there were in all.
    public var total: Int

    public init(errors: [CSVError], total: Int) {
        self.errors = errors
        self.total = total
    }

    public var exitStatus: ExitStatus { errors.contains { $0.exitStatus == .noInput } ? .noInput : .dataError }

    public var description: String {
        var lines = errors.prefix(Self.shownLimit).map(\.description)
        if total > lines.count { lines.append("… and \(total - lines.count) more problems") }
        lines.append("\(total) problem\(total == 1 ? "" : "s") found; nothing was written")
        return lines.joined(separator: "\n")
    }
}

/// Collects problems in bounded memory.
struct ErrorCollector {
    private(set) var errors: [CSVError] = []
    private(set) var total = 0
    let file: String

    init(file: String) { self.file = file }

    var isEmpty: Bool { total == 0 }

    mutating func add(_ error: CSVError) {
        total += 1
        if errors.count < PlanErrors.keptLimit { errors.append(error) }
    }

    /// `file:line: column: message`.
    mutating func add(line: Int, column: String, _ message: String) {
        add(.malformed(file, line, "\(column): \(message)"))
    }

    /// Throws everything collected, sorted by line, when anything was.
    func throwIfAny() throws(PlanErrors) {
        guard total > 0 else { return }
        let sorted = errors.enumerated().sorted { ($0.element.line, $0.offset) < ($1.element.line, $1.offset) }.map(\.element)
        throw PlanErrors(errors: sorted, total: total)
    }
}
