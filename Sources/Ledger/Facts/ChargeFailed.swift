/// A charge request that did not create a charge (rejected, blocked) or whose outcome
/// is not known.
public struct ChargeFailed: Sendable, Equatable {
    public var key: String
    public var httpStatus: Int64?
    /// What happened, in words (never a key or header).
    public var message: String
    public var rawBody: String?
    public init(key: String, httpStatus: Int64?, message: String, rawBody: String?) {
        self.key = key
        self.httpStatus = httpStatus
        self.message = message
        self.rawBody = rawBody
    }
}
