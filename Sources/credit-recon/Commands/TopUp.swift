import ArgumentParser
import CreditRecon

extension CreditReconCommand {
    /// Creates a Coinbase charge for each plan row not yet carried out.
    struct TopUp: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "topup",
            abstract: "Creates a Coinbase charge for each plan row not yet carried out. (not built yet)"
        )

        @OptionGroup var global: GlobalOptions

        mutating func run() async throws {
            try await CLI.run(global) { _ in throw NotBuiltYet(command: "topup") }
        }
    }
}
