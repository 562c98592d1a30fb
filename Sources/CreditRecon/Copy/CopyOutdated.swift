import Ledger

/// `ledger copy` of a source it could not lock (read-only storage) committed the copy, and
/// the source had been written meanwhile: the copy lacks the source's newest entries. The
/// target is no longer empty, so the words say what to do: copy again into a new ledger.
/// Exit 1: the copy is sound, but not what the books are now.
public struct CopyOutdated: ExitCoded {
    public let source: String
    /// The target, without its password.
    public let target: String
    public let copied: Ledger.CopyOutcome
    /// The source's entries after the copy.
    public let sourceEntries: Int64

    public var exitStatus: ExitStatus { .attention }

    public var description: String {
        "the copy was committed: \(copied.entries) entries in \(target), head \(copied.headHash); but \(source) was "
            + "written during the copy and now holds \(sourceEntries) entries, so the copy lacks the newest. Stop the "
            + "writers of \(source), then copy it again into a new, empty ledger"
    }
}
