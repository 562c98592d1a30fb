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

/// After `lifecycle()`: a plan row blocked (410), bought through the web flow, recorded
/// from an export without its reference, then linked to it (`charge.linked`).
func linkedCharge() -> [Fact] {
    [
        .topUpPlanned(TopUpPlanned(key: "ref-3", batch: "b", reference: "ref-3",
                                   wallet: "0xde709f2102306220921060314715629080e2fb77", chainID: 137,
                                   amount: usd("42"), memo: nil, planFile: "p.csv", planLine: 4)),
        .chargeRequested(ChargeRequested(key: "ref-3", attempt: 1)),
        .chargeBlocked(ChargeFailed(key: "ref-3", httpStatus: 410, message: "gone", rawBody: "{}")),
        .chargeRecorded(ChargeRecorded(chargeID: "web_3", amount: usd("42"), wallet: nil, chainID: 137,
                                       createdAt: t0.adding(seconds: 600), expiresAt: nil, reference: nil, topUpKey: nil,
                                       status: "paid", paidAt: t0.adding(seconds: 660), memo: nil, origin: "export.csv:2")),
        .chargeLinked(ChargeLinked(chargeID: "web_3", reference: "ref-3", topUpKey: "ref-3", origin: "export.csv:2")),
    ]
}

/// Key listings and days of activity: every field set and every optional one absent, a
/// listing with no key and a day with no use, and the same day asked for one key.
func usageFacts(texts: [String] = ["plain"]) -> [Fact] {
    let day = CivilDate(year: 2026, month: 9, day: 20)!
    let keys = texts.enumerated().map { offset, text in
        KeyReading(
            hash: "hash-\(offset) \(text)", name: text, label: offset % 2 == 0 ? nil : "sk-or-v1-…\(text)",
            disabled: [true, false, nil][offset % 3], usage: Micros(raw: 1_000_001 * Int64(offset + 1)),
            byokUsage: offset % 2 == 0 ? Micros(raw: 3) : nil, limit: offset % 2 == 0 ? usd("50") : nil,
            limitRemaining: offset % 2 == 0 ? usd("48.999999") : nil, limitReset: offset % 2 == 0 ? "monthly" : nil,
            createdAt: offset % 2 == 0 ? t0.adding(seconds: -86_400) : nil)
    }
    let lines = texts.enumerated().map { offset, text in
        ActivityLine(
            model: "openai/\(text)", modelPermaslug: offset % 2 == 0 ? "openai/\(text)-2025" : nil,
            endpointID: offset % 2 == 0 ? "ep-\(offset)" : nil, provider: offset % 2 == 0 ? text : nil,
            usage: Micros(raw: 250_000 + Int64(offset)), byokUsage: offset % 2 == 0 ? .zero : nil,
            requests: offset % 2 == 0 ? 12 : nil, promptTokens: offset % 2 == 0 ? 1_000 : nil,
            completionTokens: offset % 2 == 0 ? 250 : nil, reasoningTokens: offset % 2 == 0 ? 0 : nil,
            cachedTokens: offset % 2 == 0 ? Int64.max : nil)
    }
    return [
        .keysRead(KeysRead(observedAt: t0, keys: keys, rawBodies: texts.map { #"{"data":["\#($0)"]}"# } + [#"{"data":[]}"#])),
        .keysRead(KeysRead(observedAt: t0.adding(seconds: 60), keys: [], rawBodies: [#"{"data":[]}"#])),
        .activityDay(ActivityDay(date: day, observedAt: t0, lines: lines, rawBody: #"{"data":[…]}"#)),
        .activityDay(ActivityDay(date: day.adding(days: -1), observedAt: t0, lines: [], rawBody: #"{"data":[]}"#)),
        .activityDay(ActivityDay(date: day, observedAt: t0, apiKeyHash: keys.first?.hash, lines: Array(lines.prefix(1)),
                                 rawBody: texts[0])),
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
