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
    /// puts them in place. Each file is written as it is rendered (`ReportText`), and
    /// `reconciliation.md`, as big as `charges.csv` with many charges, on the second core
    /// meanwhile (rendering is pure). `progress` hears each file's name as it is written.
    static func write(
        _ books: Reconciliation, to directory: String, staging given: AtomicFile.Staging? = nil,
        progress: (ReportProgress) -> Void = { _ in }
    ) throws -> ReportOutcome {
        let staging = given ?? AtomicFile.Staging()
        try staging.makeFolder(directory)
        func path(_ name: String) -> String { directory.hasSuffix("/") ? directory + name : directory + "/" + name }
        var files: [String] = []
        /// Says so, then writes what `render` appends as the file `name`.
        func write(_ name: String, _ render: (inout ReportText) -> Void) throws {
            progress(ReportProgress(.writing(name)))
            try staging.stage(to: path(name), ifAFolder: Self.folderInTheWay, render)
            files.append(path(name))
        }
        let markdownFile = try staging.openFile(path(ReportFiles.markdown), ifAFolder: Self.folderInTheWay)
        let markdown = BackgroundWork { () -> Result<Void, ReportError> in
            Result { () throws(ReportError) in try markdownFile.write { ReportFiles.markdown(books, into: &$0) } }
        }
        do {
            try write(ReportFiles.periods) { ReportFiles.periodsCSV(books, into: &$0) }
            try write(ReportFiles.charges) { ReportFiles.chargesCSV(books, into: &$0) }
            try write(ReportFiles.findings) { ReportFiles.findingsCSV(books, into: &$0) }
        } catch {
            _ = markdown.wait()  // pure, but do not leave it running behind the caller's back
            throw error
        }
        progress(ReportProgress(.writing(ReportFiles.markdown)))
        try markdown.wait().get()
        files.append(path(ReportFiles.markdown))
        try write(ReportFiles.chart) { $0.append(BalanceChart(books).svg) }
        try write(ReportFiles.usageByKey) { ReportFiles.usageByKeyCSV(books, into: &$0) }
        try write(ReportFiles.usageByModel) { ReportFiles.usageByModelCSV(books, into: &$0) }
        try write(ReportFiles.usageChart) { $0.append(UsageChart(books).svg) }
        if given == nil { try staging.commit() }
        return ReportOutcome(reconciliation: books, directory: directory, files: files)
    }
}
