/// How urgently a finding needs a person.
public enum Severity: String, Sendable, Comparable, CaseIterable {
    /// Worth knowing; nothing to do (a card purchase, for instance).
    case info
    /// Needs a person: the report command exits 1.
    case warning
    /// The books do not add up or an outcome is unknown: the report command exits 1.
    case error

    var rank: Int {
        switch self {
        case .info: return 0
        case .warning: return 1
        case .error: return 2
        }
    }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}
