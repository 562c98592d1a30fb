import CreditTypes
import Ledger

/// `import charges FILE.csv` (alias `record`): charges made elsewhere — the web flow, a
/// Coinbase export — recorded in the ledger (CONTRACT.md § Charges CSV).
///
/// Everything happens in one transaction under the writer lock, committed only when every
/// row is valid: one bad row refuses the whole file (65) with every problem listed, and the
/// ledger is left as it was. Each row is checked against the ledger by `charge_id`: the same
/// id with the same values is skipped, the same id with other values refuses the file (65).
/// A `reference` naming a plan row of the same account that has no charge yet (blocked,
/// unknown, rejected, planned) links the charge to it, which resolves the row
/// (`recorded`). A row for a charge already in the ledger may add its status and payment
/// time (`charge.status`) — for one `topup` created, what the API's record lacks — until a
/// final status (paid, expired) is kept; a row contradicting that, or paid before the
/// charge was created, refuses the file. A row for a charge recorded without a plan row
/// (without a reference, or with one naming none: a typo) may give the reference of the
/// plan row it carries out, which links it (`charge.linked`) as the first import would
/// have: a blocked row bought through the web flow and recorded from an export without
/// references is resolved by importing it again with the row's. Charge ids shaped as UUIDs are compared in any
/// letter case. When nothing is new, nothing is written — not even a run — so re-importing
/// a file leaves the journal head unchanged.
public struct ChargeImport: BatchImport {
    /// What an import did.
    public struct Summary: Sendable, Equatable {
        public var rows = 0
        public var inserted = 0
        public var skipped = 0
        /// Charges already in the ledger whose status (or payment time) the file gave.
        public var statusRecorded = 0
        /// Charges that resolved a plan row by `reference`: new ones, and ones already in
        /// the ledger (`linkedExisting`) recorded without a reference.
        public var linked: [(reference: String, key: String)] = []
        /// Charges already in the ledger, recorded without a reference, that a row linked
        /// to their plan row.
        public var linkedExisting = 0
        /// Rows whose charge the ledger already held.
        public var alreadyInLedger = 0
        /// Charges naming a plan row that already had its charge, with that charge
        /// (`rowCharge`): another purchase of the row, made again if the row's charge expired
        /// unpaid, a second if both are paid, which the report warns of (`reference_paid_twice`).
        /// `rowChargePaid`: the row's charge is recorded paid (else its fate is not known).
        public var secondPurchases: [(reference: String, chargeID: String, rowCharge: String?, boughtTwice: Bool, rowChargePaid: Bool)] = []
        /// Of those, the ones recorded paid whose row's charge is not known to have expired
        /// unpaid: the row bought twice, as far as the ledger knows, which needs a person
        /// (exit 1); it exited 0, the warning left to the next report (probe 155).
        public var secondPurchasesPaid = 0
        /// Plan rows' own charges recorded paid by this import while another purchase of the
        /// row was paid already (`other`): the row bought twice, counted in `secondPurchasesPaid`.
        public var paidWithAnother: [(reference: String, rowCharge: String, other: String)] = []
        /// References that name no open plan row (kept on the charge, linked to nothing).
        public var unlinkedReferences = 0
        /// New charges whose reference names no plan row in a ledger that holds plan rows
        /// (a typo, or an invoice number), the first few of them as examples.
        public var referencesNamingNoRow = 0
        public var examplesNamingNoRow: [(reference: String, chargeID: String)] = []
        /// New rows that repeat a charge voided before (its id, amount, account and
        /// `created_at`), not recorded again, with the entry that voided it.
        public var voidedAgain: [(chargeID: String, entry: Int64)] = []
        /// The charges linked to a plan row that paid another amount than the row's
        /// (`--allow-other-amount`).
        public var otherAmounts: [(reference: String, chargeID: String, planned: Micros, paid: Micros)] = []
        public var total = Micros.zero
        /// `total` by the status the file gave each charge (`paid`, `pending`, `expired`;
        /// `""` for none): 790 USD recorded read as 790 bought when 40 of it expired unpaid
        /// (probe 406).
        public var totalByStatus: [String: Micros] = [:]
        /// After an import that recorded charges, every charge recorded without a plan row that
        /// is the same purchase as a row still to be bought, as `status` names them (probe 289:
        /// a web purchase of a blocked row recorded without its reference was said nowhere).
        public var possiblePurchases: [StatusReport.PossiblePurchase] = []
        public var runID: Int64?
        public var headHash = ""

        /// 1 when a plan row was bought twice as far as the ledger knows (a person must look:
        /// CONTRACT's exit 1), else 0: the command's code, and its run's in the ledger.
        public var exitStatus: ExitStatus { secondPurchasesPaid > 0 ? .attention : .ok }

        /// Counts `charge` into the totals.
        mutating func recorded(_ charge: ChargeRecorded) {
            total += charge.amount
            totalByStatus[charge.status ?? "", default: .zero] += charge.amount
        }

        /// How `total` divides by status, `(750.00 paid, 40.00 expired)`, or `""` when
        /// every charge recorded is paid (or none was).
        var statusBreakdown: String {
            guard totalByStatus.keys.contains(where: { $0 != "paid" }) else { return "" }
            let order = ["paid", "pending", "expired"]
            let known = order.compactMap { status in totalByStatus[status].map { "\($0.centsText) \(status)" } }
            let others = totalByStatus.filter { !order.contains($0.key) }.sorted { $0.key < $1.key }
                .map { "\($0.value.centsText) " + ($0.key.isEmpty ? "without a status" : TerminalText.printable($0.key)) }
            return " (" + (known + others).joined(separator: ", ") + ")"
        }

        mutating func namingNoRow(_ reference: String, _ chargeID: String) {
            referencesNamingNoRow += 1
            if examplesNamingNoRow.count < 3 { examplesNamingNoRow.append((reference, chargeID)) }
        }

        public static func == (lhs: Summary, rhs: Summary) -> Bool {
            lhs.rows == rhs.rows && lhs.inserted == rhs.inserted && lhs.skipped == rhs.skipped
                && lhs.statusRecorded == rhs.statusRecorded
                && lhs.linked.map(\.key) == rhs.linked.map(\.key) && lhs.runID == rhs.runID && lhs.headHash == rhs.headHash
        }

        /// What `import charges FILE` prints for people.
        public func lines(file: String) -> [String] {
            var lines = ["recorded \(inserted) charge\(inserted == 1 ? "" : "s") from \(file) (\(alreadyInLedger) already in the ledger), "
                + "\(total.centsText) USD" + statusBreakdown]
            if statusRecorded > 0 {
                lines.append("  and the status of \(statusRecorded) of those already in the ledger, from the file (paid, "
                    + "expired or pending, and when paid)")
            }
            lines += linked.map { "  reference \($0.reference) resolves top-up \($0.key)" }
            lines += otherAmounts.map { other in
                let difference = other.paid - other.planned
                // In cents, as people read amounts (probe 254: "249.5 USD, not the 250 planned (-0.5)").
                return TerminalText.printable("  \(other.chargeID) settles \(other.reference) for \(other.paid.centsText) USD, "
                    + "not the \(other.planned.centsText) planned (\(difference.raw < 0 ? "" : "+")\(difference.centsText)): the row "
                    + "reads as bought for the charge's amount, once it is paid")
            }
            lines += secondPurchases.map { second in
                let rowCharge = second.rowCharge.map { " (\($0))" } ?? ""
                // The reason for the exit 1, and what settles it: it was said as if the report
                // would tell, the row's charge still pending.
                if second.boughtTwice, second.rowChargePaid {
                    // Paid late after it expired (probe 273: "not known to have expired" of one the ledger knew had).
                    return TerminalText.printable("  reference \(second.reference) already had its charge\(rowCharge), paid: "
                        + "\(second.chargeID), paid too, buys that plan row a second time as far as the ledger knows (exit 1; "
                        + "the report warns of it, reference_paid_twice)")
                }
                guard !second.boughtTwice else {
                    return TerminalText.printable("  reference \(second.reference) already had its charge\(rowCharge), "
                        + "not known to have expired: \(second.chargeID), paid, buys that plan row a second time as far "
                        + "as the ledger knows (exit 1): if the row's charge expired unpaid, import its status (expired) "
                        + "and \(second.chargeID) is the row's purchase made again; if both are paid, the row was bought "
                        + "twice (the report warns of it, reference_paid_twice)")
                }
                // Not "a second purchase" alone: the row's charge may have expired unpaid, and this
                // one is then the row's purchase made again (probe 134).
                return TerminalText.printable("  reference \(second.reference) already had its charge"
                    + rowCharge + ": \(second.chargeID) is another purchase of that plan row: "
                    + "the row's purchase made again if its charge expired unpaid (the report says so), a second "
                    + "purchase if both are paid (the report warns of it, reference_paid_twice)")
            }
            lines += paidWithAnother.map { paid in
                TerminalText.printable("  reference \(paid.reference): its row's charge \(paid.rowCharge) is recorded paid, and "
                    + "\(paid.other), another purchase of that plan row, was paid already: the row bought twice as far as the "
                    + "ledger knows (exit 1; the report warns of it, reference_paid_twice)")
            }
            if referencesNamingNoRow > 0 {
                let some = examplesNamingNoRow.map { "\($0.reference) on \($0.chargeID)" }.joined(separator: ", ")
                    + (referencesNamingNoRow > examplesNamingNoRow.count ? ", …" : "")
                let one = referencesNamingNoRow == 1
                lines.append(TerminalText.printable(
                    "  \(referencesNamingNoRow) reference\(one ? "" : "s") name\(one ? "s" : "") no plan row (\(some)): "
                        + "\(one ? "its charge is recorded as a purchase" : "their charges are recorded as purchases") of no plan row (an "
                        + "invoice number, or a typo: a charge that bought a plan row is linked to it by importing its row again "
                        + "with that row's reference)"))
            }
            if !voidedAgain.isEmpty {
                let some = voidedAgain.prefix(3).map { "\($0.chargeID), voided by entry \($0.entry)" }.joined(separator: "; ")
                    + (voidedAgain.count > 3 ? "; …" : "")
                let one = voidedAgain.count == 1
                lines.append(TerminalText.printable(
                    "  \(voidedAgain.count) row\(one ? "" : "s") repeat\(one ? "s" : "") a charge voided before (\(some)) and "
                        + "\(one ? "was" : "were") not recorded again: a void is undone by no import; a row with the right values "
                        + "(amount, account, created_at, or wallet, chain, expires_at, paid_at, reference or status) is recorded"))
            }
            if let text = StatusReport.PossiblePurchase.text(possiblePurchases) { lines.append("  note: " + text) }
            return lines + ["ledger head \(headHash)"]
        }

        /// The `--json` summary.
        public var json: JSONOutput {
            .object([
                "rows": .int(Int64(rows)), "inserted": .int(Int64(inserted)), "skipped": .int(Int64(skipped)),
                "status_recorded": .int(Int64(statusRecorded)), "linked_existing": .int(Int64(linkedExisting)),
                "linked": .array(linked.map { .object(["reference": .string($0.reference), "topup_key": .string($0.key)]) }),
                "second_purchases": .array(secondPurchases.map {
                    .object(["reference": .string($0.reference), "charge_id": .string($0.chargeID),
                             "row_charge_id": $0.rowCharge.map(JSONOutput.string) ?? .null, "bought_twice": .bool($0.boughtTwice)])
                }),
                "second_purchases_paid": .int(Int64(secondPurchasesPaid)),
                "paid_with_another": .array(paidWithAnother.map {
                    .object(["reference": .string($0.reference), "row_charge_id": .string($0.rowCharge),
                             "charge_id": .string($0.other)])
                }),
                "unlinked_references": .int(Int64(unlinkedReferences)),
                "references_naming_no_row": .int(Int64(referencesNamingNoRow)), "inserted_total": .string(total.decimalText),
                "inserted_by_status": .object(totalByStatus.mapValues { .string($0.decimalText) }),
                "voided_again": .array(voidedAgain.map { .object(["charge_id": .string($0.chargeID), "entry": .int($0.entry)]) }),
                "other_amounts": .array(otherAmounts.map {
                    .object(["reference": .string($0.reference), "charge_id": .string($0.chargeID),
                             "planned": .string($0.planned.decimalText), "paid": .string($0.paid.decimalText)])
                }),
                "possible_purchases": .array(possiblePurchases.map {
                    .object(["account": .string($0.account), "row": .string($0.row), "charge_id": .string($0.chargeID)])
                }),
                "run_id": runID.map(JSONOutput.int) ?? .null, "head_hash": .string(headHash),
            ])
        }
    }

    /// One valid row.
    struct Row: Sendable {
        let line: Int
        let account: String
        let charge: ChargeRecorded
    }

    /// The file's rows, every one valid.
    public struct Validated: Sendable {
        let rows: [Row]
        public var count: Int { rows.count }
    }

    static let columns: [CSVColumns.Spec] = [
        .init("charge_id", aliases: ["id"], required: true),
        .init("amount", required: true),
        .init("wallet", aliases: ["sender"]),
        .init("chain_id", aliases: ["chain"]),
        .init("created_at", required: true),
        .init("expires_at"),
        .init("reference"),
        .init("status"),
        .init("paid_at"),
        .init("memo"),
        .init("account"),
        StatedCurrency.spec,
    ]

    public let path: String
    public let displayName: String
    public let defaultAccount: String
    /// Whether a charge naming a plan row by its reference, from the row's wallet on its
    /// chain (both given), settles the row though it paid another amount
    /// (`--allow-other-amount`): a payment made for less or more than planned.
    public let allowOtherAmount: Bool

    public init(path: String, displayName: String? = nil, defaultAccount: String, allowOtherAmount: Bool = false) {
        self.path = path
        self.displayName = displayName ?? path
        self.defaultAccount = defaultAccount
        self.allowOtherAmount = allowOtherAmount
    }

    /// Validates the file while writing what is new, in one transaction committed only
    /// when every row is valid (see `BatchImport.validateWhileWriting`);
    /// `progress` hears the rows checked and written so far.
    public func run(
        ledger: Ledger, now: Timestamp, progress: ((Int) throws -> Void)? = nil, finishing: (() -> Void)? = nil
    ) throws -> Summary {
        var summary = try validateWhileWriting(to: ledger, now: now, progress: progress, finishing: finishing)
        if summary.inserted > 0 { summary.possiblePurchases = try Self.possiblePurchases(in: ledger) }
        return summary
    }

    /// The charges recorded without a plan row that are the same purchase as a row still to be
    /// bought, of every account with such a row, as the reconciliation suggests them.
    static func possiblePurchases(in ledger: Ledger) throws -> [StatusReport.PossiblePurchase] {
        let accounts = try ledger.read { reader -> [String] in
            guard try reader.hasTopUps() else { return [] }
            // Only where such a row is waiting: the reconciliation reads every reading and charge.
            return try reader.accounts().filter { account in
                try reader.chargelessTopUps(account: account).contains { Reconciler.awaitingPurchase.contains($0.state) }
            }
        }
        return try accounts.flatMap { account in
            var options = ReconcileOptions(account: account)
            options.period = .month  // the fewest periods: only the charges are wanted
            return try Reconciler(options: options).reconcile(ledger).charges.compactMap { line -> StatusReport.PossiblePurchase? in
                guard let purchase = line.possiblePurchase, let row = line.reference ?? line.topUpKey else { return nil }
                return StatusReport.PossiblePurchase(row: row, chargeID: purchase, account: account)
            }
        }
    }

    // MARK: - Validate

    /// Parses and checks every row; throws `InputErrors` (65) listing every problem, or
    /// `CSVError` (66) when the file cannot be read.
    public func validate(now: Timestamp) throws -> Validated {
        try Validated(rows: validRows(now: now))
    }

    /// See `BatchImport.validate(batchRows:now:emit:)`.
    func validate(batchRows: Int, now: Timestamp, emit: ([Row]) throws -> Bool) throws {
        let (reader, columns) = try CSVReader.openWithHeader(
            path: path, displayName: displayName, kind: .charges, example: "charge_id,amount,wallet,chain_id,created_at,status")
        var errors = ErrorCollector(file: displayName)
        var columnIndex: [String: Int] = [:]  // looked up once per file, not per field
        for spec in Self.columns { columnIndex[spec.name] = columns.index(of: spec.name) }
        let idColumn = columnIndex["charge_id"], amountColumn = columnIndex["amount"], walletColumn = columnIndex["wallet"]
        let chainColumn = columnIndex["chain_id"], statusColumn = columnIndex["status"]
        let referenceColumn = columnIndex["reference"], memoColumn = columnIndex["memo"], accountColumn = columnIndex["account"]
        let createdColumn = columnIndex["created_at"], expiresColumn = columnIndex["expires_at"], paidColumn = columnIndex["paid_at"]
        let currencyColumn = columnIndex[StatedCurrency.spec.name]
        let originPrefix = displayName + ":"  // each row's origin is FILE:LINE
        var batch: [Row] = []
        batch.reserveCapacity(batchRows)
        var seen: [String: Int] = [:]
        // Exports usually list charges with ids in ascending order. While each id sorts after
        // the one before, none can repeat an earlier one, so `seen` (hashing a million ids is
        // costly) is only built at the first id that does not:
        // from `idsSoFar`, the ids of the rows before it, valid or not.
        var inOrder = true
        var latestID: String?
        var idsSoFar: [(id: String, line: Int)] = []
        while true {
            let record: CSVRecord
            do {
                guard let next = try reader.next() else { break }
                record = next
            } catch {
                errors.add(error)
                if error.isFatal { break }
                continue
            }
            let line = record.line
            func value(_ index: Int?) -> String { (record.field(at: index) ?? "").trimmingASCIIWhitespace() }
            func fail(_ column: String, _ message: String) { errors.add(line: line, column: column, message) }

            var id = PlanReader.name(record.field(at: idColumn), column: "charge_id", another: "charge", line: line, errors: &errors)
            // The API's UUID as some exports write it, in braces: recorded so, it was a second
            // charge of the one the ledger holds bare (probe 226).
            if let text = id.value, text.utf8.first == UInt8(ascii: "{"), text.utf8.last == UInt8(ascii: "}"),
               Self.isUUID(String(text.dropFirst().dropLast())) {
                fail("charge_id", "\"\(text)\" is a UUID in braces; write it without them, as the API gives it: "
                    + "\(text.dropFirst().dropLast())")
                id = (nil, false)
            }
            var chargeID: String?
            // Compared as `sameCharge` says: an id in other letter case is the same UUID.
            let key = id.value.map(Self.sameCharge)
            if let key, inOrder {
                if let latestID, !(key > latestID) {
                    inOrder = false
                    seen.reserveCapacity(idsSoFar.count * 2)
                    for earlier in idsSoFar { seen[earlier.id] = earlier.line }
                    idsSoFar = []
                } else {
                    latestID = key
                }
            }
            if let text = id.value, let key {
                if inOrder {
                    chargeID = text
                    idsSoFar.append((key, line))
                } else if let earlier = seen[key] {
                    fail("charge_id", "\"\(text)\" is already on line \(earlier); each charge appears once — remove the repeated row")
                } else {
                    seen[key] = line
                    chargeID = text
                }
            } else if id.ok {
                fail("charge_id", "is empty; copy the charge's id from the Coinbase or OpenRouter receipt")
            }

            var amount: Micros?
            let amountText = value(amountColumn)
            if amountText.isEmpty {
                fail("amount", "is empty; write the charge's amount in USD, e.g. 250 or 12.50")
            } else if amountText.utf8.first == UInt8(ascii: "+") {
                // As a plan's amount: a sign where none is written is a sign of a column mixed up.
                fail("amount", "\"\(amountText)\" has a sign; write the amount without +, e.g. 12.50")
            } else {
                let tooLarge = "\"\(amountText)\" is more than \(Micros.largestCharge.decimalText) USD, the largest charge this "
                    + "tool takes; check the amount"
                do {
                    let parsed = try Micros(parsingAmount: amountText, allowExponent: false)
                    if parsed <= .zero {
                        fail("amount", "\"\(amountText)\" is not more than 0; write the amount the charge asked for")
                    } else if parsed > .largestCharge {
                        fail("amount", tooLarge)
                    } else {
                        amount = parsed
                    }
                } catch .outOfRange {
                    // Past what any amount may be: the charge's own limit is what to say (probe
                    // 314: "at most 1000000000 USD", which no charge may reach).
                    fail("amount", tooLarge)
                } catch {
                    fail("amount", "\"\(amountText)\" \(error); write a plain decimal number of USD, e.g. 12.50")
                }
            }

            var walletOK = true
            var wallet: String?
            let walletText = value(walletColumn)
            if !walletText.isEmpty {
                wallet = PlanReader.wallet(walletText, line: line, errors: &errors)?.checksummed
                walletOK = wallet != nil
            }
            var chainOK = true
            var chainID: Int64?
            let chainText = value(chainColumn)
            if !chainText.isEmpty {
                chainID = PlanReader.chain(chainText, line: line, errors: &errors)?.rawValue
                chainOK = chainID != nil
            }

            /// `past`: the time of something that happened (made, paid), so not after now.
            func time(_ index: Int?, _ column: String, required: Bool, past: Bool) -> (Timestamp?, Bool) {
                let text = value(index)
                if text.isEmpty {
                    if required { fail(column, "is empty; give the time in ISO 8601, e.g. 2026-11-03T14:05:00Z") }
                    return (nil, !required)
                }
                do {
                    let parsed = try Timestamp(iso8601: text)
                    if let problem = past ? ImportedTime.problem(parsed, now: now) : nil {
                        fail(column, problem)
                        return (nil, false)
                    }
                    return (parsed, true)
                } catch {
                    fail(column, error.description)
                    return (nil, false)
                }
            }
            let (createdAt, _) = time(createdColumn, "created_at", required: true, past: true)
            let (expiresAt, expiresOK) = time(expiresColumn, "expires_at", required: false, past: false)
            let (paidAt, paidOK) = time(paidColumn, "paid_at", required: false, past: true)

            var statusOK = true
            var status: String?
            let statusCell = value(statusColumn)
            if !statusCell.isEmpty {
                status = Self.status(statusCell)
                if status == nil {
                    statusOK = false
                    fail("status", "\"\(statusCell)\" is not a status; use paid, expired or pending")
                }
            }
            if paidAt != nil, let status, status != "paid" {
                statusOK = false
                fail("paid_at", "is given but status is \(status); a charge with a payment time is paid — fix one of the two")
            }
            if let createdAt, let expiresAt, expiresAt < createdAt {
                fail("expires_at", "\(expiresAt.iso8601) is before created_at \(createdAt.iso8601); check the two times")
            }
            if let createdAt, let paidAt, paidAt < createdAt {
                fail("paid_at", "\(paidAt.iso8601) is before created_at \(createdAt.iso8601); check the two times")
            }
            if status == "expired", let expiresAt, now < expiresAt {
                // Final: recorded, no later row could say the charge was paid after all.
                statusOK = false
                fail("status", "is expired, but expires_at \(expiresAt.iso8601) is still to come (now \(now.iso8601)); a "
                    + "charge expires at its expires_at — write pending until then, or check the two cells")
            }
            let reference = PlanReader.reference(record.field(at: referenceColumn), line: line, errors: &errors)
            let memo = PlanReader.text(record.field(at: memoColumn), column: "memo", allowTab: true, line: line, errors: &errors)
            let account = PlanReader.name(record.field(at: accountColumn), column: "account", another: "account", line: line, errors: &errors)
            if let currency = StatedCurrency.problem(record.field(at: currencyColumn)) { fail(StatedCurrency.spec.name, currency) }

            guard let chargeID, let amount, let createdAt, walletOK, chainOK, expiresOK, paidOK, statusOK,
                  reference.ok, memo.ok, account.ok, errors.isEmpty  // after a problem nothing will be written
            else { continue }
            let charge = ChargeRecorded(
                chargeID: chargeID, amount: amount, wallet: wallet, chainID: chainID, createdAt: createdAt,
                expiresAt: expiresAt, reference: reference.value, topUpKey: nil,
                status: status ?? (paidAt != nil ? "paid" : nil), paidAt: paidAt, memo: memo.value,
                origin: originPrefix + String(line))
            let rowAccount = account.value ?? defaultAccount
            batch.append(Row(line: line, account: rowAccount, charge: charge))
            if batch.count == batchRows {
                guard try emit(batch) else { return }
                batch.removeAll(keepingCapacity: true)
            }
        }
        try errors.throwIfAny()
        if !batch.isEmpty { _ = try emit(batch) }
    }

    /// When a charge made at `createdAt` without an `expires_at` is taken to expire.
    static func assumedExpiry(_ createdAt: Timestamp) -> Timestamp {
        createdAt.adding(milliseconds: ReconcileOptions.assumedChargeLifetimeSeconds * 1000)
    }

    /// The status `cell` names (`paid`, `expired`, `pending`, in any case), in lower case,
    /// or `nil`.
    static func status(_ cell: String) -> String? {
        for known in ["paid", "expired", "pending"] where cell.utf8.count == known.utf8.count {
            // The known words are lower-case letters: `| 0x20` folds only letters onto them.
            if zip(cell.utf8, known.utf8).allSatisfy({ $0 | 0x20 == $1 }) { return known }
        }
        return nil
    }

    // MARK: - Write

    /// See `BatchImport.write(batches:finished:to:now:)`.
    func write(to ledger: Ledger, now: Timestamp, rows: (([Row]) throws -> Bool) throws -> Void) throws -> Summary {
        let file = displayName
        let account = defaultAccount
        var summary = try ledger.write { writer -> Summary in
            var result = Summary()
            var errors = ErrorCollector(file: file)
            var runID: Int64?
            // A ledger without charges has nothing to collide with. (The rows of one file
            // never collide with each other: validation refuses repeats.)
            let checkExisting = try writer.reader.hasCharges()
            let hasTopUps = try writer.reader.hasTopUps()
            // The accounts the ledger holds: a new label that looks like one of them (`Default`,
            // a full-width `ｄefault`), or like a new one an earlier row gave, would open a
            // second account, the charge out of the books read (probes 226, 239).
            var accounts = LookAlikeName.FileAccounts(held: try writer.reader.accounts())
            // The charges voided, by the id they had in lower case: a row repeating one (the
            // wrong file imported again) would record again what was voided (probe 171), and
            // so would one exported again with its id in capitals (probe 190).
            let voided = checkExisting ? Dictionary(grouping: try writer.reader.voidedCharges()) { charge in
                (ChargeVoided.parse(voidedID: charge.chargeID)?.chargeID ?? charge.chargeID).lowercased()
            } : [:]
            // The voiding entry of the record `row` repeats (the same id in any letter case,
            // amount, account and creation time, and all else it gives), if it repeats one:
            // the wrong file imported again is not recorded. A row that corrects what was
            // voided (another paid_at or wallet) is that charge's right record: it was passed
            // over as a repeat, the charge out of the books for good, exit 0 (probe 218).
            func repeatedVoid(_ row: Row) -> Int64? {
                voided[row.charge.chargeID.lowercased()]?.first { charge in
                    charge.amount == row.charge.amount && charge.account == row.account
                        && charge.createdAt == row.charge.createdAt.iso8601 && Self.repeatsWhatItGives(row, charge)
                }.map { ChargeVoided.parse(voidedID: $0.chargeID)?.seq ?? 0 }
            }
            // What the other-case check keeps between batches (`OtherCaseMemory`).
            var otherCase = OtherCaseMemory()
            let start = Fact.runStarted(RunStarted(command: "import charges"))
            try rows { batch in  // throws the file's own problems, which come first
                result.rows += batch.count
                var fresh = batch
                var statuses: [(fact: Fact, account: String)] = []
                // Charges in the ledger this batch records paid, which may make their row bought twice.
                var paying: [StoredCharge] = []
                var links: [(row: Row, stored: StoredCharge)] = []
                if checkExisting {
                    // A UUID is looked up as written, and in lower and upper case (`sameCharge`).
                    let stored = try writer.reader.charges(ids: batch.flatMap { Self.spellings(of: $0.charge.chargeID) })
                    if !stored.isEmpty {
                        let byID = Dictionary(stored.map { (Self.sameCharge($0.chargeID), $0) }, uniquingKeysWith: { first, _ in first })
                        fresh = []
                        for row in batch {
                            guard let existing = byID[Self.sameCharge(row.charge.chargeID)] else {
                                fresh.append(row)
                                continue
                            }
                            if existing.status == "void", let voided = ChargeVoided.parse(voidedID: existing.chargeID) {
                                errors.add(line: row.line, column: "charge_id",
                                           "\"\(row.charge.chargeID)\" is the id charge \(voided.chargeID) is kept under since entry "
                                            + "\(voided.seq) voided it, not a charge's id; give the charge's own id")
                                continue
                            }
                            // The wrong record again, after the right one took its id: passed over
                            // before it is compared with the right one, which refused it (65,
                            // advising to void the right one; probe 181), or took a `paid` from it
                            // back onto a charge recorded again as never paid, or refused the file
                            // for its other reference (probe 228).
                            if let entry = repeatedVoid(row) {
                                result.voidedAgain.append((row.charge.chargeID, entry))
                                continue
                            }
                            let linking = Self.givesItsRow(row, existing)
                            // A row naming the charge's plan row otherwise than by the charge's reference
                            // names the same: by the row's key (`row/…`, as `topup` printed it, for a
                            // charge `topup` created), or by the row's reference for a charge linked
                            // after it was recorded under one that named no row (which it keeps: the
                            // file that linked it, imported again).
                            var namesItsRow = false
                            if !linking, let key = existing.topUpKey, let reference = row.charge.reference, reference != existing.reference {
                                namesItsRow = try Self.topUp(named: reference, account: existing.account, reader: writer.reader)?.key == key
                            }
                            if let difference = Self.difference(row, existing, now: now, ignoringReference: linking || namesItsRow) {
                                errors.add(line: row.line, column: "charge_id",
                                           "\"\(row.charge.chargeID)\" is already in the ledger (\(existing.origin == "api" ? "created by topup" : "recorded earlier")) "
                                            + "with \(difference); recorded charges are never changed — make this row agree, or leave that value "
                                            + "empty (its status and paid_at are still recorded), or remove the row if the ledger is right"
                                            + (row.account == existing.account ? "" : "; a row's account is its account column's, "
                                                + "else --account's (\(defaultAccount)), never empty")
                                            + voidAdvice(existing))
                                continue
                            }
                            result.alreadyInLedger += 1
                            if linking { links.append((row, existing)) }
                            if let status = Self.newStatus(row, existing) {
                                statuses.append((.chargeStatusRecorded(status), existing.account))
                                if status.status == "paid", existing.status != "paid" { paying.append(existing) }
                            } else if !linking {
                                result.skipped += 1
                            }
                        }
                    }
                }
                try Self.countBoughtTwice(payingFor: paying, reader: writer.reader, into: &result)
                if !voided.isEmpty {
                    fresh = fresh.filter { row in
                        guard let entry = repeatedVoid(row) else { return true }
                        result.voidedAgain.append((row.charge.chargeID, entry))
                        return false
                    }
                }
                // An id the ledger holds in other letter case, of a charge of the same account
                // created at the same instant, is that charge exported again (a tool that writes
                // ids in capitals): recorded, it was a second purchase of it (probe 189). So is
                // one a line of the same batch of rows gives (probe 190).
                try refuseOtherCase(of: fresh, reader: writer.reader, storeHadCharges: checkExisting,
                                    memory: &otherCase, errors: &errors)
                for row in fresh {
                    guard let like = accounts.lookAlike(row.account) else { continue }
                    errors.add(line: row.line, column: "account",
                               LookAlikeName.accountCollision(row.account, looksLike: like.other, held: like.held))
                }
                // A receipt's id is ASCII: a new one with another character (`ｗeb-1`, `web‐1`) is a
                // copy gone wrong, and would be a second charge of what looks like the same one
                // (probe 90). One the ledger holds already is history, and its row is matched.
                for row in fresh where !row.charge.chargeID.utf8.allSatisfy({ $0 < 0x80 }) {
                    guard let other = row.charge.chargeID.unicodeScalars.first(where: { !$0.isASCII }) else { continue }
                    errors.add(line: row.line, column: "charge_id",
                               "\"\(TerminalText.printable(row.charge.chargeID))\" holds \(LookAlikeName.named(other)), and no charge "
                                + "in the ledger has that id; a charge id, as a receipt gives it, is ASCII letters, digits and "
                                + "punctuation: copy it again from the Coinbase or OpenRouter receipt")
                }
                // Nor a space: `web Y` was recorded as a charge of its own (probe 168), and a
                // voided charge is kept under an id with spaces (`ChargeVoided.voidedID`).
                for row in fresh where row.charge.chargeID.utf8.allSatisfy({ $0 < 0x80 }) && row.charge.chargeID.utf8.contains(0x20) {
                    errors.add(line: row.line, column: "charge_id",
                               "\"\(TerminalText.printable(row.charge.chargeID))\" holds a space, and no charge in the ledger has that "
                                + "id; a charge id, as a receipt gives it, is ASCII letters, digits and punctuation: copy it "
                                + "again from the Coinbase or OpenRouter receipt")
                }
                // A new charge without expires_at said expired: the books take it to live an
                // hour (the ledger's, when it holds the charge, was weighed in `difference`).
                for row in fresh where row.charge.status == "expired" && row.charge.expiresAt == nil
                    && now < Self.assumedExpiry(row.charge.createdAt) {
                    errors.add(line: row.line, column: "status",
                               "is expired, but a charge without expires_at is taken to live an hour, until "
                                + "\(Self.assumedExpiry(row.charge.createdAt).iso8601) (now \(now.iso8601)), as the report takes it — "
                                + "write pending until then, or give the charge's expires_at")
                }
                // After a conflict nothing more is written: the transaction will be rolled back.
                guard errors.isEmpty, !fresh.isEmpty || !statuses.isEmpty || !links.isEmpty else { return true }
                if runID == nil {
                    runID = try writer.append(start, account: account, runID: nil, at: now)
                }
                if !statuses.isEmpty {
                    try writer.append(contentsOf: statuses, runID: runID, at: now) { $0 }
                    result.statusRecorded += statuses.count
                }
                if !fresh.isEmpty || !links.isEmpty {
                    try write(fresh, links: links, hasTopUps: hasTopUps, runID: runID, into: &writer, now: now, summary: &result,
                              errors: &errors)
                }
                return true
            }
            try errors.throwIfAny()
            guard let runID else { return result }
            // The run as the command ends it: a plan row bought twice was recorded `ok`, exit 0,
            // though the command exits 1 (probe 182).
            let status = result.exitStatus, twice = result.secondPurchasesPaid
            try writer.append(.runFinished(RunFinished(
                runID: runID, outcome: status == .ok ? "ok" : "attention", exitCode: Int64(status.rawValue),
                summary: "recorded \(result.inserted) charge\(result.inserted == 1 ? "" : "s") from \(file), "
                    + "\(result.linked.count) linked to plan rows, "
                    + "the status of \(result.statusRecorded) already in the ledger"
                    + (twice == 0 ? "" : "; \(twice) paid for a plan row that had its charge already"))),
                account: account, runID: runID, at: now)
            result.runID = runID
            return result
        }
        summary.headHash = try ledger.headHash()
        return summary
    }

    /// Appends `fresh` (charges not in the ledger), and links `links` (charges in the ledger
    /// given their plan row's reference), in the order of their lines: the first row naming
    /// a plan row resolves it, whichever of the two it is. A `reference` naming a plan row of
    /// the same account that has no charge yet links the charge to it, when the charge is that
    /// row's purchase (its amount, and its wallet and chain where given); otherwise the row
    /// is a problem in `errors`, since linking would mark a purchase done that never was.
    private func write(
        _ fresh: [Row], links: [(row: Row, stored: StoredCharge)], hasTopUps: Bool, runID: Int64?,
        into writer: inout LedgerWriter, now: Timestamp, summary: inout Summary, errors: inout ErrorCollector
    ) throws {
        summary.inserted += fresh.count
        // The plan rows this file resolves, with the line and charge that do.
        var resolved: [String: (line: Int, chargeID: String)] = [:]
        guard hasTopUps else {
            for (row, stored) in links {  // refused: there is no plan row to name
                try link(row, to: stored, runID: runID, into: &writer, now: now, resolved: &resolved, summary: &summary,
                         errors: &errors)
            }
            // No plan row to link: every charge goes in as the file gives it, but a row's key
            // mistyped (there is no row at all to name).
            for row in fresh {
                if let reference = row.charge.reference, TopUpKey.hasKeyShape(reference) {
                    Self.refuseMistypedKey(reference, row: row, keyOf: nil, errors: &errors)
                }
                if row.charge.reference != nil { summary.unlinkedReferences += 1 }
                summary.recorded(row.charge)
            }
            guard errors.isEmpty else { return }  // the transaction will be rolled back
            try writer.append(contentsOf: fresh, runID: runID, at: now) { (.chargeRecorded($0.charge), $0.account) }
            return
        }
        var facts: [(fact: Fact, account: String)] = []
        facts.reserveCapacity(fresh.count)
        var nextLink = links.startIndex
        // The plan rows by what their references look like, read once a reference names no
        // row of its own account.
        var rowsByLook: [String: [StoredTopUp]]?
        func otherAccountsRow(named reference: String, besides account: String) throws -> StoredTopUp? {
            if rowsByLook == nil {
                rowsByLook = Dictionary(grouping: try writer.reader.allTopUps().filter { $0.reference != nil }) {
                    LookAlikeName.skeleton($0.reference ?? "")
                }
            }
            // The same reference, or one that looks the same (`t2-01`, `T2‐01` with another
            // dash, for `T2-01`): as plan check refuses look-alike references (probe 148).
            let candidates = (rowsByLook?[LookAlikeName.skeleton(reference)] ?? []).filter { $0.account != account }
            return candidates.first { $0.reference == reference } ?? candidates.first
        }
        // A plan row of the charge's own account whose reference looks like this one but is
        // other text (`p-case` for `P-CASE`): taken as naming no row, it left the row unbought
        // (probe 240). Read after `otherAccountsRow`, which loads the rows.
        func ownAccountsRow(lookingLike reference: String, account: String) -> StoredTopUp? {
            (rowsByLook?[LookAlikeName.skeleton(reference)] ?? []).first { row in
                row.account == account && row.reference.map { $0 != reference && LookAlikeName.lookAlike(reference, $0) } == true
            }
        }
        // The plan row whose key (`ref/ACCOUNT/REFERENCE`, as `topup` prints it) this reference
        // is, of another account, or looks like but is not, byte for byte: another letter case,
        // look-alike characters, its slashes escaped or fullwidth (probes 292, 295: recorded as no
        // row's purchase, exit 0, the row left to be bought again). Read after `otherAccountsRow`.
        func planRow(lookingLikeKeyOf reference: String) -> StoredTopUp? {
            func alike(_ one: String, _ other: String) -> Bool {
                one == other || (LookAlikeName.skeleton(one) == LookAlikeName.skeleton(other) && LookAlikeName.lookAlike(one, other))
            }
            // A reference that does not begin as a key would is passed over whole (most of an
            // export's), then the others split at the first two characters that read as a slash
            // (`/`, `／`, `∕`…).
            let text = reference.removingPercentEncoding ?? reference
            guard LookAlikeName.skeleton(text).hasPrefix(Self.keyPrefixLook) else { return nil }
            var parts = [""]
            for character in text {
                if parts.count < 3, LookAlikeName.skeleton(String(character)) == Self.slashLook {
                    parts.append("")
                } else {
                    parts[parts.count - 1].append(character)
                }
            }
            guard parts.count == 3, alike(parts[0], String(TopUpKey.referencedPrefix.dropLast())) else { return nil }
            return (rowsByLook?[LookAlikeName.skeleton(parts[2])] ?? []).first { row in
                alike(parts[1], row.account) && row.reference.map { alike(parts[2], $0) } == true
            }
        }
        // The links of lines before `line`, after the new charges before them.
        func linkUntil(_ line: Int) throws {
            while nextLink < links.endIndex, links[nextLink].row.line < line {
                try writer.append(contentsOf: facts, runID: runID, at: now) { $0 }
                facts.removeAll(keepingCapacity: true)
                try link(links[nextLink].row, to: links[nextLink].stored, runID: runID, into: &writer, now: now,
                         resolved: &resolved, summary: &summary, errors: &errors)
                nextLink += 1
            }
        }
        for row in fresh {
            try linkUntil(row.line)
            var charge = row.charge
            var secondPurchase = false
            if let reference = charge.reference,
               let topUp = try Self.topUp(named: reference, account: row.account, reader: writer.reader)
            {
                // A charge naming a plan row must be that row's purchase, whether it resolves
                // the row or the row already has its charge (a second purchase of it, which the
                // report warns of once both are paid): another amount, wallet or chain under the
                // row's reference is a mistake in the file, not a purchase to count.
                if let mismatch = Self.mismatch(reference, topUp, amount: charge.amount, wallet: charge.wallet, chainID: charge.chainID,
                                                allowOtherAmount: allowOtherAmount) {
                    errors.add(line: row.line, column: "reference", mismatch)
                    continue
                }
                // Link only rows with no charge yet: a created or recorded row keeps its own.
                if Self.chargeless.contains(topUp.state) {
                    charge.topUpKey = topUp.key
                    resolved[topUp.key] = (row.line, charge.chargeID)
                    summary.linked.append((reference, topUp.key))
                    if charge.amount != topUp.amount {
                        summary.otherAmounts.append((reference, charge.chargeID, topUp.amount, charge.amount))
                    }
                    // Written before the next row looks its reference up: two rows may name the same plan row.
                    try writer.append(contentsOf: facts, runID: runID, at: now) { $0 }
                    facts.removeAll(keepingCapacity: true)
                    try writer.append(.chargeRecorded(charge), account: row.account, runID: runID, at: now)
                    summary.recorded(charge)
                    continue
                }
                // The row has its charge already: this one is another purchase of it.
                let rowStatus = try topUp.chargeID.flatMap({ try writer.reader.charge(id: $0) })?.status
                let boughtTwice = charge.status == "paid" && rowStatus != "expired"
                summary.secondPurchases.append((reference, charge.chargeID, topUp.chargeID, boughtTwice, rowStatus == "paid"))
                if boughtTwice { summary.secondPurchasesPaid += 1 }
                secondPurchase = true
            }
            if !secondPurchase, let reference = charge.reference, TopUpKey.hasKeyShape(reference) {
                // The key exactly, of another account's row: the charge's account mistyped,
                // said as the `ref/…` form's is (probe 428: "copy the key exactly", which it was).
                Self.refuseMistypedKey(reference, row: row, keyOf: try writer.reader.topUp(key: reference), errors: &errors)
                continue
            }
            // Another account's plan row under this reference: most likely the row's purchase
            // recorded under the wrong account, which left that row waiting to be bought again.
            if !secondPurchase, let reference = charge.reference,
               let other = try otherAccountsRow(named: reference, besides: row.account) {
                let named = other.reference.map { $0 == reference ? "" : " whose reference \"\($0)\" looks the same" } ?? ""
                errors.add(line: row.line, column: "reference",
                           "\"\(reference)\" names no plan row of account \"\(row.account)\", but a plan row of account "
                            + "\"\(other.account)\"\(named) (\(other.planFile) line \(other.planLine), \(other.state)); if this "
                            + "charge bought it, give the charge account \"\(other.account)\" and the row's reference as it is, "
                            + "and if it is another purchase, another reference")
                continue
            }
            if !secondPurchase, let reference = charge.reference, let keyed = planRow(lookingLikeKeyOf: reference) {
                let shape: String = "\"\(reference)\" has the shape of a plan row's key (\(TopUpKey.referencedPrefix)ACCOUNT/REFERENCE)"
                let named: String = "the \(keyed.state) plan row \(keyed.planFile) line \(keyed.planLine)"
                let its: String = keyed.reference ?? ""
                var said: String
                if keyed.account == row.account {
                    said = "\(shape) and looks like the key \(keyed.key) of \(named), but is other text; give the row's reference, "
                    said += "\(its), or its key exactly as `topup` printed it"
                } else {
                    let how = reference == keyed.key ? "is" : "looks like"
                    said = "\(shape) and \(how) the key \(keyed.key) of \(named) of account \"\(keyed.account)\", not of account "
                    said += "\"\(row.account)\"; if this charge bought it, give the charge account \"\(keyed.account)\" and the "
                    said += "row's reference, \(its), and if it is another purchase, another reference"
                }
                errors.add(line: row.line, column: "reference", TerminalText.printable(said))
                continue
            }
            if !secondPurchase, let reference = charge.reference, let own = ownAccountsRow(lookingLike: reference, account: row.account) {
                errors.add(line: row.line, column: "reference", LookAlikeName.chargeReference(
                    reference, looksLike: own.reference ?? "", of: "the \(own.state) plan row \(own.planFile) line \(own.planLine)"))
                continue
            }
            if let reference = charge.reference {
                summary.unlinkedReferences += 1
                if !secondPurchase { summary.namingNoRow(reference, charge.chargeID) }
            }
            facts.append((.chargeRecorded(charge), row.account))
            summary.recorded(charge)
        }
        try linkUntil(.max)
        try writer.append(contentsOf: facts, runID: runID, at: now) { $0 }
    }

    /// What a slash looks like (`LookAlikeName.skeleton`), which its look-alikes share.
    static let slashLook = LookAlikeName.skeleton("/")
    /// What the beginning of a referenced row's key (`ref/`) looks like.
    static let keyPrefixLook = LookAlikeName.skeleton(TopUpKey.referencedPrefix)

    /// The states of a plan row without its charge, which a charge naming it resolves.
    static let chargeless: Set<String> = ["blocked", "unknown", "rejected", "planned", "requesting"]

    /// Why a charge of `amount` (from `wallet`, on `chainID`, where given) naming `topUp` by
    /// `reference` is not that row's purchase, in words; `nil` when it is.
    ///
    /// Another amount alone, from the row's wallet on its chain (both given), is the row's
    /// purchase paid for less or more than planned when `allowOtherAmount`; without it, the
    /// refusal says so. The advice was "fix the row", which a plan row's reference forbids,
    /// and following it the row was bought twice (probe 240).
    private static func mismatch(
        _ reference: String, _ topUp: StoredTopUp, amount: Micros, wallet: String?, chainID: Int64?, allowOtherAmount: Bool
    ) -> String? {
        var differs: [String] = []
        let otherAmount = amount != topUp.amount
        if otherAmount { differs.append("\(amount.decimalText) USD, not \(topUp.amount.decimalText)") }
        if let wallet, wallet != topUp.wallet { differs.append("from \(wallet), not \(topUp.wallet)") }
        if let chainID, chainID != topUp.chainID {
            differs.append("on \(Chain.label(for: chainID)), not \(Chain.label(for: topUp.chainID))")
        }
        let sameWalletAndChain = wallet == topUp.wallet && chainID == topUp.chainID
        // Only a row without its charge is settled for another amount (a row with one takes
        // no other, probe 242), and only for a payment of less or more than planned, within
        // a tenth of it: 900000 for a row of 60 is a typo, not that.
        let settles = chargeless.contains(topUp.state)
        let withinATenth = (amount - topUp.amount).raw.magnitude * 10 <= topUp.amount.raw.magnitude
        if differs.isEmpty || (otherAmount && differs.count == 1 && sameWalletAndChain && allowOtherAmount && settles && withinATenth) {
            return nil
        }
        let said = "\"\(reference)\" names the \(topUp.state) top-up of \(topUp.amount.decimalText) USD from \(topUp.wallet) "
            + "on \(Chain.label(for: topUp.chainID)) (\(topUp.planFile):\(topUp.planLine)), but this charge is "
            + differs.joined(separator: ", ") + "; a charge carries a plan row's reference only when it is that row's purchase"
        let notIt = "if it is not, leave its reference empty (it is recorded as a purchase of no plan row)"
        guard otherAmount, differs.count == 1, settles, withinATenth else {
            let amountAlone = otherAmount && differs.count == 1
            let why = amountAlone && !settles ? " The row has its charge already (\(topUp.chargeID ?? "")): another amount "
                    + "does not settle it again"
                : amountAlone ? " --allow-other-amount settles a row for a payment within a tenth of what was planned; "
                    + "this one is further from it" : ""
            return said + ": " + notIt + "." + why + (why.isEmpty ? "" : ".") + " A row stays as planned: a reference names "
                + "one top-up for good"
        }
        if sameWalletAndChain {
            return said + ". If it is, paid for another amount than planned, import the file with --allow-other-amount: "
                + "the row then reads as bought for what was paid; " + notIt
        }
        return said + ". If it is, paid for another amount than planned, give the charge's wallet and chain_id (the row's: "
            + "\(topUp.wallet), \(Chain.label(for: topUp.chainID))) and import the file with --allow-other-amount; " + notIt
    }

    /// Whether `row` gives another reference to `stored`, a charge recorded from an export
    /// without a plan row: to link it to the row it carries out (`link`, which also asks that
    /// the reference it has, if any, names no plan row).
    static func givesItsRow(_ row: Row, _ stored: StoredCharge) -> Bool {
        guard let reference = row.charge.reference else { return false }
        return stored.origin == "import" && stored.topUpKey == nil && stored.reference != reference
    }

    /// Links `stored`, a charge already in the ledger recorded without a plan row (without a
    /// reference, or with one naming no plan row: a typo), to the plan row `row` now names
    /// (`charge.linked`), as a new charge naming the row would be: the charge must be that
    /// row's purchase, and the row without its charge. Otherwise the row is a problem in
    /// `errors`: a reference given later resolves a plan row or is refused, never kept as a
    /// note, and one naming a plan row (a second purchase of it) is never replaced.
    ///
    /// `resolved`: the plan rows this file resolved so far, by key, with the line and charge
    /// that did.
    private func link(
        _ row: Row, to stored: StoredCharge, runID: Int64?, into writer: inout LedgerWriter, now: Timestamp,
        resolved: inout [String: (line: Int, chargeID: String)], summary: inout Summary, errors: inout ErrorCollector
    ) throws {
        guard let reference = row.charge.reference else { return }
        let kept = stored.reference.map { "with reference \"\($0)\", which names no plan row" } ?? "without a reference"
        if let old = stored.reference, let its = try Self.topUp(named: old, account: stored.account, reader: writer.reader) {
            errors.add(line: row.line, column: "charge_id",
                       "\"\(stored.chargeID)\" is already in the ledger (recorded earlier) with reference \(old) (this row: "
                        + "\(reference)), a second purchase of the \(its.state) top-up \(its.planFile):\(its.planLine); recorded "
                        + "charges are never changed — make this row agree, or leave that value empty")
            return
        }
        guard let topUp = try Self.topUp(named: reference, account: stored.account, reader: writer.reader) else {
            errors.add(line: row.line, column: "reference",
                       "\"\(reference)\" names no plan row of account \"\(stored.account)\", and charge \"\(stored.chargeID)\" is "
                        + "already in the ledger \(kept): a reference is given to a recorded charge only to link "
                        + "it to the plan row it bought (blocked, unknown, rejected or never sent) — give that row's reference "
                        + "(for a row without one, its key as `topup` printed it), or leave the reference \(stored.reference == nil ? "empty" : "as it was")"
                        // As the other fields' refusal does: a wrong reference is a mistake `void`
                        // corrects (probe 228: the refusal never named it).
                        + voidAdvice(stored))
            return
        }
        if let mismatch = Self.mismatch(reference, topUp, amount: stored.amount, wallet: stored.wallet, chainID: stored.chainID,
                                        allowOtherAmount: allowOtherAmount) {
            errors.add(line: row.line, column: "reference", mismatch)
            return
        }
        guard Self.chargeless.contains(topUp.state) else {
            let has = resolved[topUp.key].map { "which line \($0.line) of this file resolves (charge \(TerminalText.printable($0.chargeID)))" }
                ?? "which has its charge \(TerminalText.printable(topUp.chargeID ?? "")) already"
            errors.add(line: row.line, column: "reference",
                       "\"\(reference)\" names the \(resolved[topUp.key] == nil ? topUp.state + " " : "")top-up of "
                        + "\(topUp.planFile):\(topUp.planLine), \(has); charge \"\(stored.chargeID)\", in the ledger "
                        + "\(kept), would be a second purchase of it — leave the reference \(stored.reference == nil ? "empty" : "as it was") "
                        + "(the report counts the charge as a purchase of no plan row)")
            return
        }
        // Written before the next row looks its reference up: two rows may name the same plan row.
        try writer.append(.chargeLinked(ChargeLinked(chargeID: stored.chargeID, reference: reference, topUpKey: topUp.key,
                                                     origin: row.charge.origin)),
                          account: stored.account, runID: runID, at: now)
        summary.linked.append((reference, topUp.key))
        summary.linkedExisting += 1
        if stored.amount != topUp.amount { summary.otherAmounts.append((reference, stored.chargeID, topUp.amount, stored.amount)) }
        resolved[topUp.key] = (row.line, stored.chargeID)
    }

    /// A reference shaped as a plan row's key that names no such row: a plan never holds one
    /// (`plan check` refuses it), so it is a row's key mistyped, and recorded unlinked it
    /// could never resolve the row.
    /// `keyOf`: the row whose key it is exactly, of another account.
    private static func refuseMistypedKey(_ reference: String, row: Row, keyOf other: StoredTopUp?, errors: inout ErrorCollector) {
        if let other, other.account != row.account {
            errors.add(line: row.line, column: "reference", TerminalText.printable(
                "\"\(reference)\" is the key of the \(other.state) plan row \(other.planFile) line \(other.planLine) of account "
                    + "\"\(other.account)\", not of account \"\(row.account)\"; if this charge bought it, give the charge account "
                    + "\"\(other.account)\" and the key as it is, and if it is another purchase, leave the reference empty"))
            return
        }
        errors.add(line: row.line, column: "reference",
                   "\"\(reference)\" has the shape of a plan row's key (\(TopUpKey.unreferencedPrefix)…) but names no row "
                    + "without a reference of account \"\(row.account)\"; copy the key exactly as `topup` printed it "
                    + "(the wallet in its mixed case), or leave the reference empty")
    }

    /// The plan row `reference` names in `account`: the row with that reference, or a row
    /// named by its key as `topup` prints it: `row/ACCOUNT/BATCH/…` for a row without a
    /// reference, which has no other name to be resolved by, and `ref/ACCOUNT/REFERENCE` for
    /// one with (probe 280: copied from `resolves top-up ref/default/…`, it named no row,
    /// and a second purchase of the row passed with exit 0).
    static func topUp(named reference: String, account: String, reader: LedgerReader) throws -> StoredTopUp? {
        if let topUp = try reader.topUp(account: account, reference: reference) { return topUp }
        if reference.hasPrefix(TopUpKey.referencedPrefix), let topUp = try reader.topUp(key: reference), topUp.reference != nil,
           topUp.account == account {
            return topUp
        }
        guard reference.hasPrefix(TopUpKey.unreferencedPrefix), let topUp = try reader.topUp(key: reference),
              topUp.reference == nil, topUp.account == account
        else { return nil }
        return topUp
    }

    /// What a charge id is compared by: the id, or, for one shaped as a UUID (the API's
    /// charge ids), its lower-case form, since a UUID in other letter case is the same UUID
    /// (an export that writes it in capitals speaks of the API's charge, not a new one).
    static func sameCharge(_ id: String) -> String {
        isUUID(id) ? id.lowercased() : id
    }

    /// What `refuseOtherCase` keeps between the batches of one import.
    struct OtherCaseMemory {
        /// The instants (milliseconds) of the rows of earlier batches, while the ledger had no
        /// charges before this import: the store is asked about those alone.
        var earlierInstants: Set<Int64> = []
        /// By account and instant (as the ledger writes it), the ids of the charges there, by
        /// id in lower case, for each instant the store was asked about and found charges at,
        /// every later batch's rows at it added: the store is asked about an instant at most
        /// twice (300,000 rows of one instant read all the ledger's charges at it again for
        /// every batch, an import that never ended; probe 409).
        var charges: [[String]: [String: [String]]] = [:]
    }

    /// Adds a problem for each of `fresh` (rows whose id the ledger does not hold, in the
    /// order of their lines) whose id differs only in ASCII letter case from a charge of the
    /// same account created at the same instant: one the ledger holds (an earlier batch's
    /// row among them: the batches are written in one transaction), or an earlier line of
    /// `fresh`. A UUID is never among them: it matches in any case already. The store is
    /// asked about every instant of `fresh` when it had charges before this import
    /// (`storeHadCharges`), else only about those of `memory.earlierInstants`, the instants
    /// of the earlier batches, which this adds `fresh`'s to; an instant `memory.charges`
    /// holds is not asked about again, and `fresh`'s rows at it are added to it.
    private func refuseOtherCase(
        of fresh: [Row], reader: LedgerReader, storeHadCharges: Bool, memory: inout OtherCaseMemory,
        errors: inout ErrorCollector
    ) throws {
        // Every row of every batch passes here: compared by the instant's milliseconds, and
        // by their ids only where two rows share an instant (the ids folded only then).
        // The ledger's charges by account and instant, then by their ids folded: a row is
        // looked up, not compared with every charge of its instant (20,000 rows of one
        // instant took 70 s so).
        let candidates = fresh.indices.filter { !Self.isUUID(fresh[$0].charge.chargeID) }
        var accounts: Set<String> = [], instants: Set<Timestamp> = []
        for index in candidates {
            let instant = fresh[index].charge.createdAt
            // Inserted after this batch's own rows are asked about: they are not written yet.
            if storeHadCharges || memory.earlierInstants.contains(instant.millisecondsSinceEpoch),
               memory.charges[[fresh[index].account, instant.iso8601]] == nil {
                accounts.insert(fresh[index].account)
                instants.insert(instant)
            }
        }
        if !storeHadCharges {
            memory.earlierInstants.formUnion(candidates.lazy.map { fresh[$0].charge.createdAt.millisecondsSinceEpoch })
        }
        if !instants.isEmpty {
            var found: [[String]: [String: [String]]] = [:]
            for charge in try reader.charges(accounts: Array(accounts), createdAt: Array(instants)) {
                found[[charge.account, charge.createdAt], default: [:]][charge.chargeID.lowercased(), default: []].append(charge.chargeID)
            }
            // Not an instant kept already, which the accounts asked about with others' instants may find.
            memory.charges.merge(found) { kept, _ in kept }
        }
        // Instants known before this batch: asked now, or kept from an earlier batch.
        let known = !memory.charges.isEmpty
        var firstAt: [Int64: Int] = [:]
        firstAt.reserveCapacity(fresh.count)
        /// Where two rows share an instant: its rows by account and folded id.
        var foldedAt: [Int64: [String: [Int]]] = [:]
        func folded(_ index: Int) -> String { fresh[index].account + "\u{0}" + fresh[index].charge.chargeID.lowercased() }
        // By index, each row's fields read in place: a copy of every row cost its strings'
        // retains on the import's write path.
        /// The same charge twice in this file: `id` on `line` after `other` on an earlier one.
        func twice(_ id: String, after other: String, line: String, at instant: String) -> String {
            "\"\(TerminalText.printable(id))\" differs only in letter case from \(TerminalText.printable(other)) on \(line), a charge "
                + "of the same account created at the same instant (\(instant)): the same charge twice, which would be "
                + "recorded twice; keep one of the two lines"
        }
        for index in candidates {
            if !known {
                let instant = fresh[index].charge.createdAt.millisecondsSinceEpoch
                if firstAt[instant] == nil {
                    firstAt[instant] = index
                    continue
                }
            }
            let row = fresh[index]
            let id = row.charge.chargeID
            let createdAt = row.charge.createdAt.iso8601
            if known, let same = memory.charges[[row.account, createdAt]]?[id.lowercased()]?.first(where: { $0 != id }) {
                // Into a ledger without charges, it is an earlier batch's line: said so (probe 224:
                // "which the ledger holds", of an empty ledger).
                errors.add(line: row.line, column: "charge_id", storeHadCharges
                    ? "\"\(TerminalText.printable(id))\" differs only in letter case from charge \(same), which the ledger "
                        + "holds for account \"\(row.account)\" created at the same instant (\(createdAt)), recorded before or "
                        + "from an earlier line of this file: a charge id is matched byte for byte, so the row would record that "
                        + "charge a second time; write its id as \(same) (the row then adds a status or paid_at the ledger "
                        + "lacks, if it gives one, and nothing else)"
                    : twice(id, after: same, line: "an earlier line of this file", at: createdAt))
                continue
            }
            let instant = row.charge.createdAt.millisecondsSinceEpoch
            guard let first = firstAt[instant] else {
                firstAt[instant] = index
                continue
            }
            if foldedAt[instant] == nil { foldedAt[instant] = [folded(first): [first]] }
            let key = folded(index)
            guard let earlier = foldedAt[instant]?[key]?.first(where: { fresh[$0].charge.chargeID != id }) else {
                foldedAt[instant]![key, default: []].append(index)
                continue
            }
            errors.add(line: row.line, column: "charge_id", twice(
                id, after: fresh[earlier].charge.chargeID, line: "line \(fresh[earlier].line)", at: createdAt))
        }
        // This batch's rows, written next, at the instants kept.
        guard known else { return }
        for index in candidates {
            let row = fresh[index]
            let key = [row.account, row.charge.createdAt.iso8601]
            if memory.charges[key] != nil { memory.charges[key]![row.charge.chargeID.lowercased(), default: []].append(row.charge.chargeID) }
        }
    }

    /// The refusal's advice when the ledger's record of `stored` may be the wrong one: the
    /// `void` command that takes it out of the books, for a charge recorded from an export
    /// that carries out no plan row (only those are voided); "" for another.
    private func voidAdvice(_ stored: StoredCharge) -> String {
        guard stored.origin == "import", stored.topUpKey == nil else { return "" }
        return "; if the ledger is wrong, `credit-recon " + (stored.account == defaultAccount ? "" : "--account \(stored.account) ")
            + "void \(stored.chargeID) --reason TEXT` takes its record out of the books, and this row is recorded then"
    }

    /// Whether `row` gives the voided record `voided`'s wallet, chain, expiry, payment time
    /// and reference wherever it gives one, and not a status other than paid for a record
    /// that had a payment time (its status and memo are not kept: the void replaced them).
    static func repeatsWhatItGives(_ row: Row, _ voided: StoredCharge) -> Bool {
        let charge = row.charge
        func same(_ mine: String?, _ theirs: String?) -> Bool { mine == nil || mine == theirs }
        // Not paid, of a record that gave a payment time: the fix of "a charge that was never
        // paid" (probe 226: passed over as a repeat, the charge in no report at all).
        if let status = charge.status, status != "paid", voided.paidAt != nil { return false }
        return same(charge.wallet, voided.wallet) && same(charge.chainID.map(String.init), voided.chainID.map(String.init))
            && same(charge.expiresAt?.iso8601, voided.expiresAt) && same(charge.paidAt?.iso8601, voided.paidAt)
            && same(charge.reference, voided.reference)
    }

    /// The spellings of `id` the ledger may hold for the same charge: itself, and for a
    /// UUID its lower- and upper-case forms.
    static func spellings(of id: String) -> [String] {
        guard isUUID(id) else { return [id] }
        return Array(Set([id, id.lowercased(), id.uppercased()]))
    }

    /// `8-4-4-4-12` hexadecimal digits, in any case.
    static func isUUID(_ id: String) -> Bool {
        guard id.utf8.count == 36 else { return false }
        for (index, byte) in id.utf8.enumerated() {
            let isHex = (0x30...0x39).contains(byte) || (0x41...0x46).contains(byte) || (0x61...0x66).contains(byte)
            guard [8, 13, 18, 23].contains(index) ? byte == UInt8(ascii: "-") : isHex else { return false }
        }
        return true
    }

    /// A charge already in the ledger, now recorded paid, that makes its plan row bought
    /// twice as far as the ledger knows: another purchase of a row whose own charge is not
    /// known to have expired, or the row's own charge while another purchase of it is paid.
    /// Counted for the exit code as a new charge is (probe 267, 271: a second purchase
    /// recorded pending, then paid, exited 0 without a word).
    /// The rows' own charges are looked up together, per account: the charges have no index
    /// by reference.
    static func countBoughtTwice(payingFor charges: [StoredCharge], reader: LedgerReader, into summary: inout Summary) throws {
        var rowCharges: [String: [(charge: StoredCharge, reference: String)]] = [:]
        for charge in charges {
            if charge.topUpKey == nil, let reference = charge.reference,
               let row = try topUp(named: reference, account: charge.account, reader: reader),
               let rowCharge = row.chargeID, rowCharge != charge.chargeID, case let rowStatus = try reader.charge(id: rowCharge)?.status,
               rowStatus != "expired" {
                summary.secondPurchases.append((reference, charge.chargeID, rowCharge, true, rowStatus == "paid"))
                summary.secondPurchasesPaid += 1
            } else if let key = charge.topUpKey, let reference = try reader.topUp(key: key)?.reference {
                rowCharges[charge.account, default: []].append((charge, reference))
            }
        }
        for (account, paid) in rowCharges.sorted(by: { $0.key < $1.key }) {
            let others = try reader.unlinkedCharges(account: account, references: paid.map(\.reference))
                .filter { $0.status == "paid" }
            for (charge, reference) in paid {
                guard let other = others.first(where: { $0.reference == reference && $0.chargeID != charge.chargeID }) else { continue }
                summary.paidWithAnother.append((reference, charge.chargeID, other.chargeID))
                summary.secondPurchasesPaid += 1
            }
        }
    }

    /// The status `row` adds to a charge already in the ledger (one `topup` created through
    /// the API has none; a recorded one may be `pending`), or its payment time, or `nil` when
    /// it adds nothing. (`difference` has refused a row contradicting a final status kept.)
    static func newStatus(_ row: Row, _ stored: StoredCharge) -> ChargeStatusRecorded? {
        let charge = row.charge
        guard let status = charge.status else { return nil }
        // An older export's `pending` says less than a final status kept: nothing to add; so
        // does its `expired` of a charge paid after it expired.
        if status == "pending", let kept = stored.status, kept != "pending" { return nil }
        if saidBeforeItsLatePayment(status, stored) { return nil }
        guard status != stored.status || (charge.paidAt != nil && stored.paidAt == nil) else { return nil }
        return ChargeStatusRecorded(chargeID: stored.chargeID, status: status, paidAt: charge.paidAt, origin: charge.origin)
    }

    /// Whether a row's `status` is `expired` for a charge kept as paid after its expiry (its
    /// `expires_at`, or an hour after its creation): an export written between the two.
    static func saidBeforeItsLatePayment(_ status: String, _ stored: StoredCharge) -> Bool {
        guard status == "expired", stored.status == "paid", let paidAt = stored.paidAt.flatMap({ try? Timestamp(iso8601: $0) }),
              let expiry = stored.expiresAt.flatMap({ try? Timestamp(iso8601: $0) })
                ?? (try? Timestamp(iso8601: stored.createdAt)).map(assumedExpiry)
        else { return false }
        return paidAt >= expiry
    }

    /// How `row` differs from the stored charge, in words, or `nil` when it says the same
    /// (`now`: the import's time, before which a charge kept with a later `expires_at`
    /// cannot have expired).
    ///
    /// `ignoringReference`: the row gives a reference to a charge recorded without a plan row
    /// (`link` decides whether it may have it), or names the plan row the charge has.
    static func difference(_ row: Row, _ stored: StoredCharge, now: Timestamp, ignoringReference: Bool) -> String? {
        let charge = row.charge
        var differences: [String] = []
        func compare(_ name: String, _ mine: String?, _ theirs: String?) {
            guard mine != theirs else { return }
            // A report's charges.csv holds the import's columns, with text a spreadsheet would
            // run as a formula guarded (probe 459: re-imported, each such memo read as changed).
            let guardOnly = theirs.map(CSVWriter.guarded) == mine
            differences.append("\(name) \(theirs ?? "(none)") (this row: \(mine ?? "(none)")"
                + (guardOnly ? ", with the ' a report's charges.csv writes before text a spreadsheet would read as a formula: "
                    + "a report is not a file to import; import the charge's own export, or leave \(name) empty)" : ")"))
        }
        compare("amount", charge.amount.decimalText, stored.amount.decimalText)
        compare("account", row.account, stored.account)
        // What the row gives is compared; what it leaves out says less (a later Coinbase
        // export never carries the memo finance typed): the row's payment is still recorded.
        func compareGiven(_ name: String, _ mine: String?, _ theirs: String?) {
            if mine != nil { compare(name, mine, theirs) }
        }
        compareGiven("wallet", charge.wallet, stored.wallet)
        compareGiven("chain_id", charge.chainID.map(String.init), stored.chainID.map(String.init))
        if !ignoringReference { compareGiven("reference", charge.reference, stored.reference) }
        if stored.origin == "api" {
            // The API's own record: only what the export can contradict. An export's times
            // may be written coarser than the API's milliseconds (to the second or the
            // minute): within a minute they are the same time.
            func compareTime(_ name: String, _ mine: Timestamp?, _ theirs: String?) {
                guard let mine, let theirs, let kept = try? Timestamp(iso8601: theirs),
                      abs(mine.millisecondsSinceEpoch - kept.millisecondsSinceEpoch) >= 60_000
                else { return }
                differences.append("\(name) \(theirs) (this row: \(mine.iso8601))")
            }
            compareTime("created_at", charge.createdAt, stored.createdAt)
            compareTime("expires_at", charge.expiresAt, stored.expiresAt)
        } else {
            compare("created_at", charge.createdAt.iso8601, stored.createdAt)
            compareGiven("expires_at", charge.expiresAt?.iso8601, stored.expiresAt)
            compareGiven("memo", charge.memo, stored.memo)
        }
        // A row without a status, or `pending`, says less than a status kept (an older export
        // of the same charge, re-imported after a later one): not a contradiction.
        if let status = charge.status, status != "pending" || stored.status == nil || stored.status == "pending" {
            // Until a final status (paid, expired) is kept, a row may give one (`newStatus`);
            // then only the payment time of a charge kept as paid without one, and `paid` for
            // one kept as expired: a payment made after the charge expired (Coinbase resolves a
            // delayed payment), or an expiry recorded by mistake; counted as bought, it is not
            // bought again. Never `expired` for one kept as paid (its purchase could be made
            // again), but from an older export, of a charge paid after it expired.
            if let kept = stored.status, kept != "pending", !(kept == "expired" && status == "paid"),
               !Self.saidBeforeItsLatePayment(status, stored) {
                compare("status", status, kept)
                // A row without the time says less; one giving it to a charge kept without adds it.
                if let mine = charge.paidAt?.iso8601, let theirs = stored.paidAt { compare("paid_at", mine, theirs) }
            }
            // Times are written one way (milliseconds, `Z`), so their text sorts as they do.
            // The API's own record has milliseconds an export may cut to the minute: a
            // payment written within a minute before its creation is that minute's.
            let created = try? Timestamp(iso8601: stored.createdAt)
            if let paidAt = charge.paidAt, let created,
               created.millisecondsSinceEpoch - paidAt.millisecondsSinceEpoch >= (stored.origin == "api" ? 60_000 : 1) {
                differences.append("created_at \(stored.createdAt), after this row's paid_at \(paidAt.iso8601)")
            }
            if status == "expired", stored.status == nil || stored.status == "pending",
               let expiresAt = stored.expiresAt ?? created.map({ Self.assumedExpiry($0).iso8601 }), now.iso8601 < expiresAt {
                let kept = stored.expiresAt == nil ? "no expires_at (a charge is taken to live an hour: until \(expiresAt))"
                    : "expires_at \(expiresAt)"
                differences.append("\(kept), still to come (now \(now.iso8601)), so it cannot have expired (this row: expired)")
            }
        }
        return differences.isEmpty ? nil : differences.joined(separator: ", ")
    }
}
