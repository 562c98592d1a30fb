import Ledger

/// `ledger copy` lost its writer lock of the target while it copied (a lock file removed
/// by hand, a PostgreSQL session the server ended): the copy was rolled back, and another
/// writer may have written the target meanwhile. "Run the command again", as other
/// commands say, led to 64 (a target that holds entries), so the words say when a copy run
/// again goes in, and where to copy otherwise. The lost lock's own exit code.
public struct CopyTargetLockLost: ExitCoded {
    /// The target, without its password.
    public let target: String
    public let error: LedgerError

    public var exitStatus: ExitStatus { ExitStatus(for: error) }

    public var description: String {
        var text = "\(error.lostLockCause): the copy was rolled back, nothing of it is in \(target). Another writer may "
            + "have written \(target) since, and a copy goes only into an empty ledger: once that writer has finished, run "
            + "the copy again if \(target) is still empty, or copy into a new path or an empty database"
        if case .writerLockLost = error {
            text += ". Never remove a lock file by hand: its lock falls by itself when its writer ends"
        }
        return text
    }
}
