import Foundation
import CreditTypes
import Ledger

/// `report --all-accounts`: the reports of every account the ledger holds, each in a
/// folder of its own under `--out` (written by `ReportStage`, as `report` writes one
/// account's), then `accounts.csv` and `accounts.md` with every account's totals.
///
/// Every account is read at one state of the ledger: the accounts are reconciled one
/// after another, each in its own read, so a writer could append between two of them.
/// Each reconciliation carries the head hash it read; when one differs from the head read
/// with the list of accounts, every account is reported again (its files replaced), up
/// to `attempts` times.
public enum AllAccountsStage {
    /// Writes every account's reports and the two summary files into `options.outDirectory`.
    ///
    /// - Parameters:
    ///   - options: the report's options; `reconcile.account` is ignored.
    ///   - progress: hears each account's steps with its place among them, then the two
    ///     summary files.
    /// - Throws: a `UsageError` (66) when the ledger holds no account; a `ReportError` (73)
    ///   when an account's label cannot be a folder name (before anything is written) or a
    ///   file cannot be written, (65) when a total passes what the books count, or (75)
    ///   when the ledger kept changing. Nothing is written then.
    public static func write(
        ledger: Ledger, options: ReportOptions, progress: (ReportProgress) -> Void = { _ in }
    ) throws -> AllAccountsOutcome {
        try write(ledger: ledger, options: options, attempts: 3, progress: progress, afterAccount: { _ in })
    }

    /// One account's books. An account that began after `--to` (or ended before `--from`),
    /// the other bound not given, has none in the range: its books are the day before
    /// `--to` (after `--from`), empty, where the account was refused and the whole report
    /// with it (probe 227: "--to 2026-11-02 is not after 2026-11-03, the ledger's first
    /// day", of a ledger begun 2026-11-01, for an account added on 11-03).
    private static func reconcile(
        _ options: ReconcileOptions, ledger: Ledger, progress: (ReportProgress) -> Void
    ) throws -> Reconciliation {
        do {
            return try Reconciler(options: options).reconcile(ledger, progress: progress)
        } catch let error as ReconcileError where error.missingBound != nil {
            var empty = options
            if error.missingBound == .from { empty.from = options.to?.adding(days: -1) } else { empty.to = options.from?.adding(days: 1) }
            return try Reconciler(options: empty).reconcile(ledger, progress: progress)
        }
    }

    /// `write(ledger:options:)`, with `afterAccount` called after each account's folder is
    /// written (tests append to the ledger there, as a concurrent writer would).
    static func write(
        ledger: Ledger, options: ReportOptions, attempts: Int, progress: (ReportProgress) -> Void = { _ in },
        afterAccount: (String) throws -> Void
    ) throws -> AllAccountsOutcome {
        let directory = options.outDirectory
        func path(_ name: String) -> String { directory.hasSuffix("/") ? directory + name : directory + "/" + name }
        for _ in 0..<attempts {
            let (accounts, head) = try ledger.read { (try $0.accounts(), try $0.head().hash) }
            guard !accounts.isEmpty else { throw UsageError.noBooksYet }
            // Every name is checked before the first file is written.
            let folders = try accounts.map { try AccountFolder.name(for: $0) }
            // Every account's files and the summaries go in place together, or none does.
            let staging = AtomicFile.Staging()
            try staging.makeFolder(directory)
            var summaries: [AccountSummary] = []
            var timeZone = options.reconcile.timeZone
            for (index, (account, folder)) in zip(accounts, folders).enumerated() {
                var one = options
                one.reconcile.account = account
                one.outDirectory = path(folder)
                let place = ReportProgress.Place(account: account, number: index + 1, of: accounts.count)
                let hear = { (step: ReportProgress) in progress(ReportProgress(step.step, place: place)) }
                let books = try reconcile(one.reconcile, ledger: ledger, progress: hear)
                let outcome = try ReportStage.write(books, to: one.outDirectory, staging: staging, progress: hear)
                try afterAccount(account)
                guard outcome.reconciliation.headHash == head else { break }
                timeZone = outcome.reconciliation.timeZone
                summaries.append(AccountSummary(outcome, folder: folder))
            }
            guard summaries.count == accounts.count, let first = summaries.first else { continue }
            var outcome = AllAccountsOutcome(
                directory: directory, accounts: summaries, files: [], headHash: head, asOf: first.asOf,
                options: options.reconcile, timeZone: timeZone, totals: try AccountTotals(summaries))
            progress(ReportProgress(.writing(AccountsFiles.csv)))
            try staging.stage(
                Array(AccountsFiles.csvText(outcome).utf8), to: path(AccountsFiles.csv), ifAFolder: ReportStage.folderInTheWay)
            outcome.files.append(path(AccountsFiles.csv))
            progress(ReportProgress(.writing(AccountsFiles.markdown)))
            try staging.stage(
                Array(AccountsFiles.markdownText(outcome).utf8), to: path(AccountsFiles.markdown), ifAFolder: ReportStage.folderInTheWay)
            outcome.files.append(path(AccountsFiles.markdown))
            try staging.commit()
            outcome.foreignFolders = foreignFolders(in: directory, besides: Set(folders))
            outcome.otherReportFiles = ReportFiles.present(ReportFiles.names, in: directory)
            return outcome
        }
        throw ReportError.ledgerKeptChanging(attempts: attempts)
    }

    /// The folders in `directory` named as an account's folder is and holding a
    /// `reconciliation.md` that are not among `folders`, sorted.
    static func foreignFolders(in directory: String, besides folders: Set<String>) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { name in
            guard !folders.contains(name), AccountFolder.account(named: name) != nil else { return false }
            let report = (directory.hasSuffix("/") ? directory : directory + "/") + name + "/" + ReportFiles.markdown
            return FileManager.default.fileExists(atPath: report)
        }.sorted()
    }
}
