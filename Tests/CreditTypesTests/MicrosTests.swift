@testable import CreditTypes
import Testing

@Suite("Micros: exact money")
struct MicrosTests {
    @Test(arguments: [
        ("12", 12_000_000), ("12.5", 12_500_000), ("12.50", 12_500_000), ("-3.25", -3_250_000),
        ("0.000001", 1), ("1234.567891", 1_234_567_891), ("+7", 7_000_000), ("0", 0), ("-0", 0),
        ("1e2", 100_000_000), ("1.5E-5", 15), ("2.5e-1", 250_000), ("0.1000000", 100_000),
        ("000012.340", 12_340_000), ("9223372036854.775807", Int64.max),
        ("-999999999999.999999", -999_999_999_999_999_999), ("0.0000010", 1), ("1.23e-4", 123), ("12E+1", 120_000_000),
        ("0e99", 0), ("0.000000e9", 0),
    ] as [(String, Int64)])
    func parsesExactly(text: String, raw: Int64) throws {
        #expect(try Micros(parsing: text).raw == raw)
    }

    @Test(arguments: [
        ("", MicrosParseError.empty), ("abc", .notANumber), ("12.", .notANumber), (".5", .notANumber),
        ("1-2", .notANumber), ("1,5", .notANumber), (" 1", .notANumber), ("e5", .notANumber), ("1e", .notANumber),
        ("0.0000001", .tooPrecise), ("9223372036854.775808", .outOfRange), ("1e30", .outOfRange),
        ("99999999999999999999999", .outOfRange), ("--1", .notANumber), ("0x10", .notANumber), ("NaN", .notANumber),
        ("1.2.3", .notANumber), ("1.e5", .notANumber), ("1e+", .notANumber), ("1e12345", .outOfRange), ("-", .notANumber),
        ("1.5e-6", .tooPrecise), ("1e-7", .tooPrecise),
        // A tiny value with a long exponent is too precise, not too large (probe 61).
        ("1e-999999999999", .tooPrecise),
        ("1e999999999999", .outOfRange), ("1e-99x", .notANumber),
    ])
    func refusesWhatIsNotExactMoney(text: String, error: MicrosParseError) {
        #expect(throws: error) { try Micros(parsing: text) }
    }

    @Test func exponentsCanBeRefused() {
        #expect(throws: MicrosParseError.notANumber) { try Micros(parsing: "1e2", allowExponent: false) }
    }

    @Test(arguments: [
        ("0.0000005", 0), ("0.0000015", 2), ("0.00000151", 2), ("0.0000025", 2), ("0.00000250001", 3),
        ("-0.0000015", -2), ("1.23456749", 1_234_567), ("1.2345675", 1_234_568), ("0.00000000009", 0),
        ("1.25e-300", 0), ("7e-999999999999", 0), ("1e-0000000000001", 100_000),
    ] as [(String, Int64)])
    func roundsHalfToEvenWhenAsked(text: String, raw: Int64) throws {
        #expect(try Micros(parsing: text, rounding: .halfEven).raw == raw)
    }

    @Test(arguments: [
        (1_234_500_000, "1234.5"), (-3_250_000, "-3.25"), (0, "0"), (12_000_000, "12"), (1, "0.000001"),
        (-1, "-0.000001"), (Int64.min, "-9223372036854.775808"), (100_010, "0.10001"),
    ] as [(Int64, String)])
    func printsPlainDecimalText(raw: Int64, text: String) {
        #expect(Micros(raw: raw).decimalText == text)
    }

    @Test func centsTextShowsTwoDecimalsUnlessThatWouldHideSome() {
        #expect(Micros(raw: 12_500_000).centsText == "12.50")
        #expect(Micros(raw: -1_000_000).centsText == "-1.00")
        #expect(Micros(raw: 12_345_678).centsText == "12.345678")
    }

    @Test(arguments: [
        (21_232_324, 21_230_000), (21_235_000, 21_240_000), (21_234_999, 21_230_000), (-21_235_000, -21_240_000),
        (-21_234_999, -21_230_000), (5_000, 10_000), (4_999, 0), (12_500_000, 12_500_000), (0, 0),
        (Int64.max, 9_223_372_036_854_770_000), (Int64.min + 1, -9_223_372_036_854_770_000),
    ] as [(Int64, Int64)])
    func nearestCentRoundsHalvesAwayFromZero(raw: Int64, rounded: Int64) {
        #expect(Micros(raw: raw).nearestCent == Micros(raw: rounded))
    }

    @Test func decimalTextRoundTripsForAnyAmount() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5_000 {
            let raw = Int64.random(in: -999_999_999_999_999...999_999_999_999_999, using: &generator)
            let value = Micros(raw: raw)
            #expect(try Micros(parsing: value.decimalText) == value)
        }
    }

    @Test func arithmeticReportsOverflow() {
        #expect(Micros(raw: .max).adding(Micros(raw: 1)) == nil)
        #expect(Micros(raw: .min).subtracting(Micros(raw: 1)) == nil)
        #expect(Micros(raw: 5).adding(Micros(raw: -7)) == Micros(raw: -2))
        #expect(Micros(dollars: 9_223_372_036_855) == nil)
    }

    @Test func decimalPlacesCountsWrittenDigits() {
        #expect(Micros.decimalPlaces(in: Substring("12.340").utf8) == 3)
        #expect(Micros.decimalPlaces(in: Substring("12").utf8) == 0)
    }
}
