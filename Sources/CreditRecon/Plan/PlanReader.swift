import Foundation
import CreditTypes

/// Reads and validates a top-up plan (CONTRACT.md § Plan CSV), streaming.
///
/// Every row is checked and every problem collected, each as
/// `file:line: column: what is wrong and how to fix it`; valid rows are handed to the
/// caller one at a time, so `plan check` keeps nothing per row but a 64-bit fingerprint
/// of its reference (a million-row plan checks in a few tens of MB).
public struct PlanReader: Sendable {
    /// Totals of a plan's valid rows.
    public struct Summary: Sendable, Equatable {
        /// Data rows read (valid or not).
        public var rows = 0
        /// Sum of the valid rows' amounts per chain id.
        public var totalsByChain: [Int64: Micros] = [:]
        /// Rows per chain id.
        public var rowsByChain: [Int64: Int] = [:]
        /// Sum of every valid row.
        public var total = Micros.zero
        /// What to say of each row (by line) whose reference looks like an earlier row's but is
        /// other text, or holds a hidden character (`LookAlikeName.hiddenProblem`): a problem
        /// for a row not yet in the ledger, not for one already done (made before the checks).
        public var newRowProblems: [Int: String] = [:]

        /// The new rows' problems of the plan `file`, every row being new (no ledger).
        public func newRowProblems(file: String) -> InputErrors? {
            var errors = ErrorCollector(file: file)
            for (line, problem) in newRowProblems { errors.add(line: line, column: "reference", problem) }
            do { try errors.throwIfAny() } catch { return error }
            return nil
        }
    }

    /// The default for `--max-amount`: 10,000 USD.
    public static let defaultMaxAmount = Micros(raw: 10_000 * Micros.perDollar)

    static let columns: [CSVColumns.Spec] = [
        .init("wallet", aliases: ["sender"], required: true),
        .init("chain_id", aliases: ["chain"], required: true),
        .init("amount", required: true),
        .init("reference"),
        .init("memo"),
        .init("account"),
        StatedCurrency.spec,
    ]

    public let path: String
    /// The file's name in messages.
    public let displayName: String
    /// The account of rows without their own.
    public let defaultAccount: String
    /// The largest amount one row may ask for.
    public let maxAmount: Micros

    public init(path: String, displayName: String? = nil, defaultAccount: String,
                maxAmount: Micros = PlanReader.defaultMaxAmount) {
        self.path = path
        self.displayName = displayName ?? path
        self.defaultAccount = defaultAccount
        self.maxAmount = maxAmount
    }

    /// Reads the whole plan, handing each valid row to `body`; throws `InputErrors` (65)
    /// listing every problem, or `CSVError` (66) when the file cannot be read.
    ///
    /// `body` sees rows before the whole file is known to be valid: callers that write
    /// must collect rows and write only after this returns.
    @discardableResult
    public func read(_ body: (PlanRow) throws -> Void = { _ in }) throws -> Summary {
        let (summary, problems) = try readKeepingProblems(body)
        if let problems { throw problems }
        return summary
    }

    /// As `read(_:)`, but a file with bad rows is read to its end and its problems returned
    /// beside the summary of the rows handed to `body`, every valid one, rather than thrown.
    /// `refusedForMemo` hears each row without a reference refused for its memo alone (its
    /// `memo` left out): it is still one of the purchases its wallet, chain and amount number,
    /// and the ledger's checks may say more of it.
    func readKeepingProblems(
        _ body: (PlanRow) throws -> Void, refusedForMemo: (PlanRow) -> Void = { _ in }
    ) throws -> (summary: Summary, problems: InputErrors?) {
        let (reader, columns) = try CSVReader.openWithHeader(
            path: path, displayName: displayName, kind: .plan, example: "wallet,chain_id,amount,reference,memo")
        var errors = ErrorCollector(file: displayName)
        var summary = Summary()
        // References are checked for uniqueness by 64-bit fingerprint only (8 bytes per
        // row, so a million-row plan stays well under 64 MB). A repeated fingerprint is
        // only a suspect: a second pass over the file compares the actual text, so a
        // collision can never refuse a valid plan, and the error can name the first line.
        // Collected in an array and sorted once at the end: inserting a million random keys
        // into a `Set` misses the cache on nearly every insert, and the
        // array is half the memory.
        var fingerprints: [Int] = []
        var totalsByChain = [Micros](repeating: .zero, count: Chain.allCases.count)
        var rowsByChain = [Int](repeating: 0, count: Chain.allCases.count)
        let walletColumn = columns.index(of: "wallet"), chainColumn = columns.index(of: "chain_id")
        let amountColumn = columns.index(of: "amount"), referenceColumn = columns.index(of: "reference")
        let memoColumn = columns.index(of: "memo"), accountColumn = columns.index(of: "account")
        let currencyColumn = columns.index(of: StatedCurrency.spec.name)
        // Wallet checks (hex, zero address, EIP-55's Keccak-256 for each new wallet) run on
        // the other core, a batch at a time, while this one reads the next batch.
        // Everything else, errors included, still happens here in line order, so the output
        // is exactly that of checking row by row.
        func handle(_ items: [Item], _ wallets: [WalletCheck]) throws {
            for (item, walletCheck) in zip(items, wallets) {
                summary.rows += 1
                let record: CSVRecord
                switch item {
                case .failure(let error):
                    errors.add(error)
                    continue
                case .record(let read):
                    record = read
                }
                let line = record.line
                let wallet = Self.wallet(walletCheck, line: line, errors: &errors)
                let chain = Self.chain(record.field(at: chainColumn), line: line, errors: &errors)
                let amount = Self.amount(record.field(at: amountColumn), max: maxAmount, line: line, errors: &errors)
                var reference = Self.reference(record.field(at: referenceColumn), line: line, errors: &errors)
                if let value = reference.value, value.hasPrefix(TopUpKey.unreferencedPrefix) {
                    // The shape of a key `topup` names a row without a reference by: another
                    // row's key, and `import charges` could not tell the two apart.
                    errors.add(line: line, column: "reference", "\"\(value)\" begins with \"\(TopUpKey.unreferencedPrefix)\", which names "
                        + "top-up rows without a reference; choose a reference that does not")
                    reference = (nil, false)
                }
                let memo = Self.text(record.field(at: memoColumn), column: "memo", allowTab: true, line: line, errors: &errors)
                let account = Self.name(record.field(at: accountColumn), column: "account", another: "account", line: line, errors: &errors)
                let currency = StatedCurrency.problem(record.field(at: currencyColumn))
                if let currency { errors.add(line: line, column: StatedCurrency.spec.name, currency) }
                if let reference = reference.value {
                    fingerprints.append(LookAlikeName.fingerprint(reference))  // what it looks like: look-alikes share one
                    if let hidden = LookAlikeName.hiddenProblem(reference, column: "reference", another: "top-up") {
                        summary.newRowProblems[line] = hidden
                    }
                }
                guard let wallet, let chain, let amount, reference.ok, memo.ok, account.ok, currency == nil else {
                    if let wallet, let chain, let amount, reference.ok, reference.value == nil, account.ok, currency == nil {
                        refusedForMemo(PlanRow(line: line, wallet: wallet, chain: chain, amount: amount, reference: nil, memo: nil,
                                               account: account.value ?? defaultAccount))
                    }
                    continue
                }
                let row = PlanRow(line: line, wallet: wallet, chain: chain, amount: amount, reference: reference.value,
                                  memo: memo.value, account: account.value ?? defaultAccount)
                summary.total += amount
                // Per chain in a small array, turned into the summary's dictionaries at the end,
                // instead of two dictionary updates per row.
                let slot = Self.chainSlot(chain)
                totalsByChain[slot] += amount
                rowsByChain[slot] += 1
                try body(row)
            }
        }
        var batch: [Item] = []
        var batchWallets: [String?] = []
        var inFlight: (items: [Item], wallets: BackgroundWork<[WalletCheck]>)?
        func send() throws {
            let wallets = batchWallets
            let next = (items: batch, wallets: BackgroundWork { wallets.map(Self.checkWallet) })
            if let inFlight { try handle(inFlight.items, inFlight.wallets.wait()) }
            inFlight = next
            batch = []
            batchWallets = []
            batch.reserveCapacity(Self.walletBatch)
            batchWallets.reserveCapacity(Self.walletBatch)
        }
        while true {
            do {
                guard let next = try reader.next() else { break }
                batch.append(.record(next))
                batchWallets.append(next.field(at: walletColumn))
            } catch {
                batch.append(.failure(error))
                batchWallets.append(nil)
                if error.isFatal { break }
            }
            if batch.count == Self.walletBatch { try send() }
        }
        try send()
        if let inFlight { try handle(inFlight.items, inFlight.wallets.wait()) }
        for (slot, chain) in Chain.allCases.enumerated() where rowsByChain[slot] > 0 {
            summary.totalsByChain[chain.rawValue] = totalsByChain[slot]
            summary.rowsByChain[chain.rawValue] = rowsByChain[slot]
        }
        fingerprints.sort()
        var suspects = Set<Int>()
        for index in fingerprints.indices.dropFirst() where fingerprints[index] == fingerprints[index - 1] {
            suspects.insert(fingerprints[index])
        }
        fingerprints = []
        if !suspects.isEmpty {
            for (line, problem) in try confirmDuplicates(suspects, columns: columns, errors: &errors) {
                summary.newRowProblems[line] = summary.newRowProblems[line] ?? problem
            }
        }
        // A file refused for its rows has its look-alike references said with them, every
        // problem in one pass: they were said only once the rest was mended (probe 283).
        if !errors.isEmpty {
            for (line, problem) in summary.newRowProblems { errors.add(line: line, column: "reference", problem) }
        }
        return (summary, errors.collected)
    }

    /// Rows whose wallets are checked together on the other core: small enough that the
    /// two batches in flight stay in cache and keep peak memory low, large enough that
    /// handing one over costs little next to checking its wallets.
    static let walletBatch = 1024

    /// One line of the file as read: a record, or why it could not be read.
    enum Item {
        case record(CSVRecord)
        case failure(CSVError)
    }

    /// A wallet cell, checked.
    enum WalletCheck: Sendable {
        case empty
        case valid(EthereumAddress)
        case invalid(String, AddressError)
    }

    /// Checks one wallet cell (`nil`: no such cell, or a line that could not be read).
    @Sendable static func checkWallet(_ text: String?) -> WalletCheck {
        let trimmed = (text ?? "").trimmingASCIIWhitespace()
        guard !trimmed.isEmpty else { return .empty }
        do { return .valid(try EthereumAddress(validating: trimmed)) } catch { return .invalid(trimmed, error) }
    }

    /// The chain's position in `Chain.allCases`.
    private static func chainSlot(_ chain: Chain) -> Int {
        switch chain {
        case .ethereum: return 0
        case .polygon: return 1
        case .base: return 2
        }
    }

    /// Second pass over the rows whose reference has a repeated fingerprint: compares the
    /// text and what it looks like (`LookAlikeName.lookAlike`), so only true repeats are
    /// reported and only true look-alikes returned (by line), each naming the first line. Memory
    /// grows with the number of distinct repeated references, not with the rows.
    private func confirmDuplicates(_ suspects: Set<Int>, columns: CSVColumns, errors: inout ErrorCollector) throws -> [Int: String] {
        var first: [String: (text: String, line: Int)] = [:]  // by skeleton
        var lookAlikes: [Int: String] = [:]
        let reader = try CSVReader(path: path, displayName: displayName)
        _ = try? reader.next()  // the header
        while true {
            let record: CSVRecord
            do {
                guard let next = try reader.next() else { break }
                record = next
            } catch {
                if error.isFatal { break }
                continue
            }
            guard let text = columns.value("reference", in: record)?.trimmingASCIIWhitespace(), !text.isEmpty,
                  suspects.contains(LookAlikeName.fingerprint(text))
            else { continue }
            let skeleton = LookAlikeName.skeleton(text)
            guard let earlier = first[skeleton] else {
                first[skeleton] = (text, record.line)
                continue
            }
            if earlier.text == text {
                errors.add(line: record.line, column: "reference",
                           "\"\(text)\" is already used on line \(earlier.line); each reference names one top-up, so give this row its own")
            } else if LookAlikeName.lookAlike(text, earlier.text) {
                lookAlikes[record.line] = LookAlikeName.collision(text, looksLike: earlier.text, where: "on line \(earlier.line)")
            }
        }
        return lookAlikes
    }

    // MARK: - Values

    static func wallet(_ text: String?, line: Int, errors: inout ErrorCollector) -> EthereumAddress? {
        wallet(checkWallet(text), line: line, errors: &errors)
    }

    static func wallet(_ check: WalletCheck, line: Int, errors: inout ErrorCollector) -> EthereumAddress? {
        switch check {
        case .valid(let address):
            return address
        case .empty:
            errors.add(line: line, column: "wallet", "is empty; write the paying wallet's address (0x and 40 hex digits)")
            return nil
        case .invalid(let trimmed, let error):
            errors.add(line: line, column: "wallet", "\"\(trimmed)\" \(error)")
            return nil
        }
    }

    static func chain(_ text: String?, line: Int, errors: inout ErrorCollector) -> Chain? {
        let trimmed = (text ?? "").trimmingASCIIWhitespace()
        if let chain = Chain(text: trimmed) { return chain }
        let what = trimmed.isEmpty ? "is empty" : "\"\(trimmed)\" is not a supported chain"
        errors.add(line: line, column: "chain_id", "\(what); use 1 (ethereum), 137 (polygon) or 8453 (base)")
        return nil
    }

    /// What to say of an amount (as written) over `max`, the most a row may ask for.
    static func overMaxProblem(_ amount: String, max: Micros) -> String {
        // At the largest charge, --max-amount can be raised no further (probe 325).
        "\"\(amount)\" is more than the \(max.decimalText) USD allowed per row; split it into several rows"
            + (max < .largestCharge ? " or raise --max-amount if it is really meant" : ", the largest charge this tool takes")
    }

    /// A plan amount: plain decimal (digits, at most one `.` followed by 1–2 digits),
    /// more than 0, at most `max`.
    static func amount(_ text: String?, max: Micros, line: Int, errors: inout ErrorCollector) -> Micros? {
        let trimmed = (text ?? "").trimmingASCIIWhitespace()
        func fail(_ message: String) -> Micros? {
            errors.add(line: line, column: "amount", message)
            return nil
        }
        guard !trimmed.isEmpty else { return fail("is empty; write the amount in USD, e.g. 250 or 12.50") }
        let bytes = trimmed.utf8  // no copy: a native string's UTF-8 view is its storage
        if bytes.first == UInt8(ascii: "-") {
            return fail("\"\(trimmed)\" has a minus sign; write an amount more than 0 without a sign")
        }
        if bytes.first == UInt8(ascii: "+") {
            return fail("\"\(trimmed)\" has a sign; write the amount without +, e.g. 12.50")
        }
        let points = bytes.reduce(0) { $0 + ($1 == UInt8(ascii: ".") ? 1 : 0) }
        let plain = points <= 1 && bytes.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: ".") }
            && bytes.first != UInt8(ascii: ".") && bytes.last != UInt8(ascii: ".")
        guard plain else {
            // A character that cannot be seen is named: it was shown as `?` (probe 210).
            let unseen = trimmed.first { character in
                character.unicodeScalars.contains { !(0x21..<0x7F).contains($0.value) }
            }.map { "; it holds \(AddressError.shown($0))" } ?? ""
            return fail("\"\(trimmed)\" is not a plain decimal number\(unseen); write digits with at most one \".\" and no "
                + "spaces inside, thousands separators, currency signs or exponents, e.g. 1250.50")
        }
        if Micros.decimalPlaces(in: Substring(trimmed).utf8) > 2 {
            return fail("\"\(trimmed)\" has more than 2 decimals; write whole cents, e.g. 12.35")
        }
        func overMax() -> Micros? { fail(overMaxProblem(trimmed, max: max)) }
        let value: Micros
        do { value = try Micros(parsingAmount: trimmed, allowExponent: false) } catch .outOfRange {
            // Past what any amount may be, so past this row's limit too, which is what to say
            // (probe 314: "at most 1000000000 USD", a limit no row may reach).
            return overMax()
        } catch {
            return fail("\"\(trimmed)\" \(error); write the amount in USD, e.g. 250 or 12.50")
        }
        guard value > .zero else { return fail("\"\(trimmed)\" is not more than 0; remove the row or write the amount to top up") }
        guard value <= max else { return overMax() }
        return value
    }

    /// A `reference`: see `name(_:column:another:line:errors:)`; another spelling would be
    /// another top-up.
    static func reference(_ text: String?, line: Int, errors: inout ErrorCollector) -> (value: String?, ok: Bool) {
        name(text, column: "reference", another: "top-up", line: line, errors: &errors)
    }

    /// A name the ledger keeps for good and matches byte for byte (a `reference`, a
    /// `charge_id`): text as `text` takes it, refused when it could look like another name
    /// (`LookAlikeName`), which would be `another` thing (a second top-up of a reference
    /// already paid).
    static func name(_ text: String?, column: String, another: String, line: Int,
                     errors: inout ErrorCollector) -> (value: String?, ok: Bool) {
        let read = Self.text(text, column: column, line: line, errors: &errors)
        guard let value = read.value, let problem = LookAlikeName.problem(value, column: column, another: another) else {
            return read
        }
        errors.add(line: line, column: column, problem)
        return (nil, false)
    }

    /// Free text: trimmed, empty is absent, no control characters (tab allowed in memos).
    static func text(_ text: String?, column: String, allowTab: Bool = false, line: Int,
                     errors: inout ErrorCollector) -> (value: String?, ok: Bool) {
        guard let text else { return (nil, true) }
        let trimmed = text.trimmingASCIIWhitespace()
        guard !trimmed.isEmpty else { return (nil, true) }
        // Control characters (general category Cc) are U+0000–U+001F and U+007F–U+009F:
        // in UTF-8 a byte below 0x20, 0x7F, or 0xC2 followed by 0x80–0x9F. Most text has
        // none of those bytes, and the scan skips the costly Unicode property look-up.
        func isSuspicious(_ byte: UInt8) -> Bool { byte < 0x20 || byte == 0x7F || byte == 0xC2 }
        let suspicious = trimmed.utf8.withContiguousStorageIfAvailable { bytes in
            for byte in bytes where isSuspicious(byte) { return true }
            return false
        } ?? trimmed.utf8.contains(where: isSuspicious)
        let bad = !suspicious ? nil : trimmed.unicodeScalars.first { scalar in
            scalar.properties.generalCategory == .control && !(allowTab && scalar == "\t")
        }
        if let bad {
            let name = bad == "\n" || bad == "\r" ? "a line break" : "a control character (\(LookAlikeName.named(bad)))"
            errors.add(line: line, column: column, "contains \(name); write it on one line without control characters"
                + (allowTab ? " (tabs are allowed)" : ""))
            return (nil, false)
        }
        return (trimmed, true)
    }
}
