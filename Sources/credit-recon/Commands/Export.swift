import ArgumentParser
import CreditRecon
import CreditTypes
import Foundation
import Ledger

extension CreditReconCommand {
    /// Writes the books as a double-entry journal for beancount or hledger.
    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export",
            abstract: "Writes the books as a double-entry journal for beancount or hledger.",
            discussion: """
                The credits are a prepaid asset: the opening balance at the first reading, every settled charge as \
                a purchase on the day it settled (charge id, reference, wallet, chain and memo as metadata), \
                purchases no charge explains to the suspense account, use per period with one posting per key and \
                one for the unattributed rest, and a balance assertion on the credits account at every period \
                boundary equal to periods.csv's closing balance. USD exact to the micro-dollar; the same ledger \
                and options give the same bytes; the ledger head hash is in a comment at the top. \
                On a terminal, a line on stderr names the step a long export is at.

                Default accounts (rename any with --accounts-map FILE, CSV role,account): \
                credits Assets:OpenRouter:Credits, usage Expenses:OpenRouter:Usage (:<key name> per key, \
                :Unattributed), charges Assets:Crypto:Wallets, other Equity:Suspense:OpenRouter, \
                opening Equity:Opening-Balances.

                Check the result with `bean-check FILE` or `hledger -f FILE check`. Exits 65 naming the line of a \
                bad --accounts-map, and 1 when a period's books do not add up (its assertion will fail).
                """
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("beancount or hledger.", valueName: "format"))
        var format: String

        @OptionGroup var scope: ScopeFlags

        @Option(help: ArgumentHelp(
            "Write the journal to this file, atomically, making its folder when missing (default, or -: standard output).",
            valueName: "file"))
        var out: String?

        /// The journal's file; `nil` for standard output (no `--out`, or `--out -`, as in
        /// most tools: a file named `-` is `--out ./-`).
        var outFile: String? { out == "-" ? nil : out }

        @Option(help: ArgumentHelp("CSV role,account naming the accounts to post to (roles: credits, usage, charges, other, opening).",
                                   valueName: "file"))
        var accountsMap: String?

        func validate() throws {
            guard ExportFormat(rawValue: format) != nil else {
                throw ValidationError("--format must be beancount or hledger, not \"\(format)\"")
            }
            if global.json && outFile == nil {
                throw ValidationError("--json needs --out FILE: without it the journal itself goes to standard output")
            }
            if out == "" {
                throw ValidationError("--out is empty; name the journal's file, or leave --out out for standard output")
            }
        }

        mutating func run() async throws {
            let command = self
            try await CLI.run(global) { context in
                let format = ExportFormat(rawValue: command.format) ?? .beancount
                var reconcile = ReconcileOptions(account: context.account)
                try command.scope.apply(to: &reconcile, defaultPeriod: .month)
                let accounts = try command.accountsMap.map { try ExportAccounts.read(path: $0, format: format) }
                    ?? ExportAccounts()
                let ledger = try context.openLedger(mustExist: true)
                try LedgerAccounts.require(context.account, from: context.accountOrigin, in: ledger)
                let progress = ProgressLine(command: "export", enabled: context.showsProgress, log: context.logger)
                let outcome = try AtomicFile.removingTemporariesOnSignal {
                    try progress.during {
                        try ExportStage.run(
                            ledger: ledger,
                            options: ExportStage.Options(reconcile: reconcile, format: format, accounts: accounts, outFile: command.outFile),
                            progress: progress.show)
                    }
                }
                if command.outFile == nil {
                    try StandardStream.output(outcome.bytes)
                    // Log lines, with their time and level: a bare line on stderr was neither a log
                    // line nor the ending error, and the README's grep for either missed it (probe 284).
                    for line in outcome.warningLines { context.logger.warning("\(line)") }
                } else if context.json {
                    print(outcome.json.text)
                } else {
                    for line in outcome.summaryLines { print(line) }
                }
                return outcome.exitStatus
            }
        }
    }
}
