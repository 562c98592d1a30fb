import CreditTypes
@testable import Ledger

let t0 = Timestamp(millisecondsSinceEpoch: 1_790_000_000_000)

func usd(_ text: String) -> Micros {
    do { return try Micros(parsing: text) } catch { fatalError("bad test amount \(text)") }
}

/// Every kind of fact once, in an order the projections accept.
func lifecycle() -> [Fact] {
    [
        .runStarted(RunStarted(command: "topup")),
        .snapshotTaken(SnapshotTaken(observedAt: t0, totalCredits: usd("100"), totalUsage: usd("1.5"), source: "api",
                                     rawBody: #"{"data":{"total_credits":100,"total_usage":1.5}}"#)),
        .topUpPlanned(TopUpPlanned(key: "ref-1", batch: "b", reference: "ref-1",
                                   wallet: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", chainID: 8453,
                                   amount: usd("25"), memo: "first \"quoted\"\nline", planFile: "p.csv", planLine: 2)),
        .chargeRequested(ChargeRequested(key: "ref-1", attempt: 1)),
        .chargeCreated(ChargeCreated(key: "ref-1", chargeID: "ch_1", createdAt: t0, expiresAt: t0.adding(seconds: 3600),
                                     callData: #"{"deadline":"x"}"#, rawBody: "{}")),
        .topUpPlanned(TopUpPlanned(key: "ref-2", batch: "b", reference: "ref-2",
                                   wallet: "0xde709f2102306220921060314715629080e2fb77", chainID: 1,
                                   amount: usd("10"), memo: nil, planFile: "p.csv", planLine: 3)),
        .chargeRequested(ChargeRequested(key: "ref-2", attempt: 1)),
        .chargeBlocked(ChargeFailed(key: "ref-2", httpStatus: 410, message: "gone", rawBody: "{}")),
        .chargeRecorded(ChargeRecorded(chargeID: "web_1", amount: usd("10"), wallet: nil, chainID: 1, createdAt: t0,
                                       expiresAt: nil, reference: "ref-2", topUpKey: "ref-2", status: "paid",
                                       paidAt: t0.adding(seconds: 60), memo: nil, origin: "charges.csv:2")),
        .runFinished(RunFinished(runID: 1, outcome: "attention", exitCode: 1, summary: "1 blocked")),
    ]
}

extension Ledger {
    func appendAll(_ facts: [Fact], account: String = "default") throws {
        try write { writer in
            for (offset, fact) in facts.enumerated() {
                try writer.append(fact, account: account, runID: 1, at: t0.adding(milliseconds: Int64(offset)))
            }
        }
    }
}
