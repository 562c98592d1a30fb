import CreditTypes

/// The JSON body of an admin route, read field by field; each problem is a `400` that
/// says what to send instead.
struct AdminBody {
    let fields: [String: ExactJSON]

    /// The body as a JSON object; `example` shows what to send.
    init(_ body: [UInt8], example: String) throws(AdminRefusal) {
        guard let json = try? ExactJSON(parsing: body), case .object(let fields) = json else {
            throw AdminRefusal(400, "give a JSON object, e.g. \(example)")
        }
        self.fields = fields
    }

    private func present(_ name: String) -> ExactJSON? {
        guard let value = fields[name], value != .null else { return nil }
        return value
    }

    /// An amount in USD: decimal text or a number, at most 6 decimals, above 0 (or at
    /// least 0 with `allowZero`); `nil` when absent or `null`.
    func optionalAmount(_ name: String, allowZero: Bool = false) throws(AdminRefusal) -> Micros? {
        guard let value = present(name) else { return nil }
        guard let text = value.stringValue ?? value.numberText else {
            throw AdminRefusal(400, "\(name) must be decimal USD, e.g. \"1.25\"")
        }
        let amount: Micros
        do { amount = try Micros(parsing: text) } catch { throw AdminRefusal(400, "\(name) \"\(text)\" \(error.simulatorReason)") }
        guard amount > .zero || (allowZero && amount == .zero) else {
            throw AdminRefusal(400, "\(name) must be \(allowZero ? "at least 0" : "greater than 0")")
        }
        return amount
    }

    /// A required amount; see `optionalAmount`.
    func amount(_ name: String, example: String) throws(AdminRefusal) -> Micros {
        guard let amount = try optionalAmount(name) else { throw AdminRefusal(400, "give \(example)") }
        return amount
    }

    /// A non-empty string; `nil` when absent or `null`.
    func optionalString(_ name: String) throws(AdminRefusal) -> String? {
        guard let value = present(name) else { return nil }
        guard let text = value.stringValue, !text.isEmpty else { throw AdminRefusal(400, "\(name) must be a non-empty string") }
        return text
    }

    /// A number (JSON number or decimal text) in `range`, which `rule` states for the
    /// refusal; `nil` when absent or `null`.
    /// A JSON number in `range` (a whole one with `whole`), which `rule` states for the
    /// refusal; `nil` when absent or `null`. A number written as a string is the wrong type,
    /// and a fraction where a whole number goes is refused, not cut (probe 146: `"5"` and
    /// `1.5` milliseconds were taken).
    func optionalNumber(_ name: String, in range: ClosedRange<Double>, whole: Bool = false, _ rule: String) throws(AdminRefusal) -> Double? {
        guard let value = present(name) else { return nil }
        // NaN is in no range.
        guard let text = value.numberText, let number = Double(text), range.contains(number),
              !whole || number.rounded(.towardZero) == number else {
            throw AdminRefusal(400, "\(name) must be \(rule)")
        }
        return number
    }

    /// One of `choices`, which `rule` states for the refusal; `nil` when absent or `null`.
    func optionalChoice(_ name: String, _ choices: [String], _ rule: String) throws(AdminRefusal) -> String? {
        guard let value = present(name) else { return nil }
        guard let text = value.stringValue, choices.contains(text) else { throw AdminRefusal(400, "\(name) must be \(rule)") }
        return text
    }

    /// Refuses a field not in `known`, so a misspelt one is not silently ignored.
    func refuseOthers(than known: [String]) throws(AdminRefusal) {
        if let unknown = fields.keys.sorted().first(where: { !known.contains($0) }) {
            throw AdminRefusal(400, "unknown field \(unknown): give \(known.joined(separator: ", "))")
        }
    }

    /// Whether the field is given as `null` (which some fields take to mean "none").
    func isNull(_ name: String) -> Bool { fields[name] == .null }

    /// Refuses `null` for each of `names`, fields that take no "none": it was answered 200
    /// and changed nothing, so a script resetting `latency_ms` with it kept the latency
    /// (probe 195). `takers` are the fields that do take it, for the refusal's words.
    func refuseNull(_ names: [String], takers: [String]) throws(AdminRefusal) {
        if let name = names.first(where: isNull) {
            throw AdminRefusal(400, "\(name) takes no null (only \(takers.joined(separator: " and ")) do, for none): give its value")
        }
    }

    /// A whole number of at least 0; `nil` when absent or `null`.
    func optionalCount(_ name: String) throws(AdminRefusal) -> Int64? {
        guard let value = present(name) else { return nil }
        guard let text = value.numberText, let count = Int64(text), count >= 0 else {
            throw AdminRefusal(400, "\(name) must be a whole number of at least 0")
        }
        return count
    }
}
