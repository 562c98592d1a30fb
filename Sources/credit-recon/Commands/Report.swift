import ArgumentParser
import CreditRecon

extension CreditReconCommand {
    /// Writes the reconciliation reports (CSV, Markdown, SVG chart).
    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "report",
            abstract: "Writes the reconciliation reports (CSV, Markdown, SVG chart). (not built yet)"
        )

        @OptionGroup var global: GlobalOptions

        mutating func run() async throws {
            try await CLI.run(global) { _ in throw NotBuiltYet(command: "report") }
        }
    }
}
