import CreditTypes

/// The number of files the process may have open (`ulimit -n`). A command holds a few
/// dozen at most (the ledger and its `-wal`, `-shm` and lock files, a second reader, the
/// HTTP or PostgreSQL connections, the runtime's event files); out of them, the runtime
/// traps (exit 132) and SQLite says only "unable to open database file".
enum OpenFilesLimit {
    /// Below this, a command is refused before it starts.
    static let least: UInt64 = 64
    /// What the soft limit is raised to, when the hard limit allows.
    static let wanted: UInt64 = 1024

    /// Raises the soft limit towards `wanted` where the hard limit allows (as the Go
    /// runtime does); returns what to say when even the hard limit is under `least`.
    static func raise() -> String? {
        guard let (soft, hard) = ProcessLimit.openFiles.current, var now = soft else { return nil }
        if now < wanted, hard.map({ $0 > now }) ?? true {
            let raised = min(hard ?? wanted, wanted)
            if ProcessLimit.openFiles.raise(to: raised) { now = raised }
        }
        guard now < least else { return nil }
        return "this process may have only \(now) files open (ulimit -n), and credit-recon needs \(least): "
            + "raise the limit (ulimit -n \(wanted)) and run the command again; nothing was done"
    }
}
