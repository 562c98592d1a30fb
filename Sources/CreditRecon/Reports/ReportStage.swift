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
    /// - Parameter asOf: the time the books are judged at; `nil` (the default) means the
    ///   newest journal entry's time, so the same ledger and options give byte-identical files.
    public static func write(ledger: Ledger, options: ReportOptions, asOf: Timestamp? = nil) throws -> ReportOutcome {
        let books = try Reconciler(options: options.reconcile).reconcile(ledger, asOf: asOf)
        return try write(books, to: options.outDirectory)
    }

    /// Writes the files for already reconciled books.
    ///
    /// The files are written one after another in CONTRACT.md's order, and the first that
    /// cannot be written stops the rest. Rendering is pure, so `reconciliation.md` (as big
    /// as `charges.csv` with many charges) is rendered on the second core meanwhile.
    public static func write(_ books: Reconciliation, to directory: String) throws -> ReportOutcome {
        try AtomicFile.makeDirectory(directory)
        func path(_ name: String) -> String {
            directory.hasSuffix("/") ? directory + name : directory + "/" + name
        }
        let markdown = BackgroundWork { ReportFiles.markdownBytes(books).bytes }
        var files: [String] = []
        for (name, render) in [
            (ReportFiles.periods, ReportFiles.periodsCSVBytes),
            (ReportFiles.charges, ReportFiles.chargesCSVBytes),
            (ReportFiles.findings, ReportFiles.findingsCSVBytes),
        ] {
            do {
                try AtomicFile.write(render(books).bytes, to: path(name))
            } catch {
                _ = markdown.wait()  // pure, but do not leave it running behind the caller's back
                throw error
            }
            files.append(path(name))
        }
        try AtomicFile.write(markdown.wait(), to: path(ReportFiles.markdown))
        files.append(path(ReportFiles.markdown))
        try AtomicFile.write(Array(BalanceChart(books).svg.utf8), to: path(ReportFiles.chart))
        files.append(path(ReportFiles.chart))
        for (name, bytes) in [
            (ReportFiles.usageByKey, ReportFiles.usageByKeyCSVBytes(books).bytes),
            (ReportFiles.usageByModel, ReportFiles.usageByModelCSVBytes(books).bytes),
            (ReportFiles.usageChart, Array(UsageChart(books).svg.utf8)),
        ] {
            try AtomicFile.write(bytes, to: path(name))
            files.append(path(name))
        }
        return ReportOutcome(reconciliation: books, directory: directory, files: files)
    }
}
