extension Fact {
    /// The fact of kind `kind` whose `data` object `f` reads.
    init(kind: String, data f: FieldReader) throws(LedgerError) {
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
        case "charge.status":
            self = .chargeStatusRecorded(ChargeStatusRecorded(
                chargeID: try f.string("charge_id"), status: try f.string("status"),
                paidAt: try f.optionalTimestamp("paid_at"), origin: try f.optionalString("origin")))
        case "charge.linked":
            self = .chargeLinked(ChargeLinked(
                chargeID: try f.string("charge_id"), reference: try f.string("reference"),
                topUpKey: try f.string("topup_key"), origin: try f.optionalString("origin")))
        case "charge.voided":
            self = .chargeVoided(ChargeVoided(chargeID: try f.string("charge_id"), reason: try f.string("reason")))
        case "keys.read":
            self = .keysRead(KeysRead(
                observedAt: try f.timestamp("observed_at"),
                keys: try f.objects("keys").map { (key) throws(LedgerError) in
                    KeyReading(
                        hash: try key.string("hash"), name: try key.optionalString("name"),
                        label: try key.optionalString("label"), disabled: try key.optionalBool("disabled"),
                        usage: try key.micros("usage_micros"), byokUsage: try key.optionalMicros("byok_usage_micros"),
                        limit: try key.optionalMicros("limit_micros"),
                        limitRemaining: try key.optionalMicros("limit_remaining_micros"),
                        limitReset: try key.optionalString("limit_reset"), createdAt: try key.optionalTimestamp("created_at"))
                },
                rawBodies: try f.strings("raw_bodies")))
        case "activity.day":
            self = .activityDay(ActivityDay(
                date: try f.date("date"), observedAt: try f.timestamp("observed_at"),
                apiKeyHash: try f.optionalString("api_key_hash"),
                lines: try f.objects("rows").map { (row) throws(LedgerError) in
                    ActivityLine(
                        model: try row.string("model"), modelPermaslug: try row.optionalString("model_permaslug"),
                        endpointID: try row.optionalString("endpoint_id"), provider: try row.optionalString("provider"),
                        usage: try row.micros("usage_micros"), byokUsage: try row.optionalMicros("byok_usage_micros"),
                        requests: try row.optionalInt("requests"), promptTokens: try row.optionalInt("prompt_tokens"),
                        completionTokens: try row.optionalInt("completion_tokens"),
                        reasoningTokens: try row.optionalInt("reasoning_tokens"),
                        cachedTokens: try row.optionalInt("cached_tokens"))
                },
                rawBody: try f.string("raw_body")))
        default:
            throw f.unknownKind(kind)
        }
    }
}
