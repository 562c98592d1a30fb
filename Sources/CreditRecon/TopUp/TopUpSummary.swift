import CreditTypes

/// What a top-up run did, and where every row of the plan stands afterwards.
public struct TopUpSummary: Sendable, Equatable {
    /// A plan row that needs a person: rejected, blocked or with an unknown outcome.
    public struct Attention: Sendable, Equatable {
        public let line: Int
        public let key: String
        public let reference: String?
        public let state: String
        public let message: String?
    }

    public var batch = ""
    /// The plan's path, for the advice (`topup PLAN --retry-unknown`).
    public var planFile = ""
    /// The run's account (`--account`), for the advice.
    public var account = AccountLabel.defaultAccount
    public var planRows = 0
    /// The run's id in the ledger, when anything was written.
    public var runID: Int64?
    /// Whether the run was given `--retry-unknown` (the advice then says to run it again).
    public var retriedUnknown = false
    /// Requests sent by this run.
    public var sent = 0
    /// Outcomes of this run's requests.
    public var created = 0
    public var rejected = 0
    public var notSent = 0
    public var blocked = 0
    public var unknown = 0
    /// `requesting` rows of a dead run turned `unknown` at the start.
    public var recovered = 0
    /// Those of them that are rows of other plans (another plan file, batch or account), by
    /// plan: not in this plan's counts, but needing a person too.
    public var recoveredOfOtherPlans: [OtherPlanRows] = []

    /// Rows of one plan (its file, batch and account) other than the run's.
    public struct OtherPlanRows: Sendable, Equatable {
        public let planFile: String
        public let batch: String
        public let account: String
        public let rows: Int
        /// The command that sends them again, that plan's own (`TopUpEngine.retryUnknownCommand`).
        public let command: String
    }
    /// Rows skipped because they were already carried out.
    public var skippedDone = 0
    /// Rows skipped because they are blocked or unknown from an earlier run.
    public var skippedBlocked = 0
    public var skippedUnknown = 0
    public var skippedRejected = 0
    /// Rows of other accounts than the run's, left for their own top-ups, by account.
    public var skippedOtherAccounts: [String: Int] = [:]
    /// Rows to send that were not started because the run stopped.
    public var notStarted = 0
    /// Sum of the charges this run created.
    public var createdTotal = Micros.zero
    /// Final state of the plan's rows: state → rows, and state → the sum of their planned
    /// amounts (a row settled by a charge of another amount counts its plan's).
    public var states: [String: Int] = [:]
    public var stateTotals: [String: Micros] = [:]
    public var attention: [Attention] = []

    /// A plan row as `topup` names it: `13 (INV-7)`, or by its key without a reference
    /// (`13 (key row/default/…)`), the key its advice asks for.
    static func rowName(line: Int, reference: String?, key: String) -> String {
        "\(line) (\(reference ?? "key \(key)"))"
    }

    /// Whether a row in `state` needs a person: `rejected`, `blocked`, `unknown`, or
    /// `requesting` (left by a run that died).
    static func needsAPerson(_ state: String) -> Bool {
        ["rejected", "blocked", "unknown", "requesting"].contains(state)
    }
    public var stopReason: StopReason?
    public var headHash = ""
    /// What every write would refuse the ledger for (`Ledger.damageSigns()`), asked when
    /// the run had nothing to write.
    public var ledgerDamage: [String] = []

    /// 77/69/75 when stopped early for that reason; 1 when a row needs a person (one of
    /// another plan this run found left unanswered too) or the ledger is damaged; else 0.
    public var exitStatus: ExitStatus {
        if let stopReason { return stopReason.exitStatus }
        return attention.isEmpty && ledgerDamage.isEmpty && recoveredOfOtherPlans.isEmpty ? .ok : .attention
    }

    /// The states a plan row may stand in after a run, each listed in `--json` (README's),
    /// and any other a row stands in.
    private var listedStates: [String] {
        Array(Set(["planned", "created", "recorded", "rejected", "blocked", "unknown"]).union(states.keys))
    }

    /// The `--json` summary.
    public var json: JSONOutput {
        .object([
            "batch": .string(batch), "plan_rows": .int(Int64(planRows)), "run_id": runID.map(JSONOutput.int) ?? .null,
            "sent": .int(Int64(sent)),
            "this_run": .object([
                "created": .int(Int64(created)), "rejected": .int(Int64(rejected)), "not_sent": .int(Int64(notSent)),
                "blocked": .int(Int64(blocked)), "unknown": .int(Int64(unknown)), "recovered_unknown": .int(Int64(recovered)),
                "recovered_unknown_of_other_plans": .array(recoveredOfOtherPlans.map { plan in
                    .object(["plan_file": .string(plan.planFile), "batch": .string(plan.batch), "account": .string(plan.account),
                             "rows": .int(Int64(plan.rows)), "retry_command": .string(plan.command)])
                }),
                "not_started": .int(Int64(notStarted)), "created_total": .string(createdTotal.decimalText),
            ]),
            "skipped": .object([
                "done": .int(Int64(skippedDone)), "blocked": .int(Int64(skippedBlocked)), "unknown": .int(Int64(skippedUnknown)),
                "rejected": .int(Int64(skippedRejected)),
                "other_accounts": .object(skippedOtherAccounts.mapValues { .int(Int64($0)) }),
            ]),
            // Every state, 0 too, as `skipped` and `this_run` give theirs: a script reading
            // `states["unknown"]` failed in the clean case (probe 197).
            "states": .object(Dictionary(uniqueKeysWithValues: listedStates.map { ($0, .int(Int64(states[$0] ?? 0))) })),
            "state_totals": .object(Dictionary(uniqueKeysWithValues: listedStates.map {
                ($0, .string((stateTotals[$0] ?? .zero).decimalText))
            })),
            "needs_attention": .array(attention.map { row in
                .object([
                    "line": .int(Int64(row.line)), "key": .string(row.key), "reference": row.reference.map(JSONOutput.string) ?? .null,
                    "state": .string(row.state), "message": row.message.map(JSONOutput.string) ?? .null,
                ])
            }),
            "stopped": stoppedText.map(JSONOutput.string) ?? .null,
            "ledger_damaged": ledgerDamage.isEmpty ? .null : .array(ledgerDamage.map(JSONOutput.string)),
            "exit_code": .int(Int64(exitStatus.rawValue)),
            "head_hash": .string(headHash),
        ])
    }

    /// What a person must do about the requests an earlier run left unanswered, which this
    /// run marked unknown (`recovered`), if any: said in `text`, and logged (warning)
    /// without a terminal, as the rows this run left for a person are.
    public var recoveredText: String? {
        guard recovered > 0 else { return nil }
        // Each row's own plan: another plan's row named this one, whose --retry-unknown can
        // never send it (probe 430).
        let own = recovered - recoveredOfOtherPlans.reduce(0) { $0 + $1.rows }
        var commands: [String] = []
        let mixed = !recoveredOfOtherPlans.isEmpty
        if own > 0 {
            commands.append("`\(TopUpEngine.retryUnknownCommand(planFile: planFile, batch: batch, account: account))`"
                + (mixed ? " (\(own) of this plan)" : ""))
        }
        for plan in recoveredOfOtherPlans {
            commands.append("`\(TerminalText.printable(plan.command))` (\(plan.rows) of plan \(TerminalText.printable(plan.planFile))"
                + ", batch \(TerminalText.printable(plan.batch)), account \(TerminalText.printable(plan.account)))")
        }
        return "\(recovered) request\(recovered == 1 ? "" : "s") left unanswered by an earlier run marked unknown, "
            + "not sent again by this run: check the dashboard, then `import charges` \(recovered == 1 ? "it" : "those made") "
            + "before \(commands.joined(separator: " or ")), which sends every row still unknown again"
            // Said to a run given it, which sends only the rows unknown before it began (probe 246).
            + (retriedUnknown ? " (run it again: this run sends only the rows that were unknown when it began)" : "")
    }

    /// The rows earlier runs left for a person (blocked, unknown, rejected for the row),
    /// which this run skipped, in one sentence; `nil` when there are none. Those an earlier
    /// run left unanswered are `recoveredText`'s.
    public var skippedNeedingAPersonText: String? {
        let unknownBefore = max(0, skippedUnknown - recovered)
        let counts = [(unknownBefore, "unknown"), (skippedBlocked, "blocked"), (skippedRejected, "rejected")]
            .filter { $0.0 > 0 }
        guard !counts.isEmpty else { return nil }
        let total = counts.reduce(0) { $0 + $1.0 }
        return "\(total) row\(total == 1 ? "" : "s") an earlier run left for a person (" + counts.map { "\($0.0) \($0.1)" }.joined(separator: ", ")
            + "), not sent by this run: `\(TopUpEngine.planCommand(planFile: planFile, batch: batch, account: account, "--dry-run"))` "
            + "lists them, and `status` says what each needs"
    }

    /// Why the run stopped, when it did. A signal after the last row was sent stopped
    /// nothing: "run topup again to send the rest" was said with none left (probe 246). A
    /// row not sent (a 429) is one left to send (probe 431: "none is left" beside "2 not sent").
    public var stoppedText: String? {
        guard let stopReason else { return nil }
        if case .interrupted(let signal) = stopReason, notStarted == 0, notSent == 0 {
            return "stopped by \(signal) after every row to send was sent: the requests were finished and recorded, "
                + "and none is left to send"
        }
        return stopReason.description
    }

    /// Lines for people.
    public var text: String {
        var lines = ["batch \(batch): \(created) created (\(createdTotal.centsText) USD), \(rejected) rejected, "
            + "\(notSent) not sent, \(blocked) blocked, \(unknown) unknown; skipped \(skippedDone) done, "
            + "\(skippedBlocked) blocked, \(skippedUnknown) unknown, \(skippedRejected) rejected"]
        if let recoveredText { lines.append(recoveredText) }
        if let others = TopUpPreview.otherAccountsText(skippedOtherAccounts) { lines.append(others) }
        if notStarted > 0 { lines.append("\(notStarted) row\(notStarted == 1 ? "" : "s") not started") }
        if let stoppedText { lines.append(stoppedText) }
        // Rows that failed the same way share one message (a 410 hits every row).
        var groups: [(state: String, message: String, rows: [Attention])] = []
        for row in attention {
            let message = row.message ?? ""
            if let index = groups.firstIndex(where: { $0.state == row.state && $0.message == message }) {
                groups[index].rows.append(row)
            } else {
                groups.append((row.state, message, [row]))
            }
        }
        for group in groups {
            // A row without a reference is named by its key: `import charges` resolves it by that.
            let names = group.rows.map { row in Self.rowName(line: row.line, reference: row.reference, key: row.key) }
            let shown = names.prefix(20).joined(separator: ", ") + (names.count > 20 ? ", … \(names.count - 20) more" : "")
            lines.append("needs a person — \(group.rows.count) \(group.state) (line\(names.count == 1 ? "" : "s") \(shown)): \(group.message)")
        }
        if !ledgerDamage.isEmpty {
            lines.append("the ledger is damaged, so any write to it is refused (74); this run had nothing to write: "
                + "\(ledgerDamage.joined(separator: "; ")); its rows' states may not be what was bought: "
                + "run `credit-recon verify` to see what is and what to do")
        }
        if !headHash.isEmpty { lines.append("ledger head \(headHash)") }
        // A server's message (stored, so shown on every later run too) and a charge id
        // may hold control characters: they must not drive the terminal.
        return lines.map(TerminalText.printable).joined(separator: "\n")
    }
}
