/// A stored run.
public struct RunRow: Sendable, Equatable {
    public let id: Int64
    public let account: String
    public let command: String
    public let startedAt: String
    public let finishedAt: String?
    public let outcome: String?
    public let exitCode: Int64?
    public let summary: String?
}
