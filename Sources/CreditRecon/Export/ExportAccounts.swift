import Foundation

/// The account of every role: the defaults of CONTRACT.md § Export, or a team's own names
/// from `--accounts-map FILE`.
public struct ExportAccounts: Sendable, Equatable {
    private var names: [AccountRole: String] = [:]

    /// The default accounts.
    public init() {}

    /// The account of `role`.
    public subscript(role: AccountRole) -> String { names[role] ?? role.defaultAccount }

    /// Reads a map: CSV `role,account` (a header line `role,account` is optional), one role
    /// a line, each at most once; roles it leaves out keep their defaults. Every unknown
    /// role, role given twice, account `format` refuses, or two roles' accounts that clash
    /// is a problem naming its line, all thrown together (`InputErrors`, 65), as every
    /// input file's are.
    public static func read(path: String, format: ExportFormat) throws -> ExportAccounts {
        let reader = try CSVReader(path: path)
        var accounts = ExportAccounts()
        var seen: [AccountRole: Int] = [:]
        var problems: [CSVError] = []
        var total = 0
        while let record = try reader.next() {
            let fields = record.fields.map { $0.trimmingCharacters(in: .whitespaces) }
            if record.line == 1 && fields.map({ $0.lowercased() }) == ["role", "account"] { continue }
            func fail(_ message: String) {
                total += 1
                if problems.count < InputErrors.keptLimit { problems.append(.malformed(reader.name, record.line, message)) }
            }
            guard fields.count == 2 else {
                fail("give two fields, role,account (e.g. credits,Assets:Prepaid:OpenRouter)")
                continue
            }
            guard let role = AccountRole(rawValue: fields[0]) else {
                fail("unknown role \"\(TerminalText.printable(fields[0]))\"; the roles are "
                    + AccountRole.allCases.map(\.rawValue).joined(separator: ", "))
                continue
            }
            if let earlier = seen[role] {
                fail("role \(role.rawValue) was already mapped on line \(earlier)")
                continue
            }
            if let problem = AccountName.problem(fields[1], format: format) {
                fail("\(format.rawValue) refuses the account \"\(TerminalText.printable(fields[1]))\": \(problem)")
                continue
            }
            seen[role] = record.line
            accounts.names[role] = fields[1]
        }
        // Each role its own account, none inside another's (usage and other get
        // sub-accounts): a charge paid from the credits account would cancel out. hledger's
        // queries ignore case, so there two accounts apart only by case are one: `hledger
        // bal Assets:X` added up Assets:X and assets:x (probe 137), as the keys' accounts
        // are kept apart (`AccountName.keyAccounts`).
        func clash(_ mine: String, _ theirs: String) -> String? {
            if mine == theirs { return "are one account" }
            return mine.hasPrefix(theirs + ":") || theirs.hasPrefix(mine + ":") ? "are one inside the other" : nil
        }
        let roles = AccountRole.allCases
        for (index, role) in roles.enumerated() {
            for other in roles[(index + 1)...] {
                let (mine, theirs) = (accounts[role], accounts[other])
                let found = clash(mine, theirs) ?? (format == .hledger
                    ? clash(mine.lowercased(), theirs.lowercased()).map { $0 + " to hledger, whose queries ignore case" } : nil)
                guard let found else { continue }
                total += 1
                problems.append(.malformed(
                    reader.name, max(seen[role] ?? 0, seen[other] ?? 0),
                    "\(role.rawValue) (\(mine)) and \(other.rawValue) (\(theirs)) \(found); give each role an account of its "
                        + "own, outside the others'"))
            }
        }
        // Every problem at once, in line order, as every input file's are (probe 143).
        if total > 0 {
            throw InputErrors(errors: problems.enumerated().sorted { ($0.element.line, $0.offset) < ($1.element.line, $1.offset) }
                .map(\.element), total: total)
        }
        return accounts
    }
}
