import Foundation
import Ledger
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension CommandContext {
    /// What is at the ledger path before anything opens it.
    public enum LedgerFile: Sendable, Equatable {
        /// No file: a writer creates a new ledger, a reader has nothing to read.
        case missing
        /// A 0-byte file with no write-ahead log behind it. The tool writes the schema in the
        /// transaction that creates the file, so this is a truncated ledger; opening it would
        /// quietly start new, empty books in its place.
        case truncated
        /// A file with content.
        case present
    }

    /// The state of the file at `ledgerPath`.
    public var ledgerFile: LedgerFile {
        func size(_ path: String) -> Int? { (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int }
        guard let bytes = size(ledgerPath) else { return .missing }
        if bytes == 0, (size(ledgerPath + "-wal") ?? 0) == 0 { return .truncated }
        return .present
    }

    /// What `verify` and the refusals below say about a truncated ledger.
    public var truncatedLedgerProblem: String {
        "the file \(ledgerPath) is empty (0 bytes): the ledger was truncated; restore it from a backup "
            + "(or delete it to start new books)"
    }

    /// Opens the ledger, creating it when it is missing unless `mustExist` (readers: `report`,
    /// `status`, which exit 66 instead). A truncated ledger is never opened: exit 74.
    ///
    /// Writers call this under the writer lock, so only one of them ever creates a ledger.
    public func openLedger(mustExist: Bool = false) throws -> Ledger {
        switch ledgerFile {
        case .missing where mustExist:
            throw UsageError(
                message: "no ledger at \(ledgerPath): run `credit-recon fetch` first, or pass --ledger",
                exitStatus: .noInput)
        case .missing:
            try createLedger()
            return try Ledger(path: ledgerPath)
        case .truncated:
            throw UsageError(message: truncatedLedgerProblem, exitStatus: .ioError)
        case .present:
            return try Ledger(path: ledgerPath)
        }
    }

    /// Creates a new ledger beside its path, schema and all, then renames it into place, so
    /// that a process killed while creating it leaves no ledger (or a stray `.creating` file)
    /// rather than a half-made one that would look truncated.
    private func createLedger() throws {
        let staging = ledgerPath + ".creating"
        let files = FileManager.default
        for suffix in ["", "-wal", "-shm"] { try? files.removeItem(atPath: staging + suffix) }
        do { _ = try Ledger(path: staging) }  // migrated, then closed (WAL checkpointed and removed)
        guard !files.fileExists(atPath: staging + "-wal") else {
            throw UsageError(
                message: "could not create the ledger \(ledgerPath): SQLite left \(staging)-wal behind; "
                    + "check the disk, remove \(staging)* and run the command again",
                exitStatus: .ioError)
        }
        guard rename(staging, ledgerPath) == 0 else {
            let reason = String(cString: strerror(errno))
            throw UsageError(message: "could not create the ledger \(ledgerPath): \(reason)", exitStatus: .ioError)
        }
    }
}
