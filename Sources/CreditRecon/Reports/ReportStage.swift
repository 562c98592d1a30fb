import CreditTypes
import Dispatch
import Ledger

/// The `report` stage: reconciles the ledger and writes the files of CONTRACT.md § Reports
/// (the books, then where the usage went) into one folder, each atomically.
///
/// `run` calls this too, after its fetch and top-up stages.
public enum ReportStage {
    /// Reconciles and writes the reports.
    ///
    /// - Parameters:
    ///   - asOf: the time the books are judged at; `nil` (the default) means the newest
    ///     journal entry's time, so the same ledger and options give byte-identical files.
    ///   - progress: hears the reading, the reconciling, then each file as it is written.
    public static func write(
        ledger: Ledger, options: ReportOptions, asOf: Timestamp? = nil, progress: (ReportProgress) -> Void = { _ in }
    ) throws -> ReportOutcome {
        let books = try Reconciler(options: options.reconcile).reconcile(ledger, asOf: asOf, progress: progress)
        var outcome = try write(books, to: options.outDirectory, progress: progress)
        outcome.otherReportFiles = ReportFiles.present([AccountsFiles.csv, AccountsFiles.markdown], in: options.outDirectory)
        return outcome
    }

    /// What a folder where a report file goes is told: `--out` names the reports' folder.
    static let folderInTheWay = "a report file of that name goes there: move the folder away, or pass --out another folder"

    /// Writes the files for already reconciled books.
    ///
    /// The files are written one after another in CONTRACT.md's order, each beside its
    /// place, and put in place together once all are written: the first that cannot be
    /// written stops the rest and leaves the folder as it was, never half from one ledger
    /// state and half from another. With `staging` (`report --all-accounts`), the caller
    /// puts them in place. Rendering is pure, so `reconciliation.md` (as big as
    /// `charges.csv` with many charges) is rendered on the second core meanwhile. `progress`
    /// hears each file's name before it is rendered and written.
    static func write(
        _ books: Reconciliation, to directory: String, staging given: AtomicFile.Staging? = nil,
        progress: (ReportProgress) -> Void = { _ in }
    ) throws -> ReportOutcome {
        let staging = given ?? AtomicFile.Staging()
        try staging.makeFolder(directory)
        var files: [String] = []
        /// Says so, then writes what `render` gives as the file `name`.
        func write(_ name: String, _ render: () -> [UInt8]) throws {
            progress(ReportProgress(.writing(name)))
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            try staging.stage(render(), to: path, ifAFolder: Self.folderInTheWay)
            files.append(path)
        }
        let markdown = BackgroundWork { ReportFiles.markdownBytes(books).bytes }
        do {
            try write(ReportFiles.periods) { ReportFiles.periodsCSVBytes(books).bytes }
            try write(ReportFiles.charges) { ReportFiles.chargesCSVBytes(books).bytes }
            try write(ReportFiles.findings) { ReportFiles.findingsCSVBytes(books).bytes }
        } catch {
            _ = markdown.wait()  // pure, but do not leave it running behind the caller's back
            throw error
        }
        try write(ReportFiles.markdown) { markdown.wait() }
        try write(ReportFiles.chart) { Array(BalanceChart(books).svg.utf8) }
        try write(ReportFiles.usageByKey) { ReportFiles.usageByKeyCSVBytes(books).bytes }
        try write(ReportFiles.usageByModel) { ReportFiles.usageByModelCSVBytes(books).bytes }
        try write(ReportFiles.usageChart) { Array(UsageChart(books).svg.utf8) }
        if given == nil { try staging.commit() }
        return ReportOutcome(reconciliation: books, directory: directory, files: files)
    }
}
