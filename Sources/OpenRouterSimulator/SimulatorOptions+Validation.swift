import CreditTypes

/// The options' rules, shared by `openrouter-sim` (a usage error, 64) and in-process servers
/// (`SimulatorServer.start` throws): each refusal names the command-line option to change.
extension SimulatorOptions {
    /// Refuses options the simulator would trap on or could not keep in its state file;
    /// `now` is when it starts creating charges (the clock a state file set, else real time).
    public func validate(now: Timestamp = .now()) throws(SimulatorError) {
        func refuse(_ message: String) -> SimulatorError { .badOption(message) }
        guard (0...65535).contains(port) else { throw refuse("--port must be 0…65535") }
        guard !managementKey.isEmpty else { throw refuse("--management-key must not be empty") }
        if inferenceKey == managementKey {
            throw refuse("--management-key and --inference-key must differ: a key is either one or the other")
        }
        if let disabledKey, disabledKey == managementKey || disabledKey == inferenceKey {
            throw refuse("--disabled-key must differ from --management-key and --inference-key")
        }
        guard initialCredits >= .zero else { throw refuse("--initial-credits must be at least 0") }
        guard chargeTTLSeconds > 0 else { throw refuse("--charge-ttl must be positive") }
        guard chargeExpiry(createdAt: now) != nil else {
            let most = (Timestamp.writableRange.upperBound - now.millisecondsSinceEpoch) / 1000
            throw refuse("--charge-ttl \(chargeTTLSeconds): a charge created now would expire after 9999-12-31, "
                + "past what the simulator can keep; use at most \(most) seconds")
        }
        guard Self.latencyRange.contains(latencyMilliseconds) else {
            throw refuse("--latency-ms must be \(Self.latencyRange.lowerBound) to \(Self.latencyRange.upperBound) (an hour)")
        }
        if let rateLimit, !Self.rateLimitRange.contains(rateLimit) {
            throw refuse("--rate-limit must be from \(Self.rateLimitRange.lowerBound) to \(Int64(Self.rateLimitRange.upperBound)) "
                + "requests per second")
        }
        guard (0...1).contains(failRate), (0...1).contains(dropRate) else {
            throw refuse("--fail-rate and --drop-rate are probabilities between 0 and 1")
        }
        guard keysPage > 0 else { throw refuse("--keys-page must be at least 1") }
        if let statePath, statePath.isEmpty { throw refuse("--state must name a file (it was empty)") }
    }

    /// An amount given to `option` (`--initial-credits`, `--initial-usage`): decimal USD,
    /// exact to the micro-dollar.
    public static func amount(_ text: String, option: String) throws(SimulatorError) -> Micros {
        do { return try Micros(parsing: text) } catch {
            throw .badOption("\(option): \"\(text)\" \(error.simulatorReason); give decimal USD such as 100 or 12.5")
        }
    }
}
