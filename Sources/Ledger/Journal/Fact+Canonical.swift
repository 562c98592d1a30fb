extension Fact {
    /// Writes the fact's `data` object, its keys in canonical order.
    func writeData(into out: inout CanonicalWriter) {
        out.beginObject()
        switch self {
        case .runStarted(let fact):
            out.key("command"); out.string(fact.command)
        case .runFinished(let fact):
            out.key("exit_code"); out.int(fact.exitCode)
            out.key("outcome"); out.string(fact.outcome)
            out.key("run_id"); out.int(fact.runID)
            out.key("summary"); out.string(fact.summary)
        case .snapshotTaken(let fact):
            out.key("observed_at"); out.time(fact.observedAt)
            out.key("origin"); out.string(fact.origin)
            out.key("raw_body"); out.string(fact.rawBody)
            out.key("source"); out.string(fact.source)
            out.key("total_credits_micros"); out.int(fact.totalCredits.raw)
            out.key("total_usage_micros"); out.int(fact.totalUsage.raw)
        case .topUpPlanned(let fact):
            out.key("amount_micros"); out.int(fact.amount.raw)
            out.key("batch"); out.string(fact.batch)
            out.key("chain_id"); out.int(fact.chainID)
            out.key("key"); out.string(fact.key)
            out.key("memo"); out.string(fact.memo)
            out.key("plan_file"); out.string(fact.planFile)
            out.key("plan_line"); out.int(fact.planLine)
            out.key("reference"); out.string(fact.reference)
            out.key("wallet"); out.string(fact.wallet)
        case .chargeRequested(let fact):
            out.key("attempt"); out.int(fact.attempt)
            out.key("key"); out.string(fact.key)
        case .chargeCreated(let fact):
            out.key("call_data"); out.string(fact.callData)
            out.key("charge_id"); out.string(fact.chargeID)
            out.key("created_at"); out.time(fact.createdAt)
            out.key("expires_at"); out.time(fact.expiresAt)
            out.key("key"); out.string(fact.key)
            out.key("raw_body"); out.string(fact.rawBody)
        case .chargeRejected(let fact), .chargeBlocked(let fact), .chargeUnknown(let fact):
            out.key("http_status"); out.int(fact.httpStatus)
            out.key("key"); out.string(fact.key)
            out.key("message"); out.string(fact.message)
            out.key("raw_body"); out.string(fact.rawBody)
        case .chargeRecorded(let fact):
            out.key("amount_micros"); out.int(fact.amount.raw)
            out.key("chain_id"); out.int(fact.chainID)
            out.key("charge_id"); out.string(fact.chargeID)
            out.key("created_at"); out.time(fact.createdAt)
            out.key("expires_at"); out.time(fact.expiresAt)
            out.key("memo"); out.string(fact.memo)
            out.key("origin"); out.string(fact.origin)
            out.key("paid_at"); out.time(fact.paidAt)
            out.key("reference"); out.string(fact.reference)
            out.key("status"); out.string(fact.status)
            out.key("topup_key"); out.string(fact.topUpKey)
            out.key("wallet"); out.string(fact.wallet)
        case .chargeStatusRecorded(let fact):
            out.key("charge_id"); out.string(fact.chargeID)
            out.key("origin"); out.string(fact.origin)
            out.key("paid_at"); out.time(fact.paidAt)
            out.key("status"); out.string(fact.status)
        case .chargeLinked(let fact):
            out.key("charge_id"); out.string(fact.chargeID)
            out.key("origin"); out.string(fact.origin)
            out.key("reference"); out.string(fact.reference)
            out.key("topup_key"); out.string(fact.topUpKey)
        case .chargeVoided(let fact):
            out.key("charge_id"); out.string(fact.chargeID)
            out.key("reason"); out.string(fact.reason)
        case .keysRead(let fact):
            out.key("keys")
            out.array(fact.keys) { out, key in
                out.beginObject()
                out.key("byok_usage_micros"); out.int(key.byokUsage?.raw)
                out.key("created_at"); out.time(key.createdAt)
                out.key("disabled"); out.bool(key.disabled)
                out.key("hash"); out.string(key.hash)
                out.key("label"); out.string(key.label)
                out.key("limit_micros"); out.int(key.limit?.raw)
                out.key("limit_remaining_micros"); out.int(key.limitRemaining?.raw)
                out.key("limit_reset"); out.string(key.limitReset)
                out.key("name"); out.string(key.name)
                out.key("usage_micros"); out.int(key.usage.raw)
                out.endObject()
            }
            out.key("observed_at"); out.time(fact.observedAt)
            out.key("raw_bodies"); out.array(fact.rawBodies) { $0.string($1) }
        case .activityDay(let fact):
            out.key("api_key_hash"); out.string(fact.apiKeyHash)
            out.key("date"); out.string(fact.date.isoText)
            out.key("observed_at"); out.time(fact.observedAt)
            out.key("raw_body"); out.string(fact.rawBody)
            out.key("rows")
            out.array(fact.lines) { out, line in
                out.beginObject()
                out.key("byok_usage_micros"); out.int(line.byokUsage?.raw)
                out.key("cached_tokens"); out.int(line.cachedTokens)
                out.key("completion_tokens"); out.int(line.completionTokens)
                out.key("endpoint_id"); out.string(line.endpointID)
                out.key("model"); out.string(line.model)
                out.key("model_permaslug"); out.string(line.modelPermaslug)
                out.key("prompt_tokens"); out.int(line.promptTokens)
                out.key("provider"); out.string(line.provider)
                out.key("reasoning_tokens"); out.int(line.reasoningTokens)
                out.key("requests"); out.int(line.requests)
                out.key("usage_micros"); out.int(line.usage.raw)
                out.endObject()
            }
        }
        out.endObject()
    }
}
