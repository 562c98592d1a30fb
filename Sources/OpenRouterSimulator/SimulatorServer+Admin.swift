import CreditTypes

/// The admin routes in process, for callers without an HTTP client of their own (the
/// client's and the CLI's tests): each builds the route's JSON body and goes through the
/// same code as `POST /_sim/…`, refusals included.
extension SimulatorServer {
    /// `POST /_sim/keys`: a new key's hash and the key itself.
    public func createKey(name: String, limit: Micros? = nil) async throws -> (hash: String, key: String) {
        var body: [String: ExactJSON] = ["name": .string(name)]
        if let limit { body["limit"] = .string(limit.decimalText) }
        let json = try await accepted(engine.createKey(body: Array(ExactJSON.object(body).text.utf8)))
        return (json["hash"]?.stringValue ?? "", json["key"]?.stringValue ?? "")
    }

    /// `POST /_sim/usage`: use on the account, and on a key (its hash or the key) and a model when given.
    public func use(_ amount: Micros, key: String? = nil, model: String? = nil, provider: String? = nil) async throws {
        var body: [String: ExactJSON] = ["amount": .string(amount.decimalText)]
        if let key { body["key"] = .string(key) }
        if let model { body["model"] = .string(model) }
        if let provider { body["provider"] = .string(provider) }
        _ = try await accepted(engine.use(body: Array(ExactJSON.object(body).text.utf8)))
    }

    /// `POST /_sim/keys/{hash}/disable`.
    public func disableKey(hash: String) async throws { _ = try await accepted(engine.disableKey(hash: hash)) }

    /// `DELETE /_sim/keys/{hash}`.
    public func deleteKey(hash: String) async throws { _ = try await accepted(engine.deleteKey(hash: hash)) }

    /// `POST /_sim/clock`; `nil` returns to real time.
    public func setClock(_ now: Timestamp?) async throws {
        let body = ExactJSON.object(["now": now.map { .string($0.iso8601) } ?? .null])
        _ = try await accepted(engine.setClock(body: Array(body.text.utf8)))
    }

    /// `POST /_sim/faults` with these fields, e.g. `["garble": .string("json")]`.
    public func setFaults(_ fields: [String: ExactJSON]) async throws {
        _ = try await accepted(engine.setFaults(body: Array(ExactJSON.object(fields).text.utf8)))
    }

    private func accepted(_ answer: SimAnswer) throws(SimulatorError) -> ExactJSON {
        let json = (try? ExactJSON(parsing: answer.body)) ?? .null
        guard answer.status == 200 else {
            throw .refused(status: answer.status, message: json["error"]?["message"]?.stringValue ?? answer.body)
        }
        return json
    }
}
