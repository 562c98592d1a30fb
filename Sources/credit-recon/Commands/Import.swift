import ArgumentParser

extension CreditReconCommand {
    /// `import …`: bring facts recorded elsewhere into the ledger.
    struct Import: CommandGroup {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Bring facts recorded elsewhere into the ledger (import charges | import snapshots).",
            subcommands: [Charges.self, Snapshots.self]
        )
    }
}
