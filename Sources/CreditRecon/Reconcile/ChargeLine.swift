import CreditTypes

/// One line of `charges.csv`: a charge, or a top-up request that made none, with its fate.
public struct ChargeLine: Sendable, Equatable {
    /// The charge id (`nil` for a request that made no charge).
    public var chargeID: String?
    /// The top-up key, when the line carries out a plan row.
    public var topUpKey: String?
    /// The plan reference.
    public var reference: String?
    /// The plan batch.
    public var batch: String?
    /// The account label.
    public var account: String
    /// `api` or `import`.
    public var origin: String
    /// The paying wallet.
    public var wallet: String?
    /// The chain id.
    public var chainID: Int64?
    /// The amount.
    public var amount: Micros
    /// When the charge was created (for a request without a charge: when it failed).
    public var createdAt: Timestamp
    /// When the charge expires, if known.
    public var expiresAt: Timestamp?
    /// Its fate.
    public var state: ChargeState
    /// When it was paid: the export's `paid_at`, else the reading that first showed the
    /// credits; `nil` unless `settled`.
    public var settledAt: Timestamp? {
        get { state == .settled ? reachedAt : nil }
        set { reachedAt = newValue }
    }
    /// The reading whose rise of credits this charge explains (drives the period it counts in).
    public var matchedReadingAt: Timestamp?
    /// The API's error, for requests that made no charge.
    public var error: String?
    /// Free text.
    public var memo: String?
    /// For a `rejected` request, whether the API refused it for what the row asks (sent
    /// again, it would be refused again), not for the key or the address (the plan's next
    /// run sends it again).
    public var refusedForTheRow = false
    /// For a `pending` charge, whether its expiry and the grace have passed with no trusted
    /// reading since: paid or not, the next reading tells (one a minute before the
    /// deadline shows its credits at the next; a night without a reading read as pending
    /// and nothing more, probe 121).
    public var awaitingReading = false
    /// For an `expired` charge, when the books knew it: its expiry when its export recorded
    /// it expired, else the first trusted reading taken after its expiry and the grace (which
    /// showed no rise matching it). `nil` unless `expired`.
    public var expiredSeenAt: Timestamp? {
        get { state == .expired ? reachedAt : nil }
        set { reachedAt = newValue }
    }
    /// When a settled or expired line reached its state (`settledAt`, `expiredSeenAt`): one
    /// field for the two, as a line is never both (a million charges in a report).
    var reachedAt: Timestamp?
    /// For a top-up still to be bought, a charge recorded without a plan row that may be its
    /// purchase (`Reconciler.possiblePurchases`), by id.
    public var possiblePurchase: String?

    /// What findings name it by: the plan reference finance knows, else the charge id,
    /// else the top-up key.
    var label: String { reference ?? chargeID ?? topUpKey ?? "?" }

    /// The report's order: by creation time, then id, then key.
    static func reportOrder(_ a: ChargeLine, _ b: ChargeLine) -> Bool {
        if a.createdAt != b.createdAt { return a.createdAt < b.createdAt }
        if a.chargeID != b.chargeID { return (a.chargeID ?? "") < (b.chargeID ?? "") }
        return (a.topUpKey ?? "") < (b.topUpKey ?? "")
    }
}
