import CreditTypes
import Ledger

/// What a reconciliation covers and the thresholds its findings use.
public struct ReconcileOptions: Sendable, Equatable {
    /// The account label whose books are reconciled.
    public var account: String
    /// The first day reported (in `timeZone`); default: the day of the first reading.
    public var from: CivilDate?
    /// The first day left out (end-exclusive); default: the day after the as-of time.
    public var to: CivilDate?
    /// How time is cut into periods.
    public var period: PeriodKind = .day
    /// The IANA time zone that periods follow.
    public var timeZone: String = "UTC"
    /// Readings further apart than this are a `snapshot_gap` finding.
    public var maxGapSeconds: Int64 = 36 * 3600
    /// Runway below this many days is a `runway_low` finding.
    public var minRunwayDays: Int64 = 7
    /// A key whose `limit_remaining` is under this many USD (or under 10 % of its limit) is
    /// a `key_limit_low` finding; keys without a limit never are.
    public var minKeyRemaining = ReconcileOptions.defaultMinKeyRemaining
    /// How long after `expires_at` a payment may still show up (block confirmations,
    /// clock skew between Coinbase and OpenRouter).
    public var graceSeconds: Int64 = 3600
    /// How far a set of charges may differ from a rise of credits and still explain it exactly.
    public var tolerance: Micros = Micros(raw: 10_000)
    /// Lifetime assumed for a charge recorded without `expires_at` (Coinbase charges live
    /// one hour).
    public var defaultChargeLifetimeSeconds: Int64 = ReconcileOptions.assumedChargeLifetimeSeconds
    /// The writer at work on the ledger, seen before it was read (`Ledger.runningWriter(at:)`):
    /// the plan rows its runs have planned or are sending are in flight, said as notes, not
    /// as never sent or unknown (probe 410: a report during a top-up called its requests
    /// errors). `nil`: none at work, or not asked.
    public var writer: RunningWriter?

    /// A Coinbase charge's lifetime: what the books assume of one recorded without
    /// `expires_at`, and so how long `import charges` takes it to be payable.
    public static let assumedChargeLifetimeSeconds: Int64 = 3600

    /// Options for `account` with the defaults of CONTRACT.md.
    public init(account: String) { self.account = account }

    /// `--min-key-remaining`'s default of CONTRACT.md § Usage attribution: 5 USD.
    public static let defaultMinKeyRemaining = Micros(raw: 5_000_000)

    /// Parses a `--min-key-remaining` amount: plain decimal USD, exact to the micro-dollar,
    /// zero or more (zero leaves only the 10 % rule).
    public static func amount(_ text: String, option: String) throws -> Micros {
        // A plain decimal, as the plan's amounts: "+5" and "-0" read as 5 and 0 (probe 380).
        if text.utf8.first == UInt8(ascii: "+") { throw ReconcileError.badAmount(option, text, "has a sign") }
        if text.utf8.first == UInt8(ascii: "-"), (try? Micros(parsingAmount: text, allowExponent: false)) == .zero {
            throw ReconcileError.badAmount(option, text, "has a minus sign")
        }
        let value: Micros
        do {
            value = try Micros(parsingAmount: text, allowExponent: false)
        } catch {
            throw ReconcileError.badAmount(option, text, "\(error)")
        }
        guard value >= .zero else { throw ReconcileError.badAmount(option, text, "is negative") }
        return value
    }

    /// Parses a `--from`/`--to` date, in the years `--now` may name (1970 to 8999): the
    /// books' checkers refuse a year 0, and no ledger holds anything before 1970. `--to`,
    /// the first day left out, may be 9000-01-01, the range then reaching 8999's last day
    /// (probe 438).
    public static func date(_ text: String, option: String) throws -> CivilDate {
        guard let date = CivilDate(isoText: text) else { throw ReconcileError.badDate(option, text) }
        let endOfYears = CivilDate(year: 9000, month: 1, day: 1)
        guard (1970...8999).contains(date.year) || (option == "--to" && date == endOfYears) else {
            throw ReconcileError(message: "\(option): \(text) is before 1970 or after "
                + (option == "--to" ? "9000-01-01 (the first day left out after 8999)" : "8999") + "; give a date of the books' years")
        }
        return date
    }
}
