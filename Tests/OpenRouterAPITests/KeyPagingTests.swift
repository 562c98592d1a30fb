import CreditTypes
import Testing

@testable import OpenRouterAPI

/// How `listKeys` reads pages by `offset` until an empty one, over canned pages: the
/// shifts and the misbehaviour a real listing can show.
@Suite struct KeyPagingTests {
    static func page(_ hashes: [String]) -> [UInt8] {
        Array(("{\"data\":[" + hashes.map { #"{"hash":"\#($0)","usage":1}"# }.joined(separator: ",") + "]}").utf8)
    }

    /// Reads pages from `pages(offset)` and records the offsets asked for.
    func read(_ pages: @escaping (Int) -> [String]) async throws(APIError) -> (KeysReading, [Int]) {
        var offsets: [Int] = []
        let reading = try await OpenRouterClient.readKeyPages { (offset) async throws(APIError) in
            offsets.append(offset)
            return Self.page(pages(offset))
        }
        return (reading, offsets)
    }

    @Test func readsUntilAnEmptyPage() async throws {
        let all = (0..<7).map { "k\($0)" }
        let (reading, offsets) = try await read { Array(all.dropFirst($0).prefix(3)) }
        #expect(reading.keys.map(\.hash) == all)
        #expect(offsets == [0, 3, 6, 7])
        #expect(reading.rawBodies.count == 4)
        #expect(reading.rawBodies.last == #"{"data":[]}"#)
    }

    /// A key listed twice on one page saying different things: which is true cannot be
    /// told, so the answer is malformed (76); listed twice saying the same, it is kept once.
    @Test func aKeyTwiceOnOnePageMustSayTheSame() async throws {
        let same = #"{"data":[{"hash":"h1","usage":1.25},{"hash":"h1","usage":1.25}]}"#
        let reading = try await OpenRouterClient.readKeyPages { (offset) async throws(APIError) in
            Array((offset == 0 ? same : #"{"data":[]}"#).utf8)
        }
        #expect(reading.keys.map(\.hash) == ["h1"])
        await #expect {
            _ = try await OpenRouterClient.readKeyPages { (_) async throws(APIError) in
                Array(#"{"data":[{"hash":"h1","usage":1.25},{"hash":"h1","usage":99.5}]}"#.utf8)
            }
        } throws: { error in
            guard case .malformedResponse(let reason, _)? = error as? APIError else { return false }
            return reason == "GET /keys at offset 0 lists key h1 twice, saying different things"
        }
    }

    /// A later page that cannot be read names its offset, as an activity failure names its
    /// day (probe 425: "GET /keys failed: … unterminated string" with no page named).
    @Test func anUnreadableLaterPageIsNamed() async {
        do throws(APIError) {
            _ = try await OpenRouterClient.readKeyPages { (offset) async throws(APIError) in
                offset == 0 ? Self.page(["a", "b"]) : Array(#"{"data":[{"hash":"c","usa"#.utf8)
            }
            Issue.record("must throw")
        } catch {
            guard case .malformedResponse(let reason, _) = error else { Issue.record("got \(error)"); return }
            #expect(reason.hasPrefix("GET /keys at offset 2 (2 keys read before it): "), "\(reason)")
        }
    }

    @Test func anEmptyAccountIsOneRequest() async throws {
        let (reading, offsets) = try await read { _ in [] }
        #expect(reading.keys.isEmpty && offsets == [0])
    }

    /// A key deleted between two pages shifts the listing back: the next page repeats a key
    /// already read, which is kept once.
    @Test func aListingThatShiftsKeepsEachKeyOnce() async throws {
        let (reading, offsets) = try await read { offset in
            switch offset {
            case 0: return ["a", "b"]
            case 2: return ["b", "d"]  // "c" was deleted meanwhile; "b" slid into this page
            default: return []
            }
        }
        #expect(reading.keys.map(\.hash) == ["a", "b", "d"])
        #expect(offsets == [0, 2, 4])
    }

    /// A key listed again on a later page, its usage grown meanwhile, keeps the later page's
    /// reading in the first one's place: it was read later (the first was kept).
    @Test func aKeyListedAgainKeepsTheLaterReading() async throws {
        let reading = try await OpenRouterClient.readKeyPages { (offset) async throws(APIError) in
            switch offset {
            case 0: Array(#"{"data":[{"hash":"a","usage":1},{"hash":"b","usage":2}]}"#.utf8)
            case 2: Array(#"{"data":[{"hash":"b","usage":2.5},{"hash":"d","usage":4}]}"#.utf8)
            default: Array(#"{"data":[]}"#.utf8)
            }
        }
        #expect(reading.keys.map(\.hash) == ["a", "b", "d"])
        #expect(reading.keys.map(\.usage) == [Micros(raw: 1_000_000), Micros(raw: 2_500_000), Micros(raw: 4_000_000)])
    }

    /// Listed again with less usage than an earlier page gave, a key contradicts its own
    /// listing (probe 112: the later page won, and the day's usage moved between keys and
    /// periods with no word). Malformed (76), nothing of the listing kept.
    @Test func aKeyListedAgainWithLessUsageIsMalformed() async {
        do throws(APIError) {
            _ = try await OpenRouterClient.readKeyPages { (offset) async throws(APIError) in
                switch offset {
                case 0: Array(#"{"data":[{"hash":"a","usage":1},{"hash":"b","usage":5}]}"#.utf8)
                case 2: Array(#"{"data":[{"hash":"b","usage":4.5},{"hash":"d","usage":4}]}"#.utf8)
                default: Array(#"{"data":[]}"#.utf8)
                }
            }
            Issue.record("must throw")
        } catch {
            guard case .malformedResponse(let reason, _) = error else { Issue.record("got \(error)"); return }
            #expect(reason == "GET /keys at offset 2 lists key b again with usage 4.5, less than the 5 an earlier page "
                + "of the same listing gave: a running total read later cannot be smaller", "\(reason)")
        }
    }

    /// A page holding only keys already read is a listing that shifted as it was read
    /// (the last key of a full page slid onto the next when one before it was made): its
    /// next page ends it. It was 76, "the API seems to ignore offset" (probe 154).
    @Test func aPageOfKeysAlreadyReadIsAShiftedListing() async throws {
        let (reading, offsets) = try await read { offset in
            switch offset {
            case 0: ["a", "b", "c"]
            case 3: ["c"]
            default: []
            }
        }
        #expect(reading.keys.map(\.hash) == ["a", "b", "c"])
        #expect(offsets == [0, 3, 4])
    }

    @Test func anAPIThatIgnoresOffsetIsMalformedNotAnEndlessLoop() async {
        do throws(APIError) {
            _ = try await read { _ in ["a", "b"] }
            Issue.record("must throw")
        } catch {
            guard case .malformedResponse(let reason, _) = error else { Issue.record("got \(error)"); return }
            #expect(reason.contains("offset 2") && reason.contains("ignore offset"), "\(reason)")
        }
    }

    @Test func aListingWithoutEndIsMalformed() async {
        do throws(APIError) {
            _ = try await read { ["k\($0)"] }
            Issue.record("must throw")
        } catch {
            guard case .malformedResponse(let reason, _) = error else { Issue.record("got \(error)"); return }
            #expect(reason.contains("\(OpenRouterClient.maxKeyPages) pages"), "\(reason)")
        }
    }

    /// Pages are held until the listing ends, so their bytes are bounded as well as their
    /// number: a thousand pages of 4 MB would be 4 GB.
    @Test func aListingPastItsBytesIsMalformed() async {
        var asked = 0
        do throws(APIError) {
            _ = try await OpenRouterClient.readKeyPages(maxBytes: 4 << 20) { (offset) async throws(APIError) in
                asked += 1
                return Self.page((offset..<offset + 40_000).map { "k\($0)" })  // about 1 MB a page
            }
            Issue.record("must throw")
        } catch {
            guard case .malformedResponse(let reason, _) = error else { Issue.record("got \(error)"); return }
            #expect(reason == "GET /keys sent more than 4 MB in 4 pages (120000 keys so far) without the empty page "
                + "that ends the listing", "\(reason)")
        }
        #expect(asked == 4)
        #expect(OpenRouterClient.maxKeyListingBytes == 64 << 20)
    }

    /// Keys whose usage adds up past the largest amount are no account's (the report adds
    /// their use up again, and overflowed on ten thousand keys of a billion USD each).
    @Test func keysWhoseUsageAddsUpPastTheLargestAmountAreMalformed() async {
        do throws(APIError) {
            _ = try await OpenRouterClient.readKeyPages { (offset) async throws(APIError) in
                offset > 0 ? Self.page([]) : Array(#"{"data":[{"hash":"a","usage":"999999999"},{"hash":"b","usage":"1.000001"}]}"#.utf8)
            }
            Issue.record("must throw")
        } catch {
            guard case .malformedResponse(let reason, _) = error else { Issue.record("got \(error)"); return }
            #expect(reason.contains("the keys' usage adds up to more than 1000000000 USD"), "\(reason)")
        }
    }

    @Test func aBadPageStopsTheListing() async {
        var asked = 0
        do throws(APIError) {
            _ = try await OpenRouterClient.readKeyPages { (offset) async throws(APIError) in
                asked += 1
                return offset == 0 ? Self.page(["a"]) : Array(#"{"data":[{"hash":"b","usage":"x"}]}"#.utf8)
            }
            Issue.record("must throw")
        } catch {
            guard case .malformedResponse(let reason, _) = error else { Issue.record("got \(error)"); return }
            #expect(reason.contains("data[0].usage"))
        }
        #expect(asked == 2)
    }
}
