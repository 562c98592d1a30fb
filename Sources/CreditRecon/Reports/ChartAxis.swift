/// The value axis of a chart: from the lowest to the highest value drawn, zero included,
/// rounded out to a step of 1, 2 or 5 × 10^k micro-USD, and the pixel row of a value —
/// `top + height − (value − min) × height ÷ (max − min)`, in `Int128`, so no money passes
/// through `Double`.
struct ChartAxis {
    let min: Int64
    let max: Int64
    let step: Int64
    let top: Int64
    let height: Int64

    init(low: Int64, high: Int64, top: Int64, height: Int64) {
        step = BalanceChart.niceStep(range: high - low, ticks: 6)
        min = BalanceChart.floor(low, step)
        max = Swift.max(BalanceChart.ceil(high, step), min + step)
        self.top = top
        self.height = height
    }

    /// The pixel row of `value`.
    func y(_ value: Int64) -> Int64 {
        top + height - Int64(Int128(value - min) * Int128(height) / Int128(max - min))
    }

    /// A grid line and a dollar label at every step; the zero line darker.
    func gridLines(left: Int64, width: Int64) -> [String] {
        var lines: [String] = []
        var tick = min
        while tick <= max {
            let ty = y(tick)
            let color = tick == 0 ? "#616161" : "#e0e0e0"
            lines.append(##"<line x1="\##(left)" y1="\##(ty)" x2="\##(left + width)" y2="\##(ty)" stroke="\##(color)" stroke-width="1"/>"##)
            lines.append(##"<text x="\##(left - 8)" y="\##(ty + 4)" font-size="12" text-anchor="end" fill="#424242">\##(BalanceChart.xml(BalanceChart.dollars(tick)))</text>"##)
            tick += step
        }
        return lines
    }
}
