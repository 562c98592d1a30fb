#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The number of files the process may have open (`ulimit -n`). A command holds a few
/// dozen at most (the ledger and its `-wal`, `-shm` and lock files, a second reader, the
/// HTTP or PostgreSQL connections, the runtime's event files); out of them, the runtime
/// traps (exit 132) and SQLite says only "unable to open database file".
enum OpenFilesLimit {
    /// Below this, a command is refused before it starts.
    static let least: rlim_t = 64
    /// What the soft limit is raised to, when the hard limit allows.
    static let wanted: rlim_t = 1024

    /// Raises the soft limit towards `wanted` where the hard limit allows (as the Go
    /// runtime does); returns what to say when even the hard limit is under `least`.
    static func raise() -> String? {
        #if canImport(Glibc)
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        #else
        let resource = RLIMIT_NOFILE
        #endif
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return nil }
        if limit.rlim_cur < wanted, limit.rlim_max > limit.rlim_cur {
            var raised = limit
            raised.rlim_cur = min(limit.rlim_max, wanted)
            if setrlimit(resource, &raised) == 0 { limit = raised }
        }
        guard limit.rlim_cur < least else { return nil }
        return "this process may have only \(limit.rlim_cur) files open (ulimit -n), and credit-recon needs \(least): "
            + "raise the limit (ulimit -n \(wanted)) and run the command again; nothing was done"
    }
}
