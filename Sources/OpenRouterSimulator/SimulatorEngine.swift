import CreditTypes
import Foundation

/// The simulator's state and rules, apart from HTTP: one actor, so concurrent requests
/// see a consistent account and the fault draws happen in a fixed order under `--seed`.
actor SimulatorEngine {
    /// Faults that `POST /_sim/faults` can change while running.
    struct Faults: Sendable {
        var latencyMilliseconds: Int64
        var rateLimit: Double?
        var failRate: Double
        var dropRate: Double
        var coinbase: SimulatorOptions.CoinbaseMode
        /// After processing, answer `200` with a body that is not the API's JSON: `json`
        /// (cut-off JSON) or `html` (a proxy's page, `text/html`); or, before processing,
        /// `echo`: a `400` whose message repeats the `Authorization` header, as a careless
        /// gateway might (secrets tests); `nil` answers normally.
        var garble: String?
        /// The message of the `500`s that `failRate` injects: a server's words, which a
        /// client prints, so tests can make them hostile (terminal escapes).
        var failMessage = "Internal Server Error"
    }

    var state: SimulatorState
    private(set) var faults: Faults
    let options: SimulatorOptions
    private var random: SeededRandom
    /// What charge ids and key hashes are drawn from: `--seed`, else a draw from the system,
    /// so two simulators on one ledger do not hand out the same ids.
    let idSeed: UInt64
    private var tokens: Double
    private var refilled: ContinuousClock.Instant
    /// How many `/api/v1` requests arrived, for tests that prove a request was (not) re-sent.
    private(set) var apiRequests = 0
    /// The lock on `--state`'s file (`StateLock`), held while this simulator runs.
    private var stateLock: StateLock?
    /// `--state`'s file, through any symbolic link to it: a second simulator given a link
    /// took the link's own lock, and each save replaced the link with a file (probe 401).
    let statePath: String?

    init(options: SimulatorOptions) throws(SimulatorError) {
        self.options = options
        faults = Faults(latencyMilliseconds: options.latencyMilliseconds, rateLimit: options.rateLimit,
                        failRate: options.failRate, dropRate: options.dropRate, coinbase: options.coinbase)
        idSeed = options.seed ?? UInt64.random(in: 0...UInt64.max)
        random = SeededRandom(seed: idSeed)
        tokens = max(1, options.rateLimit ?? 1)
        refilled = ContinuousClock.now
        state = SimulatorState(totalCredits: options.initialCredits, totalUsage: options.initialUsage)
        // Before reading: a second simulator on the file would write over the first's changes.
        statePath = try options.statePath.map { path throws(SimulatorError) in try Self.followingLinks(path) }
        stateLock = try statePath.map { path throws(SimulatorError) in try StateLock(statePath: path) }
        if let path = statePath, FileManager.default.fileExists(atPath: path) {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw .stateIO("cannot read \(path)")
            }
            let json: ExactJSON
            do { json = try ExactJSON(parsing: Array(data)) } catch { throw .badState("\(path): \(error)") }
            state = try SimulatorState(json: json)
            // A key made by the admin route that is one of the command line's: which is it?
            let given = [options.managementKey, options.inferenceKey, options.disabledKey].compactMap { $0 }
            if let clash = state.keys.first(where: { given.contains($0.key) }) {
                throw .badState("key \(clash.hash)'s key is one the command line gives (--management-key, --inference-key "
                    + "or --disabled-key)")
            }
        }
        // Against the simulator's clock, which the state file may have set: charges are
        // created, and expire, by it.
        try options.validate(now: state.clock ?? .now())
        // Written at once, so a state file that cannot be written stops the start instead
        // of failing every change later.
        try Self.save(state, to: statePath)
    }

    /// The file `path` names through its symbolic links, also one whose file is not there
    /// yet, which `resolvingSymlinksInPath` leaves as it is (probe 403: a dangling link was
    /// replaced by a file, and a simulator on the file it named took another lock).
    /// A loop of links, and a file with other hard links, which each save (a new file put in
    /// its place) would part from it, leaving two states, are refused (probe 404).
    static func followingLinks(_ path: String) throws(SimulatorError) -> String {
        var current = URL(fileURLWithPath: path)
        var links = 0
        while let target = try? FileManager.default.destinationOfSymbolicLink(atPath: current.path) {
            links += 1
            guard links <= 40 else { throw .stateIO("\(path) is a loop of symbolic links; name the state file itself") }
            current = target.hasPrefix("/") ? URL(fileURLWithPath: target)
                : current.deletingLastPathComponent().appendingPathComponent(target)
        }
        // The folders above it, through theirs.
        let folder = current.deletingLastPathComponent().resolvingSymlinksInPath()
        let file = folder.appendingPathComponent(current.lastPathComponent).standardized.path
        var info = stat()
        if stat(file, &info) == 0, info.st_nlink > 1 {
            throw .stateIO("\(file) has \(info.st_nlink - 1) other hard link\(info.st_nlink == 2 ? "" : "s"), which each save "
                + "would part from it (a simulator on one of them would keep another account): name one file, without other links")
        }
        return file
    }

    /// Lets another simulator keep its state in the file (an in-process server stopped).
    func releaseStateLock() { stateLock = nil }

    /// The simulator's clock: the time set by `POST /_sim/clock`, else real time.
    func now() -> Timestamp { state.clock ?? Timestamp.now() }

    /// The state as `GET /_sim/state` shows it.
    func stateJSON() -> ExactJSON {
        // `api_requests` lets a test running the binary prove that nothing was sent; it is
        // not part of the persisted state.
        guard case .object(var fields) = state.json(now: now()) else { return state.json(now: now()) }
        fields["api_requests"] = .number(Int64(apiRequests))
        return .object(fields)
    }

    // MARK: - Faults before processing

    /// Counts an `/api/v1` request as it arrives, before its latency.
    func arrived() { apiRequests += 1 }

    /// The rate limit and the `500` fault, applied to every `/api/v1` request before it is processed.
    func admit() -> SimAnswer? {
        if let rate = faults.rateLimit, rate > 0 {
            let now = ContinuousClock.now
            let elapsed = now - refilled
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            tokens = min(max(1, rate), tokens + seconds * rate)
            refilled = now
            if tokens < 1 {
                let wait = Int64(((1 - tokens) / rate).rounded(.up))
                var answer = SimAnswer.error(429, "Rate limit exceeded: \(rate) requests per second. Please slow down and retry after the time in Retry-After.")
                answer.retryAfter = max(1, wait)
                return answer
            }
            tokens -= 1
        }
        if random.chance(faults.failRate) {
            return .error(500, faults.failMessage)
        }
        return nil
    }

    func dropDraw() -> Bool { random.chance(faults.dropRate) }

    /// `answer`, or a `200` whose body a client cannot read when the `garble` fault is on
    /// (a proxy or gateway mangling the answer after the work was done).
    func garbled(_ answer: SimAnswer) -> SimAnswer {
        guard answer.status == 200, let mode = faults.garble, mode != "echo" else { return answer }
        if mode == "html" {
            var page = SimAnswer(status: 200, body: "<html><body><h1>502 Bad Gateway</h1></body></html>")
            page.contentType = "text/html; charset=utf-8"
            page.drop = answer.drop
            return page
        }
        var cut = answer
        cut.body = String(answer.body.prefix(answer.body.count / 2))
        return cut
    }

    /// The `echo` fault: a refusal that repeats the request's `Authorization` header.
    func echoed(authorization: String?) -> SimAnswer? {
        guard faults.garble == "echo" else { return nil }
        return .error(400, "malformed request (Authorization: \(authorization ?? "none"))")
    }

    // MARK: - The API

    /// Who is calling.
    enum KeyKind: Equatable {
        /// The management key given on the command line.
        case management
        /// An ordinary key: the one given on the command line (`hash` nil) or one created
        /// with `POST /_sim/keys`.
        case inference(hash: String?)
        /// A disabled key: the command line's or a created one.
        case disabled
        case unknown, missing
    }

    /// The key of an `Authorization: Bearer KEY` header; `nil` for any other header.
    static func bearerKey(_ authorization: String) -> String? {
        let parts = authorization.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return String(parts[1]).trimmingCharacters(in: .whitespaces)
    }

    func keyKind(_ authorization: String?) -> KeyKind {
        guard let authorization, !authorization.isEmpty else { return .missing }
        guard let key = Self.bearerKey(authorization) else { return .unknown }
        if key == options.managementKey { return .management }
        if let inference = options.inferenceKey, key == inference { return .inference(hash: nil) }
        if let disabled = options.disabledKey, key == disabled { return .disabled }
        if let created = state.keys.first(where: { $0.key == key }) {
            return created.disabled ? .disabled : .inference(hash: created.hash)
        }
        return .unknown
    }

    func refusal(_ kind: KeyKind) -> SimAnswer? {
        switch kind {
        case .missing: return .error(401, "No auth credentials found")
        case .unknown: return .error(401, "User not found.")
        case .disabled: return .error(403, "This API key has been disabled.")
        case .management, .inference: return nil
        }
    }

    /// `GET /api/v1/credits`.
    func credits(authorization: String?) -> SimAnswer {
        let kind = keyKind(authorization)
        if let refusal = refusal(kind) { return refusal }
        // Production has been seen to answer an ordinary key with zeros instead of 403.
        let credits = kind == .management ? state.totalCredits : .zero
        let usage = kind == .management ? state.totalUsage : .zero
        var answer = SimAnswer.json(200, .object(["data": .object([
            "total_credits": .number(credits), "total_usage": .number(usage),
        ])]))
        answer.drop = dropDraw()
        return answer
    }

    /// `POST /api/v1/credits/coinbase`.
    func createCharge(authorization: String?, body: [UInt8]) throws(SimulatorError) -> SimAnswer {
        if let refusal = refusal(keyKind(authorization)) { return refusal }
        if faults.coinbase == .gone {
            return .error(410, "The Coinbase Commerce API has been deprecated and Coinbase charges are no longer supported. "
                + "Please purchase credits with crypto on https://openrouter.ai/settings/credits instead.")
        }
        guard let request = try? ExactJSON(parsing: body), case .object = request else {
            return .error(400, "Invalid JSON body")
        }
        guard let amountText = request["amount"]?.numberText else { return .error(400, "amount: Expected number") }
        // Exact, as the admin routes are: rounding would create a charge for another amount.
        let amount: Micros
        do { amount = try Micros(parsing: amountText) } catch { return .error(400, "amount: \(amountText) \(error.simulatorReason)") }
        guard amount > .zero else { return .error(400, "amount: Number must be greater than 0") }
        guard let sender = request["sender"]?.stringValue, Self.isAddress(sender) else {
            return .error(400, "sender: Invalid Ethereum address (expected 0x followed by 40 hex characters)")
        }
        guard let chainText = request["chain_id"]?.numberText, let chain = Int64(chainText), [1, 137, 8453].contains(chain) else {
            return .error(400, "chain_id: Invalid enum value. Expected 1 | 137 | 8453")
        }
        let now = now()
        // The options and the clock route keep this from happening; it must not trap if it does.
        guard let expiresAt = options.chargeExpiry(createdAt: now) else {
            return .error(500, "a charge created at \(now.iso8601) would expire after 9999-12-31: the simulator cannot keep it")
        }
        var next = state
        next.chargeCount += 1
        let id = Self.chargeID(next.chargeCount, seed: idSeed)
        let charge = SimCharge(id: id, amount: amount, sender: sender, chainID: chain, createdAt: now, expiresAt: expiresAt)
        next.charges.append(charge)
        try commit(next)
        var answer = SimAnswer.json(200, Self.chargeJSON(charge))
        answer.drop = dropDraw()
        return answer
    }

    static func isAddress(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 42, bytes[0] == UInt8(ascii: "0"), bytes[1] == UInt8(ascii: "x") || bytes[1] == UInt8(ascii: "X") else { return false }
        return bytes[2...].allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x46) || ($0 >= 0x61 && $0 <= 0x66) }
    }

    /// A UUID-shaped id, unique per simulator state.
    static func chargeID(_ count: Int64, seed: UInt64) -> String {
        var generator = SeededRandom(seed: seed &+ UInt64(count) &* 0x9E37_79B9)
        let hex = (0..<2).map { _ in String(generator.next(), radix: 16) }.joined()
        return SeededRandom.uuidShaped(String((String(repeating: "0", count: 32) + hex).suffix(32)))
    }

    /// The charge as production answers it (DESIGN.md § The API).
    static func chargeJSON(_ charge: SimCharge) -> ExactJSON {
        let recipient = "0x" + String(repeating: "7", count: 40)
        let usdc: String
        switch charge.chainID {
        case 1: usdc = "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48"
        case 137: usdc = "0x3c499c542cef5e3811e1192ce70d8cc03d5c3359"
        default: usdc = "0x833589fcd6edb6e08f4c7c32d4f71b54bda02913"
        }
        // USDC has 6 decimals, so micro-USD are its base units.
        let fee = charge.amount.raw / 20
        return .object(["data": .object([
            "id": .string(charge.id),
            "created_at": .string(charge.createdAt.iso8601),
            "expires_at": .string(charge.expiresAt.iso8601),
            "web3_data": .object(["transfer_intent": .object([
                "call_data": .object([
                    "deadline": .string(charge.expiresAt.iso8601),
                    "fee_amount": .string(String(fee)),
                    "id": .string("0x" + charge.id.replacingOccurrences(of: "-", with: "")),
                    "operator": .string("0x" + String(repeating: "8", count: 40)),
                    "prefix": .string("\u{19}Ethereum Signed Message:\n32"),
                    "recipient": .string(recipient),
                    "recipient_amount": .string(String(charge.amount.raw)),
                    "recipient_currency": .string(usdc),
                    "refund_destination": .string(charge.sender),
                    "signature": .string("0x" + String(repeating: "ab", count: 65)),
                ]),
                "metadata": .object([
                    "chain_id": .number(charge.chainID),
                    "contract_address": .string("0x" + String(repeating: "9", count: 40)),
                    "sender": .string(charge.sender),
                ]),
            ])]),
        ])])
    }

    // MARK: - Admin

    /// `POST /_sim/charges/{id}/pay`.
    func pay(id: String) throws(SimulatorError) -> SimAnswer {
        guard let index = state.charges.firstIndex(where: { $0.id == id }) else {
            return .error(404, "no charge \(id)")
        }
        let now = now()
        let charge = state.charges[index]
        if charge.paidAt != nil { return .error(409, "charge \(id) is already paid") }
        if now >= charge.expiresAt { return .error(409, "charge \(id) expired at \(charge.expiresAt.iso8601)") }
        var next = state
        do throws(AdminRefusal) {
            next.totalCredits = try Self.sum(state.totalCredits, charge.amount, "total_credits")
        } catch {
            return error.answer
        }
        next.charges[index].paidAt = now
        try commit(next)
        return .json(200, stateJSON())
    }

    /// `POST /_sim/purchase` `{"amount":"20"}`: credits bought outside the API.
    func purchase(body: [UInt8]) throws(SimulatorError) -> SimAnswer {
        var next = state
        do throws(AdminRefusal) {
            let amount = try AdminBody(body, example: #"{"amount":"20"}"#).amount("amount", example: #"{"amount":"20"}"#)
            next.totalCredits = try Self.sum(state.totalCredits, amount, "total_credits")
        } catch {
            return error.answer
        }
        try commit(next)
        return .json(200, stateJSON())
    }

    /// `total + amount`, refused (400) when the sum would pass the most a signed 64-bit count
    /// of micro-USD holds: the admin routes take amounts up to that, so two can overflow.
    static func sum(_ total: Micros, _ amount: Micros, _ name: String) throws(AdminRefusal) -> Micros {
        guard let sum = total.adding(amount) else {
            throw AdminRefusal(400, "\(name) \(total.decimalText) + \(amount.decimalText) would pass "
                + "\(Micros(raw: .max).decimalText) USD, the most the simulator holds: nothing changed")
        }
        return sum
    }

    /// `POST /_sim/clock` `{"now":"…"}`; `{"now":null}` returns to real time.
    func setClock(body: [UInt8]) throws(SimulatorError) -> SimAnswer {
        guard let json = try? ExactJSON(parsing: body), let value = json["now"] else {
            return .error(400, "give {\"now\":\"2026-01-01T00:00:00Z\"}")
        }
        var next = state
        if value == .null {
            next.clock = nil
        } else {
            guard let text = value.stringValue, let time = try? Timestamp(iso8601: text) else {
                return .error(400, "now must be an ISO 8601 time")
            }
            guard options.chargeExpiry(createdAt: time) != nil else {
                return .error(400, "now: a charge created at \(time.iso8601) would expire after 9999-12-31, past what the "
                    + "simulator can keep (charges last \(options.chargeTTLSeconds) s); set an earlier time")
            }
            next.clock = time
        }
        try commit(next)
        return .json(200, stateJSON())
    }

    /// `POST /_sim/faults`; only the fields given change. The whole body is checked first:
    /// one field refused (400, naming it) changes nothing.
    func setFaults(body: [UInt8]) -> SimAnswer {
        var next = faults
        do throws(AdminRefusal) {
            let fields = try AdminBody(body, example: #"{"latency_ms":200,"fail_rate":0.1}"#)
            try fields.refuseOthers(than: ["latency_ms", "rate_limit", "fail_rate", "drop_rate", "coinbase", "garble", "fail_message"])
            try fields.refuseNull(["latency_ms", "fail_rate", "drop_rate", "coinbase", "fail_message"], takers: ["rate_limit", "garble"])
            let latencies = SimulatorOptions.latencyRange
            if let value = try fields.optionalNumber(
                "latency_ms", in: Double(latencies.lowerBound)...Double(latencies.upperBound), whole: true,
                "a whole number of milliseconds from \(latencies.lowerBound) to \(latencies.upperBound)") {
                next.latencyMilliseconds = Int64(value)
            }
            let rates = SimulatorOptions.rateLimitRange
            if fields.isNull("rate_limit") { next.rateLimit = nil }
            if let value = try fields.optionalNumber(
                "rate_limit", in: rates, "from \(rates.lowerBound) to \(Int64(rates.upperBound)) requests per second, or null for none") {
                next.rateLimit = value
            }
            if let value = try fields.optionalNumber("fail_rate", in: 0...1, "a probability from 0 to 1") { next.failRate = value }
            if let value = try fields.optionalNumber("drop_rate", in: 0...1, "a probability from 0 to 1") { next.dropRate = value }
            if let text = try fields.optionalString("fail_message") { next.failMessage = text }
            if fields.isNull("garble") { next.garble = nil }
            if let mode = try fields.optionalChoice("garble", ["json", "html", "echo"], "json, html, echo or null") { next.garble = mode }
            let modes = SimulatorOptions.CoinbaseMode.allCases.map(\.rawValue)
            if let text = try fields.optionalChoice("coinbase", modes, modes.joined(separator: " or ")),
               let mode = SimulatorOptions.CoinbaseMode(rawValue: text) {
                next.coinbase = mode
            }
            if let rate = next.rateLimit, fields.fields["rate_limit"] != nil {
                tokens = max(1, rate)
                refilled = ContinuousClock.now
            }
        } catch {
            return error.answer
        }
        faults = next
        return .json(200, .object([
            "latency_ms": .number(faults.latencyMilliseconds),
            "rate_limit": faults.rateLimit.map { .number(String($0)) } ?? .null,
            "fail_rate": .number(String(faults.failRate)),
            "drop_rate": .number(String(faults.dropRate)),
            "coinbase": .string(faults.coinbase.rawValue),
            "garble": faults.garble.map { .string($0) } ?? .null,
            "fail_message": .string(faults.failMessage),
        ]))
    }

    /// Makes `next` the state once it is saved: a save that fails changes nothing, in the
    /// file or in memory.
    func commit(_ next: SimulatorState) throws(SimulatorError) {
        try Self.save(next, to: statePath)
        state = next
    }

    /// Writes the state file atomically (temporary file, then rename), so a crash never
    /// leaves half a state behind, readable by its owner alone: it holds the keys made
    /// (`POST /_sim/keys`), and was every user's to read (probe 146); without a path, nothing.
    static func save(_ state: SimulatorState, to path: String?) throws(SimulatorError) {
        guard let path else { return }
        let data = Data(state.json(now: state.clock ?? Timestamp.now()).text.utf8)
        do {
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        } catch {
            throw .stateIO("cannot write \(path): \(error.localizedDescription)")
        }
    }
}
