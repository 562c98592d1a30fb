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
        }
    }

    var data: JSONValue {
        switch self {
        case .runStarted(let fact): return .object(["command": .string(fact.command)])
        case .runFinished(let fact):
            return .object([
                "run_id": .int(fact.runID), "outcome": .string(fact.outcome),
                "exit_code": .int(fact.exitCode), "summary": fact.summary.json,
            ])
        case .snapshotTaken(let fact):
            return .object([
                "observed_at": .string(fact.observedAt.iso8601),
                "total_credits_micros": .int(fact.totalCredits.raw),
                "total_usage_micros": .int(fact.totalUsage.raw),
                "source": .string(fact.source), "origin": fact.origin.json, "raw_body": fact.rawBody.json,
            ])
        case .topUpPlanned(let fact):
            return .object([
                "key": .string(fact.key), "batch": .string(fact.batch), "reference": fact.reference.json,
                "wallet": .string(fact.wallet), "chain_id": .int(fact.chainID),
                "amount_micros": .int(fact.amount.raw), "memo": fact.memo.json,
                "plan_file": .string(fact.planFile), "plan_line": .int(fact.planLine),
            ])
        case .chargeRequested(let fact):
            return .object(["key": .string(fact.key), "attempt": .int(fact.attempt)])
        case .chargeCreated(let fact):
            return .object([
                "key": .string(fact.key), "charge_id": .string(fact.chargeID),
                "created_at": .string(fact.createdAt.iso8601), "expires_at": .string(fact.expiresAt.iso8601),
                "call_data": fact.callData.json, "raw_body": .string(fact.rawBody),
            ])
        case .chargeRejected(let fact), .chargeBlocked(let fact), .chargeUnknown(let fact):
            return .object([
                "key": .string(fact.key), "http_status": fact.httpStatus.json,
                "message": .string(fact.message), "raw_body": fact.rawBody.json,
            ])
        case .chargeRecorded(let fact):
            return .object([
                "charge_id": .string(fact.chargeID), "amount_micros": .int(fact.amount.raw),
                "wallet": fact.wallet.json, "chain_id": fact.chainID.json,
                "created_at": .string(fact.createdAt.iso8601), "expires_at": fact.expiresAt.json,
                "reference": fact.reference.json, "topup_key": fact.topUpKey.json,
                "status": fact.status.json, "paid_at": fact.paidAt.json, "memo": fact.memo.json,
                "origin": fact.origin.json,
            ])
        }
    }

    init(kind: String, data: JSONValue, context: String) throws {
        let f = try FieldReader(data, context: context)
        switch kind {
        case "run.started": self = .runStarted(RunStarted(command: try f.string("command")))
        case "run.finished":
            self = .runFinished(RunFinished(
                runID: try f.int("run_id"), outcome: try f.string("outcome"),
                exitCode: try f.int("exit_code"), summary: try f.optionalString("summary")))
        case "snapshot.taken":
            self = .snapshotTaken(SnapshotTaken(
                observedAt: try f.timestamp("observed_at"),
                totalCredits: try f.micros("total_credits_micros"), totalUsage: try f.micros("total_usage_micros"),
                source: try f.string("source"), origin: try f.optionalString("origin"),
                rawBody: try f.optionalString("raw_body")))
        case "topup.planned":
            self = .topUpPlanned(TopUpPlanned(
                key: try f.string("key"), batch: try f.string("batch"), reference: try f.optionalString("reference"),
                wallet: try f.string("wallet"), chainID: try f.int("chain_id"), amount: try f.micros("amount_micros"),
                memo: try f.optionalString("memo"), planFile: try f.string("plan_file"), planLine: try f.int("plan_line")))
        case "charge.requested":
            self = .chargeRequested(ChargeRequested(key: try f.string("key"), attempt: try f.int("attempt")))
        case "charge.created":
            self = .chargeCreated(ChargeCreated(
                key: try f.string("key"), chargeID: try f.string("charge_id"),
                createdAt: try f.timestamp("created_at"), expiresAt: try f.timestamp("expires_at"),
                callData: try f.optionalString("call_data"), rawBody: try f.string("raw_body")))
        case "charge.rejected", "charge.blocked", "charge.unknown":
            let failure = ChargeFailed(
                key: try f.string("key"), httpStatus: try f.optionalInt("http_status"),
                message: try f.string("message"), rawBody: try f.optionalString("raw_body"))
            switch kind {
            case "charge.rejected": self = .chargeRejected(failure)
            case "charge.blocked": self = .chargeBlocked(failure)
            default: self = .chargeUnknown(failure)
            }
        case "charge.recorded":
            self = .chargeRecorded(ChargeRecorded(
                chargeID: try f.string("charge_id"), amount: try f.micros("amount_micros"),
                wallet: try f.optionalString("wallet"), chainID: try f.optionalInt("chain_id"),
                createdAt: try f.timestamp("created_at"), expiresAt: try f.optionalTimestamp("expires_at"),
                reference: try f.optionalString("reference"), topUpKey: try f.optionalString("topup_key"),
                status: try f.optionalString("status"), paidAt: try f.optionalTimestamp("paid_at"),
                memo: try f.optionalString("memo"), origin: try f.optionalString("origin")))
        default:
            throw LedgerError.malformedEntry("\(context): unknown kind \"\(kind)\"")
        }
    }
}

/// A command began.
public struct RunStarted: Sendable, Equatable {
    /// The command, e.g. `import snapshots`.
    public var command: String
    public init(command: String) { self.command = command }
}

/// A command ended.
public struct RunFinished: Sendable, Equatable {
    public var runID: Int64
    /// `ok`, `attention` or `failed`.
    public var outcome: String
    public var exitCode: Int64
    public var summary: String?
    public init(runID: Int64, outcome: String, exitCode: Int64, summary: String? = nil) {
        self.runID = runID
        self.outcome = outcome
        self.exitCode = exitCode
        self.summary = summary
    }
}

/// A reading of the running totals.
public struct SnapshotTaken: Sendable, Equatable {
    public var observedAt: Timestamp
    public var totalCredits: Micros
    public var totalUsage: Micros
    /// `api` or `import`.
    public var source: String
    /// Where an imported row came from (`history.csv:12`).
    public var origin: String?
    /// The API's response body, verbatim.
    public var rawBody: String?
    public init(observedAt: Timestamp, totalCredits: Micros, totalUsage: Micros, source: String,
                origin: String? = nil, rawBody: String? = nil) {
        self.observedAt = observedAt
        self.totalCredits = totalCredits
        self.totalUsage = totalUsage
        self.source = source
        self.origin = origin
        self.rawBody = rawBody
    }
}

/// A validated plan row, keyed for idempotency.
public struct TopUpPlanned: Sendable, Equatable {
    public var key: String
    public var batch: String
    public var reference: String?
    public var wallet: String
    public var chainID: Int64
    public var amount: Micros
    public var memo: String?
    public var planFile: String
    public var planLine: Int64
    public init(key: String, batch: String, reference: String?, wallet: String, chainID: Int64, amount: Micros,
                memo: String?, planFile: String, planLine: Int64) {
        self.key = key
        self.batch = batch
        self.reference = reference
        self.wallet = wallet
        self.chainID = chainID
        self.amount = amount
        self.memo = memo
        self.planFile = planFile
        self.planLine = planLine
    }
}

/// The intent to send a charge request, committed before the request.
public struct ChargeRequested: Sendable, Equatable {
    public var key: String
    public var attempt: Int64
    public init(key: String, attempt: Int64) {
        self.key = key
        self.attempt = attempt
    }
}

/// A charge the API created.
public struct ChargeCreated: Sendable, Equatable {
    public var key: String
    public var chargeID: String
    public var createdAt: Timestamp
    public var expiresAt: Timestamp
    /// The transfer intent's call data, as canonical JSON text.
    public var callData: String?
    public var rawBody: String
    public init(key: String, chargeID: String, createdAt: Timestamp, expiresAt: Timestamp, callData: String?,
                rawBody: String) {
        self.key = key
        self.chargeID = chargeID
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.callData = callData
        self.rawBody = rawBody
    }
}

/// A charge request that did not create a charge (rejected, blocked) or whose outcome
/// is not known.
public struct ChargeFailed: Sendable, Equatable {
    public var key: String
    public var httpStatus: Int64?
    /// What happened, in words (never a key or header).
    public var message: String
    public var rawBody: String?
    public init(key: String, httpStatus: Int64?, message: String, rawBody: String?) {
        self.key = key
        self.httpStatus = httpStatus
        self.message = message
        self.rawBody = rawBody
    }
}

/// A charge made elsewhere and recorded from an export.
public struct ChargeRecorded: Sendable, Equatable {
    public var chargeID: String
    public var amount: Micros
    public var wallet: String?
    public var chainID: Int64?
    public var createdAt: Timestamp
    public var expiresAt: Timestamp?
    public var reference: String?
    /// The plan row this charge carries out, when `reference` names one.
    public var topUpKey: String?
    /// `paid`, `expired` or `pending`, as the export says.
    public var status: String?
    public var paidAt: Timestamp?
    public var memo: String?
    /// Where the row came from (`charges.csv:4`).
    public var origin: String?
    public init(chargeID: String, amount: Micros, wallet: String?, chainID: Int64?, createdAt: Timestamp,
                expiresAt: Timestamp?, reference: String?, topUpKey: String?, status: String?, paidAt: Timestamp?,
                memo: String?, origin: String?) {
        self.chargeID = chargeID
        self.amount = amount
        self.wallet = wallet
        self.chainID = chainID
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.reference = reference
        self.topUpKey = topUpKey
        self.status = status
        self.paidAt = paidAt
        self.memo = memo
        self.origin = origin
    }
}
