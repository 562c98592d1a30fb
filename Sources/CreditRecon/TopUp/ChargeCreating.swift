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
}

/// What became of one charge request.
public enum ChargeAnswer: Sendable, Equatable {
    /// The API created the charge.
    case created(CreatedCharge)
    /// The API refused the request (4xx other than 401/403/410): nothing was created.
    case rejected(status: Int?, message: String, rawBody: String?)
    /// 401 or 403: nothing was created, and every later row would fail the same way.
    case keyRefused(status: Int, message: String)
    /// 410 Gone: the endpoint is retired; never re-sent.
    case gone(message: String, rawBody: String?)
    /// The request provably never reached the server (connection refused, 429 beyond the
    /// retry budget): nothing was created and a later run may send it again.
    case notSent(status: Int?, message: String, rateLimited: Bool)
    /// Sent, but no usable answer: a charge may or may not exist.
    case unknown(status: Int?, message: String, rawBody: String?)
}

/// A charge the API created, as the ledger keeps it.
public struct CreatedCharge: Sendable, Equatable {
    public var id: String
    public var createdAt: Timestamp
    public var expiresAt: Timestamp
    /// The transfer intent's call data as JSON text.
    public var callData: String?
    /// The response body, verbatim.
    public var rawBody: String

    public init(id: String, createdAt: Timestamp, expiresAt: Timestamp, callData: String?, rawBody: String) {
        self.id = id
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.callData = callData
        self.rawBody = rawBody
    }
}
