import ArgumentParser
import CreditRecon
import Foundation
import Ledger

extension CreditReconCommand.Import {
    /// `import charges FILE.csv`: records charges made elsewhere (web flow, Coinbase export).
    struct Charges: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "charges",
            abstract: "Records charges made elsewhere (web flow, Coinbase export) from a CSV file.",
            discussion: ChargesImportCommand.discussion
        )

        @OptionGroup var global: GlobalOptions

        @Argument(help: ArgumentHelp("The charges CSV file.", valueName: "file.csv"))
        var file: String

        @Flag(help: ChargesImportCommand.allowOtherAmountHelp)
        var allowOtherAmount = false

        mutating func run() async throws {
            try await ChargesImportCommand.run(file: file, allowOtherAmount: allowOtherAmount, global: global)
        }
    }
}

extension CreditReconCommand {
    /// `record FILE.csv`: the same as `import charges FILE.csv`.
    struct Record: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "record",
            abstract: "Same as `import charges`: records charges made elsewhere from a CSV file.",
            discussion: ChargesImportCommand.discussion
        )

        @OptionGroup var global: GlobalOptions

        @Argument(help: ArgumentHelp("The charges CSV file.", valueName: "file.csv"))
        var file: String

        @Flag(help: ChargesImportCommand.allowOtherAmountHelp)
        var allowOtherAmount = false

        mutating func run() async throws {
            try await ChargesImportCommand.run(file: file, allowOtherAmount: allowOtherAmount, global: global)
        }
    }
}

/// What `import charges` and `record` share.
enum ChargesImportCommand {
    static let discussion = """
        Columns: charge_id (or id; required, unique), amount (required), created_at (required), wallet \
        (or sender), chain_id (or chain), expires_at, reference, status (paid|expired|pending), paid_at, memo, \
        account. created_at and paid_at must be from \
        2000 on and at most a day after now (--now, else the clock). Every row is checked before anything \
        is written (exit 65 listing every problem). A charge already in the ledger with the same values is \
        skipped, so importing the same file twice changes nothing; the same charge_id with other values is \
        refused, but for its status and paid_at, and for a reference given to a charge recorded without one. \
        A reference naming a blocked or unknown top-up of the same account (that row's purchase: its amount, \
        and its wallet and chain where given; another amount with --allow-other-amount) resolves it, \
        also when the charge was recorded without it before: import its row again with the reference. A paid \
        charge naming a row that has its charge, not known to have expired, is the row bought twice: recorded, \
        exit 1. SIGINT or \
        SIGTERM stops it at its next batch of 4,096 rows, writing nothing (exit 75).
        """

    static let allowOtherAmountHelp = ArgumentHelp(
        "A charge naming a plan row still without its charge by its reference, from the row's wallet on its chain (both "
            + "given), settles the row though it paid another amount than planned, within a tenth of it (24.99 for 25); the "
            + "summary names each (--json: other_amounts).")

    static func run(file: String, allowOtherAmount: Bool, global: GlobalOptions) async throws {
        try await CLI.run(global, writes: true) { context in
            let lock = try context.lockWriter()
            defer { withExtendedLifetime(lock) {} }
            let importer = ChargeImport(path: file, defaultAccount: context.account, allowOtherAmount: allowOtherAmount)
            let progress = ProgressLine(
                noun: "charges", enabled: context.showsProgress, log: context.logger, starting: "checking and writing charges")
            let summary = try context.importing(file, progress: progress) { ledger, heard, finishing in
                try importer.run(ledger: ledger, now: context.now(), progress: heard, finishing: finishing)
            }
            let status = summary.exitStatus
            if context.json {
                var json = summary.json
                if case .object(var members) = json {
                    members["file"] = .string(file)
                    json = .object(members)
                }
                print(json.exitCode(status).text)
            } else {
                for line in summary.lines(file: file) { print(line) }
            }
            return status
        }
    }
}
