import CreditTypes
import Foundation
import Ledger
import Logging
import OpenRouterSimulator
import Testing

@testable import CreditRecon

/// Where the usage went, end to end: the simulator's keys and models, read by nightly
/// fetches over the real wire format, reconciled with exact amounts.
@Suite struct UsageSimulatorTests {
    static func at(_ text: String) -> Timestamp { reconTime(text) }
    static func usd(_ text: String) -> Micros { reconMicros(text) }

    func fetch(_ directory: TemporaryDirectory, _ server: SimulatorServer, at time: String) async throws {
        let now = Self.at(time)
        try await server.setClock(now)
        let context = CommandContext(
            ledgerPath: directory.path("ledger.sqlite"), baseURL: server.baseURL, account: "ops",
            timeout: .seconds(5), maxRetryTime: .seconds(1), json: false, logger: Logger(label: "test"),
            clock: CommandClock(start: now), environment: ["OPENROUTER_API_KEY": "sim-management-key"])
        _ = try await FetchStage(context: context).run()
    }

    @Test func nightlyFetchesAttributeEveryDollarAndTheActivityBoundsHold() async throws {
        let directory = try TemporaryDirectory()
        let server = try await SimulatorServer.start(SimulatorOptions())
        do {
            let prod = try await server.createKey(name: "prod")
            let etl = try await server.createKey(name: "etl", limit: Self.usd("30"))
            let temp = try await server.createKey(name: "temp")
            try await fetch(directory, server, at: "2026-03-10T00:00:00Z")

            try await server.setClock(Self.at("2026-03-10T10:00:00Z"))
            try await server.use(Self.usd("5"), key: prod.hash, model: "openai/gpt-4.1", provider: "OpenAI")
            try await server.use(Self.usd("2.5"), key: etl.hash, model: "anthropic/claude-sonnet-4", provider: "Anthropic")
            try await server.use(Self.usd("1.000001"), key: temp.hash, model: "openai/gpt-4.1", provider: "OpenAI")
            try await server.use(Self.usd("0.75"), model: "google/gemini-2.5-pro", provider: "Google")  // in the browser
            try await fetch(directory, server, at: "2026-03-11T00:00:00Z")

            try await server.setClock(Self.at("2026-03-11T08:00:00Z"))
            try await server.use(Self.usd("1"), key: prod.hash, model: "openai/gpt-4.1", provider: "OpenAI")
            try await server.use(Self.usd("3"), key: temp.hash, model: "openai/gpt-4.1", provider: "OpenAI")
            try await server.use(Self.usd("26"), key: etl.hash, model: "anthropic/claude-sonnet-4", provider: "Anthropic")
            try await server.setClock(Self.at("2026-03-11T12:00:00Z"))
            try await server.deleteKey(hash: temp.hash)
            try await server.disableKey(hash: prod.hash)
            try await fetch(directory, server, at: "2026-03-12T00:00:00Z")
        } catch {
            await server.shutdown()
            throw error
        }
        await server.shutdown()

        let ledger = try Ledger(path: directory.path("ledger.sqlite"))
        let books = try Reconciler(options: ReconcileOptions(account: "ops")).reconcile(ledger)
        let rows = books.keyUsage.map { "\($0.start) \($0.key?.name ?? "unattributed") \($0.used.decimalText)" }
        #expect(rows == [
            "2026-03-10 etl 0", "2026-03-10 prod 0", "2026-03-10 temp 0", "2026-03-10 unattributed 0",
            // The day's use shows in the period of the reading that saw it.
            "2026-03-11 etl 2.5", "2026-03-11 prod 5", "2026-03-11 temp 1.000001", "2026-03-11 unattributed 0.75",
            // temp was deleted after using 3: unattributed; prod, disabled, keeps its history.
            "2026-03-12 etl 26", "2026-03-12 prod 1", "2026-03-12 unattributed 3",
        ])
        #expect(books.periods.map(\.used.decimalText) == ["0", "9.250001", "30"])
        #expect(books.keyUsage.last { $0.key?.name == "prod" }?.key?.disabled == true)
        // Every day's activity equals the account's use that day: the bounds hold.
        #expect(!books.findings.contains { $0.kind == .activityMismatch })
        #expect(books.activity.map { "\($0.date) \($0.line.model) \($0.line.usage.decimalText)" }.sorted() == [
            "2026-03-10 anthropic/claude-sonnet-4 2.5", "2026-03-10 google/gemini-2.5-pro 0.75",
            "2026-03-10 openai/gpt-4.1 6.000001",
            "2026-03-11 anthropic/claude-sonnet-4 26", "2026-03-11 openai/gpt-4.1 4",
        ])
        #expect(books.findings.filter { $0.kind == .usageUnattributed }.map { $0.amount?.decimalText } == ["0.75", "3"])
        let low = try #require(books.findings.first { $0.kind == .keyLimitLow })
        #expect(low.reference == "etl" && low.amount == Self.usd("1.5"))
        #expect(!books.findings.contains { $0.kind == .activityLost })
        // What each key can still spend: the smaller of the balance and its limit's rest, never
        // below zero (this account is overdrawn).
        let balance = max(try #require(books.runway?.balance), .zero)
        #expect(books.keys.map { "\($0.key.name ?? "") \($0.spendable?.decimalText ?? "-")" }
            == ["etl \(min(balance, Self.usd("1.5")).decimalText)", "prod \(balance.decimalText)"])
        // reconciliation.md says which key is gone from the latest listing, and which is
        // disabled: temp read as a key at work ("no", probe 142).
        let byKey = ReportFiles.usageMarkdownLines(books).filter { $0.hasPrefix("| temp |") || $0.hasPrefix("| prod |") }
        #expect(byKey.count == 2 && byKey.allSatisfy { $0.contains($0.hasPrefix("| temp |") ? " | deleted | " : " | yes | ") },
                "\(byKey)")
    }
}
