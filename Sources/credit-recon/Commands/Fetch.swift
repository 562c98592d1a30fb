import ArgumentParser
import CreditRecon

extension CreditReconCommand {
    /// Takes a snapshot of the account's running totals into the ledger.
    struct Fetch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "fetch",
            abstract: "Takes a snapshot of the account's running totals into the ledger. (not built yet)"
        )

        @OptionGroup var global: GlobalOptions

        mutating func run() async throws {
            try await CLI.run(global) { _ in throw NotBuiltYet(command: "fetch") }
        }
    }
}
