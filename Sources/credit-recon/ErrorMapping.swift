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
            printError(ExitStatus.message(for: error))
            throw ExitCode(ExitStatus(for: error).rawValue)
        }
        if status != .ok { throw ExitCode(status.rawValue) }
    }

    static func printError(_ text: String) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var output = ""
        for line in lines { output += "credit-recon: \(line)\n" }
        StandardStream.error(output)
    }
}
