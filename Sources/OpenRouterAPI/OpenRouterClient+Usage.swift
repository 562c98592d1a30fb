import CreditTypes

/// The calls that say where the usage went (DESIGN.md § Where the usage went), all with
/// the management key and the retry rules of every `GET`.
extension OpenRouterClient {
    /// Pages of `GET /keys` read before giving up on an API that never sends the empty
    /// page ending the listing (at the API's 100 keys a page, 100,000 keys).
    static let maxKeyPages = 1000

    /// Bytes of `GET /keys` pages held before giving up: the pages are kept verbatim until
    /// the listing ends, and 1,000 pages of 100 keys take about 50 MB.
    static let maxKeyListingBytes = 64 << 20

    /// `GET /key`: what the API says about the calling key, above all whether it is a
    /// management key.
    public func getKeyMetadata() async throws(APIError) -> KeyMetadata {
        try await showingUnreadable("GET /key") { () async throws(APIError) in
            let answer = try await get("/key")
            var metadata = try WireFormat.keyMetadata(answer.body)
            metadata.answeredAt = answer.date
            return metadata
        }
    }

    /// `GET /keys?include_disabled=true&offset=N`: every key of the account, read page by
    /// page until a page comes back empty (the API sends no paging metadata).
    ///
    /// A key listed again on a later page (the listing shifted while it was read) is kept
    /// once, as the later page said it (read later, its usage is the newer); a key listed
    /// twice on one page, saying different things, or again with less usage than an earlier
    /// page gave (a running total read later cannot be smaller), is a malformed answer. A page made only
    /// of keys already read means the API ignores `offset`, and an endless listing means
    /// something else is wrong: both are malformed answers rather than a loop that never ends.
    public func listKeys() async throws(APIError) -> KeysReading {
        try await showingUnreadable("GET /keys") { () async throws(APIError) in
            try await Self.readKeyPages { (offset) async throws(APIError) in
                try await self.get("/keys" + Self.query([("include_disabled", "true"), ("offset", String(offset))])).body
            }
        }
    }

    /// The paging of `listKeys`, over `page(offset)` answering one page's body; the pages
    /// may take `maxBytes` in all.
    static func readKeyPages(
        maxBytes: Int = maxKeyListingBytes, _ page: (Int) async throws(APIError) -> [UInt8]
    ) async throws(APIError) -> KeysReading {
        var keys: [AccountKey] = []
        var seen: [String: Int] = [:]  // a key's place in `keys`
        var bodies: [String] = []
        var offset = 0
        var held = 0
        var firstPage: [String] = []
        for pages in 0..<maxKeyPages {
            let body = try await page(offset)
            held += body.count
            guard held <= maxBytes else {
                throw .malformedResponse(
                    reason: "GET /keys sent more than \(maxBytes >> 20) MB in \(pages + 1) pages (\(keys.count) keys so far) "
                        + "without the empty page that ends the listing",
                    rawBody: nil)
            }
            let listed: [AccountKey]
            do { listed = try WireFormat.keysPage(body) } catch {
                // Which page, as an activity failure names its day (probe 425: a second page
                // cut short said only "GET /keys failed").
                guard offset > 0, case .malformedResponse(let reason, let rawBody) = error else { throw error }
                throw .malformedResponse(reason: "GET /keys at offset \(offset) (\(keys.count) keys read before it): \(reason)", rawBody: rawBody)
            }
            let raw = String(decoding: body, as: UTF8.self)
            bodies.append(raw)
            if listed.isEmpty {
                try WireFormat.bounded(keys.map(\.usage), "the keys' usage", raw: nil)
                return KeysReading(keys: keys, rawBodies: bodies)
            }
            var onThisPage: [String: String] = [:]
            for key in listed where onThisPage.updateValue(key.rawJSON, forKey: key.hash).map({ $0 != key.rawJSON }) == true {
                throw .malformedResponse(
                    reason: "GET /keys at offset \(offset) lists key \(key.hash) twice, saying different things", rawBody: raw)
            }
            var fresh = 0
            for key in listed {
                if let place = seen[key.hash] {
                    guard key.usage >= keys[place].usage else {
                        throw .malformedResponse(
                            reason: "GET /keys at offset \(offset) lists key \(key.hash) again with usage "
                                + "\(key.usage.decimalText), less than the \(keys[place].usage.decimalText) an earlier page "
                                + "of the same listing gave: a running total read later cannot be smaller",
                            rawBody: raw)
                    }
                    keys[place] = key
                    continue
                }
                seen[key.hash] = keys.count
                keys.append(key)
                fresh += 1
            }
            // Only keys already read: a listing that shifted as it was read (a key made or
            // deleted meanwhile) repeats a few, and its next page ends it; one that repeats
            // the first page whole ignores offset, and would be read for ever (probe 154:
            // a page of one key read before was 76).
            if fresh == 0, offset > 0, listed.map(\.hash) == firstPage {
                throw .malformedResponse(
                    reason: "GET /keys at offset \(offset) listed the first page's keys again: the API seems to ignore offset",
                    rawBody: raw)
            }
            if offset == 0 { firstPage = listed.map(\.hash) }
            offset += listed.count
        }
        throw .malformedResponse(
            reason: "GET /keys sent \(maxKeyPages) pages (\(keys.count) keys) without the empty page that ends the listing",
            rawBody: bodies.last)
    }

    /// `GET /activity`: use per UTC day × model × endpoint, for `date` (one completed UTC
    /// day of the last 30) or, without it, for the whole window; for one key with
    /// `apiKeyHash`. Rows for another day than the one asked for are a malformed answer:
    /// they would be stored under the wrong day.
    public func getActivity(date: CivilDate? = nil, apiKeyHash: String? = nil) async throws(APIError) -> ActivityReading {
        try await activity(date: date, apiKeyHash: apiKeyHash, refusalsAsAnswered: false)
    }

    /// `GET /activity?date=` for a day the API's window may have just let go of, or not yet
    /// taken in (its clock a few minutes off this machine's, at midnight UTC): `nil` when
    /// the API refuses the day (400); any other refusal as `getActivity` throws it.
    public func getActivity(dayAtTheWindowsEdge date: CivilDate) async throws(APIError) -> ActivityReading? {
        do throws(APIError) {
            return try await activity(date: date, apiKeyHash: nil, refusalsAsAnswered: true)
        } catch {
            if case .badRequest(400, _, _) = error { return nil }
            guard error.httpStatus != nil else { throw error }
            throw Self.readRefusal(path: "/activity" + Self.query([("date", date.isoText)]), error)
        }
    }

    private func activity(date: CivilDate?, apiKeyHash: String?, refusalsAsAnswered: Bool) async throws(APIError) -> ActivityReading {
        var items: [(String, String)] = []
        if let date { items.append(("date", date.isoText)) }
        if let apiKeyHash { items.append(("api_key_hash", apiKeyHash)) }
        let path = "/activity" + Self.query(items)
        return try await showingUnreadable("GET " + path) { () async throws(APIError) in
            let body = try await get(path, refusalsAsAnswered: refusalsAsAnswered).body
            let raw = String(decoding: body, as: UTF8.self)
            let rows = try WireFormat.activityRows(body)
            if let date, let stray = rows.first(where: { $0.date != date }) {
                throw .malformedResponse(
                    reason: "GET /activity for \(date.isoText) answered a row for \(stray.date.isoText)", rawBody: raw)
            }
            return ActivityReading(date: date, apiKeyHash: apiKeyHash, rows: rows, rawBody: raw)
        }
    }

    /// `?name=value&…`, each part percent-encoded (RFC 3986: only unreserved characters
    /// stay as they are); empty for no items.
    static func query(_ items: [(String, String)]) -> String {
        guard !items.isEmpty else { return "" }
        func encode(_ text: String) -> String {
            var out = ""
            for byte in text.utf8 {
                switch byte {
                case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                     UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                     UInt8(ascii: "~"):
                    out.unicodeScalars.append(Unicode.Scalar(byte))
                default:
                    let hex = String(byte, radix: 16, uppercase: true)
                    out += "%" + (hex.count == 1 ? "0" : "") + hex
                }
            }
            return out
        }
        return "?" + items.map { encode($0.0) + "=" + encode($0.1) }.joined(separator: "&")
    }
}
