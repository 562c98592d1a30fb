/// How `verify` words the rows that differ between a projection table and its replay,
/// whichever store found them.
enum ReplayDifferences {
    /// Sentences for `table`'s differing keys, each key given as its columns' values as
    /// written in a sentence (an integer as it is, a text quoted): `extra` are the stored
    /// rows the replay does not have exactly, `missing` the replayed rows the stored table
    /// does not have exactly. A key in both is a row that differs. A key of one column is
    /// written as its value, of several as `(value, value)`.
    static func sentences(table: String, extra: [[String]], missing: [[String]]) -> [String] {
        let extraKeys = Set(extra.map(text))
        let missingKeys = Set(missing.map(text))
        var problems: [String] = []
        for key in missing where !extraKeys.contains(text(key)) {
            problems.append("\(table) row \(text(key)) is missing: the journal records it (\(origin(table, key)))")
        }
        for key in extra {
            if missingKeys.contains(text(key)) {
                problems.append("\(table) row \(text(key)) differs from what the journal records (\(origin(table, key)))")
            } else {
                problems.append("\(table) row \(text(key)) is not in the journal: the entry that made it was cut from the "
                    + "journal's end, or it was added behind the ledger's back")
            }
        }
        return problems
    }

    private static func text(_ key: [String]) -> String {
        key.count == 1 ? key[0] : "(" + key.joined(separator: ", ") + ")"
    }

    /// The entry that wrote the row: every table but these two is keyed by it first (a
    /// reading's `id`, a key reading's listing, an activity row's day).
    private static func origin(_ table: String, _ key: [String]) -> String {
        switch table {
        case "topups", "charges": "see its journal entries"
        default: "journal entry \(key[0])"
        }
    }
}
