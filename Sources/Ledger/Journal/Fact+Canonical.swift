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
        }
        out.endObject()
    }
}
