import ArgumentParser
import CreditRecon

extension CreditReconCommand {
    /// The nightly job: lock, fetch, top-up (if a plan), fetch, report.
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run",
            abstract: "The nightly job: lock, fetch, top-up (if a plan), fetch, report. (not built yet)"
        )

        @OptionGroup var global: GlobalOptions

        mutating func run() async throws {
            try await CLI.run(global) { _ in throw NotBuiltYet(command: "run") }
        }
    }
}
