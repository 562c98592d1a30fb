import CreditTypes
import Ledger

/// Where the usage went over a report's scope, added up for people: the keys and models
/// that used the most, over the scope and per period. `reconciliation.md` and `usage.svg`
/// are drawn from it; the CSV files give every row.
struct UsageSummary {
    /// One key's use over the scope, as its latest reading in scope showed it.
    struct KeyTotal {
        var key: KeyReading
        var used: Micros
    }

    /// One model's activity over the scope.
    struct ModelTotal {
        var model: String
        var usage: Micros
        var requests: Int64
    }

    /// Keys by use, most first (ties by name, then hash).
    let keys: [KeyTotal]
    /// Use no key explains, over the scope.
    let unattributed: Micros
    /// Models by usage, most first (ties by name).
    let models: [ModelTotal]
    /// Distinct UTC days with stored activity in scope.
    let activityDays: Int
    /// Per period (in the order of `books.periods`): its keys by use, and its unattributed use.
    let periodKeys: [[KeyTotal]]
    let periodUnattributed: [Micros]
    /// Per period: its models by usage (each activity day in the period holding the UTC
    /// midnight that ends it).
    let periodModels: [[ModelTotal]]

    init(_ books: Reconciliation) {
        var keyTotals: [String: KeyTotal] = [:]
        var unattributed = Micros.zero
        var periodKeys = [[String: KeyTotal]](repeating: [:], count: books.periods.count)
        var periodUnattributed = [Micros](repeating: .zero, count: books.periods.count)
        var periodIndex = 0
        for row in books.keyUsage {
            while periodIndex < books.periods.count && books.periods[periodIndex].start != row.start { periodIndex += 1 }
            guard periodIndex < books.periods.count else { break }
            guard let key = row.key else {
                unattributed += row.used
                periodUnattributed[periodIndex] += row.used
                continue
            }
            keyTotals[key.hash] = KeyTotal(key: key, used: (keyTotals[key.hash]?.used ?? .zero) + row.used)
            periodKeys[periodIndex][key.hash] = KeyTotal(key: key, used: row.used)
        }
        keys = Self.ranked(Array(keyTotals.values))
        self.unattributed = unattributed
        self.periodKeys = periodKeys.map { Self.ranked(Array($0.values)) }
        self.periodUnattributed = periodUnattributed

        var modelTotals: [String: ModelTotal] = [:]
        var periodModelTotals = [[String: ModelTotal]](repeating: [:], count: books.periods.count)
        var days = Set<CivilDate>()
        for row in books.activity {
            days.insert(row.date)
            let line = row.line
            var total = modelTotals[line.model] ?? ModelTotal(model: line.model, usage: .zero, requests: 0)
            total.usage += line.usage
            total.requests += line.requests ?? 0
            modelTotals[line.model] = total
        }
        // A day's use shows in the reading taken when it ends: its period is the one holding
        // the next UTC midnight, as for the use the readings show.
        for row in books.activityOfPeriods {
            let line = row.line
            if let index = books.periods.index(containing: Reconciler.dayEnd(row.date)) {
                var inPeriod = periodModelTotals[index][line.model] ?? ModelTotal(model: line.model, usage: .zero, requests: 0)
                inPeriod.usage += line.usage
                inPeriod.requests += line.requests ?? 0
                periodModelTotals[index][line.model] = inPeriod
            }
        }
        models = Self.ranked(Array(modelTotals.values))
        periodModels = periodModelTotals.map { Self.ranked(Array($0.values)) }
        activityDays = days.count
    }

    static func ranked(_ keys: [KeyTotal]) -> [KeyTotal] {
        keys.sorted { $0.used != $1.used ? $0.used > $1.used : KeyPeriodUsage.keyOrder($0.key, $1.key) }
    }

    static func ranked(_ models: [ModelTotal]) -> [ModelTotal] {
        models.sorted { $0.usage != $1.usage ? $0.usage > $1.usage : $0.model < $1.model }
    }

    /// A key as people know it: its name, else the start of its hash.
    static func label(_ key: KeyReading) -> String { key.name ?? shortHash(key.hash) }

    /// The first 12 characters of a key's hash (the whole hash is in the CSV file).
    static func shortHash(_ hash: String) -> String { hash.count > 12 ? String(hash.prefix(12)) + "…" : hash }

    /// `part` as a share of `whole`, to the nearest tenth of a percent (`–` when `whole` is
    /// not positive).
    static func share(_ part: Micros, of whole: Micros) -> String {
        guard whole > .zero else { return "–" }
        let doubled = Int128(part.raw) * 2000 / Int128(whole.raw)
        let tenths = doubled >= 0 ? (doubled + 1) / 2 : (doubled - 1) / 2
        let sign = tenths < 0 ? "-" : ""
        return "\(sign)\(tenths.magnitude / 10).\(tenths.magnitude % 10) %"
    }
}
