import Foundation

/// An exclusive lock on a `--state` file, as `<file>.lock` beside it, held until released:
/// two simulators on one state file each wrote their own account over the other's. Not on
/// the state file itself, which every save replaces (a rename), so a lock on it would hold
/// only the file it had replaced. The lock file names its holder's pid.
final class StateLock: Sendable {
    private let fd: Int32

    init(statePath: String) throws(SimulatorError) {
        let path = statePath + ".lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw .stateIO("cannot open \(path): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let busy = errno == EWOULDBLOCK
            let reason = String(cString: strerror(errno))
            var bytes = [UInt8](repeating: 0, count: 32)
            let count = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
            close(fd)
            guard busy else { throw .stateIO("cannot lock \(path): \(reason)") }
            let pid = count > 0 ? Int32(String(decoding: bytes[..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) : nil
            throw .stateIO("another openrouter-sim\(pid.map { " (pid \($0))" } ?? "") keeps its state in \(statePath) (it holds "
                + "\(path)), and two would write over each other's changes: stop it, or give this one another --state")
        }
        let line = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = line.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        self.fd = fd
    }

    deinit { close(fd) }
}
