@testable import CreditTypes
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
        ("0000-01-01T00:00:00-01:00", "0000-01-01T01:00:00.000Z"),
        ("9999-12-31T23:00:00+05:00", "9999-12-31T18:00:00.000Z"),
        // A leap second is the second before it: the ledger's times count none (README).
        // After every time of the second before it (probe 266: 23:59:59.000, before 23:59:59.700).
        ("2026-06-30T23:59:60Z", "2026-06-30T23:59:59.999Z"),
        ("2026-07-01T01:59:60+02:00", "2026-06-30T23:59:59.999Z"),
        ("2016-12-31T23:59:60.5Z", "2016-12-31T23:59:59.999Z"),
        ("1969-12-31T23:59:60Z", "1969-12-31T23:59:59.999Z"),
    ])
    func parsesISO8601(text: String, canonical: String) throws {
        #expect(try Timestamp(iso8601: text).iso8601 == canonical)
    }

    @Test(arguments: ["", "2026-02-30", "2026-13-01", "2025-02-29", "2026-01-31T24:00", "2026-01-31T23:59:59.Z",
                      "2026-01-31T23:59:59+2", "31/01/2026", "2026-06-30T23:59:61Z",
                      // A second 60 where no leap second is (UTC inserts them at 23:59:60 only).
                      "2026-11-20T10:00:60Z", "2026-06-30T23:58:60Z", "2026-06-30T23:59:60+02:00", "2026-01-31T23:59:59Zjunk", "1700000000",
                      // Nor on a day UTC inserts none: the last of June or December only (probe 350).
                      "2026-01-15T23:59:60Z", "2026-03-31T23:59:60Z", "2026-12-30T23:59:60Z", "1969-01-31T23:59:60Z",
                      // An offset that carries the instant out of the four-digit years, which
                      // the ledger could store but never read back.
                      "0000-01-01T00:00:00+01:00", "9999-12-31T23:00:00-05:00"])
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

@Suite("TimestampText: times written by the million")
struct TimestampTextTests {
    /// `iso8601` worked out the long way, from the calendar date and zero-padded fields.
    static func expected(_ time: Timestamp) -> String {
        let (_, ms) = time.millisecondsSinceEpoch.floorDivMod(86_400_000)
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let millis = ms % 1000
        return time.utcDate.isoText + "T" + two(ms / 3_600_000) + ":" + two(ms / 60_000 % 60) + ":" + two(ms / 1000 % 60)
            + "." + (millis < 10 ? "00" : millis < 100 ? "0" : "") + "\(millis)" + "Z"
    }

    @Test func oneWriterForManyTimesWritesEachAsIso8601() {
        var generator = SystemRandomNumberGenerator()
        var times: [Timestamp] = [0, -1, 86_399_999, 86_400_000, -86_400_001, 253_402_300_799_999, -62_167_219_200_000]
            .map { Timestamp(millisecondsSinceEpoch: $0) }
        var at: Int64 = 1_790_000_000_000
        for _ in 0..<20_000 {
            // Mostly the same day as the time before, now and then a jump anywhere.
            at += Int64.random(in: 0...600_000, using: &generator)
            if Int.random(in: 0..<50, using: &generator) == 0 { at = Int64.random(in: -100_000_000_000_000...300_000_000_000_000, using: &generator) }
            times.append(Timestamp(millisecondsSinceEpoch: at))
        }
        // A journal's pattern: each entry's own time (today), then its fact's times (another
        // day, moving on), and now and then a third day between them.
        var factTime: Int64 = 1_451_606_400_000
        for entry in 0..<5_000 {
            times.append(Timestamp(millisecondsSinceEpoch: 1_796_000_000_000 + Int64(entry)))
            factTime += Int64.random(in: 0...3_600_000, using: &generator)
            times += [factTime, factTime + 3_600_000].map { Timestamp(millisecondsSinceEpoch: $0) }
            if entry % 97 == 0 { times.append(Timestamp(millisecondsSinceEpoch: factTime - 40 * 86_400_000)) }
        }
        var writer = TimestampText()
        for time in times {
            var bytes: [UInt8] = []
            writer.append(time, to: &bytes)
            #expect(String(decoding: bytes, as: UTF8.self) == Self.expected(time), "\(time.millisecondsSinceEpoch)")
            #expect(time.iso8601 == Self.expected(time))
        }
    }
}
