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

    /// A second writer exits 75 (try again later) naming the holder; a lock file that
    /// cannot be created is a ledger I/O problem (74).
    @Test func theWriterLocksRefusalsAreTryAgainLaterAndIO() throws {
        let directory = try TemporaryDirectory()
        let ledgerPath = directory.path("ledger.sqlite")
        let lock = try Ledger.lockWriter(at: .file(ledgerPath))
        defer { withExtendedLifetime(lock) {} }

        let busy = #expect(throws: LedgerError.self) { try Ledger.lockWriter(at: .file(ledgerPath)) }
        #expect(busy.map { ExitStatus(for: $0) } == .tempFail)
        let pid = ProcessInfo.processInfo.processIdentifier
        #expect(busy.map { ExitStatus.message(for: $0) }
            == "the ledger is being written by credit-recon process \(pid) (lock \(ledgerPath).lock); try again when it has finished")

        let unwritable = directory.path("missing/ledger.sqlite")
        let uncreatable = #expect(throws: LedgerError.self) { try Ledger.lockWriter(at: .file(unwritable)) }
        #expect(uncreatable.map { ExitStatus(for: $0) } == .ioError)
        #expect(uncreatable.map { ExitStatus.message(for: $0) }?.hasPrefix("cannot create the lock file \(unwritable).lock: ") == true)
    }
}
