/// One finished request, for the progress line or a log line.
public struct TopUpProgress: Sendable {
    /// Requests finished so far in this run, and how many the run meant to send.
    public let finished: Int
    public let planned: Int
    /// The row and how it ended (`created`, `rejected`, `not sent`, `blocked`, `unknown`).
    public let line: Int
    public let reference: String?
    /// The row's key (`row/…`), which names a row without a reference.
    public let key: String
    public let state: String
    public let detail: String
}
