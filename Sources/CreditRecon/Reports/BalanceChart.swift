import CreditTypes

/// `balance.svg`: closing balance per period as a line, purchases and use as bars.
///
/// Drawn by hand with integer arithmetic only: amounts stay `Micros` and pixels come from
/// `ChartAxis`, so the file is the same on every machine. Text uses the generic `sans-serif` family; there are no external assets.
struct BalanceChart {
    let books: Reconciliation

    init(_ books: Reconciliation) { self.books = books }

    static let width: Int64 = 960
    static let height: Int64 = 540
    static let plotLeft: Int64 = 100
    static let plotTop: Int64 = 80
    static let plotWidth: Int64 = 830
    static let plotHeight: Int64 = 340

    static let purchaseColor = "#2e7d32"
    static let useColor = "#e65100"
    static let balanceColor = "#1565c0"

    var svg: String {
        let periods = books.periods
        var out = ""
        func add(_ text: String) { out += text + "\n" }
        let w = Self.width, h = Self.height, left = Self.plotLeft, top = Self.plotTop
        let pw = Self.plotWidth, ph = Self.plotHeight
        add(##"<?xml version="1.0" encoding="UTF-8"?>"##)
        add(##"<svg xmlns="http://www.w3.org/2000/svg" width="\##(w)" height="\##(h)" viewBox="0 0 \##(w) \##(h)" font-family="sans-serif">"##)
        add(##"<rect x="0" y="0" width="\##(w)" height="\##(h)" fill="#ffffff"/>"##)
        add(##"<text x="\##(w / 2)" y="30" font-size="20" font-weight="bold" text-anchor="middle" fill="#212121">\##(Self.xml("Balance, purchases and use: " + books.account))</text>"##)
        add(##"<text x="\##(w / 2)" y="54" font-size="13" text-anchor="middle" fill="#555555">\##(Self.xml("\(books.from.isoText) up to \(books.to.isoText), \(books.period.rawValue) periods, \(books.timeZone); as of \(books.asOf.iso8601)"))</text>"##)

        var low: Int64 = 0
        var high: Int64 = Micros.perDollar
        for period in periods {
            for value in [period.purchased, period.used, period.closing ?? .zero] {
                low = min(low, value.raw)
                high = max(high, value.raw)
            }
        }
        let axis = ChartAxis(low: low, high: high, top: top, height: ph)
        func y(_ value: Int64) -> Int64 { axis.y(value) }
        for line in axis.gridLines(left: left, width: pw) { add(line) }
        add(##"<text x="24" y="\##(top + ph / 2)" font-size="13" text-anchor="middle" fill="#424242" transform="rotate(-90 24 \##(top + ph / 2))">USD</text>"##)
        add(##"<line x1="\##(left)" y1="\##(top)" x2="\##(left)" y2="\##(top + ph)" stroke="#616161" stroke-width="1"/>"##)
        add(##"<line x1="\##(left)" y1="\##(top + ph)" x2="\##(left + pw)" y2="\##(top + ph)" stroke="#616161" stroke-width="1"/>"##)

        let count = Int64(periods.count)
        if count == 0 {
            add(##"<text x="\##(left + pw / 2)" y="\##(top + ph / 2)" font-size="16" text-anchor="middle" fill="#757575">No periods in this range</text>"##)
        } else {
            // One slot per period; purchase bar left of the slot's centre, use bar right.
            func center(_ index: Int64) -> Int64 { left + (2 * index + 1) * pw / (2 * count) }
            let slot = pw / count
            let bar = max(1, slot * 35 / 100)
            let zero = y(0)
            for (offset, period) in periods.enumerated() {
                let cx = center(Int64(offset))
                for (value, x, color, name) in [
                    (period.purchased.raw, cx - bar, Self.purchaseColor, "purchased"),
                    (period.used.raw, cx, Self.useColor, "used"),
                ] where value != 0 {
                    let vy = y(value)
                    let barTop = min(vy, zero)
                    let barHeight = max(1, (vy - zero).magnitude)
                    add(##"<rect x="\##(x)" y="\##(barTop)" width="\##(bar)" height="\##(barHeight)" fill="\##(color)"><title>\##(Self.xml("\(period.start.isoText) \(name) \(Micros(raw: value).centsText)"))</title></rect>"##)
                }
            }
            var points: [String] = []
            for (offset, period) in periods.enumerated() {
                guard let closing = period.closing else { continue }
                points.append("\(center(Int64(offset))),\(y(closing.raw))")
            }
            if !points.isEmpty {
                add(##"<polyline points="\##(points.joined(separator: " "))" fill="none" stroke="\##(Self.balanceColor)" stroke-width="2.5" stroke-linejoin="round"/>"##)
            }
            if count <= 62 {
                for (offset, period) in periods.enumerated() {
                    guard let closing = period.closing else { continue }
                    add(##"<circle cx="\##(center(Int64(offset)))" cy="\##(y(closing.raw))" r="3" fill="\##(Self.balanceColor)"><title>\##(Self.xml("\(period.start.isoText) closing balance \(closing.centsText)"))</title></circle>"##)
                }
            }
            // Period labels: at most about ten, evenly spaced.
            let every = max(1, (count + 9) / 10)
            var index: Int64 = 0
            while index < count {
                let cx = center(index)
                add(##"<line x1="\##(cx)" y1="\##(top + ph)" x2="\##(cx)" y2="\##(top + ph + 5)" stroke="#616161" stroke-width="1"/>"##)
                add(##"<text x="\##(cx)" y="\##(top + ph + 20)" font-size="12" text-anchor="middle" fill="#424242">\##(periods[Int(index)].start.isoText)</text>"##)
                index += every
            }
        }
        add(##"<text x="\##(left + pw / 2)" y="\##(top + ph + 44)" font-size="13" text-anchor="middle" fill="#424242">\##(Self.xml("period start (\(books.timeZone))"))</text>"##)

        // Legend.
        let legendY = top + ph + 72
        let legendX = left + pw / 2 - 260
        add(##"<rect x="\##(legendX)" y="\##(legendY - 11)" width="14" height="14" fill="\##(Self.purchaseColor)"/>"##)
        add(##"<text x="\##(legendX + 20)" y="\##(legendY)" font-size="13" fill="#212121">Purchased in period</text>"##)
        add(##"<rect x="\##(legendX + 180)" y="\##(legendY - 11)" width="14" height="14" fill="\##(Self.useColor)"/>"##)
        add(##"<text x="\##(legendX + 200)" y="\##(legendY)" font-size="13" fill="#212121">Used in period</text>"##)
        add(##"<line x1="\##(legendX + 330)" y1="\##(legendY - 4)" x2="\##(legendX + 360)" y2="\##(legendY - 4)" stroke="\##(Self.balanceColor)" stroke-width="2.5"/>"##)
        add(##"<text x="\##(legendX + 368)" y="\##(legendY)" font-size="13" fill="#212121">Closing balance</text>"##)
        add("</svg>")
        return out
    }

    /// The smallest 1, 2 or 5 × 10^k at or above `range ÷ ticks` (at least one cent).
    static func niceStep(range: Int64, ticks: Int64) -> Int64 {
        let rough = max(10_000, (range + ticks - 1) / ticks)
        var magnitude: Int64 = 1
        while magnitude <= rough / 10 { magnitude *= 10 }
        for factor: Int64 in [1, 2, 5, 10] where magnitude * factor >= rough { return magnitude * factor }
        return magnitude * 10
    }

    static func floor(_ value: Int64, _ step: Int64) -> Int64 {
        let (quotient, remainder) = value.quotientAndRemainder(dividingBy: step)
        return (remainder < 0 ? quotient - 1 : quotient) * step
    }

    static func ceil(_ value: Int64, _ step: Int64) -> Int64 {
        let (quotient, remainder) = value.quotientAndRemainder(dividingBy: step)
        return (remainder > 0 ? quotient + 1 : quotient) * step
    }

    /// `$1,500` or `$0.25`, `-$20`, for axis labels.
    static func dollars(_ raw: Int64) -> String {
        let value = Micros(raw: raw)
        let text = value.magnitude.centsText
        let trimmed = text.hasSuffix(".00") ? String(text.dropLast(3)) : text
        var whole = trimmed
        var fraction = ""
        if let point = trimmed.firstIndex(of: ".") {
            whole = String(trimmed[..<point])
            fraction = String(trimmed[point...])
        }
        var grouped = ""
        for (offset, character) in whole.reversed().enumerated() {
            if offset > 0 && offset % 3 == 0 { grouped.append(",") }
            grouped.append(character)
        }
        return (raw < 0 ? "-$" : "$") + String(grouped.reversed()) + fraction
    }

    /// Escapes text for SVG content and attributes. A control character (not allowed in
    /// XML 1.0) or a direction override (a chart's text reversed) shows as `?`, as in the
    /// CSV and Markdown files.
    static func xml(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.unicodeScalars.append(ReportText.isHidden(scalar) ? "?" : scalar)
            }
        }
        return out
    }
}
