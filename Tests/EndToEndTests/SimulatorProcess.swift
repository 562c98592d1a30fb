import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `openrouter-sim` as a child process on a free port, for the tests that kill it, fault it
/// or need it to outlive a `credit-recon` process. Terminated when released.
final class SimulatorProcess {
    let process: Process
    let port: Int
    /// The API root to give `credit-recon --base-url`.
    var baseURL: String { "http://127.0.0.1:\(port)/api/v1" }

    /// Starts `openrouter-sim --port 0 arguments…` and reads the port from its first line;
    /// its log (errors only, unless `log` names a file for all of it) is thrown away.
    init(_ arguments: [String] = [], log: String? = nil) throws {
        process = Process()
        process.executableURL = Executable.binDirectory.appendingPathComponent("openrouter-sim")
        process.arguments = ["--port", "0"] + (log == nil ? ["--log-level", "error"] : []) + arguments
        let out = Pipe()
        process.standardOutput = out
        if let log {
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            process.standardError = FileHandle(forWritingAtPath: log)
        } else {
            process.standardError = FileHandle.nullDevice
        }
        process.standardInput = FileHandle.nullDevice
        try process.run()
        var line = Data()
        let handle = out.fileHandleForReading
        while true {
            let byte = handle.readData(ofLength: 1)
            if byte.isEmpty || byte.first == UInt8(ascii: "\n") { break }
            line.append(byte)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard text.hasPrefix("listening on "), let port = text.split(separator: ":").last.flatMap({ Int($0) }) else {
            process.terminate()
            throw SimulatorProcessError(message: "openrouter-sim did not start: \(text)")
        }
        self.port = port
    }

    deinit { stop() }

    /// Stops it gracefully (SIGTERM) and waits.
    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    /// Makes it vanish at once (SIGKILL), as a server that dies mid-run.
    func vanish() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// An admin call (`/_sim/...`); returns the body.
    @discardableResult
    func admin(_ method: String, _ path: String, body: String? = nil) throws -> Data {
        var arguments = ["-s", "-S", "--max-time", "10", "-X", method]
        if let body { arguments += ["-H", "Content-Type: application/json", "--data-binary", body] }
        arguments.append("http://127.0.0.1:\(port)\(path)")
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        curl.arguments = ["curl"] + arguments
        let out = Pipe()
        curl.standardOutput = out
        curl.standardError = FileHandle.nullDevice
        try curl.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        curl.waitUntilExit()
        guard curl.terminationStatus == 0 else {
            throw SimulatorProcessError(message: "curl \(method) \(path) exited \(curl.terminationStatus)")
        }
        return data
    }

    /// Changes faults while running (`POST /_sim/faults`).
    func faults(_ json: String) throws { try admin("POST", "/_sim/faults", body: json) }

    /// `GET /_sim/state`, reduced to what the invariants need.
    func state() throws -> SimState {
        let data = try admin("GET", "/_sim/state")
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let charges = object["charges"] as? [[String: Any]]
        else { throw SimulatorProcessError(message: "unreadable /_sim/state: \(String(decoding: data, as: UTF8.self))") }
        return SimState(
            apiRequests: (object["api_requests"] as? NSNumber)?.intValue ?? -1,
            charges: charges.map { charge in
                SimState.Charge(id: charge["id"] as? String ?? "", amount: charge["amount"] as? String ?? "",
                                sender: (charge["sender"] as? String ?? "").lowercased())
            })
    }
}

/// What `/_sim/state` says, for the invariants.
struct SimState {
    struct Charge: Equatable {
        let id: String
        let amount: String
        /// Lower-cased.
        let sender: String
    }
    let apiRequests: Int
    let charges: [Charge]

    /// Charges per (lower-cased) sender wallet.
    var chargesBySender: [String: Int] {
        charges.reduce(into: [:]) { $0[$1.sender, default: 0] += 1 }
    }
}

struct SimulatorProcessError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// A `credit-recon` running in the background, to be killed or signalled; its output goes
/// to files so a full pipe can never block it.
final class BackgroundCommand {
    let process: Process
    let stdoutPath: String
    let stderrPath: String

    init(_ arguments: [String], environment: [String: String], scratch: Scratch, tag: String) throws {
        process = Process()
        process.executableURL = Executable.binDirectory.appendingPathComponent("credit-recon")
        process.arguments = arguments
        var env = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        env.merge(environment) { $1 }
        process.environment = env
        stdoutPath = scratch.path("\(tag).out")
        stderrPath = scratch.path("\(tag).err")
        _ = FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process.standardOutput = FileHandle(forWritingAtPath: stdoutPath)
        process.standardError = FileHandle(forWritingAtPath: stderrPath)
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// Waits for it to exit, at most `seconds` (a deadline for a hung child, not a timing);
    /// `nil` when it is still running then.
    func wait(seconds: Int = 60) -> Int32? {
        guard waitUntil(deadline: .seconds(seconds), { !process.isRunning }) else { return nil }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Whether it ended killed by a signal (`false` while it runs: Foundation traps on a
    /// running process's `terminationReason`, which took the whole test run down).
    var wasKilledBySignal: Bool { !process.isRunning && process.terminationReason == .uncaughtSignal }
    var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}

extension Executable {
    /// Rows of `sql` on `database` through the sqlite3 shell, fields split on `|`.
    static func query(_ database: String, _ sql: String) throws -> [[String]] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sqlite3", "-readonly", "-cmd", ".timeout 5000", database, sql]
        let out = Pipe()
        process.standardOutput = out
        let err = Pipe()
        process.standardError = err
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        // A query that fails must fail the test, not read as "no rows".
        guard process.terminationStatus == 0 else {
            throw SimulatorProcessError(message: "sqlite3 \(sql): \(String(decoding: errors, as: UTF8.self))")
        }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map { $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init) }
    }

    /// Runs `/bin/sh -c script arguments…` (`$0`, `$1`, … in the script), capturing its output.
    static func shell(_ script: String, _ arguments: String...) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script] + arguments
        let scratch = try Scratch()
        let out = scratch.path("out"), err = scratch.path("err")
        _ = FileManager.default.createFile(atPath: out, contents: nil)
        _ = FileManager.default.createFile(atPath: err, contents: nil)
        process.standardOutput = FileHandle(forWritingAtPath: out)
        process.standardError = FileHandle(forWritingAtPath: err)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return Result(status: process.terminationStatus,
                      stdout: (try? String(contentsOfFile: out, encoding: .utf8)) ?? "",
                      stderr: (try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
    }

    /// How many times the soak (`CREDIT_RECON_SOAK=1`) multiplies the fast counts.
    static var soak: Bool { ProcessInfo.processInfo.environment["CREDIT_RECON_SOAK"] == "1" }

    /// A plain line the soak script adds up: `SOAK-COUNT name=value`.
    static func count(_ name: String, _ value: Int) {
        print("SOAK-COUNT \(name)=\(value)")
    }
}

/// A plan whose rows are each distinguishable on the simulator: wallet `0x…(i+1)` and
/// amount `i+1` cents above 1 USD, reference `r<i>`.
enum DistinctPlan {
    static func wallet(_ index: Int) -> String {
        let hex = String(index + 1, radix: 16)
        return "0x" + String(repeating: "0", count: 40 - hex.count) + hex
    }

    static func text(rows: Int, prefix: String = "r") -> String {
        var text = "reference,wallet,chain_id,amount\n"
        for index in 0..<rows {
            let cents = 101 + index
            text += "\(prefix)\(index),\(wallet(index)),8453,\(cents / 100).\(String(format: "%02d", cents % 100))\n"
        }
        return text
    }
}
