import ArgumentParser
import CreditRecon

extension CreditReconCommand.Plan {
    /// Validates a top-up plan; writes nothing.
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Validates a top-up plan; writes nothing. (not built yet)"
        )

        @OptionGroup var global: GlobalOptions

        mutating func run() async throws {
            try await CLI.run(global) { _ in throw NotBuiltYet(command: "plan check") }
        }
    }
}
