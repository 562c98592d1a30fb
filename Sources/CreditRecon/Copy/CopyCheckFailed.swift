import Ledger

/// `ledger copy` committed the copy, and its check of the target (`verify`) could not
/// finish: a connection lost, a full scratch disk. The copy stays (a run again is refused,
/// the target no longer empty), so the words say so, and how to check it; the exit code is
/// the check's.
public struct CopyCheckFailed: ExitCoded {
    /// The target, without its password.
    public let target: String
    public let copied: Ledger.CopyOutcome
    public let error: any Error

    public var exitStatus: ExitStatus { ExitStatus(for: error) }

    public var description: String {
        "the copy was committed: \(copied.entries) entries in \(target), head \(copied.headHash); its check could not "
            + "finish: \(ExitStatus.message(for: error)). Check the copy with `credit-recon --ledger '\(target)' verify` "
            + "(a copy is not made again: the target is no longer empty)"
    }
}
