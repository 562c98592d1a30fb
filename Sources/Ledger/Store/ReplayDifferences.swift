/// How `verify` words the rows that differ between a projection table and its replay,
/// whichever store found them.
enum ReplayDifferences {
    /// Sentences for `table`'s differing keys, each key as written in a sentence (an
    /// integer as it is, a text quoted): `extra` are the stored rows the replay does not
    /// have exactly, `missing` the replayed rows the stored table does not have exactly. A
    /// key in both is a row that differs.
    static func sentences(table: String, extra: [String], missing: [String]) -> [String] {
        let extraKeys = Set(extra)
        let missingKeys = Set(missing)
        var problems: [String] = []
        for key in missing where !extraKeys.contains(key) {
            problems.append("\(table) row \(key) is missing: the journal records it (\(origin(table, key)))")
        }
        for key in extra {
            if missingKeys.contains(key) {
                problems.append("\(table) row \(key) differs from what the journal records (\(origin(table, key)))")
            } else {
                problems.append("\(table) row \(key) is not in the journal: it was added behind the ledger's back")
            }
        }
        return problems
    }

    private static func origin(_ table: String, _ key: String) -> String {
        switch table {
        case "runs", "snapshots": "journal entry \(key)"
        default: "see its journal entries"
        }
    }
}
