import ArgumentParser
import CreditRecon

extension CreditReconCommand {
    /// Balance, burn rate, runway, open charges, age of the last snapshot.
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "status",
            abstract: "Balance, burn rate, runway, open charges, age of the last snapshot. (not built yet)"
        )

        @OptionGroup var global: GlobalOptions

        mutating func run() async throws {
            try await CLI.run(global) { _ in throw NotBuiltYet(command: "status") }
        }
    }
}
