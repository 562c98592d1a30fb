/// A write of `fetch` failed after it had stored something (a full disk, a file-size limit):
/// the ledger's own error, then what was stored before it and whether the run could be
/// recorded as ended. It said the ledger's error alone, as if nothing was stored, and
/// `status` then blamed a kill for the run that never ended (probe 274). Exits with the
/// ledger error's code.
public struct FetchStoreFailed: ExitCoded, FailureDetails {
    /// What was stored before it (never nothing).
    public let kept: FetchKept
    public let error: any Error
    /// Whether the run was recorded as failed (else the same write failed again).
    public let runRecorded: Bool

    public var exitStatus: ExitStatus { ExitStatus(for: error) }

    public var failureDetails: [String: JSONOutput] { ["stored": kept.json] }

    public var description: String {
        "\(ExitStatus.message(for: error)) What was stored before it (\(kept.text)) stays; "
            + (runRecorded ? "the run is recorded as failed" : "the run could not be recorded as ended either, so `status` "
                + "says it never ended")
            + ", and the next fetch reads what is missing"
    }
}
