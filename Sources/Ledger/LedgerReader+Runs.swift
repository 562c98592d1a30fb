extension LedgerReader {
    /// Runs of `account` that ended `failed`, oldest first.
    public func failedRuns(account: String) throws -> [RunRow] {
        try db.statement(
            """
            SELECT id, account, command, started_at, finished_at, outcome, exit_code, summary FROM runs
            WHERE account = ? AND outcome = 'failed' ORDER BY id
            """
        ).rows([.text(account)]) { row in
            RunRow(
                id: row.int64(0), account: row.text(1), command: row.text(2), startedAt: row.text(3),
                finishedAt: row.optionalText(4), outcome: row.optionalText(5), exitCode: row.optionalInt64(6),
                summary: row.optionalText(7))
        }
    }
}
