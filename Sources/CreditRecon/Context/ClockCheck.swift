import CreditTypes

/// This machine's clock against the API's (the `Date` of an answer), before anything is
/// dated by it: `fetch` dates readings, `topup` dates its top-ups and tells a repeated
/// purchase by them (`TopUpEngine.repeatWindow`). `--now` fixes the clock, and then it is
/// not checked.
enum ClockCheck {
    /// What the clock dates, as the refusal says it.
    enum Use {
        /// `fetch`: readings, runs and listings.
        case readings
        /// `topup`: the top-ups, and which rows repeat a purchase of the last 12 hours.
        case topUps
    }

    /// How far this machine's clock may stand from the API's before a command refuses to
    /// date anything by it: far more than a request's way there and back, far less than
    /// a clock set wrong.
    static let tolerance: Int64 = 5 * 60_000

    /// Refuses (78) a clock (`now`, no `--now` given) more than `tolerance` from the API's
    /// (`answeredAt`, the `Date` of its answer to `GET /key`), before anything is dated by it.
    /// With no `Date` it can read (`answeredAt` nil), the warning to log: the clock went
    /// unchecked, and a clock set wrong would go unseen.
    static func check(_ now: Timestamp, against answeredAt: Timestamp?, for use: Use) throws -> String? {
        guard let answeredAt else {
            return "GET /key was answered without a Date header credit-recon can read: this machine's clock was not "
                + "checked against the API's, and \(use == .readings ? "readings" : "top-ups") are dated by it (keep it set by NTP)"
        }
        let skew = now.millisecondsSinceEpoch - answeredAt.millisecondsSinceEpoch
        guard abs(skew) > tolerance else { return nil }
        let stakes = switch use {
        case .readings:
            "Readings are dated by this clock for good (one dated ahead would read as taken after the readings that follow "
                + "it). Set the clock right (NTP) and fetch again, or give --now to date a backfill deliberately; "
                + "nothing was stored"
        case .topUps:
            "Top-ups are dated by this clock, and a row that repeats a purchase made in the last 12 hours is told by it "
                + "(a clock ahead would take a copy of a plan run an hour ago for a new one). Set the clock right (NTP) and "
                + "run topup again, or give --now; nothing was sent"
        }
        throw UsageError.config(
            "this machine's clock says \(now.iso8601), but the API answered at \(answeredAt.iso8601) (its Date header): "
                + "the clock is \(Runway.roundedTenths(abs(skew), per: 360_000)) hours \(skew > 0 ? "ahead" : "behind"). " + stakes)
    }
}
