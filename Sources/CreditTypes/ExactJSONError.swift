/// Why text is not JSON.
public struct ExactJSONError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What is wrong, with the byte offset.
    public let reason: String
    /// The reason, for messages.
    public var description: String { reason }
}
