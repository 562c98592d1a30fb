import Foundation
import Logging
@testable import Ledger
import Testing

@testable import CreditRecon

/// Errors become exit codes and sentences in one place (CONTRACT.md § Exit codes).
@Suite struct ExitStatusTests {
    /// A password file's first line is the password as it is: spaces at its ends are a part
    /// of it (as in `PGPASSWORD`); only the line's end goes. It was trimmed, so a password
    /// that works from PGPASSWORD failed from the file.
    @Test func aPasswordFileKeepsTheSpacesOfItsPassword() throws {
        let temp = try TemporaryDirectory()
        let file = try temp.write("password", " sp ace \r\nsecond line\n")
        let context = CommandContext(
            ledgerPath: "postgresql://books@127.0.0.1:5432/books", baseURL: "http://127.0.0.1:9", account: "default",
            timeout: .seconds(1), maxRetryTime: .seconds(1), json: false, logger: Logger(label: "test"),
            clock: CommandClock(), ledgerPasswordFile: file, environment: [:])
        guard case .postgres(let location) = try context.ledgerLocation() else {
            Issue.record("not a PostgreSQL location")
            return
        }
        #expect(location.password?.reveal() == " sp ace ")
    }

    /// `ledger copy` whose check of the target cannot finish after the copy committed (a
    /// connection lost under `verify`): said as a committed copy whose check is to be run,
    /// with the check's exit code; it was said as a write "not committed", and a run again
    /// was then refused because the target held the copy.
    @Test func aCopyWhoseCheckCouldNotFinishSaysTheCopyIsCommitted() {
        let lost = LedgerError.server(
            location: "postgresql://books@127.0.0.1:5432/books", detail: "the connection to the server was lost" + LedgerError.runAgain)
        let failure = CopyCheckFailed(
            target: "postgresql://books@127.0.0.1:5432/books", copied: Ledger.CopyOutcome(entries: 60_004, headHash: "ab12"),
            error: lost)
        #expect(failure.exitStatus == ExitStatus(for: lost))
        #expect(failure.description.hasPrefix(
            "the copy was committed: 60004 entries in postgresql://books@127.0.0.1:5432/books, head ab12; its check could not finish: "))
        #expect(failure.description.contains("the connection to the server was lost. Check the copy"), "\(failure.description)")
        // Not "run the command again", which is refused (probe 408).
        #expect(!failure.description.contains("run the command again"), "\(failure.description)")
        // The URL quoted, as a shell needs it (`?sslmode=…` is a pattern to zsh).
        #expect(failure.description.hasSuffix("Check the copy with `credit-recon --ledger 'postgresql://books@127.0.0.1:5432/books' "
            + "verify` (a copy is not made again: the target is no longer empty)"))
    }

    /// A copy of a source it could not lock, written meanwhile: committed, but lacking the
    /// newest entries; exit 1, saying to copy again into a new ledger.
    @Test func aCopyOfASourceWrittenMeanwhileSaysSo() {
        let outdated = CopyOutdated(
            source: "/archive/books.sqlite", target: "copy.sqlite", copied: Ledger.CopyOutcome(entries: 10, headHash: "ab12"),
            sourceEntries: 12)
        #expect(outdated.exitStatus == .attention)
        #expect(outdated.description == "the copy was committed: 10 entries in copy.sqlite, head ab12; but /archive/books.sqlite "
            + "was written during the copy and now holds 12 entries, so the copy lacks the newest. Stop the writers of "
            + "/archive/books.sqlite, then copy it again into a new, empty ledger")
    }

    /// A second writer exits 75 (try again later) naming the holder; a lock held by this
    /// very process, under another name of the ledger, is a usage error (64); a lock file
    /// that cannot be created is a ledger I/O problem (74).
    @Test func theWriterLocksRefusalsAreTryAgainLaterUsageAndIO() throws {
        let directory = try TemporaryDirectory()
        let busy = LedgerError.writerBusy(lock: "/books/ledger.sqlite.lock", holder: "4242")
        #expect(ExitStatus(for: busy) == .tempFail)
        #expect(ExitStatus.message(for: busy)
            == "the ledger is being written by credit-recon process 4242 (lock /books/ledger.sqlite.lock): a command writing "
                + "it, or a `ledger copy` from it or into it, which holds the writer lock of both ledgers; try again when it has finished")
        let here = LedgerError.writerBusy(lock: "/books/ledger.sqlite.lock", holder: "4242", heldHere: true)
        #expect(ExitStatus(for: here) == .usage)
        // A lock lost to another writer, or kept on a lock file removed by hand: try again later.
        #expect(ExitStatus(for: LedgerError.writerLockLost(lock: "/books/ledger.sqlite.lock", holder: nil)) == .tempFail)
        #expect(ExitStatus(for: LedgerError.writerOnRemovedLock(lock: "/books/ledger.sqlite.lock", holder: "4242")) == .tempFail)
        // A PostgreSQL session ended by the server: as a connection lost.
        #expect(ExitStatus(for: LedgerError.writerSessionLost(location: "postgresql://h/books")) == .ioError)

        let unwritable = directory.path("missing/ledger.sqlite")
        let uncreatable = #expect(throws: LedgerError.self) { try Ledger.lockWriter(at: .file(unwritable)) }
        #expect(uncreatable.map { ExitStatus(for: $0) } == .ioError)
        #expect(uncreatable.map { ExitStatus.message(for: $0) }?.hasPrefix("cannot create the lock file \(unwritable).lock: ") == true)
    }
}
