import CreditTypes
import Foundation
import Ledger

/// `bench-key-readings LEDGER [KEYS] [LISTINGS]`, for `make bench` only (not installed):
/// appends LISTINGS readings of KEYS keys (default 100 and 10,000) to a SQLite ledger that
/// holds one account's snapshot history, as `keys.read` facts through the ledger's own
/// write path, so `report` can be timed over a million key readings. There is no import
/// for key readings, and ten thousand `fetch`es against the simulator would take hours.
///
/// The listings are spread evenly over the snapshots, each read a second after one of
/// them, as `fetch` reads the keys right after the totals; the keys share the account's
/// use between them (see `KeyHistory`). Each thousand listings are one transaction and
/// one recorded run.
@main
struct BenchKeyReadings {
    static let listingsPerTransaction = 1000
    /// Listings handed to the ledger at a time: a listing of 100 keys is about 100 KB of
    /// journal text, and the ledger queues up to eight such batches for its store.
    static let listingsPerBatch = 50

    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard (1...3).contains(arguments.count),
              let keys = arguments.count > 1 ? Int(arguments[1]) : 100,
              let listings = arguments.count > 2 ? Int(arguments[2]) : 10_000,
              keys > 0, listings > 0
        else {
            fail("usage: bench-key-readings LEDGER [KEYS] [LISTINGS]  (a ledger holding snapshots; KEYS, LISTINGS > 0)", code: 64)
        }
        do {
            try run(path: arguments[0], keys: keys, listings: listings)
        } catch {
            fail("\(error)", code: 1)
        }
    }

    static func run(path: String, keys keyCount: Int, listings: Int) throws {
        let location = LedgerLocation.file(path)
        let lock = try Ledger.lockWriter(at: location)
        defer { withExtendedLifetime(lock) {} }
        let ledger = try Ledger(location, create: false)
        let (accounts, snapshots) = try ledger.read { reader -> ([String], [SnapshotRow]) in
            let accounts = try reader.accounts()
            return (accounts, accounts.count == 1 ? try reader.snapshots(account: accounts[0]) : [])
        }
        guard accounts.count == 1, let account = accounts.first else {
            fail("\(path) holds \(accounts.count) accounts (\(accounts.joined(separator: ", "))); give it one account's snapshots", code: 65)
        }
        guard snapshots.count >= listings else {
            fail("\(path) holds \(snapshots.count) snapshots: too few to spread \(listings) listings over", code: 65)
        }
        let history = KeyHistory(readings: snapshots.map { (observedAt: $0.observedAt, usage: $0.totalUsage) }, keys: keyCount, listings: listings)
        let now = Timestamp.now()
        var start = 0
        while start < listings {
            let end = min(start + listingsPerTransaction, listings)
            try ledger.write { writer in
                let run = try writer.append(
                    .runStarted(RunStarted(command: "bench-key-readings")), account: account, runID: nil, at: now)
                for batch in stride(from: start, to: end, by: listingsPerBatch) {
                    try writer.append(contentsOf: batch..<min(batch + listingsPerBatch, end), runID: run, at: now) {
                        (.keysRead(history.listing($0)), account)
                    }
                }
                try writer.append(
                    .runFinished(RunFinished(runID: run, outcome: "ok", exitCode: 0,
                                             summary: "listings \(start + 1)-\(end) of \(keyCount) keys")),
                    account: account, runID: run, at: now)
            }
            start = end
        }
        print("appended \(listings) listings of \(keyCount) keys (\(listings * keyCount) key readings) to \(path); "
              + "head \(try ledger.headHash())")
    }

    static func fail(_ message: String, code: Int32) -> Never {
        FileHandle.standardError.write(Data("bench-key-readings: \(message)\n".utf8))
        exit(code)
    }
}
