#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The one-writer-at-a-time lock of CONTRACT.md: an exclusive `flock` on `<ledger>.lock`
/// holding the writer's pid. The kernel drops it when the process dies, so a crashed
/// run never leaves a stale lock behind.
public final class WriterLock: Sendable {
    /// The lock file's path.
    public let path: String
    private let fd: Int32

    private init(path: String, fd: Int32) {
        self.path = path
        self.fd = fd
    }

    deinit { close(fd) }

    /// Takes the lock for the ledger at `ledgerPath`, or throws at once (exit 75) naming
    /// the process that holds it.
    public static func acquire(ledgerPath: String) throws(LockError) -> WriterLock {
        let path = ledgerPath + ".lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw LockError.cannotCreate(path: path, reason: String(cString: strerror(errno)))
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = readHolder(fd)
            close(fd)
            throw LockError.held(path: path, holder: holder)
        }
        let pid = "\(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = pid.withCString { pwrite(fd, $0, strlen($0), 0) }
        return WriterLock(path: path, fd: fd)
    }

    private static func readHolder(_ fd: Int32) -> String? {
        var bytes = [UInt8](repeating: 0, count: 32)
        let count = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        let text = String(decoding: bytes[0..<count], as: UTF8.self).trimmingASCIIWhitespace()
        return text.split(separator: "\n").first.map(String.init)
    }
}

/// Why the writer lock was not taken.
public enum LockError: ExitCoded {
    /// Another process is writing to the ledger.
    case held(path: String, holder: String?)
    /// The lock file cannot be created next to the ledger.
    case cannotCreate(path: String, reason: String)

    public var exitStatus: ExitStatus {
        switch self {
        case .held: return .tempFail
        case .cannotCreate: return .ioError
        }
    }

    public var description: String {
        switch self {
        case .held(let path, let holder):
            let who = holder.map { "credit-recon process \($0)" } ?? "another credit-recon process"
            return "the ledger is being written by \(who) (lock \(path)); try again when it has finished"
        case .cannotCreate(let path, let reason):
            return "cannot create the lock file \(path): \(reason); check that the ledger's folder is writable"
        }
    }
}
