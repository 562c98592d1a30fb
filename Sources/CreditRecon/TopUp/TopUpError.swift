import CreditTypes

/// Why a top-up refused to start; nothing was sent and nothing written.
public enum TopUpError: ExitCoded, Equatable {
    /// The rows to send add up to more than `--max-total`; `named`: the first of them, each
    /// by its line and reference (`line 4 (J-1)`), so that a person splitting the plan knows
    /// which to move (probe 413: only their count was said).
    case overMaxTotal(total: Micros, max: Micros, rows: Int, named: [String] = [])
    /// Not on a terminal and `--yes` not given; `plan` is the plan's path, for the advice.
    case confirmationRequired(plan: String)
    /// The person at the terminal said no.
    case declined
    /// `--concurrency` out of range.
    case badConcurrency(Int)

    /// How many rows over `--max-total` are named.
    static let rowsNamed = 10

    public var exitStatus: ExitStatus {
        switch self {
        case .overMaxTotal: return .dataError
        case .confirmationRequired, .badConcurrency: return .usage
        case .declined: return .ok
        }
    }

    public var description: String {
        switch self {
        case .overMaxTotal(let total, let max, let rows, let named):
            // Not "new": rows an earlier run left planned, or unknown with --retry-unknown, are
            // among them (probe 313).
            let listed = named.isEmpty ? "" : " (" + named.joined(separator: ", ") + (rows > named.count ? ", …" : "") + ")"
            return "the \(rows) row\(rows == 1 ? "" : "s") to send\(listed) come\(rows == 1 ? "s" : "") to \(total.centsText) USD, "
                + "more than --max-total \(max.centsText) USD; "
                + "nothing was sent — split the plan, or raise --max-total if the amount is really meant"
        case .confirmationRequired(let plan):
            return "the plan creates real charges and there is no terminal to ask on; nothing was sent — "
                + "check the plan with `credit-recon topup \(ShellWord.plan(plan)) --dry-run`, then run again with --yes"
        case .declined:
            return "nothing was sent"
        case .badConcurrency(let value):
            return "--concurrency \(value) is out of range; use 1 to 32"
        }
    }
}
