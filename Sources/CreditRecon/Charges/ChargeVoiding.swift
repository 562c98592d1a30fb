import CreditTypes
import Ledger

/// `void CHARGE_ID --reason TEXT`: takes a charge recorded by mistake out of the books. The
/// ledger is append-only, so a record is never changed: a `charge.voided` entry says it was
/// wrong, and why. The charge's row is kept under another id (`ChargeVoided.voidedID`),
/// left out of every reckoning and said in reports as `charge_voided`; its id is free, so
/// the right record (the export imported again, or a row written by hand) takes it.
///
/// Only a charge recorded from an export without a plan row: a charge `topup` created
/// through the API is the API's own answer, and one that carries out a plan row is that
/// row's purchase (voided, the row would be bought again).
public struct ChargeVoiding: Sendable {
    public let chargeID: String
    public let reason: String
    /// The account the charge must be of (`--account`), as every command is of one.
    public let account: String

    /// The longest reason, in bytes.
    static let longestReason = 500

    /// Checks the reason (64 for one that is empty, too long or holds a control character).
    public init(chargeID: String, reason: String, account: String) throws(UsageError) {
        let id = chargeID.trimmingASCIIWhitespace()
        guard !id.isEmpty else { throw .usage("void: give the id of the charge to void, as `report` lists it in charges.csv") }
        let said = reason.trimmingASCIIWhitespace()
        guard !said.isEmpty else {
            throw .usage("void: --reason is empty; say why the charge is voided (\"recorded 5000 for 50: cents, not USD\")")
        }
        guard said.utf8.count <= Self.longestReason else {
            throw .usage("void: --reason is \(said.utf8.count) bytes; say it in at most \(Self.longestReason)")
        }
        // Nor a format character: a direction control reorders what every report shows.
        if let bad = said.unicodeScalars.first(where: { [.control, .format].contains($0.properties.generalCategory) }) {
            throw .usage("void: --reason holds a control or format character (\(LookAlikeName.named(bad))); "
                + "write it on one line, as plain text")
        }
        self.chargeID = id
        self.reason = said
        self.account = account
    }

    /// What was voided.
    public struct Outcome: Sendable, Equatable {
        public let charge: StoredCharge
        public let reason: String
        /// The `charge.voided` entry.
        public let entry: Int64
        public let headHash: String
        /// Whether the charge's reference names a plan row of its account (the note on giving
        /// it again is said only then; probe 280: said of a reference the import had called
        /// one that names no row).
        public var referenceNamesRow = false

        public var lines: [String] {
            [
                "voided charge \(TerminalText.printable(charge.chargeID)) (\(charge.amount.centsText) USD, account "
                    + "\(TerminalText.printable(charge.account)), created \(charge.createdAt)) by entry \(entry): "
                    + TerminalText.printable(reason),
                "it is out of the books, kept as \"\(TerminalText.printable(ChargeVoided.voidedID(charge.chargeID, seq: entry)))\"; "
                    // With the charge's account but for the default one (probe 466: said without it).
                    + "record the right charge with `\(AccountLabel.command("import charges FILE.csv", account: charge.account))` "
                    + "(its id is free again)"
                    // Given again with its reference and another amount, it was refused (probe 247).
                    + (charge.reference.flatMap { reference in referenceNamesRow ? reference : nil }.map { reference in
                        "; its reference \(TerminalText.printable(reference)) names a plan row: a row giving it must be of that "
                            + "row's amount, so leave the reference empty if the charge was not that row's purchase"
                    } ?? "")
                    // Nor does it hold a row back any more: `topup` refused a row giving a reference a
                    // recorded charge carries, and sent it once the charge was voided (probe 334).
                    + (charge.reference.flatMap { reference in referenceNamesRow ? nil : reference }.map { reference in
                        "; its reference \(TerminalText.printable(reference)) no longer holds back a plan row giving it: "
                            + "if this charge bought such a row, not yet sent, record the right charge before the next `topup` "
                            + "or `run --plan`, which would buy the row"
                    } ?? ""),
                "ledger head \(headHash)",
            ]
        }

        public var json: JSONOutput {
            .object([
                "charge_id": .string(charge.chargeID), "account": .string(charge.account),
                "amount": .string(charge.amount.decimalText), "reason": .string(reason), "entry": .int(entry),
                "head_hash": .string(headHash),
            ])
        }
    }

    /// Voids the charge in one write: the run that did it, the `charge.voided` entry.
    public func run(ledger: Ledger, now: Timestamp) throws -> Outcome {
        let id = chargeID, reason = reason, account = account
        let (charge, entry, namesRow) = try ledger.write { writer -> (StoredCharge, Int64, Bool) in
            let (charge, row) = try Self.voidable(id, of: account, reader: writer.reader, now: now)
            let namesRow = row != nil
            let runID = try writer.append(.runStarted(RunStarted(command: "void")), account: charge.account, runID: nil, at: now)
            let entry = try writer.append(.chargeVoided(ChargeVoided(chargeID: charge.chargeID, reason: reason)),
                                          account: charge.account, runID: runID, at: now)
            try writer.append(.runFinished(RunFinished(
                runID: runID, outcome: "ok", exitCode: 0, summary: "voided charge \(charge.chargeID): \(reason)")),
                account: charge.account, runID: runID, at: now)
            return (charge, entry, namesRow)
        }
        var outcome = Outcome(charge: charge, reason: reason, entry: entry, headHash: try ledger.headHash())
        outcome.referenceNamesRow = namesRow
        return outcome
    }

    /// The charge `id` names, of `account`, when it may be voided, and the plan row its
    /// reference names, if any; else why not (64).
    static func voidable(
        _ id: String, of account: String, reader: LedgerReader, now: Timestamp
    ) throws -> (charge: StoredCharge, row: StoredTopUp?) {
        guard let charge = try reader.charges(ids: ChargeImport.spellings(of: id)).first else {
            // The id of a charge voided before, now free: said as that, with its entries (it
            // said "no charge", with a template of the kept id; probe 192).
            let before = try reader.voidedCharges().compactMap { kept in
                ChargeVoided.parse(voidedID: kept.chargeID).flatMap { ChargeImport.sameCharge($0.chargeID) == ChargeImport.sameCharge(id) ? $0.seq : nil }
            }
            guard before.isEmpty else {
                throw UsageError.usage("void: no charge \"\(TerminalText.printable(id))\" is in the books: the one recorded under that "
                    + "id was voided already, by entry \(before.map(String.init).joined(separator: ", entry ")); nothing was written")
            }
            throw UsageError.usage("void: no charge \"\(TerminalText.printable(id))\" in the ledger; give its id as `report` lists "
                + "it in charges.csv")
        }
        if let voided = ChargeVoided.parse(voidedID: charge.chargeID), charge.status == "void" {
            throw UsageError.usage("void: \"\(TerminalText.printable(charge.chargeID))\" is charge \(TerminalText.printable(voided.chargeID)), "
                + "voided already by entry \(voided.seq); nothing was written")
        }
        guard charge.account == account else {
            throw UsageError.usage("void: charge \"\(TerminalText.printable(charge.chargeID))\" is of account "
                + "\"\(TerminalText.printable(charge.account))\", not \"\(TerminalText.printable(account))\"; give "
                + "\(ShellWord.option("--account", charge.account)) to void it")
        }
        guard charge.origin == "import" else {
            throw UsageError.usage("void: charge \"\(TerminalText.printable(charge.chargeID))\" was created by `topup` through the API: "
                + "its record is the API's answer, not an export's, and it carries out a plan row; only a charge recorded "
                + "from an export is voided. Never paid, it expires and reads as unpaid by itself (`status` and `report` say "
                + "so); paid without credits to show for it, take its id to OpenRouter's support")
        }
        if let key = charge.topUpKey {
            // Said for the row as it is: a blocked row is never sent again, so "bought again by
            // the next topup" was not true of it (probe 220).
            let blocked = try reader.topUp(key: key)?.httpStatus == 410
            throw UsageError.usage("void: charge \"\(TerminalText.printable(charge.chargeID))\" carries out plan row "
                + "\(TerminalText.printable(key)): a charge that carries out a plan row is not voided, as "
                + (blocked ? "the row would read as not bought again, and a link to a row is not taken back"
                    : "voided, the row would be bought again by the next `topup`")
                + Self.cannotCorrect)
        }
        // Another purchase of a row whose own charge expired unpaid is the row's purchase made
        // again: voided, the row read as not bought, and `status` said to buy it again (probe 334).
        let row = try charge.reference.flatMap { try ChargeImport.topUp(named: $0, account: charge.account, reader: reader) }
        if charge.status != "expired", let row,
           let own = try row.chargeID.flatMap({ try reader.charge(id: $0) }), own.chargeID != charge.chargeID,
           own.status == "expired" || (own.status != "paid" && own.expiresAt.flatMap { try? Timestamp(iso8601: $0) }.map { $0 < now } == true)
        {
            throw UsageError.usage("void: charge \"\(TerminalText.printable(charge.chargeID))\" is plan row "
                + "\(TerminalText.printable(row.key))'s purchase made again, the row's own charge \(TerminalText.printable(own.chargeID)) "
                + "having expired unpaid: a charge that carries out a plan row is not voided, as voided, the row would read "
                + "as not bought, and `status` and `report` would say to buy it again" + Self.cannotCorrect)
        }
        return (charge, row)
    }

    /// The end of a refusal to void a charge that carries out a plan row.
    static let cannotCorrect = "; its record stays as recorded, which this build cannot correct: when it is wrong, keep the "
        + "right figures beside the books for the auditors, naming this charge id"
}
