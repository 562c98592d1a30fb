import ArgumentParser

/// A command that only groups others (`credit-recon`, `plan`, `import`, `ledger`): called
/// without one of them, it is a usage error (64), so a script with a missing or mistyped
/// command fails instead of printing the help and succeeding.
protocol CommandGroup: AsyncParsableCommand {}

extension CommandGroup {
    mutating func run() async throws {
        let name = Self.configuration.commandName ?? "credit-recon"
        let path = name == "credit-recon" ? name : "credit-recon \(name)"
        let names = Self.configuration.subcommands.compactMap { $0.configuration.commandName }
        throw ValidationError(
            "`\(path)` needs a command: \(names.joined(separator: ", ")); `\(path) --help` says what each does")
    }
}
