import ArgumentParser
import CreditRecon

extension CreditReconCommand.Import {
    /// Records charges made elsewhere (web flow, Coinbase export).
    struct Charges: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "charges",
            abstract: "Records charges made elsewhere (web flow, Coinbase export). (not built yet)"
        )

        @OptionGroup var global: GlobalOptions

        mutating func run() async throws {
            try await CLI.run(global) { _ in throw NotBuiltYet(command: "import charges") }
        }
    }
}

extension CreditReconCommand {
    /// `record FILE.csv`: the same as `import charges FILE.csv`.
    struct Record: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "record",
            abstract: "Same as `import charges`: records charges made elsewhere (not built yet)"
        )

        @OptionGroup var global: GlobalOptions

        mutating func run() async throws {
            try await CLI.run(global) { _ in throw NotBuiltYet(command: "record") }
        }
    }
}
