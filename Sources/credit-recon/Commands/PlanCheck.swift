import ArgumentParser
import CreditRecon
import CreditTypes
import Ledger

extension CreditReconCommand.Plan {
    /// `plan check PLAN.csv`: validates a top-up plan; writes nothing.
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Validates a top-up plan (wallet,chain_id,amount[,reference,memo,account]); writes nothing.",
            discussion: """
                Every row is checked and every problem listed as FILE:LINE: column: what is wrong and how to fix it \
                (exit 65); a missing or unreadable file exits 66. Mixed-case wallets must pass their EIP-55 checksum. \
                When the ledger exists (--ledger; none is created), the rows are also checked against it as `topup` \
                checks them (a reference already used with other parameters, or carried by a recorded charge, or \
                planned for another account: 65), and the line says how many rows `topup` would send.
                """
        )

        @OptionGroup var global: GlobalOptions

        @Argument(help: ArgumentHelp("The plan CSV file.", valueName: "plan.csv"))
        var plan: String

        @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("The largest amount one row may ask for, in USD (default 10000, at most 1000000).", valueName: "usd"))
        var maxAmount: String?

        @Option(name: .long, help: ArgumentHelp("The batch `topup` will be given, for the rows without a reference (default: the plan file's name).", valueName: "name"))
        var batch: String?

        @Flag(name: .long, help: "As `topup --allow-repeat`: rows may repeat a purchase another plan's top-up or a recorded charge made in the last 12 hours.")
        var allowRepeat = false

        func validate() throws { try TopUpFlags.validate(batch: batch) }

        mutating func run() async throws {
            let plan = self.plan
            let maxAmountText = self.maxAmount
            let batch = self.batch
            let allowRepeat = self.allowRepeat
            try await CLI.run(global) { context in
                let maxAmount = try USDOption.parse(maxAmountText, option: "--max-amount", atMost: .largestCharge) ?? PlanReader.defaultMaxAmount
                // The file's rows and totals once it was read, refused against the ledger or not.
                var read: PlanReader.Summary?
                // Whether the rows were checked against a ledger: `ledger` is `null` when they
                // were refused, and a script read that as "no ledger" (probe 165).
                var againstLedger = false
                do {
                    // Without books, the file alone, streamed in bounded memory; with them, read
                    // once through `topup`'s own preparation and checked against them.
                    let summary: PlanReader.Summary
                    var preview: TopUpPreview?
                    if let ledger = try context.existingLedgerForAccount() {
                        let engine = TopUpEngine(options: .init(planPath: plan, batch: batch, account: context.account, maxAmount: maxAmount,
                                                                allowRepeat: allowRepeat, now: context.now()))
                        // The valid rows of a file with bad ones too, every problem said at once:
                        // the ledger's conflicts were said only once the file's were mended.
                        let keyed = try engine.readPlan(keepingProblems: true)
                        againstLedger = true
                        summary = keyed.summary
                        // `rows` and `total` are `null` beside a bad row: they count valid rows only.
                        if keyed.problems == nil { read = summary }
                        preview = try engine.prepare(ledger: ledger, plan: keyed, writer: ledger.writerAtWork)
                        // Checked as `topup` checks it: a ledger it would refuse is said (probe 420:
                        // "1 row to send", 0, of a backup put back that `topup` refuses).
                        preview?.ledgerDamage = try ledger.damageSigns()
                    } else {
                        let reader = PlanReader(path: plan, defaultAccount: context.account, maxAmount: maxAmount)
                        summary = try reader.read()
                        // With no books every row is new: what new rows may not hold is refused.
                        if let problems = summary.newRowProblems(file: reader.displayName) { throw problems }
                    }
                    if context.json {
                        let status: ExitStatus = preview?.ledgerDamage.isEmpty == false ? .attention : .ok
                        print(Self.json(plan, summary, errors: nil, exitCode: status, againstLedger: againstLedger, preview: preview).text)
                    } else {
                        print("\(plan): \(summary.rows) row\(summary.rows == 1 ? "" : "s"), all valid; \(summary.total.centsText) USD in total")
                        for chain in summary.totalsByChain.keys.sorted() {
                            let rows = summary.rowsByChain[chain] ?? 0
                            print("  \(Chain.label(for: chain)): \(rows) row\(rows == 1 ? "" : "s"), \((summary.totalsByChain[chain] ?? .zero).centsText) USD")
                        }
                        if let preview {
                            let send = preview.toSend.count
                            print("against the ledger \(context.ledgerName): \(send) row\(send == 1 ? "" : "s") to send "
                                + "(\(preview.sendTotal.centsText) USD), \(preview.count(.done)) already done, \(preview.count(.blocked)) blocked, "
                                + "\(preview.count(.unknown)) unknown, \(preview.count(.rejected)) rejected"
                                + (TopUpPreview.otherAccountsText(preview.otherAccounts).map { "; " + $0 } ?? ""))
                            if let inFlight = preview.inFlightText { print(inFlight) }
                        } else {
                            print("no ledger at \(context.ledgerName): the file alone was checked")
                        }
                        if let damage = preview?.ledgerDamage, !damage.isEmpty {
                            print(TerminalText.printable("the ledger is damaged, so a top-up would be refused (74) before anything "
                                + "is sent: \(damage.joined(separator: "; ")); run `credit-recon verify` to see what is and what to do"))
                        }
                    }
                    return preview?.ledgerDamage.isEmpty == false ? .attention : .ok
                } catch let errors as InputErrors {
                    guard context.json else { throw errors }
                    print(Self.json(plan, read, errors: errors, exitCode: ExitStatus(for: errors), againstLedger: againstLedger, preview: nil).text)
                    throw CLI.ReportedInJSON(error: errors)
                }
            }
        }

        static func json(
            _ file: String, _ summary: PlanReader.Summary?, errors: InputErrors?, exitCode: ExitStatus, againstLedger: Bool,
            preview: TopUpPreview?
        ) -> JSONOutput {
            // A list in chain order, each with its `chain_id`, as `topup --dry-run` gives it (it
            // was an object keyed by the chain id here: one script could not read both; probe 197).
            let totals: [JSONOutput] = (summary?.totalsByChain ?? [:]).keys.sorted().map { chain in
                .object([
                    "chain_id": .int(chain), "chain": .string(Chain.label(for: chain)),
                    "rows": .int(Int64(summary?.rowsByChain[chain] ?? 0)),
                    "total": .string((summary?.totalsByChain[chain] ?? .zero).decimalText),
                ])
            }
            return .object([
                "file": .string(file), "valid": .bool(errors == nil),
                "rows": summary.map { .int(Int64($0.rows)) } ?? .null,
                "total": summary.map { .string($0.total.decimalText) } ?? .null,
                "totals_by_chain": .array(totals),
                "error_count": .int(Int64(errors?.total ?? 0)),
                "errors": .array((errors?.errors ?? []).map { .string($0.description) }),
                "exit_code": .int(Int64(exitCode.rawValue)),
                "checked_against_ledger": .bool(againstLedger),
                // What `topup` would do, when a ledger was there to check against.
                "ledger": preview.map { preview in
                    .object([
                        "to_send": .int(Int64(preview.toSend.count)), "to_send_total": .string(preview.sendTotal.decimalText),
                        "done": .int(Int64(preview.count(.done))), "blocked": .int(Int64(preview.count(.blocked))),
                        "unknown": .int(Int64(preview.count(.unknown))), "rejected": .int(Int64(preview.count(.rejected))),
                        "in_flight": .int(Int64(preview.count(.inFlight))),
                        "other_accounts": .object(preview.otherAccounts.mapValues { .int(Int64($0)) }),
                        "ledger_damaged": preview.ledgerDamage.isEmpty ? .null : .array(preview.ledgerDamage.map(JSONOutput.string)),
                    ])
                } ?? .null,
            ])
        }
    }
}

/// Parses a USD amount given on the command line.
enum USDOption {
    /// `text` as a USD amount more than 0 and at most `largest`; `nil` without text.
    static func parse(_ text: String?, option: String, atMost largest: Micros = .largestAmount) throws -> Micros? {
        guard let text else { return nil }
        do {
            let value = try Micros(parsingAmount: text, allowExponent: false)
            guard value > .zero else { throw UsageError.usage("\(option) must be more than 0") }
            // Plan amounts are whole cents: a limit between two cents reads as one it is not.
            let cent = Micros.perDollar / 100
            guard value.raw % cent == 0 else {
                // The whole cents below it, the cap it allows, and never 0, which is refused (probe 249).
                let below = Micros(raw: max(cent, value.raw - value.raw % cent))
                throw UsageError.usage("\(option): \"\(text)\" has more than 2 decimals; a plan's amounts are whole cents, "
                    + "so write the limit in whole cents, e.g. \(below.centsText)")
            }
            guard value <= largest else {
                throw UsageError.usage("\(option): \"\(text)\" is more than \(largest.decimalText) USD, the most it may be")
            }
            return value
        } catch let error as UsageError {
            throw error
        } catch MicrosParseError.outOfRange where !text.hasPrefix("-") {
            // Past what any amount may be: the option's own limit is what to say (probe 437:
            // "at most 1000000000 USD" of a limit of 1000000).
            throw UsageError.usage("\(option): \"\(text)\" is more than \(largest.decimalText) USD, the most it may be")
        } catch {
            throw UsageError.usage("\(option): \"\(text)\" \(error); write a plain number of USD such as 5000")
        }
    }
}
