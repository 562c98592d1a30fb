import CreditTypes
import Foundation
import Testing

@Suite("Timestamp and CivilDate")
struct TimestampTests {
    @Test(arguments: [
        ("2026-01-31T23:59:59Z", "2026-01-31T23:59:59.000Z"),
        ("2026-01-31T23:59:59.5Z", "2026-01-31T23:59:59.500Z"),
        ("2026-01-31T23:59:59.123456Z", "2026-01-31T23:59:59.123Z"),
        ("2026-01-31 23:59", "2026-01-31T23:59:00.000Z"),
        ("2026-01-31", "2026-01-31T00:00:00.000Z"),
        ("2026-02-01T01:00:00+02:00", "2026-01-31T23:00:00.000Z"),
        ("2026-01-31T20:00:00-0500", "2026-02-01T01:00:00.000Z"),
        ("1969-12-31T23:59:59.999Z", "1969-12-31T23:59:59.999Z"),
        ("2024-02-29T12:00:00z", "2024-02-29T12:00:00.000Z"),
    ])
    func parsesISO8601(text: String, canonical: String) throws {
        #expect(try Timestamp(iso8601: text).iso8601 == canonical)
    }

    @Test(arguments: ["", "2026-02-30", "2026-13-01", "2025-02-29", "2026-01-31T24:00", "2026-01-31T23:59:59.Z",
                      "2026-01-31T23:59:59+2", "31/01/2026", "2026-01-31T23:59:59Zjunk", "1700000000"])
    func refusesWhatIsNotATime(text: String) {
        #expect(throws: TimestampParseError.self) { try Timestamp(iso8601: text) }
    }

    @Test func epochNumbersAreSecondsOrMilliseconds() {
        #expect(Timestamp(epoch: 1_767_225_600).iso8601 == "2026-01-01T00:00:00.000Z")
        #expect(Timestamp(epoch: 1_767_225_600_123).iso8601 == "2026-01-01T00:00:00.123Z")
    }

    @Test func formattingAgreesWithFoundation() throws {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            // Whole seconds, so Foundation's floating-point Date cannot round differently.
            let seconds = Int64.random(in: -2_000_000_000...8_000_000_000, using: &generator)
            let ours = Timestamp(millisecondsSinceEpoch: seconds * 1000)
            let theirs = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
            #expect(ours.iso8601 == theirs.replacingOccurrences(of: "Z", with: ".000Z"))
            let withMilliseconds = ours.adding(milliseconds: seconds.magnitude % 1000 == 0 ? 7 : Int64(seconds.magnitude % 1000))
            #expect(try Timestamp(iso8601: withMilliseconds.iso8601) == withMilliseconds)
        }
    }

    @Test func civilDatesRoundTripAndKnowTheirWeekday() {
        for days in stride(from: Int64(-800_000), through: 800_000, by: 997) {
            let date = CivilDate(daysSinceEpoch: days)
            #expect(date.daysSinceEpoch == days)
        }
        #expect(CivilDate(year: 2026, month: 11, day: 23)?.isoWeekday == 0)  // a Monday
        #expect(CivilDate(year: 2026, month: 12, day: 31)?.firstOfNextMonth.isoText == "2027-01-01")
    }
}
