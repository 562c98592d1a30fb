import CreditTypes
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A report that cannot be written.
public struct ReportError: ExitCoded, Equatable {
    /// What is wrong and how to fix it.
    public let message: String
    /// "cannot create an output file" (73), or "try again later" (75) when the ledger kept
    /// changing while every account's reports were written.
    public let exitStatus: ExitStatus
    public var description: String { message }

    static func cannotCreate(_ path: String, _ detail: String) -> ReportError {
        // A full disk or a size limit is no folder to check (probe 274).
        let advice = switch detail {
        case String(cString: strerror(ENOSPC)), String(cString: strerror(EDQUOT)):
            "Free some space on that disk (or raise the quota), or pass another --out."
        case String(cString: strerror(EFBIG)):
            "Raise this process's file-size limit (ulimit -f), or pass another --out."
        default:
            "Check that the folder can be created and written, or pass another --out."
        }
        return ReportError(message: "cannot write \(path): \(detail). \(advice)", exitStatus: .cannotCreate)
    }

    /// `path` is refused for what it is (a folder where a file goes, the ledger's own file):
    /// `why` says what to do, and the advice for a system error would not fit it.
    static func refused(_ path: String, _ why: String) -> ReportError {
        ReportError(message: "cannot write \(path): \(why).", exitStatus: .cannotCreate)
    }

    /// Standard output refused what was written to it (a reader that closed the pipe, a
    /// full disk): there is no folder to check, and what it got is cut short.
    static func cannotWriteStandardOutput(_ detail: String) -> ReportError {
        ReportError(
            message: "cannot write standard output: \(detail); what it got is cut short (the command reading it stopped, "
                + "or the disk is full). Write the file with --out FILE instead.",
            exitStatus: .cannotCreate)
    }

    /// Why standard output takes nothing when it was closed as the command started.
    static let closedAtStart = "it was closed when the command started (>&-)"

    /// Standard output was closed as the command started: nothing reached anyone.
    static var standardOutputClosed: ReportError {
        ReportError(
            message: "cannot write standard output: \(closedAtStart); nothing was written. Write the file with --out FILE, "
                + "or give the command a standard output.",
            exitStatus: .cannotCreate)
    }

    static func accountNameTooLong(_ account: String, bytes: Int) -> ReportError {
        ReportError(
            message: "the account \"\(TerminalText.printable(String(account.prefix(60))))…\" has a label too long for a "
                + "folder name (\(bytes) bytes once encoded, at most \(AccountFolder.maxBytes)); nothing was written. "
                + "Report it alone with --account NAME --out DIR.",
            exitStatus: .cannotCreate)
    }

    static func totalTooLarge(_ column: String, accounts: Int) -> ReportError {
        ReportError(
            message: "the \(accounts) accounts' \(column) add up to more than \(Micros(raw: .max).decimalText) USD, the most the "
                + "books count exactly, so accounts.csv cannot give their total; nothing was written. Report the accounts "
                + "one at a time with --account NAME --out DIR.",
            exitStatus: .dataError)
    }

    static func ledgerKeptChanging(attempts: Int) -> ReportError {
        ReportError(
            message: "the ledger changed while the accounts' reports were written, \(attempts) times in a row, so they "
                + "would not show one state of the books; the folders written may disagree. Run the report again "
                + "when no writer is busy.",
            exitStatus: .tempFail)
    }
}
