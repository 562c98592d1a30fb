import CreditTypes

/// Creates one Coinbase charge. `OpenRouterClient` is the real one; tests use fakes that
/// fail, block or "crash" at chosen moments.
///
/// The answer is already sorted into what the ledger must record, so the engine never
/// has to guess whether a request reached the server.
public protocol ChargeCreating: Sendable {
    /// Sends one `POST /credits/coinbase`. Throwing means the process is going down
    /// (tests use it to simulate a crash between the intent commit and the answer):
    /// nothing more is recorded, and the next run finds the row `requesting`.
    func createCharge(amount: Micros, sender: String, chainID: Int64) async throws -> ChargeAnswer

    /// Waits for a turn to send (the rate limit, a `429` pause) before the engine records
    /// that it is sending: `nil` once the turn is taken, for the next `createCharge`; else
    /// why no request can go out now (`.notSent`: stopped, or rate limited past the budget),
    /// and nothing is recorded for the row, which stays planned.
    func waitForTurn() async -> ChargeAnswer?

    /// How long after a row's first request the engine sends it again after a `429`
    /// (`.notSent` with `rateLimited`), each time recording the answer, then the intent
    /// once the pause is over: `--max-retry-time`.
    var retryBudget: Duration { get }
}

extension ChargeCreating {
    /// No rate limit to wait for.
    public func waitForTurn() async -> ChargeAnswer? { nil }

    /// No request sent again.
    public var retryBudget: Duration { .zero }
}
