import Foundation

/// Standard output and standard error, written so that a closed pipe (`| head`, a log
/// reader that died) is an error to handle, never a trap: NIO ignores SIGPIPE for the whole
/// process, so such a write fails with EPIPE, and Foundation's `FileHandle.write(_:)` traps
/// on any failure (exit 132).
public enum StandardStream {
    /// Writes `text` to standard error; when it cannot take it there is nowhere left to
    /// say so, and the exit status still tells.
    public static func error(_ text: String) {
        try? FileHandle.standardError.write(contentsOf: Data(text.utf8))
    }

    /// Writes `bytes` to standard output; throws why it could not.
    public static func output(_ bytes: [UInt8]) throws(ReportError) {
        do {
            try FileHandle.standardOutput.write(contentsOf: Data(bytes))
        } catch {
            throw .cannotCreate("standard output", AtomicFile.reason(error))
        }
    }
}
