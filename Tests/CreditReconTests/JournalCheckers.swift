import Foundation

@testable import CreditRecon

/// The real checkers an accountant runs on an export: `bean-check` (beancount 3, in the
/// virtual environment `make deps` makes under `.build/`) and `hledger` (Debian's package).
/// A checker that is missing fails the test: these checks never skip.
enum JournalCheckers {
    struct Result {
        let status: Int32
        let output: String
    }

    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// `bean-check FILE`.
    static func beanCheck(_ file: String) throws -> Result {
        let tool = repositoryRoot.appendingPathComponent(".build/beancount-venv/bin/bean-check").path
        return try run(tool, [file])
    }

    /// The checker of `format` on `file`: `bean-check`, or `hledger check`.
    static func check(_ file: String, _ format: ExportFormat) throws -> Result {
        format == .beancount ? try beanCheck(file) : try hledger(file)
    }

    /// `hledger -f FILE ARGUMENTS…` (`check` by default).
    static func hledger(_ file: String, _ arguments: [String] = ["check"]) throws -> Result {
        let tool = ["/usr/bin/hledger", "/usr/local/bin/hledger"].first { FileManager.default.isExecutableFile(atPath: $0) }
            ?? "/usr/bin/hledger"
        return try run(tool, ["-f", file] + arguments)
    }

    private static func run(_ tool: String, _ arguments: [String]) throws -> Result {
        guard FileManager.default.isExecutableFile(atPath: tool) else {
            throw CheckerMissing(tool: tool)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }

    struct CheckerMissing: Error, CustomStringConvertible {
        let tool: String
        var description: String { "\(tool) is missing: run `make deps` (it installs hledger and beancount)" }
    }
}
