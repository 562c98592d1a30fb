import CreditTypes
import Testing

@testable import OpenRouterAPI

/// Exact and tolerant decoding of the API's answers, without a server.
@Suite struct WireFormatTests {
    func credits(_ text: String) throws(APIError) -> CreditsReading { try WireFormat.credits(Array(text.utf8)) }

    @Test func exactDecimalsAndUnknownFields() throws {
        let reading = try credits(#"{"data":{"total_credits":1234.567891,"total_usage":1000.000009,"extra":{"x":[1,2]}},"user_id":"u"}"#)
        #expect(reading.totalCredits == Micros(raw: 1_234_567_891))
        #expect(reading.totalUsage == Micros(raw: 1_000_000_009))
    }

    @Test func integersExponentsAndStrings() throws {
        let reading = try credits(#"{"data":{"total_credits":1e2,"total_usage":"2.5E-1"}}"#)
        #expect(reading.totalCredits == Micros(raw: 100_000_000))
        #expect(reading.totalUsage == Micros(raw: 250_000))
        #expect(try credits(#"{"data":{"total_credits":42,"total_usage":0}}"#).totalCredits == Micros(raw: 42_000_000))
    }

    @Test func moreThanSixDecimalsRoundHalfEven() throws {
        let reading = try credits(#"{"data":{"total_credits":0.0000005,"total_usage":0.0000015}}"#)
        #expect(reading.totalCredits == .zero)
        #expect(reading.totalUsage == Micros(raw: 2))
    }

    @Test(arguments: [
        #"not json"#, #"{"data":{"total_credits":1}}"#, #"{"data":{"total_credits":"x","total_usage":1}}"#,
        #"{"total_credits":1,"total_usage":1}"#, #"{"data":[]}"#,
    ])
    func malformedAnswers(_ text: String) {
        #expect {
            try credits(text)
        } throws: { error in
            guard let error = error as? APIError, case .malformedResponse(_, let raw) = error else { return false }
            return raw == text
        }
    }

    /// A charge's transfer intent as the API gives it: what the row is checked against.
    static let intent = #""web3_data":{"transfer_intent":{"call_data":{"recipient_amount":"1500000","b":"2"},"#
        + #""metadata":{"chain_id":8453.0,"sender":"0xab"}}}"#

    @Test func chargeWithEpochTimestamps() throws {
        let seconds = try WireFormat.charge(Array((#"{"data":{"id":"c1","created_at":1767225600,"expires_at":1767229200000,"new":true,"#
            + Self.intent + "}}").utf8))
        #expect(seconds.createdAt == (try Timestamp(iso8601: "2026-01-01T00:00:00Z")))
        #expect(seconds.expiresAt == (try Timestamp(iso8601: "2026-01-01T01:00:00Z")))
        let fractional = try WireFormat.charge(Array((#"{"data":{"id":"c2","created_at":"1767225600.25","expires_at":"2026-01-01T01:00:00+01:00","#
            + Self.intent + "}}").utf8))
        #expect(fractional.createdAt.millisecondsSinceEpoch == 1_767_225_600_250)
        #expect(fractional.expiresAt == (try Timestamp(iso8601: "2026-01-01T00:00:00Z")))
        #expect(fractional.chainID == 8453 && fractional.sender == "0xab" && fractional.recipientAmount == Micros(raw: 1_500_000))
        #expect(fractional.callDataJSON == #"{"b":"2","recipient_amount":"1500000"}"#)
    }

    /// An answer without the chain, the paying wallet or the amount asked, or without call
    /// data to pay with, does not match the documented shape: the row's outcome is unknown
    /// (it was `created` by a charge none of whose terms were seen, probe 331).
    @Test(arguments: [
        (#""web3_data":{"transfer_intent":{"call_data":{"recipient_amount":"1"},"metadata":{"sender":"0xab"}}}"#, "metadata.chain_id is missing"),
        (#""web3_data":{"transfer_intent":{"call_data":{"recipient_amount":"1"},"metadata":{"chain_id":1}}}"#, "metadata.sender is missing"),
        (#""web3_data":{"transfer_intent":{"call_data":{"a":"1"},"metadata":{"chain_id":1,"sender":"0xab"}}}"#,
         "call_data.recipient_amount is missing"),
        (#""web3_data":{"transfer_intent":{"metadata":{"chain_id":1,"sender":"0xab"}}}"#, "call_data is missing or not an object"),
        (#""web3_data":{}"#, "metadata.chain_id is missing"),
        (#""new":true"#, "metadata.chain_id is missing"),
    ])
    func aChargeWithoutItsTermsIsMalformed(intent: String, said: String) {
        let text = #"{"data":{"id":"c1","created_at":1767225600,"expires_at":1767229200000,"# + intent + "}}"
        #expect {
            try WireFormat.charge(Array(text.utf8))
        } throws: { error in
            guard let error = error as? APIError, case .malformedResponse(let reason, let raw) = error else { return false }
            return raw == text && reason.contains(said)
        }
    }

    @Test func chargeWithoutIDIsMalformed() {
        #expect(throws: APIError.self) { try WireFormat.charge(Array(#"{"data":{"created_at":1,"expires_at":2}}"#.utf8)) }
    }

    /// A charge id that is not one a receipt gives: a number, a space, a control character,
    /// other than ASCII, or past 256 bytes (probe 431: `12345` and `abc def` were `created`).
    @Test(arguments: ["12345", #""abc def""#, #""abc\u0007def""#, #""abc\ndef""#, #""ｗeb-1""#, #""""#, "null",
                      "\"" + String(repeating: "a", count: 257) + "\""])
    func aChargeIDThatIsNoReceiptsIsMalformed(id: String) throws {
        let text = #"{"data":{"id":"# + id + #","created_at":1767225600,"expires_at":1767229200000,"# + Self.intent + "}}"
        #expect {
            try WireFormat.charge(Array(text.utf8))
        } throws: { error in
            guard let error = error as? APIError, case .malformedResponse(let reason, _) = error else { return false }
            return reason.hasPrefix("data.id is missing, not a string, or not a charge id")
        }
        let longest = #"{"data":{"id":""# + String(repeating: "a", count: 256) + #"","created_at":1767225600,"expires_at":1767229200000,"#
            + Self.intent + "}}"
        #expect(try WireFormat.charge(Array(longest.utf8)).id.count == 256)
    }

    @Test func requestBodyIsExact() {
        let body = String(decoding: WireFormat.chargeRequest(amount: Micros(raw: 12_500_000), sender: "0xab", chainID: 8453), as: UTF8.self)
        #expect(body == #"{"amount":12.5,"chain_id":8453,"sender":"0xab"}"#)
    }

    @Test func errorMessages() {
        #expect(WireFormat.errorMessage(Array(#"{"error":{"code":400,"message":"bad sender"}}"#.utf8), status: 400) == "bad sender")
        #expect(WireFormat.errorMessage(Array("<html>oops</html>".utf8), status: 502) == "<html>oops</html>")
        #expect(WireFormat.errorMessage([], status: 502).contains("502"))
        // Another shape's body on one line as a JSON message is: line breaks as spaces (they
        // were dropped, the words run together), other controls kept for the output to show
        // as `?` (they were dropped too), probe 383.
        #expect(WireFormat.errorMessage(Array("teapot\n2026 error FORGED\u{1b}[2J".utf8), status: 418)
            == "teapot 2026 error FORGED\u{1b}[2J")
        #expect(WireFormat.errorMessage(Array("\r\n\t".utf8), status: 502) == "HTTP 502 with an empty body")
        // One line, cut at 500 characters (a server's words go into logs and the ledger).
        let long = #"{"error":{"code":500,"message":"a\nb\u2028c"#.utf8 + Array(repeating: UInt8(ascii: "x"), count: 600) + #""}}"#.utf8
        let said = WireFormat.errorMessage(Array(long), status: 500)
        #expect(said.hasPrefix("a b cxxx") && said.hasSuffix("… (cut: 605 characters in all)"), "\(said)")
        #expect(said.unicodeScalars.count == 500 + "… (cut: 605 characters in all)".unicodeScalars.count)
        #expect(WireFormat.errorMessage(Array(#"{"error":{"message":"short\tone"}}"#.utf8), status: 500) == "short one")
    }

    @Test func retryAfterSecondsAndDates() throws {
        let now = try Timestamp(iso8601: "2015-10-21T07:28:00Z")
        #expect(RetryAfter.parse("3", now: now) == .seconds(3))
        #expect(RetryAfter.parse(" 120 ", now: now) == .seconds(120))
        #expect(RetryAfter.parse("0.5", now: now) == .milliseconds(500))
        // A wait too long to count is the longest (probe 264: read as none, retried at once).
        #expect(RetryAfter.parse("99999999999999999999", now: now) == RetryAfter.longest)
        #expect(RetryAfter.parse("9223372036854775807", now: now) == RetryAfter.longest)
        #expect(RetryAfter.describe(RetryAfter.longest) == "1000000000000 s")
        #expect(APIError.rateLimited(retryAfter: RetryAfter.longest, message: "slow").description
            .contains("(the API asks to wait at least 1000000000000 s)"))
        #expect(APIError.rateLimited(retryAfter: .seconds(3600), message: "slow").description
            .contains("(the API asks to wait 3600 s)"))
        for (wait, said) in [(Duration.zero, "(the API asks for no wait)"), (.milliseconds(50), "(the API asks to wait less than 0.1 s)"),
                             (.milliseconds(100), "(the API asks to wait 0.1 s)")] {
            let text = APIError.rateLimited(retryAfter: wait, message: "slow").description
            #expect(text.contains(said) && !text.contains(" 0 s"), "\(text)")
        }
        #expect(RetryAfter.parse("Wed, 21 Oct 2015 07:28:30 GMT", now: now) == .seconds(30))
        #expect(RetryAfter.parse("Wed, 21 Oct 2015 07:27:00 GMT", now: now) == .zero)
        #expect(RetryAfter.parse("soon", now: now) == nil)
        #expect(RetryAfter.parse(nil, now: now) == nil)
        // A server's date whose fields are out of range is no date (these trapped on an
        // overflow, ending a fetch or a topup with exit 132).
        for date in ["Sun, 06 Nov 1994 99999999999999:00:00 GMT", "Sun, 06 Nov 999999999999 08:49:37 GMT",
                     "Sun, 06 Nov 1994 24:00:00 GMT", "Sun, 06 Nov 1994 08:60:00 GMT", "Sun, 06 Nov 1994 08:49:61 GMT",
                     "Sun, 06 Nov 0 08:49:37 GMT", "Sun, 06 Nov -5 08:49:37 GMT"] {
            #expect(RetryAfter.parse(date, now: now) == nil, "\(date)")
        }
    }

    @Test func backoffGrowsWithJitterAndCaps() {
        let policy = RetryPolicy()
        for _ in 0..<50 {
            let first = policy.backoff(attempt: 0)
            #expect(first >= .milliseconds(500) && first <= .milliseconds(625))
            let third = policy.backoff(attempt: 2)
            #expect(third >= .milliseconds(1125) && third <= .milliseconds(1407))
            #expect(policy.backoff(attempt: 40) == .seconds(60))
        }
    }

    @Test func exitStatusesOfEveryCase() {
        #expect(APIError.unauthorized(message: "").httpStatus == 401)
        #expect(APIError.notSent(reason: "").httpStatus == nil)
        #expect(APIError.badRequest(status: 422, message: "m", rawBody: nil).httpStatus == 422)
        #expect(OpenRouterClient.refusal(status: 404, body: []).httpStatus == 404)
        if case .gone = OpenRouterClient.refusal(status: 410, body: []) {} else { Issue.record("410 must be gone") }
        if case .forbidden = OpenRouterClient.refusal(status: 403, body: []) {} else { Issue.record("403 must be forbidden") }
    }
}
