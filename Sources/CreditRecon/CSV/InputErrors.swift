/// Every problem found in an input file (a plan, a charges or snapshots file), reported
/// together, in line order; nothing was written (exit 65, or 66 for a file that cannot be
/// read).
///
/// Only the first `InputErrors.keptLimit` problems are kept, with a count of the rest, so
/// a file with a million bad rows still checks in bounded memory.
public struct InputErrors: ExitCoded, Equatable {
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
