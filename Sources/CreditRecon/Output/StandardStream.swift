import Foundation

/// Standard output and standard error, written so that a closed pipe (`| head`, a log
/// reader that died) is an error to handle, never a trap: SIGPIPE is ignored for the whole
/// process (`ignoreBrokenPipes()`), so such a write fails with EPIPE, and Foundation's
/// `FileHandle.write(_:)` traps on any failure (exit 132).
public enum StandardStream {
    /// Makes a write to a closed pipe fail with EPIPE instead of killing the process (141):
    /// called first thing, for every command (NIO does it too, but only the commands that
    /// talk to the API or to PostgreSQL load it; `import` and `verify` died with no word).
    public static func ignoreBrokenPipes() {
        signal(SIGPIPE, SIG_IGN)
    }

    /// Writes `text` to standard error; when it cannot take it there is nowhere left to
    /// say so, and the exit status still tells.
    public static func error(_ text: String) {
        try? FileHandle.standardError.write(contentsOf: Data(text.utf8))
    }

    /// Writes out what `print` holds for standard output, at the end of a command; why it
    /// could not be written, or `nil`. A summary or `--json` document written to a full
    /// disk or a closed descriptor was lost without a word while the command exited 0
    /// (`verify --json > v.json` on a full disk: an empty file).
    public static func flushOutput() -> String? {
        // Every stream (`stdout` itself cannot be named in Swift 6; stderr is unbuffered).
        guard fflush(nil) != 0 else { return nil }
        return "cannot write standard output: \(String(cString: strerror(errno))); what the command printed there was lost"
    }

    /// Writes `bytes` to standard output; throws why it could not.
    public static func output(_ bytes: [UInt8]) throws(ReportError) {
        do {
            try FileHandle.standardOutput.write(contentsOf: Data(bytes))
        } catch {
            throw .cannotWriteStandardOutput(AtomicFile.reason(error))
        }
    }
}
