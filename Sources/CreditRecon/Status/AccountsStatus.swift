import CreditTypes
import Ledger

/// `status` when nobody named an account: the status of every account the ledger holds,
/// one block each, so a ledger shared by several accounts is never judged by one of them.
public struct AccountsStatus: Sendable, Equatable {
    /// One status per account, in the ledger's byte order of account labels.
    public var reports: [StatusReport]

    /// Reads the status of every account the ledger holds at `now`, with `options`'
    /// thresholds (its `account` is used only when the ledger holds none yet). `progress`
    /// hears each account's steps, with its place among them when there are several.
    /// `writer`: as `StatusReport.read` takes it.
    public static func read(
        ledger: Ledger, options: StatusOptions, now: Timestamp, writer: RunningWriter? = nil,
        writerUnseen: WriterUnseen? = nil, progress: (ReportProgress) -> Void = { _ in }
    ) throws -> AccountsStatus {
        let held = try ledger.read { try $0.accounts() }
        let accounts = held.isEmpty ? [options.account] : held
        return AccountsStatus(reports: try accounts.enumerated().map { index, account in
            var one = options
            one.account = account
            let place = accounts.count > 1 ? ReportProgress.Place(account: account, number: index + 1, of: accounts.count) : nil
            do {
                return try StatusReport.read(
                    ledger: ledger, options: one, now: now, held: held, writer: writer, writerUnseen: writerUnseen
                ) {
                    progress(ReportProgress($0.step, place: place))
                }
            } catch var beyond as BooksBeyondExactRange {
                beyond.others = accounts.filter { $0 != account }
                throw beyond
            }
        })
    }

    /// Exit 1 when any account needs attention, else 0.
    public var exitStatus: ExitStatus { reports.map(\.exitStatus).max() ?? .ok }

    /// Each account's lines, a blank line between two accounts.
    public var lines: [String] {
        var lines: [String] = []
        for (index, report) in reports.enumerated() {
            if index > 0 { lines.append("") }
            lines += report.lines
        }
        return lines
    }

    /// For `--json`: one account's object as `status --account` prints it when the ledger
    /// holds one account; with several, `{"accounts": [...], "exit_code": N}`.
    public var json: JSONOutput {
        if reports.count == 1, let only = reports.first { return only.json }
        return .object([
            "accounts": .array(reports.map(\.json)),
            "exit_code": .int(Int64(exitStatus.rawValue)),
        ])
    }
}
