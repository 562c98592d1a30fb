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

    /// The check's exit code; 1 when a signal stopped it: the copy is whole and needs its
    /// check run by a person, where 75 said "try again", and the copy run again was refused
    /// (64: the target holds entries, probe 130).
    public var exitStatus: ExitStatus { error is StoppedBySignal ? .attention : ExitStatus(for: error) }

    public var description: String {
        // Without a lost connection's "run the command again": run again, the copy is refused (probe 408).
        let said = ExitStatus.message(for: error)
        let why = said.hasSuffix(LedgerError.runAgain) ? String(said.dropLast(LedgerError.runAgain.count)) : said
        return "the copy was committed: \(copied.entries) entries in \(target), head \(copied.headHash); its check could not "
            + "finish: \(why). Check the copy with `credit-recon --ledger '\(target)' verify` "
            + "(a copy is not made again: the target is no longer empty)"
    }
}
