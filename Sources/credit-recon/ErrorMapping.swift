import ArgumentParser
import CreditRecon
import CreditTypes
import Foundation

/// The one place where errors become messages and exit codes (CONTRACT.md § Exit codes).
enum CLI {
    /// Resolves the global options, runs `body`, and exits with its status; any error is
    /// printed to stderr as one readable sentence and mapped to its exit code. With
    /// `--json`, stdout then holds `{"error": SENTENCE, "exit_code": N}`, so a script reading
    /// it gets an object on every exit, not nothing.
    ///
    /// A command that `writes` traps SIGINT and SIGTERM from its start: a signal before its
    /// stage begins stops the stage as it starts (75), not the process at once (143).
    static func run(
        _ global: GlobalOptions, writes: Bool = false, _ body: (CommandContext) async throws -> ExitStatus
    ) async throws {
        // A signal after a stage that traps it (an import, once committed) lets the command
        // end as it would have, with its own status.
        Interruption.keepTrapsUntilExit()
        let status: ExitStatus
        do {
            let context = try global.context()
            if writes { Interruption.trapFromStart(logger: context.logger) }
            status = try await body(context)
        } catch let error as ExitCode {
            throw error
        } catch let reported as ReportedInJSON {
            // The command's own object said it: stdout holds one JSON document.
            printError(ExitStatus.message(for: reported.error))
            throw ExitCode(ExitStatus(for: reported.error).rawValue)
        } catch {
            let message = ExitStatus.message(for: error), code = ExitStatus(for: error).rawValue
            printError(message)
            if global.json { print(failureJSON(error, message: message, code: code).text) }
            throw ExitCode(code)
        }
        // What the command printed is part of its outcome: lost, it is a failure (73),
        // unless the command had already failed otherwise.
        if let lost = StandardStream.flushOutput(), status == .ok || status == .attention {
            printError(lost)
            throw ExitCode(ExitStatus.cannotCreate.rawValue)
        }
        if status != .ok { throw ExitCode(status.rawValue) }
    }

    /// `{"error": SENTENCE, "exit_code": N}`; for bad rows in an input file (65), also each
    /// problem as its own string in `errors` (the first `InputErrors.keptLimit`) and how
    /// many there were in `error_count`, as `plan check` gives them, so that a script need
    /// not split the sentence; and what a failure's own `FailureDetails` add (a `fetch`'s
    /// call that failed and what it stored before).
    static func failureJSON(_ error: any Error, message: String, code: Int32) -> JSONOutput {
        var object: [String: JSONOutput] = ["error": .string(Secret.scrubbed(message)), "exit_code": .int(Int64(code))]
        if let rows = error as? InputErrors {
            object["errors"] = .array(rows.errors.map { .string($0.description) })
            object["error_count"] = .int(Int64(rows.total))
        }
        if let detailed = error as? any FailureDetails {
            object.merge(detailed.failureDetails) { kept, _ in kept }
        }
        return .object(object)
    }

    /// A failure the command's `--json` object already holds (with its `exit_code`): said
    /// on stderr and mapped to its code like any other, but no second object is printed.
    struct ReportedInJSON: Error {
        let error: any Error
    }

    static func printError(_ text: String) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var output = ""
        for line in lines { output += "credit-recon: \(line)\n" }
        StandardStream.error(Secret.scrubbed(output))
    }
}
