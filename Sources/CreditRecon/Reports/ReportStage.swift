import CreditTypes
import Ledger

/// The `report` stage: reconciles the ledger and writes the five files of CONTRACT.md §
/// Reports into one folder, each atomically.
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
    public static func write(_ books: Reconciliation, to directory: String) throws -> ReportOutcome {
        try AtomicFile.makeDirectory(directory)
        var files: [String] = []
        for file in ReportFiles.render(books) {
            let path = directory.hasSuffix("/") ? directory + file.name : directory + "/" + file.name
            try AtomicFile.write(file.text, to: path)
            files.append(path)
        }
        return ReportOutcome(reconciliation: books, directory: directory, files: files)
    }
}
