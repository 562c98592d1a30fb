/// What `report` writes and where.
public struct ReportOptions: Sendable, Equatable {
    /// The books to draw: account, range, periods, time zone, thresholds.
    public var reconcile: ReconcileOptions
    /// The folder the five files go to (created when missing).
    public var outDirectory: String

    /// Options for `account`, writing to `outDirectory` (default `reports`).
    public init(reconcile: ReconcileOptions, outDirectory: String = "reports") {
        self.reconcile = reconcile
        self.outDirectory = outDirectory
    }
}
