import CreditTypes
import Ledger
import OpenRouterAPI

/// `fetch`: checks with `GET /key` that the key is a management key, reads the running
/// totals from `GET /credits` and stores them as a snapshot, inside a run, under the
/// writer lock; reports findings about the new reading.
public struct FetchStage: Sendable {
    /// What a fetch did.
    public struct Outcome: Sendable {
        /// The reading, as stored.
        public let snapshot: SnapshotTaken
        /// The run that recorded it.
        public let runID: Int64
        /// Findings about the reading; non-empty means exit 1.
        public let findings: [Finding]
        /// The account.
        public let account: String
        /// The journal head after the run.
        public let headHash: String

        /// `0` when nothing needs a person, `1` with findings.
        public var exitStatus: ExitStatus { findings.isEmpty ? .ok : .attention }
    }

    /// The command's context (ledger, account, clock, API options).
    public let context: CommandContext

    /// The caller already holds the writer lock (the `run` command).
    public let lockHeld: Bool

    /// A fetch for the command in `context`.
    public init(context: CommandContext, lockHeld: Bool = false) {
        self.context = context
        self.lockHeld = lockHeld
    }

    /// Takes the lock, calls the API with a client built from the context, and records the run.
    public func run() async throws -> Outcome {
        let key = try context.managementKey()
        let client = OpenRouterClient(configuration: ClientConfiguration(
            baseURL: context.baseURL, managementKey: key, timeout: context.timeout,
            maxRetryTime: context.maxRetryTime, userAgent: CreditReconVersion.userAgent, logger: context.logger))
        do {
            let outcome = try await run(client: client)
            await client.shutdown()
            return outcome
        } catch {
            await client.shutdown()
            throw error
        }
    }

    /// The stage with a given client (tests pass one pointed at the simulator).
    public func run(client: OpenRouterClient) async throws -> Outcome {
        let lock = lockHeld ? nil : try context.lockWriter()
        defer { withExtendedLifetime(lock) {} }
        let started = context.now()
        // The key is checked before the ledger is opened: a key that is not a management key
        // leaves nothing behind, not even a run. A call that fails is recorded as a failed run.
        var keyFailure: APIError?
        var isManagementKey = true
        do throws(APIError) {
            isManagementKey = try await client.getKeyMetadata().isManagementKey
        } catch {
            keyFailure = error
        }
        guard isManagementKey else { throw Self.notManagementKey }
        let ledger = try context.openLedger()
        let account = context.account
        let runID = try ledger.write { writer in
            try writer.append(.runStarted(RunStarted(command: "fetch")), account: account, runID: nil, at: started)
        }
        let reading: CreditsReading
        do throws(APIError) {
            if let keyFailure { throw keyFailure }
            reading = try await client.getCredits()
        } catch {
            let finished = context.now()
            try ledger.write { writer in
                _ = try writer.append(
                    .runFinished(RunFinished(runID: runID, outcome: "failed", exitCode: Int64(error.exitStatus.rawValue),
                                             summary: error.description)),
                    account: account, runID: runID, at: finished)
            }
            throw error
        }
        let observedAt = context.now()
        let snapshot = SnapshotTaken(
            observedAt: observedAt, totalCredits: reading.totalCredits, totalUsage: reading.totalUsage,
            source: "api", rawBody: reading.rawBody)
        // Every reading is kept, even a suspicious one: the reconciliation decides what to
        // believe, and the raw body lets a person check.
        let findings = try ledger.write { writer -> [Finding] in
            let earlier = try writer.reader.snapshots(account: account)
                .filter { $0.observedAt <= observedAt }
                .map { (credits: $0.totalCredits, usage: $0.totalUsage) }
            let findings = SnapshotCheck.findings(for: snapshot, earlier: earlier, account: account)
            try writer.append(.snapshotTaken(snapshot), account: account, runID: runID, at: observedAt)
            var summary = "snapshot total_credits \(snapshot.totalCredits) total_usage \(snapshot.totalUsage)"
            for finding in findings { summary += "; \(finding.kind.rawValue): \(finding.message)" }
            try writer.append(
                .runFinished(RunFinished(runID: runID, outcome: findings.isEmpty ? "ok" : "attention",
                                         exitCode: findings.isEmpty ? 0 : 1, summary: summary)),
                account: account, runID: runID, at: observedAt)
            return findings
        }
        return Outcome(snapshot: snapshot, runID: runID, findings: findings, account: account,
                       headHash: try ledger.headHash())
    }
}

extension FetchStage {
    /// What `fetch` says, and exits 78 with, when `GET /key` answers that the key is not a
    /// management key. Nothing in it comes from the key or the answer (the API's label for a
    /// key is a part of the key).
    static let notManagementKey = UsageError.config(
        "the key in OPENROUTER_API_KEY (or --api-key-file) is not a management key, and fetch needs one: only a "
            + "management key can read the account's running totals (GET /credits; an ordinary key is answered with "
            + "zeros that would look like real books), every key's use (GET /keys) and the daily activity "
            + "(GET /activity). Create one under OpenRouter's settings → Management API keys and set "
            + "OPENROUTER_API_KEY to it (keep ordinary keys for inference and OPENROUTER_BEARER). Nothing was stored.")
}

extension FetchStage.Outcome {
    /// The `--json` summary: exact totals as decimal text strings.
    public var json: JSONOutput {
        .object([
            "account": .string(account),
            "observed_at": .string(snapshot.observedAt.iso8601),
            "total_credits": .string(snapshot.totalCredits.decimalText),
            "total_usage": .string(snapshot.totalUsage.decimalText),
            "balance": .string((snapshot.totalCredits - snapshot.totalUsage).decimalText),
            "run_id": .int(runID),
            "head_hash": .string(headHash),
            "findings": .array(findings.map { finding in
                .object([
                    "kind": .string(finding.kind.rawValue), "severity": .string(finding.severity.rawValue),
                    "message": .string(finding.message),
                ])
            }),
        ])
    }

    /// The lines printed for people.
    public var text: String {
        var lines = [
            "snapshot \(snapshot.observedAt.iso8601) account \(account): "
                + "total_credits \(snapshot.totalCredits), total_usage \(snapshot.totalUsage), "
                + "balance \(snapshot.totalCredits - snapshot.totalUsage)",
            "ledger head \(headHash)",
        ]
        for finding in findings { lines.append("\(finding.severity.rawValue): \(finding.message)") }
        return lines.joined(separator: "\n")
    }
}
