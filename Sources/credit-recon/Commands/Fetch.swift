import ArgumentParser
import CreditRecon

extension CreditReconCommand {
    /// Takes a snapshot of the account's running totals into the ledger.
    struct Fetch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "fetch",
            abstract: "Checks the key (GET /key), reads the account's running totals (GET /credits) and stores them as a snapshot.",
            discussion: """
                Needs a management key (OPENROUTER_API_KEY or --api-key-file): GET /key is asked first, and a key \
                that is not a management key is refused with exit 78 before anything is read or stored — an \
                ordinary key gets all-zero totals from /credits, which would look like real books. Takes the \
                ledger's writer lock. Every reading is stored with the raw response. Exits 1 when the reading looks \
                wrong (credits or usage went down, or an all-zero reading after real ones, which reports leave out \
                of the sums), 77 when the key is refused, 69 when the API stays unreachable, 76 when it answers \
                something that is not its documented shape.
                """
        )

        @OptionGroup var global: GlobalOptions

        mutating func run() async throws {
            try await CLI.run(global) { context in
                let outcome = try await FetchStage(context: context).run()
                print(context.json ? outcome.json.text : outcome.text)
                return outcome.exitStatus
            }
        }
    }
}
