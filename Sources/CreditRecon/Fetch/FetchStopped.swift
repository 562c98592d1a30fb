/// `fetch` was stopped by SIGINT or SIGTERM (cron's timeout, Ctrl-C): the call on the wire
/// was finished and stored, no call was sent after it, and the run ends `failed`. Exits 75,
/// like a stopped `topup`: nothing is wrong, the next fetch reads what is missing.
public struct FetchStopped: ExitCoded, FailureDetails {
    /// `SIGTERM` or `SIGINT`.
    public let signal: String
    /// The first call not read, e.g. `GET /activity?date=2026-11-03`: not sent, or sent and
    /// failed and not sent again after the signal (the pages of `GET /keys` read before it
    /// are not kept: a listing is stored whole).
    public let call: String
    /// What was stored before it.
    public let kept: FetchKept

    public var failureDetails: [String: JSONOutput] { ["failed_call": .string(call), "stored": kept.json] }

    public var exitStatus: ExitStatus { .tempFail }

    public var description: String {
        "stopped by \(signal) at \(call), which was not read (no request is sent after the signal): "
            + (kept.isEmpty ? "no reading was stored; run fetch again"
                : "what was stored (\(kept.text)) stays, and the next fetch reads what is missing")
    }
}
