import CreditTypes
import Foundation
import Synchronization
import Testing

@testable import OpenRouterAPI

/// Answers no simulator gives: a body dripped a byte at a time, an endless body, a body
/// cut short, a read refused with a status the API does not document for it.
@Suite struct HostileAnswerTests {
    static let credits = #"{"data":{"total_credits":100,"total_usage":25.5}}"#

    func withScripted(
        timeout: Duration = .seconds(60), maxRetryTime: Duration = .seconds(60),
        _ answer: @escaping @Sendable (Int) -> [ScriptedHTTPServer.Piece],
        _ body: (ScriptedHTTPServer, OpenRouterClient) async throws -> Void
    ) async throws {
        let server = ScriptedHTTPServer(answer)
        let client = OpenRouterClient(configuration: ClientConfiguration(
            baseURL: server.baseURL, managementKey: Secret("sk-or-v1-scripted"), timeout: timeout,
            maxRetryTime: maxRetryTime, userAgent: "credit-recon/test"))
        do { try await body(server, client) } catch {
            await client.shutdown()
            server.stop()
            throw error
        }
        await client.shutdown()
        server.stop()
    }

    /// What `getCredits()` failed with; `nil` (a test failure) when it read an answer.
    static func failure(of client: OpenRouterClient) async -> APIError? {
        do throws(APIError) {
            let reading = try await client.getCredits()
            Issue.record("read \(reading.totalCredits) USD of credits from an answer that must be refused")
            return nil
        } catch {
            return error
        }
    }

    /// The head comes at once, then the body a byte every 100 ms, 5 s in all: the client's
    /// read timeout starts again with every byte, so only a deadline on the whole answer
    /// ends the call within `--timeout` (1 s here) instead of after the 5 s (or never).
    @Test func aBodyDrippedSlowerThanTheTimeoutIsTimedOut() async throws {
        let body = Array(Self.credits.utf8)
        try await withScripted(timeout: .seconds(1), maxRetryTime: .seconds(1), { _ in
            [.init(bytes: ScriptedHTTPServer.answer(status: 200, body: "", length: body.count))]
                + body.map { .init(bytes: [$0], pauseMilliseconds: 100) }
        }) { _, client in
            let error = await Self.failure(of: client)
            guard case .timedOut? = error else { Issue.record("got \(String(describing: error))"); return }
            #expect(error!.description.contains("raise --timeout if the API is slow to answer"))
        }
    }

    /// An answer past 64 MB is not an answer of this API: malformed (76) at once, not
    /// retried as if the server were down.
    @Test func anAnswerLongerThanTheCapIsMalformedNotUnavailable() async throws {
        let size = OpenRouterClient.maxAnswerBytes + 1
        try await withScripted({ _ in
            [.init(bytes: ScriptedHTTPServer.answer(status: 200, body: "", length: size))]
                + Array(repeating: .init(bytes: [UInt8](repeating: UInt8(ascii: " "), count: 1 << 20)), count: 65)
        }) { server, client in
            let error = await Self.failure(of: client)
            guard case .malformedResponse(let reason, _)? = error else { Issue.record("got \(String(describing: error))"); return }
            #expect(reason == "the answer (HTTP 200) is longer than 64 MB, more than any answer of the API")
            #expect(server.requests == 1)
        }
    }

    /// `GET /key` carries the API's clock (its `Date` header) for `fetch`'s clock check;
    /// an answer without one, or with one that is not an HTTP date, carries none.
    @Test(arguments: [
        ("Date: Thu, 03 Dec 2026 09:15:42 GMT", "2026-12-03T09:15:42.000Z"),
        ("Date: 2026-12-03T09:15:42Z", nil), ("", nil),
    ] as [(String, String?)])
    func theKeysAnswerCarriesTheAPIsClock(header: String, expected: String?) async throws {
        let body = #"{"data":{"label":"sk-or-v1-abc...xyz","is_management_key":true}}"#
        try await withScripted({ _ in
            [.init(bytes: ScriptedHTTPServer.answer(status: 200, body: body, headers: header.isEmpty ? [] : [header]))]
        }) { _, client in
            let metadata = try await client.getKeyMetadata()
            #expect(metadata.isManagementKey)
            #expect(metadata.answeredAt?.iso8601 == expected)
        }
    }

    /// A stop (SIGTERM) that comes while a request is out, answered 500: no retry is sent,
    /// and no log line says one comes ("retrying in 1 s" was logged, then nothing sent).
    @Test func aStopDuringAFailedAttemptIsNotRetriedNorSaidToBe() async throws {
        let logs = CapturedLogs()
        let stop = Mutex<OpenRouterClient?>(nil)
        let server = ScriptedHTTPServer { _ in
            stop.withLock { $0?.interrupt() }
            return [.init(bytes: ScriptedHTTPServer.answer(status: 500, body: #"{"error":{"code":500,"message":"down"}}"#))]
        }
        let client = OpenRouterClient(configuration: ClientConfiguration(
            baseURL: server.baseURL, managementKey: Secret("sk-or-v1-scripted"), timeout: .seconds(60),
            maxRetryTime: .seconds(600), userAgent: "credit-recon/test", logger: logs.logger))
        stop.withLock { $0 = client }
        let error = await Self.failure(of: client)
        await client.shutdown()
        server.stop()
        guard case .notSent(let reason)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(reason.hasPrefix("the run was stopped; not retried after: HTTP 500"), "\(reason)")
        #expect(server.requests == 1)
        #expect(!logs.all.contains { $0.contains("retrying") }, "\(logs.all)")
    }

    /// A redirect is not followed, and the error says where it pointed: most often the
    /// `--base-url` to fix (it said only "unexpected HTTP status 301").
    @Test func aRedirectIsNamedWithWhereItPoints() async throws {
        try await withScripted(maxRetryTime: .zero, { _ in
            [.init(bytes: ScriptedHTTPServer.answer(
                status: 301, body: "", headers: ["Location: https://openrouter.example/api/v1/credits?k=sk-or-v1-scripted"]))]
        }) { server, client in
            let error = await Self.failure(of: client)
            guard case .malformedResponse(let reason, _)? = error else { Issue.record("got \(String(describing: error))"); return }
            // The key the server had, put in the Location, is redacted as in a body.
            #expect(reason == "the API answered HTTP 301, a redirect to https://openrouter.example/api/v1/credits?k=<redacted>, which is "
                + "not followed (the key would go with it)")
            #expect(server.requests == 1)
        }
    }

    /// An answer that cannot be read is shown as it came at `--log-level debug` (the error
    /// names what is wrong; the message pointed at a copy "kept for inspection" that `fetch`
    /// kept nowhere), with the key redacted.
    @Test func anUnreadableAnswerIsLoggedAtDebugAsItCame() async throws {
        let logs = CapturedLogs()
        let server = ScriptedHTTPServer { _ in
            [.init(bytes: ScriptedHTTPServer.answer(status: 200, body: #"{"data":{"total_credits":"sk-or-v1-scripted"}}"#))]
        }
        let client = OpenRouterClient(configuration: ClientConfiguration(
            baseURL: server.baseURL, managementKey: Secret("sk-or-v1-scripted"), timeout: .seconds(60),
            maxRetryTime: .seconds(60), userAgent: "credit-recon/test", logger: logs.logger))
        let error = await Self.failure(of: client)
        await client.shutdown()
        server.stop()
        guard case .malformedResponse? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(error!.description.hasSuffix("(--log-level debug prints the answer as it came)"))
        #expect(logs.all.contains { $0.hasPrefix("debug GET /credits: the answer that could not be read, as it came: ")
            && $0.contains(#"{"data":{"total_credits":"<redacted>"}}"#) }, "\(logs.all)")
        #expect(!logs.all.contains { $0.contains("sk-or-v1-scripted") })
    }

    /// Every key the process holds is scrubbed from an answer, not only the key sent with
    /// the request: `run --plan` holds the management key and the bearer, and a 500 quoting
    /// the other went into the ledger and the reports (probe 145). The ledger's password,
    /// which the API is never sent, is not: scrubbed from answers, a short one (`0000`,
    /// `openai`) took digits out of a total and a model's name (probe 414). What the command
    /// prints is scrubbed of both (of a password of 8 characters or more).
    @Test func anAnswerQuotingAnotherKeyOfTheProcessIsScrubbedButNotTheLedgersPassword() async throws {
        let other = Secret("sk-or-v1-other-secret-\(UInt32.random(in: 0...UInt32.max))")
        let word = String((0..<10).map { _ in "bcdfghjkmnpqrstvwxz".randomElement()! })
        let password = Secret(word, sentToTheAPI: false)
        defer { Secret.forget(word) }
        try await withScripted(maxRetryTime: .zero, { _ in
            [.init(bytes: ScriptedHTTPServer.answer(
                status: 500, body: #"{"error":{"message":"mk=\#(other.reveal()) model=\#(password.reveal())/gpt-4o"}}"#))]
        }) { _, client in
            let error = await Self.failure(of: client)
            let text = error.map { String(describing: $0) } ?? ""
            #expect(text.contains("mk=<redacted> model=\(word)/gpt-4o"), "\(text)")
            #expect(!text.contains(other.reveal()))
            #expect(Secret.scrubbed(text).contains("mk=<redacted> model=<redacted>/gpt-4o"))
        }
    }

    /// A body cut short (fewer bytes than its `Content-Length`, then the connection closed)
    /// is said to be incomplete, not slow (with no retry budget, at once), and the advice is
    /// to keep trying longer, not to wait longer for an answer (probe 312).
    @Test func aBodyCutShortIsNamed() async throws {
        try await withScripted(maxRetryTime: .zero, { _ in
            [.init(bytes: Array(ScriptedHTTPServer.answer(status: 200, body: Self.credits, length: 60).prefix(120)))]
        }) { server, client in
            let error = await Self.failure(of: client)
            guard case .timedOut(let reason, _)? = error else { Issue.record("got \(String(describing: error))"); return }
            #expect(reason.hasPrefix("the connection closed before an answer"), "\(reason)")
            #expect(error!.description.hasPrefix("no complete answer came from the API"))
            #expect(error!.description.hasSuffix("try again later, or raise --max-retry-time to keep trying longer"))
            #expect(server.requests == 1)
        }
    }

    /// An answer that is not HTTP (another service's greeting, a header no HTTP server
    /// writes) is tried again while the budget lasts (as any failed read: not asserted, a busy
    /// machine's first attempt can take the whole second), then said as what it is (76), not as
    /// an answer that never came with the advice of a longer --max-retry-time (69, probe
    /// 440); the body cut short above stays that.
    @Test(arguments: [
        Array("SSH-2.0-OpenSSH_9.6\r\n".utf8),
        Array("HTTP/1.1 200 OK\r\nContent-Length: zz\r\n\r\n{}".utf8),
    ])
    func anAnswerThatIsNotHTTPIsSaidAsThat(_ bytes: [UInt8]) async throws {
        try await withScripted(maxRetryTime: .seconds(1), { _ in [.init(bytes: bytes)] }) { server, client in
            let error = await Self.failure(of: client)
            guard case .malformedResponse(let reason, nil)? = error else { Issue.record("got \(String(describing: error))"); return }
            #expect(reason.hasPrefix("the server's answer was not HTTP ("), "\(reason)")
            #expect(reason.hasSuffix("), on every attempt; a proxy between may be mangling the API's answers"), "\(reason)")
            #expect(error!.description.hasSuffix("check --base-url points at the OpenRouter API"))
        }
    }

    /// A `429` with `Retry-After: 0`, every time: the retries keep to the client's own
    /// backoff (0.5 s, then 1.5× more each time: at most 5 requests in 3 s), instead of
    /// asking again at once, dozens of times a second, for the whole budget.
    @Test func aRetryAfterOfZeroDoesNotHammer() async throws {
        try await withScripted(maxRetryTime: .seconds(3), { _ in
            [.init(bytes: ScriptedHTTPServer.answer(status: 429, body: "{}", headers: ["Retry-After: 0"]))]
        }) { server, client in
            await #expect(throws: APIError.self) { _ = try await client.getCredits() }
            #expect(server.requests <= 5, "\(server.requests) requests in 3 s")
        }
    }

    /// A 408 to a `GET` is retried like a 5xx; any other refusal of a read (400, 410, 418)
    /// is an answer this tool cannot use (76), said so, not a refused charge (1) and not
    /// retried.
    @Test func aReadRefusedIsMalformedAnd408IsRetried() async throws {
        // A short timeout under a long budget: on a loaded machine one full-suite run saw an
        // attempt to this scripted server answered only after a minute; such an attempt is
        // retried like any timeout, and the test waits on the answer, not on the machine.
        // The budget outlasts any stall of the whole suite (one saw 150 s); only a failure waits it out.
        try await withScripted(timeout: .seconds(5), maxRetryTime: .seconds(900), { index in
            [.init(bytes: index == 0 ? ScriptedHTTPServer.answer(status: 408, body: "{}")
                : ScriptedHTTPServer.answer(status: 200, body: Self.credits))]
        }) { server, client in
            let reading = try await client.getCredits()
            #expect(reading.totalUsage == Micros(raw: 25_500_000))
            #expect(server.requests >= 2, "the 408 was answered, then the retry")
        }
        for status in [400, 410, 418] {
            try await withScripted({ _ in
                [.init(bytes: ScriptedHTTPServer.answer(status: status, body: #"{"error":{"code":\#(status),"message":"no"}}"#))]
            }) { server, client in
                let error = await Self.failure(of: client)
                guard case .malformedResponse(let reason, _)? = error else {
                    Issue.record("\(status): got \(String(describing: error))")
                    return
                }
                #expect(reason == "GET /credits was refused (HTTP \(status): no)")
                #expect(!error!.description.contains("Coinbase") && !error!.description.contains("nothing was created"))
                #expect(server.requests == 1)
            }
        }
    }
}

/// What an answer's text may not hold, and how an echoed key is kept out of everything.
@Suite struct AnswerTextTests {
    /// The key written back with JSON escapes is still the key once decoded: it is
    /// redacted in every spelling, and text that only looks like it is left alone.
    @Test(arguments: [
        (#"{"m":"sk-or-v1-abcd"}"#, #"{"m":"<redacted>"}"#),
        (#"{"m":"\u0073k-or-v1-abcd"}"#, #"{"m":"<redacted>"}"#),
        (#"{"m":"sk\u002dOR"}"#, #"{"m":"sk\u002dOR"}"#),
        (#"x \u0073\u006B-or-v1-ab\u0063d y"#, "x <redacted> y"),
        (#"sk-or-v1-abc"#, #"sk-or-v1-abc"#),
        (#"\u0073k-or-v1-abce, sk-or-v1-abcd"#, #"\u0073k-or-v1-abce, <redacted>"#),
        // Percent-encoded, as a redirect's Location may carry it (probe 61), in either case.
        ("http://127.0.0.1:9/x?k=sk-or-v1-%61b%63d", "http://127.0.0.1:9/x?k=<redacted>"),
        ("%73%6B%2Dor-v1-abcd&%73k-or-v1-abc%", "<redacted>&%73k-or-v1-abc%"),
        // In capitals, or some of it, as a server may quote it (probe 263: into the journal).
        ("lower:SK-OR-V1-ABCD!", "lower:<redacted>!"),
        (#"{"m":"Sk-Or-v1-aBcD"}"#, #"{"m":"<redacted>"}"#),
        (#"%53K-OR-v1-%41bcd \u0053K-or-v1-abcD"#, "<redacted> <redacted>"),
        ("SK-OR-V1-ABC", "SK-OR-V1-ABC"),
    ])
    func anEscapedKeyIsRedacted(body: String, expected: String) {
        let redacted = Secret.redacting("sk-or-v1-abcd", in: Array(body.utf8))
        #expect(String(decoding: redacted, as: UTF8.self) == expected)
    }

    /// A key quoted in base64 by a server's error went into the journal for good (probe 170):
    /// it is redacted at each of the three alignments it can have in the encoded text
    /// (behind `Bearer `, a byte or two of other text), in either alphabet, with or without
    /// padding; at most the three characters at each of its edges, which also encode the
    /// text around it, are left.
    @Test(arguments: ["", "x", "xy", "Bearer ", "token=", "Authorization: Bearer "])
    func aKeyInBase64IsRedacted(before: String) throws {
        let key = "sk-or-v1-CANARYKEYabcdef0123456789ZZ?>~"
        for after in ["", "!", "?!"] {
            let standard = Data((before + key + after).utf8).base64EncodedString()
            let url = standard.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
            // In a JSON string, the standard alphabet's `/` may be written `\/`.
            for encoded in [standard, url, standard.replacingOccurrences(of: "/", with: "\\/")] {
                let redacted = String(decoding: Secret.redacting(key, in: Array("b64=\(encoded) end".utf8)), as: UTF8.self)
                let parts = redacted.components(separatedBy: "<redacted>")
                #expect(parts.count == 2, "\(redacted)")
                let keptBefore = try #require(parts.first).dropFirst("b64=".count).filter { $0 != "\\" }
                let keptAfter = try #require(parts.last).dropLast(" end".count).filter { $0 != "\\" }
                #expect(keptBefore.count <= Data(before.utf8).base64EncodedString().count + 3, "\(redacted)")
                #expect(keptAfter.count <= Data(after.utf8).base64EncodedString().count + 4, "\(redacted)")
            }
        }
    }

    /// A negative running total, key usage or day of use is refused (76), as `import
    /// snapshots` refuses one; what is left under a key's limit may be below zero.
    @Test func negativeAmountsAreRefusedButARemainderMayBeNegative() throws {
        #expect {
            _ = try WireFormat.credits(Array(#"{"data":{"total_credits":-500,"total_usage":1}}"#.utf8))
        } throws: { error in
            guard case .malformedResponse(let reason, _)? = error as? APIError else { return false }
            return reason == #"data.total_credits "-500" is negative"#
        }
        #expect(throws: APIError.self) { _ = try WireFormat.keysPage(Array(#"{"data":[{"hash":"h1","usage":-7}]}"#.utf8)) }
        #expect(throws: APIError.self) {
            _ = try WireFormat.activityRows(Array(#"{"data":[{"date":"2026-11-10","model":"m","usage":-4}]}"#.utf8))
        }
        let keys = try WireFormat.keysPage(Array(#"{"data":[{"hash":"h1","usage":7,"limit":5,"limit_remaining":-2}]}"#.utf8))
        #expect(keys.first?.limitRemaining == Micros(raw: -2_000_000))
        // Below zero by less than half a micro-dollar: rounded to 0, it was taken as zero
        // (probe 61). Refused as well, as a number or as text; -0 is zero.
        for usage in ["-0.0000004", #""-4e-7""#, "-0.0000004E0"] {
            #expect(throws: APIError.self, "\(usage)") {
                _ = try WireFormat.credits(Array(#"{"data":{"total_credits":100,"total_usage":\#(usage)}}"#.utf8))
            }
            #expect(throws: APIError.self, "\(usage)") { _ = try WireFormat.keysPage(Array(#"{"data":[{"hash":"h1","usage":\#(usage)}]}"#.utf8)) }
        }
        // Text in a number's form: a plus sign is none (probe 378: "+7" was stored as 7).
        for plus in [#""+7""#, #""+0""#] {
            #expect {
                _ = try WireFormat.credits(Array(#"{"data":{"total_credits":\#(plus),"total_usage":1}}"#.utf8))
            } throws: { error in
                guard case .malformedResponse(let reason, _)? = error as? APIError else { return false }
                return reason.hasSuffix("has a plus sign, which no number is written with")
            }
            #expect(throws: APIError.self) { _ = try WireFormat.keysPage(Array(#"{"data":[{"hash":"h1","usage":\#(plus)}]}"#.utf8)) }
        }
        for zero in ["-0", "-0.000", "-0e5", #""-0.0""#] {
            #expect(try WireFormat.credits(Array(#"{"data":{"total_credits":100,"total_usage":\#(zero)}}"#.utf8)).totalUsage == .zero)
        }
    }

    /// A member given twice decides nothing (the last one was kept: a balance of 4,998.75
    /// from `total_credits` 100 then 5000, a key management by its second
    /// `is_management_key`): refused (76), naming it.
    @Test func aMemberGivenTwiceIsRefused() throws {
        #expect {
            _ = try WireFormat.credits(Array(#"{"data":{"total_credits":100,"total_usage":1.25,"total_credits":5000}}"#.utf8))
        } throws: { error in
            guard case .malformedResponse(let reason, _)? = error as? APIError else { return false }
            return reason.contains(#"the member "total_credits" is given twice"#)
        }
        #expect(throws: ExactJSONError.self) { _ = try ExactJSON(parsing: #"{"a":{"b":1,"b":1}}"#) }
        #expect(try ExactJSON(parsing: #"[{"b":1},{"b":2}]"#) == .array([.object(["b": .number("1")]), .object(["b": .number("2")])]))
    }

    /// A string that is not UTF-8 (a key's name with byte 0xFF) is refused (76): it was
    /// stored with U+FFFD in its place, in the key reading and in the "verbatim" body.
    /// UTF-8 of any length, and escapes, are read as they are.
    @Test func aStringThatIsNotUTF8IsRefused() throws {
        let bad = Array(#"{"data":[{"hash":"h1","name":"x"#.utf8) + [0xFF] + Array(#"y","usage":1}]}"#.utf8)
        #expect {
            _ = try WireFormat.keysPage(bad)
        } throws: { error in
            guard case .malformedResponse(let reason, _)? = error as? APIError else { return false }
            return reason == "the body cannot be read as JSON (a string at byte 30 is not UTF-8)"
        }
        #expect(throws: ExactJSONError.self) { _ = try ExactJSON(parsing: Array(#"{"a":""#.utf8) + [0xC3] + Array(#""}"#.utf8)) }
        let good = try WireFormat.keysPage(Array(#"{"data":[{"hash":"h1","name":"café ☕ 🚀 é","usage":1}]}"#.utf8))
        #expect(good.first?.name == "café ☕ 🚀 é")
    }

    /// A NUL in a key's hash or a model's name would be cut there by SQLite, and two keys
    /// or models stored as one: refused (76).
    @Test func aNulInAnAnswersTextIsRefused() {
        #expect {
            _ = try WireFormat.keysPage(Array(#"{"data":[{"hash":"h\u0000x","usage":1},{"hash":"h\u0000y","usage":2}]}"#.utf8))
        } throws: { error in
            guard case .malformedResponse(let reason, _)? = error as? APIError else { return false }
            return reason == "data[0].hash holds a NUL character"
        }
        #expect(throws: APIError.self) {
            _ = try WireFormat.activityRows(Array(#"{"data":[{"date":"2026-11-10","model":"m\u0000x","usage":1}]}"#.utf8))
        }
    }
}
