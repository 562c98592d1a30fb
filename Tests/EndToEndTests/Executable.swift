import Foundation

/// Runs the built executables (`credit-recon`, `openrouter-sim`) as a user or cron would.
enum Executable {
    /// The folder holding the built products: `CREDIT_RECON_BIN_DIR`, else the folder of
    /// the test bundle (SwiftPM puts tests and executables side by side).
    static var binDirectory: URL {
        if let dir = ProcessInfo.processInfo.environment["CREDIT_RECON_BIN_DIR"], !dir.isEmpty {
            return URL(fileURLWithPath: dir)
        }
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        while url.path != "/" {
            url = url.deletingLastPathComponent()
            if FileManager.default.isExecutableFile(atPath: url.appendingPathComponent("credit-recon").path) {
                return url
            }
        }
        // Fall back to the package's default debug folder.
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug")
    }

    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// Whether `text` holds a control character other than a line break: something a
    /// terminal would obey (an escape sequence, a bell) rather than show.
    static func holdsControlCharacters(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.properties.generalCategory == .control && $0 != "\n" }
    }

    /// Runs `name` with `arguments` and a clean environment plus `environment`.
    static func run(
        _ name: String, _ arguments: [String], environment: [String: String] = [:], in directory: URL? = nil
    ) throws -> Result {
        try run(tool: binDirectory.appendingPathComponent(name), arguments, environment: environment, in: directory)
    }

    /// Runs the program at `tool` (a script, a checker) like `run`.
    static func run(
        tool: URL, _ arguments: [String], environment: [String: String] = [:], in directory: URL? = nil
    ) throws -> Result {
        let process = Process()
        process.executableURL = tool
        process.arguments = arguments
        var env = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        env.merge(environment) { $1 }
        process.environment = env
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Read both pipes while the process runs so a full pipe cannot block it: standard
        // error on a thread of its own (not the dispatch pool's, which the async tests'
        // tasks run on), standard output on this one.
        let group = DispatchGroup()
        nonisolated(unsafe) var errData = Data()
        group.enter()
        Thread { errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }.start()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        group.wait()
        return Result(status: process.terminationStatus,
                      stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Runs `credit-recon`.
    static func creditRecon(_ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        try run("credit-recon", arguments, environment: environment)
    }

    /// Runs the sqlite3 shell on `database` (tampering as an attacker would).
    static func sqlite3(_ database: String, _ sql: String) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sqlite3", database, sql]
        let err = Pipe()
        process.standardError = err
        try process.run()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: "",
                      stderr: String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
    }

    /// The repository's root folder (for `samples/`).
    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// `samples/snapshots.csv`, the readings most tests start a ledger from.
    static var sampleSnapshots: String { repositoryRoot.appendingPathComponent("samples/snapshots.csv").path }
}

/// A fresh temporary folder for one test, removed when released.
final class Scratch {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        try Data(text.utf8).write(to: url.appendingPathComponent(name))
        return path(name)
    }
}
