/// Why text cannot be read as JSON (not JSON, or a member given twice).
public struct ExactJSONError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What is wrong, with the byte offset.
    public let reason: String
    /// The reason, for messages.
    public var description: String { reason }
}
