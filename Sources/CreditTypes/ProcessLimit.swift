#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A limit the system sets on this process (`ulimit`), read and raised by name, where the
/// C library names its resources differently on each system.
public enum ProcessLimit {
    /// The files the process may have open (`ulimit -n`).
    case openFiles
    /// The size any file it writes may reach (`ulimit -f`).
    case fileSize

    #if canImport(Glibc)
    private var resource: __rlimit_resource_t {
        __rlimit_resource_t(self == .openFiles ? RLIMIT_NOFILE.rawValue : RLIMIT_FSIZE.rawValue)
    }
    #else
    private var resource: Int32 { self == .openFiles ? RLIMIT_NOFILE : RLIMIT_FSIZE }
    #endif

    /// The soft and hard limits, `nil` for no limit; `nil` when they cannot be read.
    public var current: (soft: UInt64?, hard: UInt64?)? {
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return nil }
        func bound(_ value: rlim_t) -> UInt64? { value == rlim_t.max ? nil : UInt64(value) }
        return (bound(limit.rlim_cur), bound(limit.rlim_max))
    }

    /// Sets the soft limit to `soft` (no higher than the hard one); whether it was set.
    @discardableResult
    public func raise(to soft: UInt64) -> Bool {
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return false }
        limit.rlim_cur = rlim_t(soft)
        return setrlimit(resource, &limit) == 0
    }
}
