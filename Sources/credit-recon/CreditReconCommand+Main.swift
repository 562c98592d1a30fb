import ArgumentParser
import CreditRecon
import CreditTypes
import Foundation
import Ledger
import Logging

extension CreditReconCommand {
    /// Entry point: sets up logging to stderr (above any progress line), then lets global options stand before the
    /// command as CONTRACT.md writes them (`credit-recon --ledger L import snapshots F`).
    static func main() async {
        StandardStream.standInForClosedDescriptors()
        StandardStream.ignoreBrokenPipes()
        HelpWidth.keepReadable()
        // Made first, so the progress line's quiet half second counts from the start.
        _ = TerminalLine.standardError
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .trace  // each logger's own level (from --log-level) filters
            return LogAboveProgress(stream: handler, terminal: .standardError)
        }
        // The secrets of the environment are known before any word is parsed: an error echoing
        // a value typed in the wrong place (`--now`, a --base-url's query) is scrubbed of them.
        CommandContext.holdSecrets(environment: ProcessInfo.processInfo.environment, files: [], ledgerPath: "")
        let given = Array(CommandLine.arguments.dropFirst())
        let arguments = GlobalArguments.movedAfterCommand(GlobalArguments.helpRequest(given) ?? given)
        // As given: `help` drops it from `arguments`, yet its errors are JSON documents too.
        let wantsJSON = GlobalArguments.asksForJSON(given)
        if let problem = OpenFilesLimit.raise() {
            CLI.printError(problem)
            if wantsJSON {
                print(JSONOutput.object(["error": .string(Secret.scrubbed(problem)), "exit_code": .int(Int64(ExitStatus.config.rawValue))]).text)
            }
            Foundation.exit(ExitStatus.config.rawValue)
        }
        if let (problem, status) = RawInput.notUTF8() {
            CLI.printError(problem)
            if wantsJSON {
                print(JSONOutput.object(["error": .string(Secret.scrubbed(problem)), "exit_code": .int(Int64(status.rawValue))]).text)
            }
            Foundation.exit(status.rawValue)
        }
        if let repeated = GlobalArguments.repeatedOption(given) {
            CLI.printError(TerminalText.printable(repeated))
            if wantsJSON {
                print(JSONOutput.object(["error": .string(Secret.scrubbed(repeated)), "exit_code": .int(Int64(ExitStatus.usage.rawValue))]).text)
            }
            Foundation.exit(ExitStatus.usage.rawValue)
        }
        if let secret = GlobalArguments.secretOption(given) {
            CLI.printError(TerminalText.printable(secret))
            if wantsJSON {
                print(JSONOutput.object(["error": .string(Secret.scrubbed(secret)), "exit_code": .int(Int64(ExitStatus.usage.rawValue))]).text)
            }
            Foundation.exit(ExitStatus.usage.rawValue)
        }
        if let unknown = GlobalArguments.unknownHelpTopic(arguments) {
            // ArgumentParser's `help` shows the nearest help it finds and exits 0: a typo in a
            // script's `help` line would pass.
            CLI.printError(TerminalText.printable(unknown))
            if wantsJSON {
                print(JSONOutput.object(["error": .string(Secret.scrubbed(unknown)), "exit_code": .int(Int64(ExitStatus.usage.rawValue))]).text)
            }
            Foundation.exit(ExitStatus.usage.rawValue)
        }
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
            // Global options with no command after them (or a word that is none) were blamed
            // on the first option: "Unknown option '--ledger'".
            // An option of other commands only (`status --out`): ArgumentParser's "did you mean"
            // offered an unrelated one of this command's.
            let noCommand = code != .success && !(error is ExitCode)
                ? GlobalArguments.missingCommand(arguments) ?? GlobalArguments.optionOfOtherCommands(arguments) : nil
            if !(error is ExitCode), code != .success, wantsJSON {
                print(JSONOutput.object(["error": .string(Secret.scrubbed(noCommand ?? message(for: error))), "exit_code": .int(Int64(code.rawValue))]).text)
            }
            if code == .success, !(error is ExitCode) {
                // Help asked for: printed here, so that help lost to a closed or full standard
                // output is a failure (73), as any command's lost output is, not exit 0; a
                // reader that read what it wanted and stopped (`| head -1`) lost nothing.
                let help = fullMessage(for: error)
                if wantsJSON, help == configuration.version {
                    // A script asking for JSON gets JSON: it got the version as text.
                    print(JSONOutput.object([
                        "version": .string(CreditReconVersion.current), "ledger_schema": .string(Ledger.newestMigration),
                        "exit_code": .int(Int64(ExitStatus.ok.rawValue)),
                    ]).text)
                } else if !help.isEmpty {
                    print(help)
                }
                if let lost = StandardStream.flushOutput(readerMayStop: true) {
                    CLI.printError(lost)
                    Foundation.exit(ExitStatus.cannotCreate.rawValue)
                }
                Foundation.exit(ExitStatus.ok.rawValue)
            }
            guard !(error is ExitCode), code != .success else { exit(withError: error) }
            // A parsing error quotes the arguments (`Unknown option '--bogus…'`): what they
            // hold must not drive the terminal (ESC, a window title's OSC).
            // Every line starts `credit-recon: ` as every other error's does (ArgumentParser
            // writes `Error: ` and usage lines after it).
            let full = noCommand ?? fullMessage(for: error)
            let said = full.hasPrefix("Error: ") ? String(full.dropFirst("Error: ".count)) : full
            CLI.printError(TerminalText.printableLines(said).trimmingCharacters(in: .newlines))
            Foundation.exit(code.rawValue)
        }
    }
}
