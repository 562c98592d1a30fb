import CreditTypes

/// Report or status options that cannot work, each a sentence a person can act on.
public struct ReconcileError: ExitCoded, Equatable {
    /// What is wrong and how to fix it.
    public let message: String
    /// For a range left empty by the books' own bound (`emptyRange`), which bound the
    /// options did not give: `report --all-accounts` then gives that account the others'.
    var missingBound: MissingBound? = nil

    enum MissingBound: Equatable { case from, to }

    init(message: String, missingBound: MissingBound? = nil) {
        self.message = message
        self.missingBound = missingBound
    }
    /// Always a usage error (64): the options, not the ledger, are at fault.
    public var exitStatus: ExitStatus { .usage }
    public var description: String { message }

    /// `sameButCase`: the zone's name `name` spells in another letter case, which names match.
    static func unknownTimeZone(_ name: String, sameButCase: String? = nil) -> ReconcileError {
        if let sameButCase {
            return ReconcileError(message: "--timezone: \"\(name)\" is not a time zone: names are matched letter case and all; "
                + "give \(sameButCase)")
        }
        return ReconcileError(message: "--timezone: \"\(name)\" is not a time zone; use an IANA name such as UTC, Europe/Berlin or America/New_York")
    }

    static func offsetTimeZone(_ name: String, seconds: Int) -> ReconcileError {
        let hours = abs(seconds) / 3600, minutes = abs(seconds) % 3600 / 60
        let etc = seconds == 0 ? ", or UTC for no offset" : minutes == 0 ? ", or Etc/GMT\(seconds > 0 ? "-" : "+")\(hours) for a fixed UTC\(seconds > 0 ? "+" : "-")"
            + "\(hours < 10 ? "0" : "")\(hours):00 (the tz database's sign is POSIX's, the opposite)" : ""
        return ReconcileError(message: "--timezone: \"\(name)\" is an offset, not a time zone, and an offset's sign is read both "
            + "ways (POSIX's UTC+5 is five hours behind UTC); use an IANA name such as Asia/Karachi or America/New_York\(etc)")
    }

    /// `given`: which of the two the options gave; the other is the ledger's own bound.
    static func emptyRange(from: CivilDate, to: CivilDate, given: (from: Bool, to: Bool)) -> ReconcileError {
        switch given {
        case (true, false):
            ReconcileError(message: "--from \(from) is not before \(to), the day after the account's newest entry (the default "
                + "--to); give --to as well for a range that reaches past the books", missingBound: .to)
        case (false, true):
            ReconcileError(message: "--to \(to) is not after \(from), the first day of the account's books (the default --from); "
                + "give --from as well for a range that starts before the books", missingBound: .from)
        default:
            ReconcileError(message: "--from \(from) is not before --to \(to); --to is the first day left out")
        }
    }

    static func tooManyPeriods(from: CivilDate, to: CivilDate, kind: PeriodKind, limit: Int) -> ReconcileError {
        ReconcileError(
            message: "\(from) up to \(to) holds more than \(limit) \(kind.rawValue) periods, more than a report shows; "
                + "give --from and --to (or check the year), or a longer --period")
    }

    static func badDate(_ option: String, _ text: String) -> ReconcileError {
        ReconcileError(message: "\(option): \"\(text)\" is not a date; use YYYY-MM-DD, e.g. 2026-01-31")
    }

    static func badAmount(_ option: String, _ text: String, _ problem: String) -> ReconcileError {
        ReconcileError(message: "\(option): \"\(text)\" \(problem); write a plain number of USD that is not negative, e.g. 5")
    }
}
