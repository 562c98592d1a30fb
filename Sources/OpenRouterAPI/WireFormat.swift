import CreditTypes

/// The API's JSON shapes (DESIGN.md § The API), read exactly and tolerantly: unknown
/// fields are ignored, numbers may be integers, decimals or exponents (or decimal text
/// in a string), timestamps ISO 8601 or epoch seconds/milliseconds. Amounts are read
/// from the number's text, never through `Double`.
enum WireFormat {
    /// `{"data":{"total_credits":N,"total_usage":N}}`.
    static func credits(_ body: [UInt8]) throws(APIError) -> CreditsReading {
        let raw = String(decoding: body, as: UTF8.self)
        let data = try dataObject(body, raw: raw)
        let credits = try amount(data["total_credits"], field: "data.total_credits", raw: raw)
        let usage = try amount(data["total_usage"], field: "data.total_usage", raw: raw)
        return CreditsReading(totalCredits: credits, totalUsage: usage, rawBody: raw)
    }

    /// The longest charge id an answer may give (a Coinbase id is a 36-character UUID).
    static let longestChargeID = 256

    /// `{"data":{"id","created_at","expires_at","web3_data":{"transfer_intent":{"call_data":{…},"metadata":{"chain_id",…}}}}}`.
    static func charge(_ body: [UInt8]) throws(APIError) -> CoinbaseCharge {
        let raw = String(decoding: body, as: UTF8.self)
        let data = try dataObject(body, raw: raw)
        // A receipt's id: ASCII letters, digits and punctuation, as `import charges` takes a new
        // one. A number, a space or a control character was stored as the charge's id (probe
        // 431: `12345` made `created`, and the real charge imported was its second purchase).
        guard let id = data["id"]?.stringValue, (1...Self.longestChargeID).contains(id.utf8.count),
              id.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw .malformedResponse(
                reason: "data.id is missing, not a string, or not a charge id (1 to \(Self.longestChargeID) ASCII letters, digits "
                    + "and punctuation, no space or control character)", rawBody: raw)
        }
        let createdAt = try timestamp(data["created_at"], field: "data.created_at", raw: raw)
        let expiresAt = try timestamp(data["expires_at"], field: "data.expires_at", raw: raw)
        // What the charge is for, each checked against the row that asked for it, and what
        // the wallet pays with: an answer without them was a row `created` by a charge none
        // of whose chain, wallet or amount was ever seen (probe 331).
        let intent = data["web3_data"]?["transfer_intent"]
        func missing(_ field: String) -> APIError {
            .malformedResponse(reason: "web3_data.transfer_intent.\(field) is missing, so the charge cannot be checked against "
                + "what was asked for", rawBody: raw)
        }
        guard let chainValue = intent?["metadata"]?["chain_id"] else { throw missing("metadata.chain_id") }
        guard let chainID = integer(chainValue) else {
            throw .malformedResponse(reason: "web3_data.transfer_intent.metadata.chain_id is not an integer", rawBody: raw)
        }
        guard let senderValue = intent?["metadata"]?["sender"] else { throw missing("metadata.sender") }
        guard let sender = senderValue.stringValue else {
            throw .malformedResponse(reason: "web3_data.transfer_intent.metadata.sender is not a string", rawBody: raw)
        }
        guard let callDataValue = intent?["call_data"], case .object = callDataValue else {
            throw .malformedResponse(reason: "web3_data.transfer_intent.call_data is missing or not an object: the charge has "
                + "nothing to pay it with", rawBody: raw)
        }
        let callData = callDataValue.text
        guard let amountValue = callDataValue["recipient_amount"] else { throw missing("call_data.recipient_amount") }
        guard let units = integer(amountValue), units > 0 else {
            throw .malformedResponse(
                reason: "web3_data.transfer_intent.call_data.recipient_amount is not a positive whole number of base units",
                rawBody: raw)
        }
        let recipientAmount = Micros(raw: units)
        return CoinbaseCharge(
            id: id, createdAt: createdAt, expiresAt: expiresAt, chainID: chainID, callDataJSON: callData,
            sender: sender, recipientAmount: recipientAmount, rawBody: raw)
    }

    /// The API's message from `{"error":{"code":N,"message":"…"}}`, or a short excerpt of
    /// the body when it has another shape (a proxy's HTML page, say).
    static func errorMessage(_ body: [UInt8], status: Int) -> String {
        if let json = try? ExactJSON(parsing: body) {
            if let message = json["error"]?["message"]?.stringValue, !message.isEmpty { return oneLine(message) }
            if let message = json["error"]?.stringValue ?? json["message"]?.stringValue, !message.isEmpty {
                return oneLine(message)
            }
        }
        // On one line as a JSON message is: its line breaks were dropped (words ran together)
        // and its other control characters too, where the output shows them as `?` (probe 383).
        let text = oneLine(String(decoding: body.prefix(200), as: UTF8.self))
        return text.unicodeScalars.allSatisfy({ $0 == " " }) ? "HTTP \(status) with an empty body" : text
    }

    /// The most of a server's message that is kept: it goes into log lines, errors, the
    /// run's summary in the append-only ledger and the reports, every night it is given.
    static let messageLimit = 500

    /// A server's message on one line (line breaks and tabs become spaces, so it cannot
    /// write lines of its own into a log; other control characters are left for the
    /// output's own escaping, which shows them as `?`) and cut at `messageLimit` characters,
    /// saying how long it was.
    static func oneLine(_ message: String) -> String {
        var text = ""
        var count = 0
        for scalar in message.unicodeScalars {
            count += 1
            guard count <= messageLimit else { continue }
            text.unicodeScalars.append(scalar.spacesOneLine ? " " : scalar)
        }
        return count <= messageLimit ? text : text + "… (cut: \(count) characters in all)"
    }

    /// The request body of `POST /credits/coinbase`; the amount is a JSON number written
    /// from its exact decimal text.
    static func chargeRequest(amount: Micros, sender: String, chainID: Int64) -> [UInt8] {
        let json = ExactJSON.object([
            "amount": .number(amount), "sender": .string(sender), "chain_id": .number(chainID),
        ])
        return Array(json.text.utf8)
    }

    /// The `data` member of an answer, which every answer wraps its content in.
    static func data(_ body: [UInt8], raw: String) throws(APIError) -> ExactJSON {
        let json: ExactJSON
        do { json = try ExactJSON(parsing: body) } catch {
            throw .malformedResponse(reason: "the body cannot be read as JSON (\(error))", rawBody: raw)
        }
        guard let data = json["data"] else {
            throw .malformedResponse(reason: "there is no \"data\" member", rawBody: raw)
        }
        return data
    }

    static func dataObject(_ body: [UInt8], raw: String) throws(APIError) -> ExactJSON {
        let data = try data(body, raw: raw)
        guard case .object = data else {
            throw .malformedResponse(reason: "there is no \"data\" object", rawBody: raw)
        }
        return data
    }

    /// An amount in USD from a number or decimal text; negative only when `signed`: a
    /// running total, a key's usage or a day's use below zero is no account's.
    static func amount(_ value: ExactJSON?, field: String, raw: String, signed: Bool = false) throws(APIError) -> Micros {
        guard let value else { throw .malformedResponse(reason: "\(field) is missing", rawBody: raw) }
        let text: String
        switch value {
        case .number(let number): text = number
        case .string(let string):
            // Text in a JSON number's form, as README says: "+7" is no number JSON writes (probe 378).
            guard !string.hasPrefix("+") else {
                throw .malformedResponse(reason: "\(field) \"\(string)\" has a plus sign, which no number is written with", rawBody: raw)
            }
            text = string
        default: throw .malformedResponse(reason: "\(field) is not a number", rawBody: raw)
        }
        let amount: Micros
        do {
            amount = try Micros(parsingAmount: text, rounding: .halfEven)
        } catch .outOfRange {
            throw .beyondRange(reason: "\(field) \"\(text)\" \(MicrosParseError.outOfRange)", rawBody: raw)
        } catch {
            throw .malformedResponse(reason: "\(field) \"\(text)\" \(error)", rawBody: raw)
        }
        // Below zero before rounding too: -0.0000004 rounds to 0, and is still a total below
        // zero (-0 is zero).
        let belowZero = amount < .zero
            || text.hasPrefix("-") && text.prefix { $0 != "e" && $0 != "E" }.contains { ("1"..."9").contains($0) }
        guard signed || !belowZero else {
            throw .malformedResponse(reason: "\(field) \"\(text)\" is negative", rawBody: raw)
        }
        return amount
    }

    static func timestamp(_ value: ExactJSON?, field: String, raw: String) throws(APIError) -> Timestamp {
        switch value {
        case .string(let text)?:
            if let parsed = try? Timestamp(iso8601: text) { return parsed }
            if let epoch = epoch(text) { return epoch }
            throw .malformedResponse(reason: "\(field) \"\(text)\" is not a time", rawBody: raw)
        case .number(let text)?:
            if let epoch = epoch(text) { return epoch }
            throw .malformedResponse(reason: "\(field) \(text) is not an epoch time", rawBody: raw)
        case nil:
            throw .malformedResponse(reason: "\(field) is missing", rawBody: raw)
        default:
            throw .malformedResponse(reason: "\(field) is not a time", rawBody: raw)
        }
    }

    /// Epoch seconds or milliseconds, possibly with a fraction (`1767225600.5`), read
    /// exactly through `Micros`' decimal parser (the unit is irrelevant to the parsing).
    private static func epoch(_ text: String) -> Timestamp? {
        guard let scaled = try? Micros(parsing: text, rounding: .halfEven), scaled.raw >= 0 else { return nil }
        let whole = scaled.raw / 1_000_000
        if whole >= 100_000_000_000 { return Timestamp(millisecondsSinceEpoch: whole) }
        return Timestamp(millisecondsSinceEpoch: scaled.raw / 1000)
    }

    /// The largest count `integer` reads (a count is held as micro-units).
    static let largestCount = Int64.max / 1_000_000

    /// Whether `value` is a number (or a number's text) beyond what `integer` reads.
    static func isTooLargeANumber(_ value: ExactJSON) -> Bool {
        switch value {
        case .number(let text), .string(let text):
            do { _ = try Micros(parsing: text) } catch { return error == .outOfRange && !text.hasPrefix("-") }
            return false
        default: return false
        }
    }

    static func integer(_ value: ExactJSON) -> Int64? {
        let text: String
        switch value {
        case .number(let number): text = number
        case .string(let string): text = string
        default: return nil
        }
        guard let micros = try? Micros(parsing: text), micros.raw % 1_000_000 == 0 else { return nil }
        return micros.raw / 1_000_000
    }
}
