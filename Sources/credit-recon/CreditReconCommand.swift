import ArgumentParser
import CreditRecon
import Ledger

/// `credit-recon`: keeps the books for OpenRouter credits in one SQLite ledger.
@main
struct CreditReconCommand: CommandGroup {
    static let configuration = CommandConfiguration(
        commandName: "credit-recon",
        abstract: "Keeps the books for OpenRouter credits: snapshots, top-ups, charges, usage by key and model, and reconciliation reports.",
        usage: "credit-recon [global options] <command> [options]",
        discussion: """
            Every fact goes into one append-only, hash-chained ledger (--ledger): a SQLite file, \
            or a PostgreSQL database when several hosts share the books. \
            Keys come from OPENROUTER_API_KEY / OPENROUTER_BEARER or --api-key-file / --bearer-file, \
            never from the command line. The global options (--ledger, --account, --json, --now, --timeout, …) \
            may stand before the command or after it; `credit-recon <command> --help` lists them. An option \
            with a value given twice is refused (64); a flag given twice counts once. \
            Exit codes: 0 ok, 1 needs a person, 64 usage, 65 bad input data, \
            66 missing input, 69 API unavailable, 70 internal, 73 cannot write output, 74 ledger I/O, \
            75 try again later, 76 unexpected API answer, 77 key refused, 78 configuration.
            """,
        // Builds of one version may write ledgers of different migrations (probe 177: an
        // auditor could not tell the client's build from theirs).
        version: "\(CreditReconVersion.current) (ledger schema to migration \"\(Ledger.newestMigration)\")",
        subcommands: [
            Fetch.self, Plan.self, TopUp.self, Import.self, Record.self, VoidCharge.self, Report.self, Run.self, Status.self,
            Export.self, Verify.self, LedgerGroup.self,
        ]
    )
}
