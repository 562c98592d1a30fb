import ArgumentParser
import CreditRecon
import Logging

extension CreditReconCommand {
    /// Entry point: sets up logging to stderr (above any progress line), then lets global options stand before the
    /// command as CONTRACT.md writes them (`credit-recon --ledger L import snapshots F`).
    static func main() async {
        // Made first, so the progress line's quiet half second counts from the start.
        _ = TerminalLine.standardError
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .trace  // each logger's own level (from --log-level) filters
            return LogAboveProgress(stream: handler, terminal: .standardError)
        }
        let arguments = GlobalArguments.movedAfterCommand(Array(CommandLine.arguments.dropFirst()))
        // As `AsyncParsableCommand.main` does, but a usage error found while parsing (an
        // option's `validate()`) is an object on stdout too under `--json`, as every
        // failure inside a command is (`CLI.run`): a script got nothing to parse.
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if !(error is ExitCode), code != .success, GlobalArguments.asksForJSON(arguments) {
                print(JSONOutput.object(["error": .string(message(for: error)), "exit_code": .int(Int64(code.rawValue))]).text)
            }
            exit(withError: error)
        }
    }
}

/// Rewrites `[global options] <command…> [options]` so ArgumentParser, which reads each
/// command's options only after its name, sees the global options after the command:
/// `--ledger L import snapshots F` and `import --ledger L snapshots F` both become
/// `import snapshots F --ledger L`.
enum GlobalArguments {
    /// Global options that take a value.
    static let withValue: Set<String> = [
        "--ledger", "--base-url", "--account", "--now", "--log-level", "--max-retry-time", "--timeout",
        "--api-key-file", "--bearer-file", "--ledger-password-file",
    ]
    /// Global flags.
    static let flags: Set<String> = ["--json"]

    /// Whether `arguments` (as `movedAfterCommand` leaves them) hold `--json` as an option:
    /// before a `--` terminator, not as another option's value.
    static func asksForJSON(_ arguments: [String]) -> Bool {
        var index = 0
        while index < arguments.count, arguments[index] != "--" {
            if arguments[index] == "--json" { return true }
            index += withValue.contains(arguments[index]) ? 2 : 1
        }
        return false
    }

    static func movedAfterCommand(
        _ arguments: [String], root: any ParsableCommand.Type = CreditReconCommand.self
    ) -> [String] {
        var leading: [String] = []
        var path: [String] = []
        var command = root
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            let name = argument.split(separator: "=", maxSplits: 1).first.map(String.init) ?? argument
            if flags.contains(argument) {
                leading.append(argument)
                index += 1
            } else if withValue.contains(name) {
                leading.append(argument)
                if name == argument, index + 1 < arguments.count {
                    leading.append(arguments[index + 1])
                    index += 2
                } else {
                    index += 1
                }
            } else if let sub = command.configuration.subcommands.first(where: { $0.configuration.commandName == argument }) {
                // One more word of the command (`import`, then `snapshots`).
                path.append(argument)
                command = sub
                index += 1
            } else {
                break
            }
        }
        guard !leading.isEmpty else { return arguments }
        var rest = path + Array(arguments[index...])
        // Keep them before a `--` terminator, after which everything is positional.
        let terminator = rest.firstIndex(of: "--") ?? rest.endIndex
        rest.insert(contentsOf: leading, at: terminator)
        return rest
    }
}
