import AsyncWait
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import Testing

/// What a person at a terminal sees on stderr: each stage's progress line, log lines above
/// it and never inside it, and the line cleared before the command ends. The commands run
/// with their stderr on a pseudo-terminal of the test's own.
@Suite(.threadOfItsOwn) struct TerminalTests {
    struct TerminalError: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs `credit-recon` with stderr on a new pseudo-terminal, stdout on a pipe; returns
    /// the exit status, stdout, and every byte the terminal received (its `\r\n` read back
    /// as `\n`).
    static func onTerminal(_ arguments: [String], environment: [String: String]) throws
        -> (status: Int32, stdout: String, terminal: String)
    {
        let out = Pipe()
        let (process, master) = try started(arguments, environment: environment, output: out, typing: false)
        defer { close(master) }
        let reading = master
        let group = DispatchGroup()
        nonisolated(unsafe) var received = [UInt8]()
        nonisolated(unsafe) var stdout = Data()
        group.enter()
        // Threads of their own, not the dispatch pool's, which the async tests' tasks run on.
        Thread {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = read(reading, &buffer, buffer.count)
                if count > 0 { received += buffer[..<count] } else if count < 0 && errno == EINTR { continue } else { break }
            }
            group.leave()
        }.start()
        group.enter()
        Thread { stdout = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }.start()
        process.waitUntilExit()
        group.wait()
        let text = String(decoding: received, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), text)
    }

    /// `credit-recon arguments` started with stderr (and stdin, when `typing`) on a new
    /// pseudo-terminal, stdout on `output`; the terminal's master side, which reads what
    /// it shows (EIO once the command has exited), is the caller's to close.
    static func started(_ arguments: [String], environment: [String: String] = [:], output: Any, typing: Bool) throws
        -> (process: Process, master: Int32)
    {
        var master: Int32 = -1
        var terminal: Int32 = -1
        guard openpty(&master, &terminal, nil, nil, nil) == 0 else {
            throw TerminalError(description: "no pseudo-terminal: \(String(cString: strerror(errno)))")
        }
        let process = Process()
        process.executableURL = Executable.binDirectory.appendingPathComponent("credit-recon")
        process.arguments = arguments
        var env = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        env.merge(environment) { $1 }
        process.environment = env
        process.standardOutput = output
        process.standardError = FileHandle(fileDescriptor: terminal, closeOnDealloc: false)
        process.standardInput = typing ? FileHandle(fileDescriptor: terminal, closeOnDealloc: false) : FileHandle.nullDevice
        do { try process.run() } catch {
            close(master)
            close(terminal)
            throw error
        }
        close(terminal)  // the child holds its own
        return (process, master)
    }

    /// The nightly job run by hand under a rate limit: fetch, topup and report each keep
    /// their line; the client's retry log lines go above it (the line is cleared first and
    /// drawn again after), so no progress text is ever followed by anything but the end of
    /// the line; and the last line is cleared before anything follows it.
    @Test func runShowsEachStageAndLogsAboveTheLine() throws {
        let scratch = try Scratch()
        // Credits to spend: an empty balance is a runway warning, and the job would exit 1.
        let sim = try SimulatorProcess(["--rate-limit", "2", "--initial-credits", "100"])
        let plan = try scratch.write("plan.csv", DistinctPlan.text(rows: 6))
        let ledger = scratch.path("ledger.sqlite")
        let result = try Self.onTerminal(
            ["--ledger", ledger, "--base-url", sim.baseURL, "run", "--plan", plan, "--yes", "--no-activity",
             "--out", scratch.path("reports")],
            environment: PipelineTests.env)
        #expect(result.status == 0, "\(result.stdout)\n\(result.terminal)")
        let pieces = result.terminal.components(separatedBy: "\r")
        let progress = pieces.filter { ["fetch: ", "topup: ", "report: "].contains(where: $0.hasPrefix) }
        for expected in ["fetch: GET /credits", "topup: 6 of 6 requests finished", "report: writing charges.csv"] {
            #expect(progress.contains { $0.hasPrefix(expected) }, "no \"\(expected)\" in \(progress)")
        }
        let strays = progress.filter { !$0.hasSuffix("\u{1B}[K") || $0.contains("\n") }
        #expect(strays.isEmpty, "progress text with something after it: \(strays)")
        let logs = pieces.filter { $0.contains(" info credit-recon: ") }
        #expect(logs.contains { $0.contains("failed (429") }, "the rate limit was never hit: \(result.terminal)")
        // The last progress text is cleared before anything else is written.
        let last = try #require(pieces.lastIndex { ["fetch: ", "topup: ", "report: "].contains(where: $0.hasPrefix) })
        #expect(pieces.indices.contains(last + 1) && pieces[last + 1].hasPrefix("\u{1B}[K"), "\(pieces.suffix(3))")
        #expect(result.stdout.contains("topup: "), "\(result.stdout)")  // the summary, on stdout

        // Off a terminal nothing is drawn: stderr has no progress line.
        let piped = try Executable.creditRecon(["--ledger", ledger, "report", "--out", scratch.path("again")])
        #expect(piped.status <= 1)
        #expect(!piped.stderr.contains("\r") && !piped.stderr.contains("report: "), "\(piped.stderr)")
    }

    /// A terminal that cannot erase a line (`TERM=dumb`) gets no progress line, only what
    /// the command says (probe 451: `^[[K` after each redraw); one whose width is unknown
    /// (a pseudo-terminal nobody sized, as here) has the line cut to `COLUMNS`, else 80
    /// columns, where it was drawn whole and wrapped.
    @Test func aDumbTerminalGetsNoProgressAndAnUnknownWidthIsCut() throws {
        let scratch = try Scratch()
        let file = try scratch.write(
            "long-name-of-a-readings-file-for-the-progress-line.csv", Reliability.SharedBooksTests.hourlyReadings(70_000))
        let dumb = try Self.onTerminal(["--ledger", scratch.path("dumb.sqlite"), "--now", "2045-01-01T00:00:00Z", "import", "snapshots", file],
                                       environment: ["TERM": "dumb"])
        #expect(dumb.status == 0, "\(dumb.terminal)")
        #expect(!dumb.terminal.contains("\u{1B}") && !dumb.terminal.contains("\r"), "\(dumb.terminal)")
        let narrow = try Self.onTerminal(["--ledger", scratch.path("narrow.sqlite"), "--now", "2045-01-01T00:00:00Z", "import", "snapshots", file],
                                         environment: ["TERM": "xterm", "COLUMNS": "50"])
        #expect(narrow.status == 0, "\(narrow.terminal)")
        let drawn = narrow.terminal.components(separatedBy: "\r").filter { $0.hasPrefix("import: ") }
        #expect(!drawn.isEmpty, "no progress line: \(narrow.terminal)")
        #expect(drawn.allSatisfy { piece in piece.replacingOccurrences(of: "\u{1B}[K", with: "").count <= 49 }, "\(drawn)")
    }

    /// What the terminal `master` shows, collected on a thread of its own until it closes.
    static func collecting(_ master: Int32) -> @Sendable () -> String {
        let received = Mutex([UInt8]())
        Thread {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = read(master, &buffer, buffer.count)
                if count > 0 { received.withLock { $0 += buffer[..<count] } } else if count < 0 && errno == EINTR { continue } else { break }
            }
        }.start()
        return { received.withLock { String(decoding: $0, as: UTF8.self) } }
    }

    /// No yes, and nothing sent: `y` then Ctrl-D to cancel (probe 403: `readLine` read on past
    /// the Ctrl-D, and the Enter typed next sent the plan), or a `y` and Enter typed before the
    /// question, then Ctrl-D (probe 404: taken as the answer, it bought the plan unseen).
    /// Nothing listens at the base URL.
    @Test(arguments: [("", "y\u{4}"), ("y\r", "\u{4}")])
    func noYesAtTheQuestionSendsNothing(before: String, after: String) throws {
        let scratch = try Scratch()
        let ledger = scratch.path("l.sqlite")
        let plan = try scratch.write("plan.csv", DistinctPlan.text(rows: 3))
        let (process, master) = try Self.started(
            ["--ledger", ledger, "--base-url", "http://127.0.0.1:9/api/v1", "topup", plan],
            environment: ["OPENROUTER_API_KEY": "sim-management-key"], output: FileHandle.nullDevice, typing: true)
        defer { close(master) }
        func type(_ text: String) { _ = Array(text.utf8).withUnsafeBytes { write(master, $0.baseAddress, $0.count) } }
        type(before)
        let said = Self.collecting(master)
        #expect(waitUntil { said().contains("[y/N]") }, "no question: \(said())")
        type(after)
        let ended = waitUntil { !process.isRunning }
        if !ended { process.terminate() }
        process.waitUntilExit()
        #expect(ended && process.terminationReason == .exit && process.terminationStatus == 0, "\(said())")
        #expect(waitUntil { said().contains("nothing was sent") }, "\(said())")
        #expect(!FileManager.default.fileExists(atPath: ledger))
    }

    /// Ctrl-C at the question of topup, or of `run --plan`, ends it at once, by the signal,
    /// as a person expects, and leaves nothing: no ledger, and no lock file (the default
    /// action used to end it before the lock's release removed the file beside a ledger
    /// never made). `run` asks before its first fetch: asked after it, Ctrl-C left the job's
    /// run open in the ledger and no report (probe 77). Nothing listens at the base URL:
    /// no request goes out before the answer.
    @Test(arguments: [false, true])
    func ctrlCAtTheQuestionLeavesNothing(run: Bool) throws {
        let scratch = try Scratch()
        let ledger = scratch.path("l.sqlite")
        let plan = try scratch.write("plan.csv", DistinctPlan.text(rows: 3))
        let arguments = run
            ? ["--ledger", ledger, "--base-url", "http://127.0.0.1:9/api/v1", "run", "--plan", plan, "--out", scratch.path("reports")]
            : ["--ledger", ledger, "topup", plan]
        let (process, master) = try Self.started(
            arguments, environment: run ? PipelineTests.env : [:], output: FileHandle.nullDevice, typing: true)
        defer { close(master) }
        let said = Self.collecting(master)
        #expect(waitUntil { said().contains("[y/N]") }, "no question: \(said())")
        process.interrupt()
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGINT)
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path) == ["plan.csv"])
    }
}
