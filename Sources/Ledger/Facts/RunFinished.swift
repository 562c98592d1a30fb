/// A command ended.
public struct RunFinished: Sendable, Equatable {
    public var runID: Int64
    /// `ok`, `attention` or `failed`.
    public var outcome: String
    public var exitCode: Int64
    public var summary: String?
    public init(runID: Int64, outcome: String, exitCode: Int64, summary: String? = nil) {
        self.runID = runID
        self.outcome = outcome
        self.exitCode = exitCode
        self.summary = summary
    }
}
