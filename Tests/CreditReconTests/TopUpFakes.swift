@testable import CreditRecon
import CreditTypes
import Foundation
import Ledger
import Synchronization
import Testing

/// A charge creator whose answers tests script; it records every call.
final class FakeChargeCreator: ChargeCreating {
    struct Call: Sendable, Equatable {
        let amount: Micros
        let sender: String
        let chainID: Int64
    }

    private let state = Mutex<(calls: [Call], inFlight: Int, maxInFlight: Int)>(([], 0, 0))
    private let answer: @Sendable (Call, Int) async throws -> ChargeAnswer

    /// `answer(call, index)`: index is the 0-based call number.
    init(_ answer: @escaping @Sendable (Call, Int) async throws -> ChargeAnswer = { call, index in .created(FakeChargeCreator.charge(index)) }) {
        self.answer = answer
    }

    var calls: [Call] { state.withLock { $0.calls } }
    var maxInFlight: Int { state.withLock { $0.maxInFlight } }

    func createCharge(amount: Micros, sender: String, chainID: Int64) async throws -> ChargeAnswer {
        let call = Call(amount: amount, sender: sender, chainID: chainID)
        let index = state.withLock { state -> Int in
            state.calls.append(call)
            state.inFlight += 1
            state.maxInFlight = max(state.maxInFlight, state.inFlight)
            return state.calls.count - 1
        }
        defer { state.withLock { $0.inFlight -= 1 } }
        return try await answer(call, index)
    }

    static func charge(_ index: Int) -> CreatedCharge {
        // Unique across fakes: the ledger refuses a charge id it already holds.
        let id = "chg_\(index)_\(UUID().uuidString.prefix(8))"
        let created = Timestamp(millisecondsSinceEpoch: 1_790_000_000_000 + Int64(index) * 1000)
        return CreatedCharge(id: id, createdAt: created, expiresAt: created.adding(seconds: 3600),
                             callData: "{\"id\":\"\(index)\"}", rawBody: "{\"data\":{\"id\":\"\(id)\"}}")
    }
}

/// The process "dies" between the intent commit and the answer.
struct SimulatedCrash: Error {}

/// A temp folder with a ledger and a plan, and an engine over them.
struct TopUpBench {
    let dir: PlanTempDir
    let ledger: Ledger
    let ledgerPath: String

    init() throws {
        dir = try PlanTempDir()
        ledgerPath = dir.path("ledger.sqlite")
        ledger = try Ledger(path: ledgerPath)
    }

    func plan(_ text: String, name: String = "topups.csv") throws -> String { try dir.write(name, text) }

    func engine(_ path: String, retryUnknown: Bool = false, concurrency: Int = 4, maxTotal: Micros? = nil,
                batch: String? = nil, account: String = "acct") -> TopUpEngine {
        TopUpEngine(options: .init(planPath: path, displayName: "topups.csv", batch: batch, account: account,
                                   maxTotal: maxTotal, concurrency: concurrency, retryUnknown: retryUnknown))
    }

    /// prepare + execute.
    func run(_ path: String, client: any ChargeCreating, retryUnknown: Bool = false, concurrency: Int = 4,
             stop: StopFlag = StopFlag(), batch: String? = nil, account: String = "acct") async throws -> TopUpSummary {
        let engine = engine(path, retryUnknown: retryUnknown, concurrency: concurrency, batch: batch, account: account)
        let preview = try engine.prepare(ledger: ledger)
        return try await engine.execute(preview, ledger: ledger, client: client, stop: stop,
                                        now: { Timestamp.now() })
    }

    /// Runs `path` one row at a time with a client that creates charges until the row of
    /// `amount`, where the process "crashes" with that request in flight (`requesting`).
    func crashing(_ path: String, at amount: Micros) async throws {
        let crashing = FakeChargeCreator { call, index in
            if call.amount == amount { throw SimulatedCrash() }
            return .created(FakeChargeCreator.charge(index))
        }
        await #expect(throws: SimulatedCrash.self) {
            _ = try await run(path, client: crashing, concurrency: 1)
        }
    }

    func states() throws -> [String: String] {
        Dictionary(uniqueKeysWithValues: try ledger.read { try $0.allTopUps() }.map { ($0.reference ?? $0.key, $0.state) })
    }

    /// A plan of `count` rows with references `R-01`…, over the example wallets and chains.
    static func planText(_ count: Int, prefix: String = "R") -> String {
        let wallets = [Wallets.a, Wallets.b, Wallets.c, Wallets.d]
        let chains = ["1", "137", "8453"]
        var lines = ["wallet,chain_id,amount,reference,memo"]
        for index in 1...count {
            let reference = "\(prefix)-\(index < 10 ? "0" : "")\(index)"
            lines.append("\(wallets[index % 4]),\(chains[index % 3]),\(index).50,\(reference),row \(index)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
