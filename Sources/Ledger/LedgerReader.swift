import CreditTypes

/// Read access inside a transaction: typed rows, never bytes or hashes but the head's.
public struct LedgerReader {
    private let store: () throws -> any StoreQueries

    init(_ queries: any StoreQueries) { store = { queries } }

    /// Reads in a write transaction: the store first writes every batch it was handed.
    init(session: AppendSession) { store = { try session.drained() } }

    /// The newest entry's sequence number (0 when empty) and hash.
    public func head() throws -> (seq: Int64, hash: String) {
        let head = try store().head()
        return (head.seq, head.hash)
    }

    /// Number of journal entries.
    public func journalCount() throws -> Int64 { try store().journalCount() }

    /// The time of the newest entry (the latest `at`), if any.
    public func newestJournalTime() throws -> Timestamp? { try store().newestEntryTime() }

    /// The stored snapshot at exactly `observedAt` for `account`, if any.
    public func snapshot(account: String, observedAt: Timestamp) throws -> SnapshotRow? {
        try store().snapshot(account: account, observedAt: observedAt)
    }

    /// Snapshots of `account` in time order (all accounts when `nil`).
    public func snapshots(account: String?) throws -> [SnapshotRow] { try store().snapshots(account: account) }

    /// The snapshots of `account` stored at any of `times` (one query for a batch of rows
    /// an import checks).
    public func snapshots(account: String, at times: [Timestamp]) throws -> [SnapshotRow] {
        try store().snapshots(account: account, at: times)
    }

    /// The snapshots of `account` from `from` to `to`, with the last one before `from` and
    /// the first one after `to` (the readings around a batch an import writes), in time order.
    public func snapshots(account: String, around from: Timestamp, _ to: Timestamp) throws -> [SnapshotRow] {
        try store().snapshots(account: account, around: from, to)
    }

    /// Every account the ledger holds rows of, in byte order.
    public func accounts() throws -> [String] { try store().accounts() }

    /// Whether any snapshot is stored (any account).
    public func hasSnapshots() throws -> Bool { try store().hasSnapshots() }

    /// Runs, newest first.
    public func runs(limit: Int64 = 100) throws -> [RunRow] { try store().runs(limit: limit) }

    /// Runs of `account` that ended `failed`, and those that never ended although a later
    /// run did (only one writer runs at a time, so the process died: `kill -9`, out of
    /// memory, a machine stopped), oldest first; for a `run` job, whose own stages end while
    /// it runs, a later job. The newest runs without an end may still be running.
    public func failedRuns(account: String) throws -> [RunRow] { try store().failedRuns(account: account) }

    /// The top-up with idempotency key `key`, if any.
    public func topUp(key: String) throws -> StoredTopUp? { try store().topUp(key: key) }

    /// The top-up of `account` whose plan row had reference `reference`, if any.
    public func topUp(account: String, reference: String) throws -> StoredTopUp? {
        try store().topUp(account: account, reference: reference)
    }

    /// Every reference `account`'s top-ups and charges carry, once each, in byte order.
    public func references(account: String) throws -> [String] { try store().references(account: account) }

    /// Top-ups in `state` (`planned`, `requesting`, …), oldest first.
    public func topUps(state: String) throws -> [StoredTopUp] { try store().topUps(state: state) }

    /// Every top-up, oldest first.
    public func allTopUps() throws -> [StoredTopUp] { try store().allTopUps() }

    /// A batch of a plan of an account whose rows a run planned or sent.
    public struct RunBatch: Sendable, Hashable {
        public let account: String
        public let batch: String
        public let planFile: String
        public let runID: Int64
    }

    /// The batches of plans (of their accounts) whose rows one of `runs` planned or last
    /// sent: a top-up at work sends every row of its plan's batch still `planned`, a dead
    /// run's too.
    public func topUpBatches(runs: [Int64]) throws -> [RunBatch] { try store().topUpBatches(runs: runs) }

    /// Whether any plan row (top-up) is stored.
    public func hasTopUps() throws -> Bool { try store().hasTopUps() }

    /// Top-up rows of `account` without a charge, in the order they reached their state.
    public func chargelessTopUps(account: String) throws -> [ChargelessTopUp] {
        try store().chargelessTopUps(account: account)
    }

    /// Top-up rows of every account and batch that may have been charged (`created`,
    /// `recorded`, `requesting` or `unknown`, and their charge not recorded as expired: an
    /// expired charge bought nothing) at `since` or later, in the order they were
    /// planned: what a plan saved again under another name (another batch) would buy again.
    /// Dated by their latest entry, or by their charge's `created_at` (the API's clock) when
    /// it is later: a top-up made on a clock behind the API's is as recent as its charge. A
    /// `recorded` one (bought through the web flow) is dated by its charge's `created_at`
    /// alone: recorded a week later, it was not bought that day.
    public func topUps(since: Timestamp) throws -> [DatedTopUp] {
        try store().topUps(since: since)
    }

    /// The charge with id `chargeID`, if any.
    public func charge(id chargeID: String) throws -> StoredCharge? { try store().charge(id: chargeID) }

    /// The stored charges whose ids are among `ids` (one query for a batch of rows an
    /// import checks).
    public func charges(ids: [String]) throws -> [StoredCharge] { try store().charges(ids: ids) }

    /// The stored charges of one of `accounts` created at one of the instants `createdAt`
    /// (one query for a batch of rows an import checks).
    public func charges(accounts: [String], createdAt: [Timestamp]) throws -> [StoredCharge] {
        try store().charges(accounts: accounts, createdAt: createdAt.map(\.iso8601))
    }

    /// The charges of `account` (`nil`: of every account) recorded with a reference among
    /// `references` that resolved no plan row (the row was not planned yet): a plan naming
    /// one would buy it again. (One pass over the charges, which have no index by reference:
    /// `topup` asks once.)
    public func unlinkedCharges(account: String?, references: [String]) throws -> [StoredCharge] {
        guard !references.isEmpty else { return [] }
        return try store().unlinkedCharges(account: account, references: references)
    }

    /// The charges of every account recorded with `import charges` that resolved no plan
    /// row, from one of `wallets` (written checksummed) and of one of `amounts`, not
    /// recorded as expired, in the order they were recorded: purchases made through the web
    /// flow, which a plan row making one too would buy again. (One pass over the charges;
    /// the caller pairs wallets with amounts.)
    public func unlinkedCharges(wallets: Set<String>, amounts: Set<Micros>) throws -> [StoredCharge] {
        guard !wallets.isEmpty, !amounts.isEmpty else { return [] }
        return try store().unlinkedCharges(wallets: wallets.sorted(), amounts: amounts.sorted())
    }

    /// The charges voided, kept under `ChargeVoided.voidedID`, in the order recorded (by
    /// migration v7's index: few).
    public func voidedCharges() throws -> [StoredCharge] { try store().voidedCharges() }

    /// Number of charges (all accounts, all origins).
    public func chargeCount() throws -> Int64 { try store().chargeCount() }

    /// Whether any charge is stored (any account, either origin).
    public func hasCharges() throws -> Bool { try store().hasCharges() }

    /// Every charge of `account`, oldest first (ties by id).
    public func charges(account: String) throws -> [ChargeRecord] { try store().charges(account: account) }

    /// Every listing of the account's keys (`GET /keys`) of `account`, in time order.
    public func keyListings(account: String) throws -> [KeyListingRow] { try store().keyListings(account: account) }

    /// Every key reading of `account`, by listing (its journal entry), then key hash; the
    /// listings' times are in `keyListings`.
    public func keyReadings(account: String) throws -> [KeyReadingRow] { try store().keyReadings(account: account) }

    /// Every stored reading of a day of activity of `account` (of the whole account or of
    /// one key), by date, then in the order stored.
    public func activityDays(account: String) throws -> [ActivityDayRow] { try store().activityDays(account: account) }

    /// The whole account's stored activity of `account`: each day as last read, with its
    /// lines, and the days read again.
    public func activity(account: String) throws -> StoredActivity {
        let readings = try store().activityDays(account: account).filter { $0.apiKeyHash == nil }
        guard let first = readings.first?.date, let last = readings.last?.date else { return .none }
        let ids = Set(readings.map(\.id))
        let lines = try store().activityLines(account: account, from: first, through: last).filter { ids.contains($0.dayID) }
        return StoredActivity(readings: readings, lines: lines)
    }

    /// The lines of `account`'s stored activity days from `from` through `through` (UTC
    /// days), by date, then day, then line.
    public func activityLines(account: String, from: CivilDate, through: CivilDate) throws -> [ActivityLineRow] {
        try store().activityLines(account: account, from: from, through: through)
    }
}
