/// The intent to send a charge request, committed before the request.
public struct ChargeRequested: Sendable, Equatable {
    public var key: String
    public var attempt: Int64
    public init(key: String, attempt: Int64) {
        self.key = key
        self.attempt = attempt
    }
}
