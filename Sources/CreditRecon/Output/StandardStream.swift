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

    /// Whether standard output was closed when the command started (`>&-`).
    nonisolated(unsafe) private static var outputWasClosed = false

    /// Opens a stand-in on each of descriptors 0, 1 and 2 that the command was started
    /// without (`>&-`, `<&-`): called first thing, before any file is opened. A closed one
    /// was taken by the next file opened (an event loop's, a lock file, a report's
    /// temporary file), and what the command printed went there: a closed standard output
    /// said "Invalid argument" (probe 82), and could have written into a file. Standard
    /// output's stand-in refuses every write (`/dev/full`), which is said as its being
    /// closed; the others' is `/dev/null`.
    public static func standInForClosedDescriptors() {
        for descriptor: Int32 in [0, 1, 2] where fcntl(descriptor, F_GETFD) == -1 && errno == EBADF {
            var opened = descriptor == 1 ? open("/dev/full", O_WRONLY | O_CLOEXEC) : -1
            if opened < 0 { opened = open("/dev/null", O_RDWR | O_CLOEXEC) }
            if opened >= 0, opened != descriptor {
                dup2(opened, descriptor)  // the lowest free descriptor is this one; not when it was not
                close(opened)
            } else if opened == descriptor {
                _ = fcntl(descriptor, F_SETFD, 0)  // inherited by nothing we start, but kept as standard
            }
            if descriptor == 1 { outputWasClosed = true }
        }
    }

    /// Why standard output took nothing: `failure`, or its being closed.
    private static func outputFailure(_ failure: String) -> String {
        outputWasClosed ? ReportError.closedAtStart : failure
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
    /// `readerMayStop`: a reader that stopped reading (`| head -1`, a pipe closed) is no loss,
    /// as for help, which is read until what was looked for is found.
    public static func flushOutput(readerMayStop: Bool = false) -> String? {
        // Every stream (`stdout` itself cannot be named in Swift 6; stderr is unbuffered).
        guard fflush(nil) != 0 else { return nil }
        if readerMayStop && errno == EPIPE { return nil }
        // Not what it did (probe 442: a top-up's charges, made and recorded, read as lost).
        return "cannot write standard output: \(outputFailure(String(cString: strerror(errno)))); what the command printed there "
            + "was lost, not what it did: a writer's work is in the ledger, and running it again repeats none of it"
    }

    /// Writes `bytes` to standard output; throws why it could not.
    public static func output(_ bytes: [UInt8]) throws(ReportError) {
        do {
            try FileHandle.standardOutput.write(contentsOf: Data(bytes))
        } catch {
            throw outputWasClosed ? .standardOutputClosed : .cannotWriteStandardOutput(AtomicFile.reason(error))
        }
    }
}
