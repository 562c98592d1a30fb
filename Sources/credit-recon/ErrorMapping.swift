import ArgumentParser
import CreditRecon
import Foundation

/// The one place where errors become messages and exit codes (CONTRACT.md § Exit codes).
enum CLI {
    /// Resolves the global options, runs `body`, and exits with its status; any error is
    /// printed to stderr as one readable sentence and mapped to its exit code.
    static func run(_ global: GlobalOptions, _ body: (CommandContext) async throws -> ExitStatus) async throws {
        let status: ExitStatus
        do {
            let context = try global.context()
            status = try await body(context)
        } catch let error as ExitCode {
            throw error
        } catch {
            let mapped = exitStatus(for: error)
            printError(message(for: error))
            throw ExitCode(mapped.rawValue)
        }
        if status != .ok { throw ExitCode(status.rawValue) }
    }

    static func exitStatus(for error: any Error) -> ExitStatus { ExitStatus(for: error) }

    static func message(for error: any Error) -> String { ExitStatus.message(for: error) }

    static func printError(_ text: String) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var output = ""
        for line in lines { output += "credit-recon: \(line)\n" }
        FileHandle.standardError.write(Data(output.utf8))
    }
}

/// A command that exists in the contract but is not built yet: it says so and exits 70.
struct NotBuiltYet: ExitCoded {
    let command: String
    var exitStatus: ExitStatus { .software }
    var description: String { "`\(command)` is not built yet in this version of credit-recon" }
}
