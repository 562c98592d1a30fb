import CreditTypes

/// `usage.svg`: each period's use as one bar, stacked by key — the largest few keys of the
/// range, then the other keys, then the unattributed use.
///
/// Drawn like `BalanceChart`: integer arithmetic only, no money through `Double`, the same
/// bytes on every machine. A negative segment (a key's reading that went down, or keys that
/// read more than the account) is stacked below zero.
struct UsageChart {
    let books: Reconciliation

    init(_ books: Reconciliation) { self.books = books }

    /// Keys drawn on their own; the rest are one "other keys" segment.
    static let shownKeys = 5
    static let keyColors = ["#1565c0", "#2e7d32", "#6a1b9a", "#00838f", "#ef6c00"]
    static let otherColor = "#90a4ae"
    static let unattributedColor = "#c62828"

    /// One segment kind of the stack: a shown key, the other keys, or unattributed.
    private struct Series {
        var name: String
        var color: String
        /// Per period.
        var values: [Int64]
        /// Per period, what a bar's title names it by: a key as that period's reading named
        /// it (as `usage_by_key.csv` does), the legend's name where there is none.
        var periodNames: [String?] = []

        func name(in period: Int) -> String { period < periodNames.count ? periodNames[period] ?? name : name }
    }

    private var series: [Series] {
        let summary = UsageSummary(books)
        let shown = summary.keys.prefix(Self.shownKeys)
        let periodCount = books.periods.count
        var result = shown.enumerated().map { offset, total in
            let each = summary.periodKeys.map { keys in keys.first { $0.key.hash == total.key.hash } }
            return Series(name: UsageSummary.label(total.key), color: Self.keyColors[offset % Self.keyColors.count],
                          values: each.map { $0?.used.raw ?? 0 }, periodNames: each.map { $0.map { UsageSummary.label($0.key) } })
        }
        let shownHashes = Set(shown.map(\.key.hash))
        let others = summary.periodKeys.map { keys in
            keys.reduce(Int64(0)) { shownHashes.contains($1.key.hash) ? $0 : $0 + $1.used.raw }
        }
        if others.contains(where: { $0 != 0 }) {
            result.append(Series(name: "other keys", color: Self.otherColor, values: others))
        }
        result.append(Series(name: "unattributed", color: Self.unattributedColor,
                             values: summary.periodUnattributed.map(\.raw)))
        return result.filter { $0.values.count == periodCount }
    }

    var svg: String {
        let periods = books.periods
        let series = self.series
        var out = ""
        func add(_ text: String) { out += text + "\n" }
        let w = BalanceChart.width, h = BalanceChart.height, left = BalanceChart.plotLeft, top = BalanceChart.plotTop
        let pw = BalanceChart.plotWidth, ph = BalanceChart.plotHeight - 40
        add(##"<?xml version="1.0" encoding="UTF-8"?>"##)
        add(##"<svg xmlns="http://www.w3.org/2000/svg" width="\##(w)" height="\##(h)" viewBox="0 0 \##(w) \##(h)" font-family="sans-serif">"##)
        add(##"<rect x="0" y="0" width="\##(w)" height="\##(h)" fill="#ffffff"/>"##)
        add(##"<text x="\##(w / 2)" y="30" font-size="20" font-weight="bold" text-anchor="middle" fill="#212121">\##(BalanceChart.xml("Use by key: " + books.account))</text>"##)
        add(##"<text x="\##(w / 2)" y="54" font-size="13" text-anchor="middle" fill="#555555">\##(BalanceChart.xml("\(books.from.isoText) up to \(books.to.isoText), \(books.period.rawValue) periods, \(books.timeZone); as of \(books.asOf.iso8601)"))</text>"##)

        // The value axis covers every stack, above and below zero.
        var low: Int64 = 0
        var high: Int64 = Micros.perDollar
        for index in periods.indices {
            let up = series.reduce(Int64(0)) { $0 + max(0, $1.values[index]) }
            let down = series.reduce(Int64(0)) { $0 + min(0, $1.values[index]) }
            high = max(high, up)
            low = min(low, down)
        }
        let axis = ChartAxis(low: low, high: high, top: top, height: ph)
        func y(_ value: Int64) -> Int64 { axis.y(value) }
        for line in axis.gridLines(left: left, width: pw) { add(line) }
        add(##"<text x="24" y="\##(top + ph / 2)" font-size="13" text-anchor="middle" fill="#424242" transform="rotate(-90 24 \##(top + ph / 2))">USD used</text>"##)

        let count = Int64(periods.count)
        if count == 0 {
            add(##"<text x="\##(left + pw / 2)" y="\##(top + ph / 2)" font-size="16" text-anchor="middle" fill="#757575">No periods in this range</text>"##)
        } else {
            let slot = pw / count
            let bar = max(1, slot * 60 / 100)
            for (offset, period) in periods.enumerated() {
                let x = left + Int64(offset) * pw / count + (slot - bar) / 2
                var above: Int64 = 0
                var below: Int64 = 0
                for entry in series {
                    let value = entry.values[offset]
                    guard value != 0 else { continue }
                    let from = value > 0 ? above : below
                    let to = from + value
                    if value > 0 { above = to } else { below = to }
                    let y1 = y(max(from, to))
                    let height = max(1, y(min(from, to)) - y1)
                    add(##"<rect x="\##(x)" y="\##(y1)" width="\##(bar)" height="\##(height)" fill="\##(entry.color)"><title>\##(BalanceChart.xml("\(period.start.isoText) \(entry.name(in: offset)) \(Micros(raw: value).centsText)"))</title></rect>"##)
                }
            }
            let every = max(1, (count + 9) / 10)
            var index: Int64 = 0
            while index < count {
                let cx = left + (2 * index + 1) * pw / (2 * count)
                add(##"<text x="\##(cx)" y="\##(top + ph + 20)" font-size="12" text-anchor="middle" fill="#424242">\##(periods[Int(index)].start.isoText)</text>"##)
                index += every
            }
        }
        add(##"<text x="\##(left + pw / 2)" y="\##(top + ph + 44)" font-size="13" text-anchor="middle" fill="#424242">\##(BalanceChart.xml("period start (\(books.timeZone))"))</text>"##)

        // Legend: up to four entries a line.
        for (offset, entry) in series.enumerated() {
            let lx = left + Int64(offset % 4) * 210
            let ly = top + ph + 72 + Int64(offset / 4) * 22
            add(##"<rect x="\##(lx)" y="\##(ly - 11)" width="14" height="14" fill="\##(entry.color)"/>"##)
            add(##"<text x="\##(lx + 20)" y="\##(ly)" font-size="13" fill="#212121">\##(BalanceChart.xml(Self.clipped(entry.name)))</text>"##)
        }
        add("</svg>")
        return out
    }

    /// A legend name cut to fit its slot.
    static func clipped(_ name: String) -> String { name.count > 24 ? String(name.prefix(23)) + "…" : name }
}
