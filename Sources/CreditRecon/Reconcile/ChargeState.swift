/// What became of a charge (or of a top-up request that never made one).
public enum ChargeState: String, Sendable, CaseIterable {
    /// Paid: matched to a rise of credits (or an export says it was paid).
    case settled
    /// Not paid yet and not yet expired as of the report's time.
    case pending
    /// Expired without being paid.
    case expired
    /// The charge endpoint is gone (410); pay through the web flow and record it.
    case blocked
    /// The API refused the request; nothing was created.
    case rejected
    /// The request may or may not have created a charge; a person must decide.
    case unknown
    /// A plan row stored but never sent: the run that planned it stopped first (a signal,
    /// a refused key) or is still running, or its request never reached the API (no
    /// connection, a 429). The plan's next `topup` sends it.
    case planned
}
