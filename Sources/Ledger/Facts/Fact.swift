import CreditTypes

/// One fact or state change, as the journal records it.
///
/// The journal is the truth; every projection table is what replaying these facts in
/// order produces (see `Projector`).
public enum Fact: Sendable, Equatable {
    /// A command began (`runs` row).
    case runStarted(RunStarted)
    /// A command ended with an outcome and exit code.
    case runFinished(RunFinished)
    /// A reading of the account's running totals, from the API or an import.
    case snapshotTaken(SnapshotTaken)
    /// A plan row accepted for top-up, keyed for idempotency.
    case topUpPlanned(TopUpPlanned)
    /// Intent: a charge request for a planned row is about to be sent.
    case chargeRequested(ChargeRequested)
    /// The API created the charge.
    case chargeCreated(ChargeCreated)
    /// The API refused the request (4xx other than 410): nothing was created.
    case chargeRejected(ChargeFailed)
    /// The endpoint is gone (410): nothing was created, retrying will not help.
    case chargeBlocked(ChargeFailed)
    /// The request may or may not have created a charge; a person must decide.
    case chargeUnknown(ChargeFailed)
    /// A charge made elsewhere (web flow, Coinbase export) was recorded.
    case chargeRecorded(ChargeRecorded)
    /// An export's later status (and payment time) for a charge already in the ledger.
    case chargeStatusRecorded(ChargeStatusRecorded)
    /// A charge recorded without its plan row's reference, linked to that row later.
    case chargeLinked(ChargeLinked)
    /// A recorded charge taken out of the books, with why.
    case chargeVoided(ChargeVoided)
    /// A reading of every key of the account (`GET /keys`).
    case keysRead(KeysRead)
    /// One completed UTC day of activity (`GET /activity`), stored once.
    case activityDay(ActivityDay)

    /// The entry's `kind`, e.g. `snapshot.taken`.
    public var kind: String {
        switch self {
        case .runStarted: return "run.started"
        case .runFinished: return "run.finished"
        case .snapshotTaken: return "snapshot.taken"
        case .topUpPlanned: return "topup.planned"
        case .chargeRequested: return "charge.requested"
        case .chargeCreated: return "charge.created"
        case .chargeRejected: return "charge.rejected"
        case .chargeBlocked: return "charge.blocked"
        case .chargeUnknown: return "charge.unknown"
        case .chargeRecorded: return "charge.recorded"
        case .chargeStatusRecorded: return "charge.status"
        case .chargeLinked: return "charge.linked"
        case .chargeVoided: return "charge.voided"
        case .keysRead: return "keys.read"
        case .activityDay: return "activity.day"
        }
    }
}
