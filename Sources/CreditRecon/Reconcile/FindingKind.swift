/// What a finding is about; the text appears in `findings.csv` as `kind`.
public enum FindingKind: String, Sendable, CaseIterable {
    /// `total_credits` went down between two trusted readings.
    case creditsDecreased = "credits_decreased"
    /// `total_usage` went down between two trusted readings.
    case usageDecreased = "usage_decreased"
    /// An all-zero reading after non-zero ones (a key without management rights); kept in
    /// the ledger, left out of the arithmetic.
    case zeroReading = "zero_reading"
    /// Two trusted readings further apart than `--max-gap`.
    case snapshotGap = "snapshot_gap"
    /// From `fetch`: the ledger holds a reading of the account dated after the one the
    /// fetch took, with a clock that agrees with the API's (`reference`: that reading's
    /// time): it was dated ahead, and the books read its totals as the newest until the
    /// clock passes it (`status`: `reading_after_now`).
    case readingAhead = "reading_ahead"
    /// A charge expired without being paid.
    case chargeExpired = "charge_expired"
    /// A charge request whose outcome is unknown: a person must decide.
    case outcomeUnknown = "outcome_unknown"
    /// The charge endpoint is gone (410); the row must be paid through the web flow.
    case chargeBlocked = "charge_blocked"
    /// The API refused a charge request.
    case chargeRejected = "charge_rejected"
    /// A plan row stored but never sent: the run stopped before its request, or the request
    /// never reached the API.
    case topUpNotSent = "topup_not_sent"
    /// A rise of credits no charge explains (card or web purchase).
    case unexplainedPurchase = "unexplained_purchase"
    /// An export says a charge was paid, but no rise of credits matches it.
    case paidChargeUnmatched = "paid_charge_unmatched"
    /// Two or more charges of one account carrying one reference were paid: a plan row (or
    /// a purchase named so) bought twice, or a reference reused (`reference` is it).
    case referencePaidTwice = "reference_paid_twice"
    /// Two paid charges of one purchase (account, amount, wallet, chain) under different
    /// references, the second made while the first looked lost: expired, then paid after
    /// all, or recorded only after the second was made (`Reconciler.repeatedPurchases`).
    case purchaseRepeated = "purchase_repeated"
    /// Runway below `--min-runway-days`.
    case runwayLow = "runway_low"
    /// A command (fetch, topup, run) ended in failure; its summary says why.
    case runFailed = "run_failed"
    /// The account's use between two readings lies outside the bounds its days' activity
    /// sets (`amount` is how far); from `fetch`, the API's answer for the window gives a
    /// held day other rows than the day's own answer, which still gives the stored ones
    /// (`reference` is the UTC date).
    case activityMismatch = "activity_mismatch"
    /// A held day of activity the API answered otherwise, read again and stored beside the
    /// earlier reading (`reference` is the UTC date, `amount` the new total less the old):
    /// a warning from `fetch`, which reads it, and worth knowing in reports, which use the
    /// newer reading.
    case activityRevised = "activity_revised"
    /// Use in a period that no key's readings explain (`amount`): use on keys deleted
    /// between readings, before a key's first reading, or on no key (chat in the browser).
    case usageUnattributed = "usage_unattributed"
    /// A completed UTC day of the account's history that left the API's 30-day window
    /// before it was stored: its activity is lost for good (`reference` is the date).
    case activityLost = "activity_lost"
    /// A key near its spending limit (`reference` is the key's name, `amount` what is left).
    case keyLimitLow = "key_limit_low"
    /// `opening + purchased − used ≠ closing` for a period.
    case balanceCheckFailed = "balance_check_failed"
    /// A recorded charge voided (`credit-recon void`): out of the books, said with why
    /// (`reference` is its id, `amount` its amount), dated at its creation.
    case chargeVoided = "charge_voided"
    /// The ledger shows damage every writer refuses (`Ledger.damageSigns()`): its guards
    /// gone, its newest entry edited, rows past its head. Not dated in the books: said in
    /// every report of the ledger, whatever its range.
    case ledgerDamaged = "ledger_damaged"
}
