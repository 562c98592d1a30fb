import CreditTypes
import Ledger
import Synchronization

/// Turns a plan into Coinbase charges, each at most once, across crashes and re-runs
/// (DESIGN.md § The top-up flow).
///
/// `prepare` validates and keys the plan and checks it against the ledger without writing;
/// `execute` then, for every row to send, commits the intent (`requesting`) *before* the
/// `POST` and the answer after it, so a crash between the two leaves a row that the next
/// run marks `unknown` instead of sending it again. The caller holds the writer lock.
public struct TopUpEngine: Sendable {
    /// What the command line decides.
    public struct Options: Sendable {
        public var planPath: String
        /// The plan's name in messages and in the ledger (default: the path as given).
        public var displayName: String?
        /// `--batch`; default the plan file's base name.
        public var batch: String?
        /// `--account`, for rows without their own.
        public var account: String
        public var maxAmount: Micros
        public var maxTotal: Micros?
        public var concurrency: Int
        /// `--concurrency`'s default.
        public static let defaultConcurrency = 4
        public var retryUnknown: Bool
        /// `--allow-repeat`: rows may repeat a purchase made within `repeatWindow`
        /// (`repeatedPurchases`).
        public var allowRepeat: Bool
        /// The command's time: how recent an earlier top-up is (`repeatWindow`).
        public var now: Timestamp

        public init(planPath: String, displayName: String? = nil, batch: String? = nil, account: String,
                    maxAmount: Micros = PlanReader.defaultMaxAmount, maxTotal: Micros? = nil, concurrency: Int = defaultConcurrency,
                    retryUnknown: Bool = false, allowRepeat: Bool = false, now: Timestamp = .now()) {
            self.planPath = planPath
            self.displayName = displayName
            self.batch = batch
            self.account = account
            self.maxAmount = maxAmount
            self.maxTotal = maxTotal
            self.concurrency = concurrency
            self.retryUnknown = retryUnknown
            self.allowRepeat = allowRepeat
            self.now = now
        }
    }

    public let options: Options

    public init(options: Options) { self.options = options }

    private var planFile: String { options.displayName ?? options.planPath }

    /// The batch name: `--batch`, else the plan file's name without folder and extension.
    public var batch: String {
        if let batch = options.batch, !batch.isEmpty { return batch }
        return Self.batch(ofPlan: options.planPath)
    }

    /// The batch a plan at `path` is given without `--batch`: its name without folder and
    /// extension.
    static func batch(ofPlan path: String) -> String {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        if let dot = name.lastIndex(of: "."), dot != name.startIndex { return String(name[..<dot]) }
        return name
    }

    /// `topup PLAN OPTION` for the plan `planFile` planned as `batch` for `account`, as an
    /// advice spells it out: with `--batch` where the plan's name gives another, and
    /// `--account` but for the default account (probes 432, 434: without them a pasted
    /// `--retry-unknown` named another batch, whose new keys bought the row again, or was
    /// refused for another account's rows).
    static func planCommand(planFile: String, batch: String, account: String, _ option: String = "", named: Bool = false) -> String {
        AccountLabel.command(
            "topup \(ShellWord.plan(planFile))" + (batch == Self.batch(ofPlan: planFile) ? "" : " " + ShellWord.option("--batch", batch))
                + (option.isEmpty ? "" : " " + option),
            account: account, named: named)
    }

    /// A stored row's state as a refusal names it: `requesting` says what it means, a request
    /// whose answer is not recorded, whether its run is still at work or was killed (the
    /// next top-up makes that one `unknown`) — "now requesting" read as a request going on.
    static func said(state: String) -> String {
        state == "requesting" ? "requesting: sent and its answer not recorded, awaited or lost if its run was killed" : state
    }

    /// `planCommand` with `--retry-unknown`.
    static func retryUnknownCommand(planFile: String, batch: String, account: String) -> String {
        planCommand(planFile: planFile, batch: batch, account: account, "--retry-unknown")
    }

    // MARK: - Prepare

    /// A plan read: its rows validated and keyed, the ledger not read yet.
    public struct KeyedPlan: Sendable {
        fileprivate let rows: [(key: String, row: PlanRow, occurrence: Int)]
        /// The rows and totals per chain, as `PlanReader` counted them.
        public let summary: PlanReader.Summary
        /// The file's own problems, read with `keepingProblems`: `rows` are its valid rows, and
        /// `prepare` lists these with what the ledger refuses of them, every problem at once.
        public let problems: InputErrors?
    }

    /// Reads, validates and keys the plan without the ledger: `InputErrors` (65) for a bad
    /// row, `CSVError` (66) for a file that cannot be read, `TopUpError.badConcurrency`.
    ///
    /// `keepingProblems`: bad rows are kept in the plan's `problems`, not thrown (`plan check`
    /// checks the others against the ledger: a conflict was said only once they were mended).
    public func readPlan(keepingProblems: Bool = false) throws -> KeyedPlan {
        guard (1...32).contains(options.concurrency) else { throw TopUpError.badConcurrency(options.concurrency) }
        // Every amount a charge may be: `--max-amount` is a limit on what is sent, checked by
        // `prepare` on the rows to send, not on rows done (probe 410's future work: a plan run
        // with --max-amount 20000 was refused whole without it, a done row over the default).
        let reader = PlanReader(path: options.planPath, displayName: planFile, defaultAccount: options.account,
                                maxAmount: .largestCharge)
        let batch = self.batch
        // The batch the file's name gives is kept for good in every unreferenced row's key,
        // as `--batch` is, and checked as it is: "März.csv" written with decomposed accents
        // gave a batch that looked the same as the composed one's, and its rows were
        // charged a second time.
        if options.batch?.isEmpty ?? true, let said = AccountLabel.reason(
            batch, naming: "a batch name", column: "batch", ifEmpty: "give one with --batch NAME")
        {
            throw UsageError.usage(
                "the plan's file name gives the batch name \"\(batch)\", which \(said); rename the file, or give the "
                    + "batch with --batch NAME")
        }
        var keyed: [(key: String, row: PlanRow, occurrence: Int)] = []
        var occurrences: [TopUpKey.Occurrence: Int] = [:]
        /// The row's number among the rows of its purchase, for one without a reference.
        func occurrence(of row: PlanRow) -> Int {
            guard row.reference == nil else { return 0 }
            let identity = TopUpKey.Occurrence(account: row.account, wallet: row.wallet, chain: row.chain, amountRaw: row.amount.raw)
            occurrences[identity, default: 0] += 1
            return occurrences[identity, default: 0]
        }
        func key(_ row: PlanRow) {
            let occurrence = occurrence(of: row)
            keyed.append((TopUpKey.make(row: row, batch: batch, occurrence: occurrence), row, occurrence))
        }
        // A row refused for its memo alone is still its purchase's row, checked against the ledger
        // with the others (a file with problems is never sent): left out, the rows after it were
        // numbered and checked as the ones before them (probe 288), and its own purchase in the
        // ledger read as one the next row repeats (probe 297).
        let (summary, problems) = try reader.readKeepingProblems(key, refusedForMemo: key)
        if let problems, !keepingProblems { throw problems }
        return KeyedPlan(rows: keyed, summary: summary, problems: problems)
    }

    /// What to say of each new row (`new`, by index) whose reference looks like another one
    /// in the ledger (`LookAlikeName.skeleton`, `lookAlike`) but is other text: of its
    /// account, it would be a second top-up of what looks like one; of another account's
    /// top-up with the same wallet, chain and amount, the same plan run under another label,
    /// which the exact reference alone was refused for. (Rows that look like each other are
    /// the plan's reader's: `PlanReader`.)
    static func lookAlikeReferences(_ rows: [PlanRow], new: [Bool], ledger: Ledger?) throws -> [Int: String] {
        guard let ledger, rows.indices.contains(where: { new[$0] && rows[$0].reference != nil }) else { return [:] }
        // Compared by fingerprint first (no skeleton is built of ASCII text for it), and only the
        // ledger's references that share one with a new row kept: memory goes with the plan,
        // not with the books. A shared fingerprint is confirmed by the skeletons themselves.
        var wanted: [Int: Int] = [:]  // a new row's fingerprint, by index
        for (index, row) in rows.enumerated() where new[index] {
            if let reference = row.reference { wanted[index] = LookAlikeName.fingerprint(reference) }
        }
        let fingerprints = Set(wanted.values)
        return try ledger.read { reader in
            var heldByFingerprint: [Int: [(account: String, name: String)]] = [:]
            for account in try reader.accounts() {
                for name in try reader.references(account: account) {
                    let fingerprint = LookAlikeName.fingerprint(name)
                    if fingerprints.contains(fingerprint) { heldByFingerprint[fingerprint, default: []].append((account, name)) }
                }
            }
            guard !heldByFingerprint.isEmpty else { return [:] }
            var said: [Int: String] = [:]
            for (index, row) in rows.enumerated() where new[index] {
                guard let reference = row.reference, let held = wanted[index].flatMap({ heldByFingerprint[$0] }) else { continue }
                let skeleton = LookAlikeName.skeleton(reference)
                let others = held.filter { LookAlikeName.skeleton($0.name) == skeleton && LookAlikeName.lookAlike(reference, $0.name) }
                // Its own account's first, one written otherwise than ASCII first among those.
                let mine = others.filter { $0.account == row.account }
                if let other = mine.first(where: { !$0.name.utf8.allSatisfy { $0 < 0x80 } }) ?? mine.first {
                    said[index] = LookAlikeName.collision(reference, looksLike: other.name, where: "already in the ledger")
                    continue
                }
                for other in others where other.account != row.account {
                    if let twin = try reader.topUp(account: other.account, reference: other.name),
                       twin.wallet == row.wallet.checksummed, twin.chainID == row.chain.rawValue, twin.amount == row.amount {
                        said[index] = LookAlikeName.collision(reference, looksLike: other.name, where: "planned for account "
                            + "\"\(other.account)\" with the same wallet, chain and amount (\(twin.planFile):\(twin.planLine), now \(Self.said(state: twin.state)))")
                        break
                    }
                    // Or recorded with `import charges` for that purchase, as the exact reference
                    // is refused (probe 430: `ops-01` beside another account's charge `OPS-01`).
                    if let charge = try reader.unlinkedCharges(account: other.account, references: [other.name])
                        .first(where: { Self.samePurchase($0, as: row) }) {
                        said[index] = LookAlikeName.collision(reference, looksLike: other.name, where: "of charge "
                            + "\(charge.chargeID) of account \"\(other.account)\", recorded with the same wallet, chain and amount")
                        break
                    }
                }
            }
            return said
        }
    }

    /// Whether a recorded charge makes `row`'s purchase: its amount and wallet, given, and its
    /// chain when it gives one (one that gives none is any chain's, as for a repeat; one
    /// without a wallet may be another account's purchase of that amount).
    static func samePurchase(_ charge: StoredCharge, as row: PlanRow) -> Bool {
        charge.amount == row.amount && charge.wallet?.lowercased() == row.wallet.checksummed.lowercased()
            && (charge.chainID.map { $0 == row.chain.rawValue } ?? true)
    }

    /// How long after a top-up a row to send that makes the same purchase, either of the two
    /// without a reference, is refused without `--allow-repeat` (`repeatedPurchases`): 12
    /// hours, less than a day, so that a plan run every day at the same hour under a dated file
    /// name is not.
    static let repeatWindow: Int64 = 12 * 3600

    /// An earlier purchase a row to send may repeat (`repeatedPurchases`): a top-up that may
    /// have been charged, or a charge recorded with `import charges` that is no plan row's
    /// (bought through the web flow), dated by its `created_at`.
    struct EarlierPurchase {
        enum Made {
            case topUp(StoredTopUp)
            case recorded(StoredCharge)
        }

        let made: Made
        /// A top-up's `DatedTopUp.boughtAt`; a recorded charge's `created_at`.
        let at: Timestamp

        /// Tells the earlier purchases apart: each is one row's repeat at most.
        var id: String {
            switch made {
            case .topUp(let topUp): "top-up \(topUp.key)"
            case .recorded(let charge): "charge \(charge.chargeID)"
            }
        }

        var account: String {
            switch made {
            case .topUp(let topUp): topUp.account
            case .recorded(let charge): charge.account
            }
        }

        var reference: String? {
            switch made {
            case .topUp(let topUp): topUp.reference
            case .recorded(let charge): charge.reference
            }
        }

        /// Whether `row` buys what this bought: the same wallet and amount, and the same
        /// chain (a recorded charge's that gives none is any chain's).
        func isBought(by row: PlanRow) -> Bool {
            switch made {
            case .topUp(let topUp):
                topUp.wallet == row.wallet.checksummed && topUp.chainID == row.chain.rawValue && topUp.amount == row.amount
            case .recorded(let charge):
                charge.wallet == row.wallet.checksummed && (charge.chainID ?? row.chain.rawValue) == row.chain.rawValue
                    && charge.amount == row.amount
            }
        }
    }

    /// The rows among `candidates` (by index, in plan order) that make the same purchase
    /// (wallet, chain and amount) as one made at `since` or later, when either has no
    /// reference (two references tell two purchases apart), by row index. Against a row of
    /// its account already in the ledger (`inLedger`, left to send), a recorded charge's
    /// reference that names no plan row tells nothing either: a typo of the row's, or an
    /// invoice number of the web-flow purchase that bought it. Purchases made
    /// are the top-ups that may have been charged, but none of `rows` (keys), and the
    /// charges recorded with `import charges` that are no top-up's, not recorded as expired (probe
    /// 101: a purchase made through the web flow and recorded was bought again by the plan's
    /// row). A top-up of one of `rows` is the plan's own (a plan that buys the same for two
    /// accounts sends the second's row again after its key was refused); one of the same
    /// batch that is not is a copy's, or the plan's row before it lost its reference (probe
    /// 98: `--batch` of a copy without references sent the referenced row again). Matched one
    /// to one, each purchase with the first row that makes it, those of the row's account
    /// first, top-ups before recorded charges, in the order they were planned or recorded.
    /// `clockDecides`: a row makes a purchase made before `since`, at any age: on a clock far
    /// ahead, a copy of a plan run an hour ago looks older than the window (probe 99), a week
    /// or a year ahead older than a week or a year (probes 100, 101).
    static func repeatedPurchases(
        _ rows: [(key: String, row: PlanRow, occurrence: Int)], candidates: [Int], inLedger: Set<Int>, since: Timestamp,
        reader: LedgerReader
    ) throws -> (repeats: [Int: EarlierPurchase], clockDecides: Bool) {
        struct Bought: Hashable {
            let wallet: String
            let amount: Micros
        }
        guard !candidates.isEmpty else { return ([:], false) }
        let planned = Set(rows.map(\.key))
        var earlier = try reader.topUps(since: Timestamp(millisecondsSinceEpoch: 0))
            .filter { !planned.contains($0.topUp.key) }
            .map { EarlierPurchase(made: .topUp($0.topUp), at: $0.boughtAt) }
        if try reader.hasCharges() {
            // Every wallet's charges of every amount the rows buy: grouped by the pair below,
            // only a row's own wallet and amount are asked of.
            let wallets = Set(candidates.map { rows[$0].row.wallet.checksummed }), amounts = Set(candidates.map { rows[$0].row.amount })
            earlier += try reader.unlinkedCharges(wallets: wallets, amounts: amounts).map { charge in
                guard let at = try? Timestamp(iso8601: charge.createdAt) else {
                    throw LedgerError.malformedEntry("charge \(charge.chargeID) has an unreadable created_at \"\(charge.createdAt)\"")
                }
                return EarlierPurchase(made: .recorded(charge), at: at)
            }
        }
        let made = Dictionary(grouping: earlier) { purchase -> Bought in
            switch purchase.made {
            case .topUp(let topUp): Bought(wallet: topUp.wallet, amount: topUp.amount)
            case .recorded(let charge): Bought(wallet: charge.wallet ?? "", amount: charge.amount)
            }
        }
        guard !made.isEmpty else { return ([:], false) }
        // A recorded charge whose reference names no plan row (`import charges` says so) is
        // told apart by nothing from a row of its account left to send (probe 107: such a row
        // was bought again beside its purchase recorded under "REF-M22"). A new row's own
        // reference is another purchase than an invoice number's (probe 108: every plan was
        // refused for 12 hours after a web purchase recorded with one).
        let named = Set(rows.compactMap { entry in entry.row.reference.map { entry.row.account + "\u{0}" + $0 } })
        var namingNoRow: Set<String> = []  // purchase ids
        let leftToSend = candidates.filter(inLedger.contains)
        for key in Set(leftToSend.map { Bought(wallet: rows[$0].row.wallet.checksummed, amount: rows[$0].row.amount) }) {
            for purchase in made[key] ?? [] {
                guard case .recorded(let charge) = purchase.made, let reference = charge.reference,
                      !named.contains(charge.account + "\u{0}" + reference),
                      try ChargeImport.topUp(named: reference, account: charge.account, reader: reader) == nil
                else { continue }
                namingNoRow.insert(purchase.id)
            }
        }
        var matched: Set<String> = []  // ids of the purchases a row repeats
        var found: [Int: EarlierPurchase] = [:]
        var clockDecides = false
        for index in candidates {
            let row = rows[index].row
            let same = made[Bought(wallet: row.wallet.checksummed, amount: row.amount), default: []].filter { purchase in
                purchase.isBought(by: row) && !matched.contains(purchase.id)
                    && (purchase.reference == nil || row.reference == nil
                        || (inLedger.contains(index) && purchase.account == row.account && namingNoRow.contains(purchase.id)))
            }
            let recent = same.filter { since <= $0.at }
            clockDecides = clockDecides || recent.count < same.count
            guard let first = recent.first(where: { $0.account == row.account }) ?? recent.first else { continue }
            matched.insert(first.id)
            found[index] = first
        }
        return (found, clockDecides)
    }

    /// Why `row` is refused as a repeat of `purchase` (`repeatedPurchases`).
    private func repeated(_ row: PlanRow, of purchase: EarlierPurchase, batch: String) -> String {
        let account = purchase.account == row.account ? "" : " for account \"\(purchase.account)\""
        let reference = purchase.reference.map { ", reference \"\($0)\"" } ?? ""
        let what: String
        let isIt: String
        switch purchase.made {
        case .recorded(let charge):
            what = "the same purchase as charge \(charge.chargeID), recorded with `import charges`\(account)\(reference), created at "
                + "\(purchase.at.iso8601): \(charge.amount.centsText) USD from \(charge.wallet ?? "?")"
                + "\(charge.chainID.map { " on \(Chain.label(for: $0))" } ?? ""), \(charge.status ?? "status not given"). "
            isIt = "It is no plan row's purchase (bought through the web flow, or by another tool"
                + "\(charge.reference == nil ? "" : "; its reference names no plan row")): if this row is that purchase, "
                + "remove it from the plan (a row already in the ledger: link them, importing the charge's row again with "
                + "\(row.reference == nil ? "the row's key" : "this row's reference") in its reference column)"
        case .topUp(let charged):
            what = "the same purchase as line \(charged.planLine) of batch \(charged.batch) (\(charged.planFile))\(account)"
                + "\(reference), made at \(purchase.at.iso8601): "
                + "\(charged.amount.centsText) USD from \(charged.wallet) on \(Chain.label(for: charged.chainID))"
                + "\(charged.chargeID.map { ", charge \($0)" } ?? ""), now \(Self.said(state: charged.state)). "
            if let reference = charged.reference {
                isIt = "If this row is that top-up, give it its reference, \(reference)\(account.isEmpty ? "" : ", and account \(charged.account)") "
                    + "(it is then that top-up)"
            } else if row.reference != nil {
                isIt = "That top-up has no reference, so this row's is no proof of another purchase: if this row is that "
                    + "top-up, remove it from the plan"
            } else {
                isIt = "A row without a reference is keyed by its batch (here \(batch)), so a plan saved again under another "
                    + "name would buy every row again: if this file is a copy of that plan, run with --batch \(charged.batch)"
                    + "\(account.isEmpty ? "" : " --account \(charged.account)") (its rows are then that plan's)"
            }
        }
        // Made after now: the clock (or --now) is set back, which the person should see
        // (probe 357: the refusal cited a purchase in the future without a word).
        let ahead = purchase.at > options.now
            ? " (that purchase is dated after now, \(options.now.iso8601): check the machine's clock, or --now)" : ""
        return what + isIt + "; if \(row.reference == nil ? "these are new purchases" : "it is a new purchase"), run with --allow-repeat"
            + ahead
    }

    /// `.send` for a new row of this run's account; a row of another is left for a top-up
    /// of that account, whose key buys its credits (this run's key would buy them on this
    /// account's OpenRouter account, and book them for the other).
    private func sendOrLeave(_ row: PlanRow) -> TopUpItem.Action {
        row.account == options.account ? .send : .otherAccount
    }

    /// What this run does with a row the ledger holds as `stored`; `atWork`: the rows of the
    /// writer at work, in flight.
    private func action(for stored: StoredTopUp, atWork: RowsAtWork) -> TopUpItem.Action {
        if atWork.run(state: stored.state, runID: stored.runID, account: stored.account, batch: stored.batch,
                      planFile: stored.planFile) != nil {
            return .inFlight
        }
        return switch stored.state {
        case "created", "recorded": .done
        case "blocked": .blocked
        case "unknown": options.retryUnknown ? .send : .unknown
        // A request under way, or a crashed run's: this run marks it unknown at its start
        // and never sends it again itself, even with --retry-unknown: nobody has checked
        // its outcome yet (its run may even be alive, its lock lost: probe 70, charged twice).
        case "requesting": .unknown
        case "rejected": Self.refusedForTheRow(stored.httpStatus) ? .rejected : .send
        default: .send  // planned: never sent
        }
    }

    /// Validates and keys the plan and checks every key against `ledger` (`nil`: no ledger
    /// yet, every row is new). Writes nothing.
    ///
    /// Throws `InputErrors` (65) for bad rows (the plan's `problems`, listed with the
    /// ledger's) or keys already used with other parameters, `TopUpError.overMaxTotal` (65),
    /// or `CSVError` (66) for an unreadable file.
    ///
    /// `plan`: the plan as `readPlan()` read it (`run` reads it before its first fetch);
    /// `nil` reads it now.
    ///
    /// `writer`: the writer at work on the ledger (`Ledger.runningWriter()`), for a preview
    /// made without the lock (`--dry-run`, `plan check`): the rows its runs planned or are
    /// sending are in flight, its to settle, not rows to send or of unknown outcome.
    public func prepare(ledger: Ledger?, plan: KeyedPlan? = nil, writer: RunningWriter? = nil) throws -> TopUpPreview {
        let read = try plan ?? readPlan()
        let keyed = read.rows
        let batch = self.batch
        // Each row's top-up in the ledger, and for a new row with a reference, the same
        // purchase (reference, wallet, chain, amount) planned for another account: the plan
        // run again under another --account label (CREDIT_RECON_ACCOUNT set for cron, not at
        // a terminal) would charge every row again.
        // And a charge recorded with a new row's reference before the plan ran (bought
        // through the web flow, recorded first): sending the row would buy it again.
        var recordedFirst: [Int: StoredCharge] = [:]  // by row index
        // Or recorded under another account with the same reference, wallet, chain and amount:
        // most likely the row's purchase under a mistyped label (probe 427: bought twice).
        var recordedElsewhere: [Int: StoredCharge] = [:]  // by row index
        // And a row to send whose purchase another batch or account made lately, when either
        // has no reference: a plan saved again under another name ("topups (1).csv") is
        // another batch, whose keys are all new, and every row of it would be bought again
        // (probe 86); so would the first plan's rows left to send, run again after its copy
        // (probe 96), a copy that lost or gained references (probe 97), or a row bought through
        // the web flow and recorded (probe 101).
        var repeats: [Int: EarlierPurchase] = [:]  // by row index
        var clockDecides = false
        var atWork = RowsAtWork()
        let (previous, elsewhere): ([StoredTopUp?], [StoredTopUp?]) = try ledger?.read { reader in
            if writer != nil {
                atWork = try RowsAtWork(writer: writer, among: try reader.runs(limit: Reconciler.recentRunCount), reader: reader)
            }
            let stored = try keyed.map { try reader.topUp(key: $0.key) }
            if try reader.hasCharges() {
                let fresh = keyed.indices.filter { stored[$0] == nil && keyed[$0].row.reference != nil }
                // One pass over the charges, of every account.
                let charges = try reader.unlinkedCharges(account: nil, references: Array(Set(fresh.compactMap { keyed[$0].row.reference })))
                let byReference = Dictionary(grouping: charges) { $0.reference ?? "" }
                for index in fresh {
                    let row = keyed[index].row
                    guard let reference = row.reference, let named = byReference[reference] else { continue }
                    if let own = named.first(where: { $0.account == row.account }) {
                        recordedFirst[index] = own
                    } else if let other = named.first(where: { Self.samePurchase($0, as: row) }) {
                        recordedElsewhere[index] = other
                    }
                }
            }
            let accounts = Set(try reader.accounts())
            let planned = Set(keyed.map(\.key))
            let twins = try zip(keyed, stored).map { entry, stored -> StoredTopUp? in
                guard stored == nil else { return nil }
                for account in accounts.subtracting([entry.row.account]).sorted() {
                    guard let reference = entry.row.reference else {
                        // Without a reference, the same row of the same batch for the other account.
                        // A row of this plan is none (it buys the same for two accounts, and grew).
                        let key = TopUpKey.make(row: entry.row, batch: batch, occurrence: entry.occurrence, account: account)
                        if !planned.contains(key), let twin = try reader.topUp(key: key) { return twin }
                        continue
                    }
                    if let twin = try reader.topUp(account: account, reference: reference), !planned.contains(twin.key),
                       twin.wallet == entry.row.wallet.checksummed, twin.chainID == entry.row.chain.rawValue,
                       twin.amount == entry.row.amount {
                        return twin
                    }
                }
                return nil
            }
            if !options.allowRepeat {
                // Only rows this run sends: a blocked or unknown row matched with an earlier
                // purchase would leave a row to send that makes it unmatched.
                // Other accounts' rows too: each purchase is one row's repeat, matched with its own
                // account's row first; a repeat is said of this account's rows alone (below).
                let toSend = keyed.indices.filter { stored[$0].map { action(for: $0, atWork: atWork) == .send } ?? true }
                (repeats, clockDecides) = try Self.repeatedPurchases(
                    keyed, candidates: toSend, inLedger: Set(keyed.indices.filter { stored[$0] != nil }),
                    since: options.now.adding(seconds: -Self.repeatWindow), reader: reader)
            }
            return (stored, twins)
        } ?? (Array(repeating: nil, count: keyed.count), Array(repeating: nil, count: keyed.count))
        let lookAlikes = try Self.lookAlikeReferences(keyed.map(\.row), new: previous.map { $0 == nil }, ledger: ledger)
        // A new row's account that looks like one the ledger holds, or like another row's,
        // would be left "for its own top-up" under a label no top-up can take (probe 243).
        var accounts = LookAlikeName.FileAccounts(held: try ledger?.read { try $0.accounts() } ?? [])
        var errors = ErrorCollector(file: planFile)
        if let problems = read.problems { errors.add(contentsOf: problems) }
        var items: [TopUpItem] = []
        items.reserveCapacity(keyed.count)
        for (index, entry) in keyed.enumerated() {
            let row = entry.row
            let overMax = row.amount > options.maxAmount
            guard let stored = previous[index] else {
                if overMax {
                    errors.add(line: row.line, column: "amount", PlanReader.overMaxProblem(row.amount.decimalText, max: options.maxAmount))
                    continue
                }
                // A hidden character, or looking like an earlier row's reference or the ledger's, is
                // a new row's problem: a done row's is history (made before the checks were).
                // A file with problems of its own has them said already, with the others.
                if let problem = (read.problems == nil ? read.summary.newRowProblems[row.line] : nil) ?? lookAlikes[index] {
                    errors.add(line: row.line, column: "reference", problem)
                    continue
                }
                if let reference = row.reference, let charge = recordedFirst[index] {
                    errors.add(line: row.line, column: "reference",
                               "\"\(reference)\" is already the reference of charge \(charge.chargeID) (\(charge.amount.centsText) USD, "
                                + "recorded with `import charges` before this row was planned); sending the row would buy it again — "
                                + "remove the row if that charge is its purchase, or give the row a reference of its own")
                    continue
                }
                if let charge = recordedElsewhere[index] {
                    let move = row.account == options.account ? "run with --account \(ShellWord.quoted(charge.account))" : "set its account column to \(charge.account)"
                    errors.add(line: row.line, column: "reference",
                               "\"\(row.reference ?? "")\" is already the reference of charge \(charge.chargeID) of account \"\(charge.account)\" "
                                + "(\(charge.amount.centsText) USD, the same wallet, chain and amount, recorded with `import charges`), and this "
                                + "plan is for account \"\(row.account)\"; if that charge is this row's purchase, it is bought: remove the row "
                                + "(and if the charge went under the wrong account, `credit-recon --account \(charge.account) void "
                                + "\(charge.chargeID) --reason TEXT`, then import it again under \(row.account)); if the plan is that "
                                + "account's, \(move); if it is another purchase, give the row a reference of its own")
                    continue
                }
                if let twin = elsewhere[index] {
                    let what = twin.reference.map { "\"\($0)\" is" } ?? "this row (no reference) of batch \(twin.batch) is"
                    // A row whose account the plan's column gives is moved by that column, not by --account.
                    let move = row.account == options.account ? "run with --account \(ShellWord.quoted(twin.account))"
                        : "set its account column to \(twin.account)"
                    errors.add(line: row.line, column: row.reference == nil ? "wallet" : "reference",
                               "\(what) already planned for account \"\(twin.account)\" with the same wallet, chain "
                                + "and amount (\(twin.planFile):\(twin.planLine), now \(Self.said(state: twin.state))), and this plan is for account "
                                + "\"\(row.account)\"; if it is that account's plan, \(move); if it is "
                                + "another account's own top-up, give it a reference of its own")
                    continue
                }
                // After the twin's refusal, which names what to change more nearly.
                if let like = accounts.lookAlike(row.account) {
                    errors.add(line: row.line, column: "account", LookAlikeName.accountCollision(
                        row.account, looksLike: like.other, held: like.held, written: "its top-up"))
                    continue
                }
                if let made = repeats[index], row.account == options.account {
                    errors.add(line: row.line, column: row.reference == nil ? "wallet" : "reference", repeated(row, of: made, batch: batch))
                    continue
                }
                items.append(TopUpItem(key: entry.key, row: row, previousState: nil, action: sendOrLeave(row)))
                continue
            }
            if stored.account != row.account || stored.wallet != row.wallet.checksummed
                || stored.chainID != row.chain.rawValue || stored.amount != row.amount
            {
                errors.add(line: row.line, column: row.reference == nil ? "wallet" : "reference",
                           "\(row.reference.map { "\"\($0)\"" } ?? "this row") was already planned (\(stored.planFile):\(stored.planLine), "
                            + "batch \(stored.batch)) as \(stored.amount.centsText) USD from \(stored.wallet) on "
                            + "\(Chain.label(for: stored.chainID)), now \(Self.said(state: stored.state)); a reference names one top-up for good — "
                            + "restore the row as it was, or give the changed row a new reference")
                continue
            }
            let action = action(for: stored, atWork: atWork)
            if overMax, action == .send, row.account == options.account {
                errors.add(line: row.line, column: "amount", PlanReader.overMaxProblem(row.amount.decimalText, max: options.maxAmount))
                continue
            }
            if action == .send, row.account == options.account, let made = repeats[index] {
                errors.add(line: row.line, column: row.reference == nil ? "wallet" : "reference", repeated(row, of: made, batch: batch))
                continue
            }
            // Another account's row, whatever it stands at, is its account's top-up's to count
            // and to settle: counted here as done or unknown, it made this account's run exit 1
            // for a row it cannot act on (probe 202).
            items.append(TopUpItem(key: entry.key, row: row, previousState: stored.state,
                                   action: row.account == options.account ? action : .otherAccount))
        }
        try errors.throwIfAny()
        var preview = TopUpPreview(batch: batch, planFile: planFile, items: items, retryUnknown: options.retryUnknown)
        preview.clockDecides = clockDecides
        preview.account = options.account
        if items.contains(where: { $0.action == .inFlight }) { preview.writerAtWork = writer }
        if let maxTotal = options.maxTotal, preview.sendTotal > maxTotal {
            let toSend = preview.toSend
            throw TopUpError.overMaxTotal(
                total: preview.sendTotal, max: maxTotal, rows: toSend.count,
                named: toSend.prefix(TopUpError.rowsNamed).map { item in
                    "line \(item.row.line)" + (item.row.reference.map { " (\(TerminalText.printable($0)))" } ?? "")
                })
        }
        return preview
    }

    // MARK: - Execute

    /// Shared between the workers.
    private final class Shared: Sendable {
        let tally = Mutex(Tally())
        /// The first error a worker met (a ledger write that failed): no worker starts
        /// another row, the requests in flight finish and are recorded, then it is thrown.
        let failure = Mutex<(any Error)?>(nil)
        /// Charges the API created whose answer could not be written: named in the error,
        /// so that a person can record them (the next run only knows them as `unknown`).
        let unrecorded = Mutex<[ChargesNotRecorded.Charge]>([])
    }

    private struct Tally: Sendable {
        var next = 0
        var started = 0
        var finished = 0
        var created = 0
        var rejected = 0
        var notSent = 0
        var blocked = 0
        var unknown = 0
        var createdTotal = Micros.zero
    }

    /// Sends the preview's rows, `options.concurrency` at a time, until done or `stop` is
    /// raised (signal, refused key, API unreachable). Writes nothing when there is nothing
    /// to send and no dead run to clean up after.
    ///
    /// `standalone`: a `topup` of its own, not a stage of `run`, whose top-ups `status`
    /// judges with the job's fetches: only such a run records itself with nothing to send.
    public func execute(
        _ preview: TopUpPreview, ledger: Ledger, client: any ChargeCreating, stop: StopFlag,
        now: @escaping @Sendable () -> Timestamp, standalone: Bool = true,
        progress: @escaping @Sendable (TopUpProgress) -> Void = { _ in }
    ) async throws -> TopUpSummary {
        var summary = TopUpSummary()
        summary.batch = preview.batch
        summary.planFile = preview.planFile
        summary.account = options.account
        summary.retriedUnknown = options.retryUnknown
        summary.planRows = preview.items.count
        summary.skippedDone = preview.count(.done)
        summary.skippedBlocked = preview.count(.blocked)
        summary.skippedUnknown = preview.count(.unknown)
        summary.skippedRejected = preview.count(.rejected)
        summary.skippedOtherAccounts = preview.otherAccounts
        let toSend = preview.toSend
        let account = options.account
        let leftRequesting = try ledger.read { try $0.topUps(state: "requesting") }
        guard !toSend.isEmpty || !leftRequesting.isEmpty else {
            // Nothing to write, so no write refuses a damaged ledger: said here instead, or
            // a plan fully bought read as settled on books every writer refuses.
            summary.ledgerDamage = try ledger.damageSigns()
            try finish(&summary, preview: preview, ledger: ledger)
            // Recorded after a top-up that failed, though it sent nothing: `status` judges the
            // top-ups by their newest run, and said the failure (exit 1) until a later top-up
            // had a row to send (probe 246).
            // A stage of `run` is judged with its job, never in the top-ups' lane: recorded
            // there, it would be again every night while the lane's failure stood.
            if standalone, summary.ledgerDamage.isEmpty, try lastTopUpFailed(ledger) {
                let status = summary.exitStatus
                try ledger.write { writer in
                    let runID = try writer.append(.runStarted(RunStarted(command: "topup")), account: account, runID: nil, at: now())
                    try writer.append(.runFinished(RunFinished(
                        runID: runID, outcome: Self.outcome(of: status), exitCode: Int64(status.rawValue),
                        summary: "nothing to send: \(summary.skippedDone) done")), account: account, runID: runID, at: now())
                    summary.runID = runID
                }
                summary.headHash = try ledger.headHash()
            }
            return summary
        }

        let planFile = preview.planFile
        let batch = preview.batch
        let (runID, recovered) = try ledger.write { writer -> (Int64, [StoredTopUp]) in
            let runID = try writer.append(.runStarted(RunStarted(command: "topup")), account: account, runID: nil, at: now())
            // Step 4: a request whose answer was never recorded may have created a charge.
            let dead = try writer.reader.topUps(state: "requesting")
            for row in dead {
                try writer.append(.chargeUnknown(ChargeFailed(
                    key: row.key, httpStatus: nil,
                    message: ChargeAnswer.resend(ChargeAnswer.unknownAdvice(
                        "the run that sent this request ended before its answer was recorded (the process stopped or crashed)"),
                        command: Self.retryUnknownCommand(planFile: row.planFile, batch: row.batch, account: row.account)),
                    rawBody: nil)), account: row.account, runID: runID, at: now())
            }
            for item in toSend where item.previousState == nil {
                let row = item.row
                try writer.append(.topUpPlanned(TopUpPlanned(
                    key: item.key, batch: batch, reference: row.reference, wallet: row.wallet.checksummed,
                    chainID: row.chain.rawValue, amount: row.amount, memo: row.memo, planFile: planFile,
                    planLine: Int64(row.line))), account: row.account, runID: runID, at: now())
            }
            return (runID, dead)
        }
        summary.runID = runID
        summary.recovered = recovered.count
        let planKeys = Set(preview.items.map(\.key))
        summary.recoveredOfOtherPlans = Dictionary(grouping: recovered.filter { !planKeys.contains($0.key) }) {
            [$0.planFile, $0.batch, $0.account]
        }.map { plan, rows in
            TopUpSummary.OtherPlanRows(
                planFile: plan[0], batch: plan[1], account: plan[2], rows: rows.count,
                command: Self.retryUnknownCommand(planFile: plan[0], batch: plan[1], account: plan[2]))
        }.sorted { Array($0.command.utf8).lexicographicallyPrecedes(Array($1.command.utf8)) }

        let shared = Shared()
        let retryUnknown = options.retryUnknown
        let workers = min(options.concurrency, toSend.count)
        let planned = toSend.count
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<workers {
                group.addTask {
                    do {
                        // After a sibling's failure (a ledger error) or a crash, start nothing more.
                        next: while stop.reason == nil, !Task.isCancelled, shared.failure.withLock({ $0 == nil }) {
                            let index: Int? = shared.tally.withLock { tally in
                                guard tally.next < toSend.count else { return nil }
                                defer { tally.next += 1 }
                                return tally.next
                            }
                            guard let index else { return }
                            var item = toSend[index]
                            let row = item.row
                            var firstSent: ContinuousClock.Instant?
                            var recorded: ChargeAnswer?
                            var (state, detail) = ("", "")
                            while true {
                                // The intent is recorded once the request can go out, not before a
                                // wait for the rate limit in which the process may be killed (the
                                // row was then `unknown`, though never sent: probe 69).
                                if let refused = await client.waitForTurn() {
                                    if case .notSent(_, let message, let rateLimited) = refused {
                                        stop.request(rateLimited ? .rateLimited(message) : .apiUnavailable(message))
                                    } else {
                                        stop.request(.apiUnavailable("the request could not be sent: \(refused)"))
                                    }
                                    // After a 429 this run recorded: the row stays not sent.
                                    if recorded != nil { break }
                                    continue next
                                }
                                guard try Self.commitIntent(item, ledger: ledger, runID: runID, retryUnknown: retryUnknown, now: now) else {
                                    if recorded != nil { break }
                                    continue next
                                }
                                if recorded == nil { shared.tally.withLock { $0.started += 1 } }
                                let sentAt = firstSent ?? ContinuousClock.now
                                firstSent = sentAt
                                let sent = try await client.createCharge(
                                    amount: row.amount, sender: row.wallet.checksummed, chainID: row.chain.rawValue)
                                var answer = sent
                                do {
                                    (state, detail) = try ledger.write { writer in
                                        answer = try Self.checked(sent, for: row, at: now(), reader: writer.reader)
                                        let (fact, state, detail) = Self.fact(
                                            for: answer, key: item.key,
                                            resend: Self.retryUnknownCommand(planFile: planFile, batch: batch, account: item.row.account),
                                            account: row.account)
                                        try writer.append(fact, account: row.account, runID: runID, at: now())
                                        return (state, detail)
                                    }
                                } catch {
                                    if case .created(let charge) = sent {
                                        shared.unrecorded.withLock { $0.append(.init(key: item.key, row: row, charge: charge)) }
                                    }
                                    throw error
                                }
                                recorded = answer
                                // Told to slow down (429), nothing created, and recorded so: sent
                                // again once the pause is over, within the retry budget, its
                                // intent recorded anew; a process killed in the pause leaves the
                                // row not sent, for the next run (probe 132: it read `unknown`).
                                guard case .notSent(429?, _, true) = answer, stop.reason == nil,
                                      ContinuousClock.now - sentAt < client.retryBudget else { break }
                                item = item.retried(from: "rejected")
                            }
                            guard let answer = recorded else { continue next }
                            // Told to slow down, then stopped in the pause before it went again:
                            // said as the stop, not as a wait beyond the retry budget, which
                            // sent the user to --max-retry-time (probe 212).
                            if case .notSent(429?, _, true) = answer, case .interrupted(let signal) = stop.reason {
                                detail = "told to slow down (429), and the run was stopped (\(signal)) in the pause before it "
                                    + "went again; nothing was created — run topup again to send it"
                            }
                            switch answer {
                            case .keyRefused(_, let message): stop.request(.keyRefused(message))
                            case .rejected(404?, let message, _): stop.request(.wrongAddress(message))
                            case .notSent(_, let message, let rateLimited):
                                stop.request(rateLimited ? .rateLimited(message) : .apiUnavailable(message))
                            default: break
                            }
                            let finished = shared.tally.withLock { tally -> Int in
                                tally.finished += 1
                                switch answer {
                                case .created:
                                    tally.created += 1
                                    tally.createdTotal += row.amount
                                case .rejected, .keyRefused: tally.rejected += 1
                                case .notSent: tally.notSent += 1
                                case .gone: tally.blocked += 1
                                case .unknown: tally.unknown += 1
                                }
                                return tally.finished
                            }
                            progress(TopUpProgress(finished: finished, planned: planned, line: row.line,
                                                   reference: row.reference, key: item.key, state: state, detail: detail))
                        }
                    } catch {
                        // Not thrown into the group, which would cancel the requests in flight:
                        // charges they create must still be recorded.
                        shared.failure.withLock { if $0 == nil { $0 = error } }
                    }
                }
            }
            try await group.waitForAll()
        }
        if let failure = shared.failure.withLock({ $0 }) {
            let unrecorded = shared.unrecorded.withLock { $0 }
            throw unrecorded.isEmpty ? failure : ChargesNotRecorded(failure: failure, charges: unrecorded.sorted { $0.row.line < $1.row.line })
        }

        let final = shared.tally.withLock { $0 }
        summary.sent = final.started
        summary.created = final.created
        summary.rejected = final.rejected
        summary.notSent = final.notSent
        summary.blocked = final.blocked
        summary.unknown = final.unknown
        summary.createdTotal = final.createdTotal
        summary.notStarted = toSend.count - final.started
        summary.stopReason = stop.reason
        try finish(&summary, preview: preview, ledger: ledger)
        let status = summary.exitStatus
        let outcome = Self.outcome(of: status)
        let note = "\(summary.created) created, \(summary.rejected) rejected, \(summary.notSent) not sent, "
            + "\(summary.blocked) blocked, \(summary.unknown) unknown, \(summary.notStarted) not started"
        _ = try ledger.write { writer in
            try writer.append(.runFinished(RunFinished(runID: runID, outcome: outcome, exitCode: Int64(status.rawValue),
                                                       summary: note)), account: account, runID: runID, at: now())
        }
        summary.headHash = try ledger.headHash()
        return summary
    }

    /// A run's recorded outcome for the exit status it ends with.
    static func outcome(of status: ExitStatus) -> String {
        status == .ok ? "ok" : status == .attention ? "attention" : "failed"
    }

    /// Whether the account's newest top-up, as `status` judges the top-ups, failed, or
    /// never ended: this top-up holds the writer lock, so no run of the ledger is at work,
    /// and one left open was killed (probe 309: passed over, it stayed `status`'s failure).
    private func lastTopUpFailed(_ ledger: Ledger) throws -> Bool {
        let runs = try ledger.read { try $0.runs(limit: Reconciler.recentRunCount) }
        return StatusReport.lastRunsIfFailed(runs, account: options.account, running: []).contains { $0.command == "topup" }
    }

    /// Whether a stored row's request provably never reached the server (no answer, a 429):
    /// stored `rejected` (nothing was created), and sent again by the plan's next run.
    static func wasNotSent(state: String, httpStatus: Int64?) -> Bool {
        state == "rejected" && (httpStatus == nil || httpStatus == 429)
    }

    /// Whether a `rejected` row was refused for what it asks (a 4xx the API answered about
    /// the row), so that sending it again would be refused again: not when it was provably
    /// not sent (no status, 429), nor refused for the key (401, 403) or the address (404, a
    /// base URL that is not the API's root). Nothing was created either way.
    static func refusedForTheRow(_ status: Int64?) -> Bool {
        guard let status else { return false }
        return ![401, 403, 404, 429].contains(status)
    }

    /// Step 3: commits `requesting` for `item` unless its state no longer allows a send.
    private static func commitIntent(_ item: TopUpItem, ledger: Ledger, runID: Int64, retryUnknown: Bool,
                                     now: @Sendable () -> Timestamp) throws -> Bool {
        try ledger.write { writer -> Bool in
            guard let current = try writer.reader.topUp(key: item.key) else {
                throw LedgerError.malformedEntry("top-up \(item.key) was planned but is not in the ledger")
            }
            // Only in the state the preview found it in: a row another writer took up since
            // (a writer whose lock was lost) is not this run's to send.
            let sendable = current.state == "planned" || (current.state == "rejected" && !refusedForTheRow(current.httpStatus))
                || (current.state == "unknown" && retryUnknown)
            guard sendable, current.state == item.previousState ?? "planned" else { return false }
            try writer.append(.chargeRequested(ChargeRequested(key: item.key, attempt: current.attempts + 1)),
                              account: item.row.account, runID: runID, at: now())
            return true
        }
    }

    /// How long after its creation a charge may say it expires (Coinbase's last an hour).
    static let longestChargeLife: Int64 = 30 * 86_400_000

    /// `answer`, unless it names a charge the ledger already holds, or one that is not
    /// what the row asked for (another chain, wallet or amount) or is dated where no charge
    /// made now can be (the future, before 2000, expiring before it was made or a month
    /// on: such a time would stretch every report over the years between). A server that
    /// says such things cannot be trusted to have made the charge asked for, nor not to
    /// have, so the row is `unknown` (the answer kept) for a person to check, instead of a
    /// charge the books count as the row's or a refused write.
    static func checked(_ answer: ChargeAnswer, for row: PlanRow, at now: Timestamp, reader: LedgerReader) throws -> ChargeAnswer {
        guard case .created(let charge) = answer else { return answer }
        var wrong: [String] = []
        if let chain = charge.chainID, chain != row.chain.rawValue {
            wrong.append("it is on chain \(chain), the row asked for \(row.chain.rawValue)")
        }
        if let sender = charge.sender, sender.lowercased() != row.wallet.checksummed.lowercased() {
            wrong.append("its paying wallet is \(TerminalText.printable(sender)), the row's is \(row.wallet.checksummed)")
        }
        if let asked = charge.recipientAmount, asked != row.amount {
            wrong.append("it asks the wallet for \(asked.decimalText) USDC, the row asked for \(row.amount.decimalText)")
        }
        if let problem = ImportedTime.problem(charge.createdAt, now: now) {
            wrong.append("its created_at \(problem)")
        }
        if charge.expiresAt < charge.createdAt
            || charge.createdAt.adding(milliseconds: longestChargeLife) < charge.expiresAt {
            wrong.append("its expires_at \(charge.expiresAt.iso8601) is not within 30 days after its created_at "
                + charge.createdAt.iso8601)
        }
        if !wrong.isEmpty {
            return .unknown(
                status: nil,
                message: "the API answered with charge \(TerminalText.printable(charge.id)), which is not what the row asked for: "
                    + wrong.joined(separator: "; ") + ". Do not pay it as it stands; check it on the Coinbase Commerce "
                    + "dashboard, then record what was paid with import charges, or send the row again with \(ChargeAnswer.resend)",
                rawBody: charge.rawBody)
        }
        guard let held = try reader.charges(ids: ChargeImport.spellings(of: charge.id)).first else { return answer }
        let holder = held.topUpKey.map { "top-up \($0)" } ?? "a charge recorded with import charges or record"
        return .unknown(
            status: nil,
            message: "the API answered with charge \(charge.id), which the ledger already holds (\(holder), created "
                + "\(held.createdAt)): whether a new charge was made is unknown; check the Coinbase Commerce dashboard, "
                + "then record the new charge with import charges, or send the row again with \(ChargeAnswer.resend)",
            rawBody: charge.rawBody)
    }

    /// The fact recording `answer`, the row's new state and a short detail; the advice of an
    /// unknown outcome gives `resend`, the command that sends the row again (it said
    /// `PLAN.csv`; `retryUnknownCommand`).
    /// A blocked answer's advice names `account` in its `import charges` command.
    static func fact(for answer: ChargeAnswer, key: String, resend: String = "topup PLAN.csv --retry-unknown",
                     account: String = AccountLabel.defaultAccount) -> (Fact, String, String) {
        switch answer {
        case .created(let charge):
            return (.chargeCreated(ChargeCreated(key: key, chargeID: charge.id, createdAt: charge.createdAt,
                                                 expiresAt: charge.expiresAt, callData: charge.callData, rawBody: charge.rawBody)),
                    "created", "charge \(charge.id), pay before \(charge.expiresAt.iso8601)")
        case .rejected(let status, let message, let rawBody):
            return (.chargeRejected(ChargeFailed(key: key, httpStatus: status.map(Int64.init), message: message, rawBody: rawBody)),
                    "rejected", message)
        case .keyRefused(let status, let message):
            return (.chargeRejected(ChargeFailed(key: key, httpStatus: Int64(status), message: message, rawBody: nil)),
                    "rejected", message)
        case .notSent(let status, let message, _):
            // Provably never reached the server: recorded as refused (nothing was created),
            // which a later run sends again; said as what it is, as the summary counts it.
            // The detail follows the state (`line 2: not sent — the API is rate limiting us …`),
            // without the message's own "not sent: " (probe 185: said twice).
            let detail = message.hasPrefix("not sent: ") ? String(message.dropFirst("not sent: ".count)) : message
            return (.chargeRejected(ChargeFailed(key: key, httpStatus: status.map(Int64.init), message: message, rawBody: nil)),
                    "not sent", detail)
        case .gone(let unnamed, let rawBody):
            let message = unnamed.replacingOccurrences(
                of: ChargeAnswer.importCharges, with: "`\(ChargeAnswer.importCharges(account: account))`")
            return (.chargeBlocked(ChargeFailed(key: key, httpStatus: 410, message: message, rawBody: rawBody)), "blocked", message)
        case .unknown(let status, let unnamed, let rawBody):
            let message = ChargeAnswer.resend(unnamed, command: resend)
            return (.chargeUnknown(ChargeFailed(key: key, httpStatus: status.map(Int64.init), message: message, rawBody: rawBody)),
                    "unknown", message)
        }
    }

    /// Reads where every plan row stands now: per-state counts and the rows needing a person.
    private func finish(_ summary: inout TopUpSummary, preview: TopUpPreview, ledger: Ledger) throws {
        let stored = try ledger.read { reader in try preview.items.map { try reader.topUp(key: $0.key) } }
        summary.states = [:]
        summary.stateTotals = [:]
        summary.attention = []
        // A row of another account is that account's top-up's to report.
        for (item, row) in zip(preview.items, stored) where item.action != .otherAccount {
            // A row provably not sent (stored as refused: nothing was created) is sent by the
            // next run on its own: `planned`, as the reports call it, and it needs no person.
            let notSent = Self.wasNotSent(state: row?.state ?? "new", httpStatus: row?.httpStatus)
            let state = notSent ? "planned" : row?.state ?? "new"
            summary.states[state, default: 0] += 1
            summary.stateTotals[state, default: .zero] += item.row.amount
            if TopUpSummary.needsAPerson(state) {
                summary.attention.append(TopUpSummary.Attention(
                    line: item.row.line, key: item.key, reference: item.row.reference, state: state, message: row?.error))
            }
        }
        if summary.headHash.isEmpty { summary.headHash = try ledger.headHash() }
    }
}
