import ArgumentParser
import CreditRecon
import CreditTypes
import Foundation
import Logging

/// Rewrites `[global options] <command…> [options]` so ArgumentParser, which reads each
/// command's options only after its name, sees the global options after the command:
/// `--ledger L import snapshots F` and `import --ledger L snapshots F` both become
/// `import snapshots --ledger L F`.
enum GlobalArguments {
    /// Global options that take a value.
    static let withValue: Set<String> = [
        "--ledger", "--base-url", "--account", "--now", "--log-level", "--max-retry-time", "--timeout",
        "--api-key-file", "--bearer-file", "--ledger-password-file",
    ]
    /// Global flags.
    static let flags: Set<String> = ["--json"]
    /// Options that may be given more than once, each time for one more value.
    static let repeatable: Set<String> = ["--holds"]

    /// Whether `arguments` hold `--json` before a `--` terminator: also where an option
    /// missing its value is followed by it (`--ledger --json status`), which the parser
    /// refuses as a missing value (or as a value that is no number), an error that must
    /// still be the one JSON document.
    static func asksForJSON(_ arguments: [String]) -> Bool {
        arguments.prefix(while: { $0 != "--" }).contains("--json")
    }

    /// What to say when an option is given more than once before a `--` terminator
    /// (`--max-total 100 … --max-total 1000`, `--ledger a status --ledger b`), or `nil`: the
    /// parser kept the last without a word, and which one was meant is a guess.
    static func repeatedOption(_ arguments: [String]) -> String? {
        // Names only: a value may be a secret (`--ledger=postgresql://u:pw@…`).
        var seen: Set<String> = []
        for word in arguments.prefix(while: { $0 != "--" }) where word.hasPrefix("--") && word.count > 2 {
            let name = String(word.prefix(while: { $0 != "=" }))
            // A flag given twice says the same thing twice (`--help --help`, `--json … --json`).
            guard seen.insert(name).inserted || repeatable.contains(name) || (word == name && isFlag(name)) else {
                return "\(name) is given twice: which one counts would be a guess; give it once"
            }
        }
        return nil
    }

    /// Whether `name` is a flag (an option that takes no value) wherever a command lists it,
    /// and listed by one at least; `--help` always is.
    static func isFlag(_ name: String, in command: any ParsableCommand.Type = CreditReconCommand.self) -> Bool {
        if name == "--help" || flags.contains(name) { return true }
        var listedAsFlag = false
        var commands: [any ParsableCommand.Type] = [command]
        while let next = commands.popLast() {
            commands += next.configuration.subcommands
            guard let listed = listing(of: name, in: next) else { continue }
            if listed.contains(" <") { return false }
            listedAsFlag = true
        }
        return listedAsFlag
    }

    /// Options a person reaches for to give a key or a password, which credit-recon never
    /// takes on the command line (every user of the machine reads it in `ps`).
    static let secretOptions: Set<String> = [
        "--api-key", "--key", "--bearer", "--token", "--password", "--ledger-password", "--openrouter-api-key",
    ]

    /// What to say when `arguments` hold one of `secretOptions` before a `--` terminator,
    /// or `nil`: ArgumentParser said `Unknown option '--api-key'`, then `Did you mean
    /// '--now'?` (probe 140). Its value is never repeated.
    static func secretOption(_ arguments: [String]) -> String? {
        for word in arguments.prefix(while: { $0 != "--" }) {
            // An OpenRouter key given as an argument of its own: never repeated either.
            if word.hasPrefix("sk-or-") {
                return "an argument is an OpenRouter key (sk-or-…), not shown: credit-recon never takes a key on the "
                    + "command line, where every user of this machine can read it (ps). Set OPENROUTER_API_KEY (or "
                    + "OPENROUTER_BEARER), or give --api-key-file FILE (--bearer-file FILE)"
            }
            let name = String(word.prefix(while: { $0 != "=" }))
            guard secretOptions.contains(name.lowercased()) else { continue }
            return "\(name) is no option: credit-recon never takes a key or a password on the command line, where every "
                + "user of this machine can read it (ps). Set OPENROUTER_API_KEY (or OPENROUTER_BEARER), or give "
                + "--api-key-file FILE (--bearer-file FILE); a database password in PGPASSWORD or "
                + "--ledger-password-file FILE"
        }
        return nil
    }

    /// What to say when `arguments` (as `movedAfterCommand` leaves them) name no command,
    /// or a group (`plan`, `import`, `ledger`) without one of its own, but hold global
    /// options, or `nil`: ArgumentParser, reading them as the group's, blamed the first.
    static func missingCommand(_ arguments: [String], root: any ParsableCommand.Type = CreditReconCommand.self) -> String? {
        var command: any ParsableCommand.Type = root
        var path: [String] = []
        var index = 0
        while index < arguments.count {
            let word = arguments[index]
            guard let sub = command.configuration.subcommands.first(where: { $0.configuration.commandName == word }) else { break }
            path.append(word)
            command = sub
            index += 1
        }
        var names: [String] = []
        for sub in command.configuration.subcommands {
            if let name = sub.configuration.commandName, name != "help" { names.append(name) }
        }
        func isGlobal(_ argument: String) -> Bool {
            let name = argument.split(separator: "=", maxSplits: 1).first.map(String.init) ?? argument
            return flags.contains(name) || withValue.contains(name)
        }
        if let misplaced = optionBeforeCommand(arguments[index...], commands: names, isGlobal: isGlobal) {
            // The first command word after it whose command takes the option (a value may be a
            // command's name: `--batch fetch topup`), with its whole name: a group's command
            // words follow it (`plan check`). ArgumentParser blamed the first global option.
            var first: String?
            for start in misplaced.candidates {
                var words = path, at = start, named: any ParsableCommand.Type = command
                while at < arguments.count,
                      let sub = named.configuration.subcommands.first(where: { $0.configuration.commandName == arguments[at] }) {
                    words.append(arguments[at])
                    named = sub
                    at += 1
                }
                let name = words.joined(separator: " ")
                if first == nil { first = name }
                guard named.configuration.subcommands.isEmpty, let listed = listing(of: misplaced.option, in: named) else { continue }
                // A flag of the command given a value (`--all-accounts=yes`): said as it would be after it.
                if misplaced.hadValue, !listed.contains(" <") {
                    return "\(misplaced.option) takes no value: give \(misplaced.option) alone, after the command (credit-recon \(name) "
                        + "\(misplaced.option) …)"
                }
                return "\(misplaced.option) stands before the command (\(name)), and is no option of credit-recon's own: a command's "
                    + "options go after it (credit-recon \(name) \(misplaced.option) …); only the global options (--ledger, --account, "
                    + "--json, --now, …) may stand before it"
            }
            let name = first ?? ""
            // Which commands take it, as after the command (probe 198: said there alone).
            let takers = Self.takers(of: misplaced.option, root: root)
            return "\(misplaced.option) is no option of credit-recon's own, nor of `\(name)`"
                + (takers.map { "; \($0) it" } ?? "") + ": see credit-recon \(name) --help"
        }
        // A command's name after global options that ArgumentParser refused (`--json=yes`):
        // its own words say what is wrong, not "is not a command".
        var after = index
        while after < arguments.count, arguments[after].hasPrefix("--"), arguments[after] != "--" {
            after += withValue.contains(arguments[after]) ? 2 : 1
        }
        if after < arguments.count, names.contains(arguments[after]) {
            if let given = arguments[index..<after].first(where: { word in flags.contains { word.hasPrefix($0 + "=") } }) {
                let flag = String(given.prefix { $0 != "=" })
                return "\(flag) takes no value: give \(flag) alone"
            }
            return nil
        }
        // A group's own arguments end, or its next word is no option: that word is the command
        // (a typo, `frob`, was ArgumentParser's "Unexpected argument" with the root's usage,
        // and another sentence than under --json). An unknown option stays ArgumentParser's.
        let atACommand = index >= arguments.count || !arguments[index].hasPrefix("-")
        guard !names.isEmpty, atACommand || arguments[index...].contains(where: isGlobal) else { return nil }
        while index < arguments.count, arguments[index].hasPrefix("--"), arguments[index] != "--" {
            index += withValue.contains(arguments[index]) ? 2 : 1
        }
        // Said after the `credit-recon: ` every error line starts with: the root is not named again.
        let scope = (["credit-recon"] + path).joined(separator: " ")
        let group = path.joined(separator: " ")
        var said = index >= arguments.count ? (path.isEmpty ? "no command given" : "`\(group)` needs a command")
            : arguments[index] == "--" ? (path.isEmpty ? "no command given before `--`" : "`\(group)` needs a command before `--`")
            : "\"\(arguments[index])\" is not a command" + (path.isEmpty ? "" : " of `\(group)`")
        // A global option missing its value took the command's name for it (`--ledger status`):
        // "no command given" blamed the command (probe 194).
        var taken = path.count, tookCommand = false
        while taken + 1 < arguments.count, arguments[taken] != "--" {
            if withValue.contains(arguments[taken]), names.contains(arguments[taken + 1]) {
                said += " (`\(arguments[taken + 1])` was taken as the value of \(arguments[taken]), which needs one before the "
                    + "command: credit-recon \(arguments[taken]) VALUE \(arguments[taken + 1]))"
                tookCommand = true
                break
            }
            taken += withValue.contains(arguments[taken]) ? 2 : 1
        }
        // A command's name mistyped (`reprot`): the nearest one, when one is near.
        if !tookCommand, index < arguments.count, !arguments[index].hasPrefix("-"), let near = Self.nearest(arguments[index], in: names) {
            said += " (did you mean \(near)?)"
        }
        return "\(said); \(path.isEmpty ? "the commands are" : "its commands are") \(names.joined(separator: ", ")) (see \(scope) --help)"
    }

    /// The names in `names` nearest `word`, one or two edits from it (a letter added,
    /// dropped, changed, or two swapped), as `report` or `record or report` when two are as
    /// near (`recort`: the one named alone was the command that writes); `nil` when none is.
    static func nearest(_ word: String, in names: [String]) -> String? {
        let typed = Array(word.lowercased())
        func distance(_ name: String) -> Int {
            let other = Array(name)
            var before = Array(0...other.count), previous = before
            for (i, a) in typed.enumerated() {
                var row = [i + 1] + Array(repeating: 0, count: other.count)
                for (j, b) in other.enumerated() {
                    row[j + 1] = Swift.min(before[j + 1] + 1, row[j] + 1, before[j] + (a == b ? 0 : 1))
                    if i > 0, j > 0, a == other[j - 1], typed[i - 1] == b { row[j + 1] = Swift.min(row[j + 1], previous[j - 1] + 1) }
                }
                (previous, before) = (before, row)
            }
            return before[other.count]
        }
        // Two edits in a word of five letters or more, one in a shorter: `r5` is no `run`.
        let allowed = typed.count >= 5 ? 2 : 1
        let near = names.map { ($0, distance($0)) }.filter { $0.1 <= allowed }
        guard let best = near.map(\.1).min() else { return nil }
        return near.filter { $0.1 == best }.map(\.0).joined(separator: " or ")
    }

    /// What to say of an option after a command that is no option of that command but is
    /// another command's (`status --out`, `fetch --plan`), or `nil`: ArgumentParser's "did
    /// you mean" offered the nearest of this command's own (`--now`, probe 194).
    static func optionOfOtherCommands(_ arguments: [String], root: any ParsableCommand.Type = CreditReconCommand.self) -> String? {
        var command: any ParsableCommand.Type = root
        var path: [String] = []
        var index = 0
        while index < arguments.count,
              let sub = command.configuration.subcommands.first(where: { $0.configuration.commandName == arguments[index] }) {
            path.append(arguments[index])
            command = sub
            index += 1
        }
        guard !path.isEmpty, command.configuration.subcommands.isEmpty else { return nil }
        while index < arguments.count, arguments[index] != "--" {
            let word = arguments[index]
            guard word.hasPrefix("--"), word.count > 2 else {
                index += 1
                continue
            }
            let name = String(word.prefix { $0 != "=" })
            if let listed = listing(of: name, in: command) {
                index += listed.contains(" <") && !word.contains("=") ? 2 : 1
                continue
            }
            guard let these = takers(of: name, root: root) else { return nil }
            let scope = path.joined(separator: " ")
            return "\(name) is no option of `\(scope)`; \(these) it: see credit-recon \(scope) --help"
        }
        return nil
    }

    /// The commands under `root` whose help lists the option `name`, as `` `export` takes ``
    /// or `` `report`, `run` and `export` take ``; `nil` when none does.
    static func takers(of name: String, root: any ParsableCommand.Type) -> String? {
        func leaves(_ group: any ParsableCommand.Type, _ words: [String]) -> [(name: String, type: any ParsableCommand.Type)] {
            let subs = group.configuration.subcommands.filter { $0.configuration.commandName != "help" }
            guard !subs.isEmpty else { return [(words.joined(separator: " "), group)] }
            return subs.flatMap { leaves($0, words + [$0.configuration.commandName ?? ""]) }
        }
        let takers = leaves(root, []).filter { listing(of: name, in: $0.type) != nil }.map { "`\($0.name)`" }
        guard let last = takers.last else { return nil }
        return takers.count == 1 ? last + " takes" : takers.dropLast().joined(separator: ", ") + " and " + last + " take"
    }

    /// The first option before a command's name that is no global option (`--no-activity
    /// fetch`, `--period month report`), with where each command name after it stands; `nil`
    /// when there is none, or no command follows (before a `--`). ArgumentParser blamed the
    /// command's name ("fetch" is not a command), or the option alone.
    static func optionBeforeCommand(
        _ words: ArraySlice<String>, commands: [String], isGlobal: (String) -> Bool
    ) -> (option: String, hadValue: Bool, candidates: [Int])? {
        var misplaced: String?
        var hadValue = false
        var candidates: [Int] = []
        var index = words.startIndex
        while index < words.endIndex, words[index] != "--" {
            let word = words[index]
            if commands.contains(word), misplaced != nil { candidates.append(index) }
            if word.hasPrefix("-"), word.count > 1 {
                if withValue.contains(word) {
                    index += 1  // its value, whatever it looks like
                } else if !isGlobal(word), misplaced == nil {
                    misplaced = String(word.prefix { $0 != "=" })  // the name only: a value may be a secret
                    hadValue = word.contains("=")
                }
            }
            index += 1
        }
        guard let misplaced, !candidates.isEmpty else { return nil }
        return (misplaced, hadValue, candidates)
    }

    /// The line of `command`'s help that lists the option `name` (`--period <period> …`), or
    /// `nil` when it takes none: a line of its options that starts with the name, not a word
    /// of a description (verify's names `--to` of `ledger copy`).
    static func listing(of name: String, in command: any ParsableCommand.Type) -> String? {
        let lines = CreditReconCommand.helpMessage(for: command, columns: 10_000).split(separator: "\n")
        return lines.first { line in
            let listed = line.drop { $0 == " " }
            guard listed.hasPrefix(name) else { return false }
            let after = listed.dropFirst(name.count).first
            return after == nil || after == " " || after == ","
        }.map(String.init)
    }

    /// `help WORDS…` without the global options around it (`--ledger L help status`,
    /// `help status --json`), or `nil` when the first word that is no global option is not
    /// `help`: help is text whatever they say, and moved after `help` they were read as
    /// command words.
    static func helpRequest(_ arguments: [String]) -> [String]? {
        var kept: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            let name = argument.split(separator: "=", maxSplits: 1).first.map(String.init) ?? argument
            if argument == "--" {
                kept += arguments[index...]
                break
            } else if flags.contains(argument) {
                index += 1
            } else if withValue.contains(name) {
                index += name == argument ? 2 : 1
            } else {
                kept.append(argument)
                index += 1
            }
        }
        // `--help report` as `help report` (it showed the top help): a flag before the words.
        if ["--help", "-h"].contains(kept.first), kept.count > 1,
           CreditReconCommand.configuration.subcommands.contains(where: { $0.configuration.commandName == kept[1] }) {
            kept[0] = "help"
        }
        guard kept.first == "help" else { return nil }
        // Help takes command words only: an option after them (`help status --out`) or `help`
        // again was read as the command `help`, which is none (probe 198). A word that is no
        // command is kept, for `unknownHelpTopic` to name.
        var words = ["help"]
        var command: any ParsableCommand.Type = CreditReconCommand.self
        for word in kept.dropFirst() {
            if word.hasPrefix("-") { break }
            if word == "help", words.count == 1 { continue }
            guard let sub = command.configuration.subcommands.first(where: { $0.configuration.commandName == word }) else {
                words.append(word)
                break
            }
            words.append(word)
            command = sub
        }
        return words
    }

    /// What to say of `help WORDS…`, or of `WORDS… --help`, whose words are not a command, or
    /// `nil`: ArgumentParser showed the nearest help it found and exited 0 (`imprt --help`).
    static func unknownHelpTopic(_ arguments: [String], root: any ParsableCommand.Type = CreditReconCommand.self) -> String? {
        let asked = arguments.first == "help"
        let flagged = !asked && arguments.prefix { $0 != "--" }.contains { $0 == "--help" || $0 == "-h" }
        guard asked || flagged else { return nil }
        var command: any ParsableCommand.Type = root
        var path = ["credit-recon"]
        var words: [String] = []
        var index = asked ? 1 : 0
        while index < arguments.count, arguments[index] != "--" {
            let argument = arguments[index]
            index += withValue.contains(argument) ? 2 : 1  // a global option's value is no command
            if !argument.hasPrefix("-") { words.append(argument) }
        }
        for word in words {
            // After `--help`, a command's own arguments follow it (`topup plan.csv --help`).
            if flagged && command.configuration.subcommands.isEmpty { break }
            guard let sub = command.configuration.subcommands.first(where: { $0.configuration.commandName == word }) else {
                var names: [String] = []
                for sub in command.configuration.subcommands {
                    if let name = sub.configuration.commandName, name != "help" { names.append(name) }
                }
                return "\"\(word)\" is not a command" + (path.count > 1 ? " of `\(path.dropFirst().joined(separator: " "))`" : "")
                    + (nearest(word, in: names).map { " (did you mean \($0)?)" } ?? "") + "; "
                    + (names.isEmpty ? "it has none" : "\(path.count > 1 ? "its" : "the") commands are \(names.joined(separator: ", "))")
            }
            path.append(word)
            command = sub
        }
        return nil
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
        // Right after the command's words: before a `--` terminator, after which everything
        // is positional, and before the command's own options, so that one missing its value
        // at the end (`--json plan check F --ledger`) does not take `--json` for it.
        return path + leading + Array(arguments[index...])
    }
}
