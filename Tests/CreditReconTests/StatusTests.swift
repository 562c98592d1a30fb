import CreditTypes
import Foundation
import Ledger
import Testing
@testable import CreditRecon

struct StatusTests {
    @Test func balanceRunwayAndOpenCharges() throws {
        let fixture = try ReconcileFixture()
        try fixture.buildGoldenScenario()
        let report = try StatusReport.read(
            ledger: fixture.ledger, options: StatusOptions(account: "default"), now: reconTime("2026-03-10T07:00:00Z"))
        let runway = try #require(report.runway)
        #expect(runway.balance == reconMicros("180.5"))
        #expect(runway.averageDaily7 == reconMicros("4.071428"))
        #expect(runway.averageDaily30 == reconMicros("4.111111"))
        #expect(runway.daysText == "43.9")
        #expect(report.pending.count == 1)
        #expect(report.pending.amount == reconMicros("20"))
        #expect(report.unknown.count == 1)
        #expect(report.unknown.amount == reconMicros("5"))
        #expect(report.blocked.count == 1)
        #expect(report.blocked.amount == reconMicros("100"))
        #expect(report.ageMilliseconds == 3_600_000)
        #expect(report.exitStatus == .ok)
        #expect(report.json.text.contains(#""runway_days":"43.9""#))
    }

    @Test func attentionUnderTheRunwayThresholdOrWhenStale() throws {
        let fixture = try ReconcileFixture()
        try fixture.buildGoldenScenario()
        var options = StatusOptions(account: "default")
        options.minRunwayDays = 50
        let low = try StatusReport.read(ledger: fixture.ledger, options: options, now: reconTime("2026-03-10T07:00:00Z"))
        #expect(low.exitStatus == .attention)
        #expect(low.attention.count == 1)
        let stale = try StatusReport.read(
            ledger: fixture.ledger, options: StatusOptions(account: "default"), now: reconTime("2026-03-11T18:00:01Z"))
        #expect(stale.exitStatus == .attention)
        #expect(stale.attention.first?.contains("36.0 hours old") == true)
        // The pending charge has expired by then.
        #expect(stale.pending.count == 0)
    }

    @Test func noReadingsNeedAttention() throws {
        let fixture = try ReconcileFixture()
        let report = try StatusReport.read(
            ledger: fixture.ledger, options: StatusOptions(account: "default"), now: reconTime("2026-03-10T07:00:00Z"))
        #expect(report.runway == nil)
        #expect(report.exitStatus == .attention)
        #expect(report.lines.contains("no readings yet"))
    }
}
