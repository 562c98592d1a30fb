/// The exit codes of CONTRACT.md § Exit codes.
public enum ExitStatus: Int32, Sendable, Comparable {
    /// Done, nothing needs attention.
    case ok = 0
    /// Done, but something needs a person.
    case attention = 1
    /// Usage error.
    case usage = 64
    /// Bad data in an input file; nothing was written.
    case dataError = 65
    /// Input file missing or unreadable.
    case noInput = 66
    /// API unavailable after retries.
    case unavailable = 69
    /// Internal error.
    case software = 70
    /// Cannot create an output file.
    case cannotCreate = 73
    /// Ledger I/O error.
    case ioError = 74
    /// Try again later.
    case tempFail = 75
    /// The API answered something that does not match its documented shape.
    case `protocol` = 76
    /// Key refused.
    case noPermission = 77
    /// Configuration error.
    case config = 78

    /// How serious the outcome is, for picking "the most serious" of several stages.
    var severity: Int {
        switch self {
        case .ok: return 0
        case .attention: return 1
        default: return 2
        }
    }

    public static func < (lhs: ExitStatus, rhs: ExitStatus) -> Bool {
        (lhs.severity, lhs.rawValue) < (rhs.severity, rhs.rawValue)
    }
}
