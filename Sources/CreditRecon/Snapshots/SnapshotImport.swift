import CreditTypes
import Ledger

/// `import snapshots FILE.csv`: backfills readings of the running totals from earlier
/// tooling (CONTRACT.md § Snapshots CSV).
///
/// Every row is validated, and checked against the ledger, before anything is committed;
/// one bad row rejects the file with every problem listed by line, and the ledger is left
/// as it was. Rows already in the ledger with the same values are skipped, so re-importing
/// a file changes nothing (not even the journal head).
public struct SnapshotImport: BatchImport {
    /// What an import did.
    public struct Summary: Sendable, Equatable {
        public var rows = 0
        public var inserted = 0
        public var skipped = 0
        public var runID: Int64?
        public var headHash = ""
        /// Running totals the file has going down, in time order: the first
        /// `SnapshotImport.decreasesListed` of them (the report lists each as a finding).
        public var decreases: [Decrease] = []
        /// How many there are in all.
        public var decreaseCount = 0
        /// The file's running totals going down against the ledger's readings next to
        /// them in time, the first `SnapshotImport.decreasesListed`, and how many in all.
        public var ledgerDecreases: [LedgerDecrease] = []
        public var ledgerDecreaseCount = 0
        /// The readings dated after now (allowed up to a day, for another machine's clock),
        /// and the latest of them and its line: the ones a fetch by this clock is dated before.
        public var afterNowCount = 0
        public var latestAfterNow: Timestamp?
        public var latestAfterNowLine = 0
        /// The time the import was checked against (`--now`, else the clock).
        public var now = Timestamp(millisecondsSinceEpoch: 0)

        /// The note on the readings dated after now, or `nil`: kept (another machine's clock
        /// may be ahead), but most often a file's local times read as UTC, and this
        /// machine's fetches are dated before them (probe 260: said nowhere until `status`).
        public var afterNowNote: String? {
            guard let latest = latestAfterNow else { return nil }
            let count = afterNowCount
            let hours = Runway.roundedTenths(latest.millisecondsSinceEpoch - now.millisecondsSinceEpoch, per: 360_000)
            return "note: \(count == 1 ? "1 reading is" : "\(count) readings are") dated after now (\(now.iso8601)), the latest "
                + "at line \(latestAfterNowLine), \(latest.iso8601), \(hours) hours ahead: kept, as another machine's clock "
                + "may be ahead; if the file's times are local ones, each needs its offset (+02:00), a time without one "
                + "being read as UTC. Readings fetched before then are dated before \(count == 1 ? "it" : "them")"
        }
    }

    /// A running total lower than at an earlier reading of the same account in the file.
    public struct Decrease: Sendable, Equatable {
        /// The later reading (in time).
        public let line: Int
        public let account: String
        public let observedAt: Timestamp
        /// `total_credits` or `total_usage`.
        public let column: String
        /// The earlier reading's line and value, and this one's.
        public let earlierLine: Int
        public let from: Micros
        public let to: Micros
    }

    /// The decreases an import lists; the rest are counted.
    public static let decreasesListed = 20

    struct Row: Sendable {
        let line: Int
        let account: String
        let snapshot: SnapshotTaken
    }

    static let columns: [CSVColumns.Spec] = [
        .init("observed_at", required: true),
        .init("total_credits", required: true),
        .init("total_usage", required: true),
        .init("account"),
        StatedCurrency.spec,
    ]

    /// The file to read and how to label it in messages.
    public let path: String
    public let displayName: String
    /// The account for rows without an `account` column.
    public let defaultAccount: String

    public init(path: String, displayName: String? = nil, defaultAccount: String) {
        self.path = path
        self.displayName = displayName ?? path
        self.defaultAccount = defaultAccount
    }

    /// The file's rows, every one valid (see `validate()`).
    public struct Validated: Sendable {
        let rows: [Row]
        /// How many readings the file holds.
        public var count: Int { rows.count }
    }

    /// Validates the file while writing what is new, in one transaction committed only
    /// when every row is valid (see `BatchImport.validateWhileWriting`);
    /// `progress` hears the rows checked and written so far.
    public func run(
        ledger: Ledger, now: Timestamp, progress: ((Int) throws -> Void)? = nil, finishing: (() -> Void)? = nil
    ) throws -> Summary {
        try validateWhileWriting(to: ledger, now: now, progress: progress, finishing: finishing)
    }

    /// See `BatchImport.write(batches:finished:to:now:)`.
    func write(to ledger: Ledger, now: Timestamp, rows: (([Row]) throws -> Bool) throws -> Void) throws -> Summary {
        let file = displayName
        var outcome = try ledger.write { writer -> Summary in
            var result = Summary()
            result.now = now
            var conflicts = ErrorCollector(file: file)
            var runID: Int64?
            // An empty ledger has nothing to collide with. (The rows of one file never
            // collide with each other: validation drops repeats.)
            let checkExisting = try writer.reader.hasSnapshots()
            let start = Fact.runStarted(RunStarted(command: "import snapshots"))
            var decreases = DecreaseCheck()
            var neighbours = LedgerNeighbourCheck()
            // A new label that looks like one the ledger holds (`DEFAULT` beside `default`),
            // or one an earlier row gave, would open a second account, as import charges
            // refuses.
            var accounts = LookAlikeName.FileAccounts(held: try writer.reader.accounts())
            try rows { batch in  // throws the file's own problems, which come first
                result.rows += batch.count
                for row in batch {
                    decreases.check(row, into: &result)
                    if row.snapshot.observedAt > now {
                        result.afterNowCount += 1
                        if row.snapshot.observedAt > result.latestAfterNow ?? now {
                            result.latestAfterNow = row.snapshot.observedAt
                            result.latestAfterNowLine = row.line
                        }
                    }
                }
                for row in batch {
                    guard let like = accounts.lookAlike(row.account) else { continue }
                    conflicts.add(line: row.line, column: "account", LookAlikeName.accountCollision(
                        row.account, looksLike: like.other, held: like.held, written: "its reading"))
                }
                var fresh = batch
                if checkExisting {
                    fresh = try Self.fresh(batch, in: writer.reader, file: file, skipped: &result.skipped, conflicts: &conflicts)
                }
                // After a conflict nothing more is written: the transaction will be rolled back.
                guard conflicts.isEmpty, !fresh.isEmpty else { return true }
                if checkExisting { try neighbours.check(fresh, reader: writer.reader, runID: runID) }
                let run = try runID ?? writer.append(start, account: defaultAccount, runID: nil, at: now)
                runID = run
                try writer.append(contentsOf: fresh, runID: run, at: now) { (.snapshotTaken($0.snapshot), $0.account) }
                result.inserted += fresh.count
                return true
            }
            try conflicts.throwIfAny()
            neighbours.finish(into: &result)
            guard let runID else { return result }
            try writer.append(
                .runFinished(RunFinished(runID: runID, outcome: "ok", exitCode: 0,
                                         summary: "imported \(result.inserted) snapshots from \(file)")),
                account: defaultAccount, runID: runID, at: now)
            result.runID = runID
            return result
        }
        outcome.headHash = try ledger.headHash()
        return outcome
    }

    /// The rows of `batch` the ledger does not hold yet; a row it holds with the same
    /// totals is counted in `skipped`, one with other totals is a conflict (readings are
    /// never changed). One query per account of the batch.
    private static func fresh(
        _ batch: [Row], in reader: LedgerReader, file: String, skipped: inout Int, conflicts: inout ErrorCollector
    ) throws -> [Row] {
        var stored: [SnapshotKey: SnapshotRow] = [:]
        for account in Set(batch.map(\.account)) {
            let times = batch.filter { $0.account == account }.map(\.snapshot.observedAt)
            for row in try reader.snapshots(account: account, at: times) {
                stored[SnapshotKey(account: row.account, observedAt: row.observedAt)] = row
            }
        }
        guard !stored.isEmpty else { return batch }
        var fresh: [Row] = []
        for row in batch {
            guard let existing = stored[SnapshotKey(account: row.account, observedAt: row.snapshot.observedAt)] else {
                fresh.append(row)
                continue
            }
            if existing.totalCredits == row.snapshot.totalCredits && existing.totalUsage == row.snapshot.totalUsage {
                skipped += 1
            } else {
                conflicts.add(.malformed(
                    file, row.line,
                    "observed_at: the ledger already has a snapshot for \(row.account) at "
                        + "\(row.snapshot.observedAt.iso8601) with total_credits \(existing.totalCredits) "
                        + "and total_usage \(existing.totalUsage); readings are never changed, so fix or remove this row (if the "
                        + "row is right, the ledger's was changed behind its back: `credit-recon verify` says)"))
            }
        }
        return fresh
    }

    /// Parses and validates every row; throws all problems together (`InputErrors`).
    public func validate(now: Timestamp) throws -> Validated {
        try Validated(rows: validRows(now: now))
    }

    /// See `BatchImport.validate(batchRows:now:emit:)`.
    func validate(batchRows: Int, now: Timestamp, emit: ([Row]) throws -> Bool) throws {
        let (reader, columns) = try CSVReader.openWithHeader(
            path: path, displayName: displayName, kind: .snapshots, example: "observed_at,total_credits,total_usage")
        var errors = ErrorCollector(file: displayName)
        let observedColumn = columns.index(of: "observed_at"), creditsColumn = columns.index(of: "total_credits")
        let usageColumn = columns.index(of: "total_usage"), accountColumn = columns.index(of: "account")
        let currencyColumn = columns.index(of: StatedCurrency.spec.name)
        var batch: [Row] = []
        batch.reserveCapacity(batchRows)
        var seen: [SnapshotKey: (line: Int, credits: Micros, usage: Micros)] = [:]
        // A history is nearly always one account's readings in time order. While each row is
        // later than the one before, for the same account, it cannot repeat an earlier one,
        // so `seen` (hashing a million keys is costly) is only
        // built, from `history` (the valid rows so far), at the first row that is not.
        var inOrder = true
        var latest: SnapshotKey?
        var history: [(key: SnapshotKey, line: Int, credits: Micros, usage: Micros)] = []
        while true {
            let record: CSVRecord
            do {
                guard let next = try reader.next() else { break }
                record = next
            } catch {
                errors.add(error)
                if error.isFatal { break }
                continue
            }
            func fail(_ column: String, _ message: String) {
                errors.add(line: record.line, column: column, message)
            }
            let observedText = (record.field(at: observedColumn) ?? "").trimmingASCIIWhitespace()
            var observedAt: Timestamp?
            do {
                let parsed = try Timestamp(iso8601: observedText)
                if let problem = ImportedTime.problem(parsed, now: now) { fail("observed_at", problem) } else { observedAt = parsed }
            } catch {
                fail("observed_at", observedText.isEmpty ? "is empty; give the time of the reading, e.g. 2026-01-31T23:00:00Z" : error.description)
            }
            let credits = Self.amount(record.field(at: creditsColumn), column: "total_credits", fail: fail)
            let usage = Self.amount(record.field(at: usageColumn), column: "total_usage", fail: fail)
            let currency = StatedCurrency.problem(record.field(at: currencyColumn))
            if let currency { fail(StatedCurrency.spec.name, currency) }
            var account: String? = defaultAccount
            if let given = record.field(at: accountColumn)?.trimmingASCIIWhitespace(), !given.isEmpty {
                // A label refused is no account's: not compared with the default's readings
                // (probe 335: "another reading for default" of a row of another account).
                if let problem = AccountLabel.problem(given) { fail("account", problem); account = nil } else { account = given }
            }
            guard let observedAt, let credits, let usage, let account, currency == nil else { continue }
            let key = SnapshotKey(account: account, observedAt: observedAt)
            if inOrder {
                if let latest, latest.account != account || latest.observedAt >= observedAt {
                    inOrder = false
                    seen.reserveCapacity(history.count * 2)
                    for row in history { seen[row.key] = (row.line, row.credits, row.usage) }
                    history = []
                } else {
                    latest = key
                }
            }
            if !inOrder, let earlier = seen[key] {
                if earlier.credits != credits || earlier.usage != usage {
                    fail("observed_at", "line \(earlier.line) has another reading for \(account) at the same time; keep one")
                }
                continue  // an identical repeat is harmless
            }
            if inOrder { history.append((key, record.line, credits, usage)) } else { seen[key] = (record.line, credits, usage) }
            guard errors.isEmpty else { continue }  // nothing will be written: only look for problems
            let snapshot = SnapshotTaken(observedAt: observedAt, totalCredits: credits, totalUsage: usage,
                                         source: "import", origin: "\(displayName):\(record.line)")
            batch.append(Row(line: record.line, account: account, snapshot: snapshot))
            if batch.count == batchRows {
                guard try emit(batch) else { return }
                batch.removeAll(keepingCapacity: true)
            }
        }
        try errors.throwIfAny()
        if !batch.isEmpty { _ = try emit(batch) }
    }

    private static func amount(_ text: String?, column: String, fail: (String, String) -> Void) -> Micros? {
        let trimmed = (text ?? "").trimmingASCIIWhitespace()
        guard !trimmed.isEmpty else {
            fail(column, "is empty; write the running total in USD, e.g. 1234.56")
            return nil
        }
        // As a plan's or a charge's amount: a sign where none is written is a column mixed up
        // (probe 189: "+1300" was stored as 1300 here, refused there).
        guard trimmed.first != "+" else {
            fail(column, "\"\(trimmed)\" has a sign; write the running total without +, e.g. 1234.56")
            return nil
        }
        do {
            let value = try Micros(parsingAmount: trimmed, allowExponent: false)
            // "-0" too: a sign where a running total can have none is a mistake somewhere.
            guard value >= .zero, trimmed.first != "-" else {
                fail(column, "\"\(trimmed)\" has a minus sign; running totals are never below 0")
                return nil
            }
            return value
        } catch {
            fail(column, "\"\(trimmed)\" \(error); write a plain decimal number of USD such as 1234.567891")
            return nil
        }
    }
}
