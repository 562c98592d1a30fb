import ArgumentParser

extension CreditReconCommand {
    /// `plan …`: work with top-up plans without touching the ledger.
    struct Plan: CommandGroup {
        static let configuration = CommandConfiguration(
            commandName: "plan",
            abstract: "Work with top-up plans (plan check PLAN.csv).",
            subcommands: [Check.self]
        )
    }
}
