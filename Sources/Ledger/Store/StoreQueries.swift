import CreditTypes

/// The readers' queries, as every store answers them (see `LedgerReader` for what each
/// means).
protocol StoreQueries: AnyObject {
    func head() throws -> ChainHead
    func journalCount() throws -> Int64
    /// The stored hash of entry `seq`, or `nil` when the journal has no such entry.
    func entryHash(seq: Int64) throws -> String?
    /// The ledger's tables that hold a row (`Schema.ledgerTables`, in that order).
    func tablesWithRows() throws -> [String]
    /// The newest `at` of any entry (entries are not always appended in time order).
    func newestEntryTime() throws -> Timestamp?

    func snapshot(account: String, observedAt: Timestamp) throws -> SnapshotRow?
    /// Readings of `account` (every account when `nil`) in time order.
    func snapshots(account: String?) throws -> [SnapshotRow]
    /// The readings of `account` stored at one of `times`.
    func snapshots(account: String, at times: [Timestamp]) throws -> [SnapshotRow]
    /// The readings of `account` from `from` to `to`, with the last one before `from` and
    /// the first one after `to`, in time order.
    func snapshots(account: String, around from: Timestamp, _ to: Timestamp) throws -> [SnapshotRow]
    func hasSnapshots() throws -> Bool
    /// Every account any row belongs to, in byte order.
    func accounts() throws -> [String]

    func runs(limit: Int64) throws -> [RunRow]
    /// See `LedgerReader.failedRuns(account:)`.
    func failedRuns(account: String) throws -> [RunRow]

    func topUp(key: String) throws -> StoredTopUp?
    func topUp(account: String, reference: String) throws -> StoredTopUp?
    /// Every reference `account`'s top-ups and charges (but voided ones) carry, once each,
    /// in byte order.
    func references(account: String) throws -> [String]
    func topUps(state: String) throws -> [StoredTopUp]
    func allTopUps() throws -> [StoredTopUp]
    func hasTopUps() throws -> Bool
    /// See `LedgerReader.topUpBatches(runs:)`.
    func topUpBatches(runs: [Int64]) throws -> [LedgerReader.RunBatch]
    func chargelessTopUps(account: String) throws -> [LedgerReader.ChargelessTopUp]
    func topUps(since: Timestamp) throws -> [LedgerReader.DatedTopUp]

    func charge(id: String) throws -> StoredCharge?
    /// The stored charges among `ids`.
    func charges(ids: [String]) throws -> [StoredCharge]
    /// The stored charges of one of `accounts` created at one of `createdAt` (as stored),
    /// by the index of charges by account and creation time.
    func charges(accounts: [String], createdAt: [String]) throws -> [StoredCharge]
    /// The charges of `account` (`nil`: of every account) linked to no top-up whose
    /// reference is among `references`, but voided ones.
    func unlinkedCharges(account: String?, references: [String]) throws -> [StoredCharge]
    /// The charges of every account linked to no top-up, from one of `wallets`, of one of
    /// `amounts`, not recorded as expired nor voided, in the order recorded.
    func unlinkedCharges(wallets: [String], amounts: [Micros]) throws -> [StoredCharge]
    func chargeCount() throws -> Int64
    /// The charges voided (`ChargeVoided`), in the order recorded.
    func voidedCharges() throws -> [StoredCharge]
    func hasCharges() throws -> Bool
    /// Every charge of `account`, oldest first (ties by id).
    func charges(account: String) throws -> [LedgerReader.ChargeRecord]

    /// Key listings of `account`, in time order.
    func keyListings(account: String) throws -> [KeyListingRow]
    /// Every key reading of `account`, by listing, then key hash.
    func keyReadings(account: String) throws -> [KeyReadingRow]
    /// Stored activity days of `account`, by date, then id.
    func activityDays(account: String) throws -> [ActivityDayRow]
    /// The lines of `account`'s activity days from `from` through `through`, by date, then
    /// day, then line.
    func activityLines(account: String, from: CivilDate, through: CivilDate) throws -> [ActivityLineRow]
}
