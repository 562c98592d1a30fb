import ArgumentParser
import CreditRecon

extension CreditReconCommand {
    /// `void CHARGE_ID --reason TEXT`: takes a charge recorded by mistake out of the books.
    struct VoidCharge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "void",
            abstract: "Takes a charge recorded by mistake out of the books, saying why; its id is free for the right record.",
            discussion: """
                The ledger never changes a record: a charge recorded from an export with a wrong amount (cents for \
                USD), account or time, or one never paid, is voided by an entry saying so, with --reason. It is then \
                left out of reports, status and exports (reports list it as a charge_voided finding), and its id is \
                free: import the right row again (credit-recon import charges FILE.csv). A charge `topup` created \
                through the API, or one that carries out a plan row, is not voided (64); nor is one of another \
                account than --account's. Writes the ledger under its writer lock.
                """
        )

        @OptionGroup var global: GlobalOptions

        @Argument(help: ArgumentHelp("The id of the charge, as `report` lists it in charges.csv.", valueName: "charge-id"))
        var chargeID: String

        @Option(name: .long, help: ArgumentHelp("Why the charge is voided (one line, at most 500 bytes); kept in the ledger for good.", valueName: "text"))
        var reason: String

        mutating func run() async throws {
            let chargeID = self.chargeID, reason = self.reason
            try await CLI.run(global, writes: true) { context in
                let voiding = try ChargeVoiding(chargeID: chargeID, reason: reason, account: context.account)
                let lock = try context.lockWriter()
                defer { withExtendedLifetime(lock) {} }
                // One write: a signal as it waits for another session's lock stops it there, the
                // charge left as it was (probe 453: it waited the lock out).
                let stopped = "the charge \(TerminalText.quoted(chargeID)) was not voided; run void again"
                let outcome = try Interruption.givingUpLockWaits(on: .starting, outcome: stopped) { opened in
                    let ledger = try context.openLedger(mustExist: true)
                    opened(ledger)
                    // A label that looks like a held one is refused as every writer refuses it: it was
                    // told to void another account's charge of the id, not the one meant (probe 419).
                    try context.refuseLookAlikeAccount(in: ledger)
                    return try voiding.run(ledger: ledger, now: context.now())
                }
                if context.json {
                    print(outcome.json.exitCode(.ok).text)
                } else {
                    for line in outcome.lines { print(line) }
                }
                return .ok
            }
        }
    }
}
