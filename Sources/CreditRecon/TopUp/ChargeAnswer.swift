import CreditTypes

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
