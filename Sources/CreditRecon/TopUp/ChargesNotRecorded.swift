import CreditTypes
import Ledger

/// A ledger write failed (the disk, a PostgreSQL server gone) after the API had created
/// charges: their answers are not in the ledger, and the next run knows those rows only as
/// `unknown`. The error names each charge, as a line `import charges` takes, so that none is
/// lost; it exits with the failure's own code.
public struct ChargesNotRecorded: ExitCoded {
    /// One created charge whose answer was not written.
    public struct Charge: Sendable {
        public let key: String
        public let row: PlanRow
        public let charge: CreatedCharge
    }

    public let failure: any Error
    public let charges: [Charge]

    public var exitStatus: ExitStatus { ExitStatus(for: failure) }

    public var description: String {
        // A lock lost to another writer: the ledger itself was never away.
        let lockLost = (failure as? LedgerError)?.isWriterLockLost == true
        var lines = [
            ExitStatus.message(for: failure),
            "The API created \(charges.count) charge\(charges.count == 1 ? "" : "s") whose answer could not be written; "
                + "the next topup marks \(charges.count == 1 ? "its row" : "their rows") unknown. "
                + (lockLost ? "Once the other writer has finished, " : "Once the ledger is back, ")
                + "record \(charges.count == 1 ? "it" : "them") with `credit-recon import charges FILE.csv`, FILE.csv holding "
                + "the lines below, each without the `credit-recon: ` it starts with here:",
            "charge_id,amount,wallet,chain_id,created_at,expires_at,reference,account",
        ]
        for entry in charges {
            lines.append([
                entry.charge.id, entry.row.amount.decimalText, entry.row.wallet.checksummed, String(entry.row.chain.rawValue),
                entry.charge.createdAt.iso8601, entry.charge.expiresAt.iso8601, entry.row.reference ?? entry.key,
                entry.row.account,  // the row's own, whatever `--account` the import is given
            ].map(CSVWriter.quoted).joined(separator: ","))  // no formula guard: import reads them back as they are
        }
        return lines.joined(separator: "\n")
    }
}
