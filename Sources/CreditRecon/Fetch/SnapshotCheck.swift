import CreditTypes
import Ledger

/// The findings a new reading raises against the account's earlier ones, with the same
/// kinds and trust rule as the reconciliation (`Reconciler`): an all-zero reading after
/// non-zero ones is never believed, and decreases are measured from the last trusted one;
/// a reading that used more than was bought is an overdrawn balance (`runway_low`).
enum SnapshotCheck {
    static func findings(
        for reading: SnapshotTaken, earlier: [(credits: Micros, usage: Micros)], account: String
    ) -> [Finding] {
        let isZero = { (credits: Micros, usage: Micros) in credits == .zero && usage == .zero }
        var lastTrusted: (credits: Micros, usage: Micros)?
        var sawNonZero = false
        for snapshot in earlier {
            let zero = isZero(snapshot.credits, snapshot.usage)
            if zero && sawNonZero { continue }
            if !zero { sawNonZero = true }
            lastTrusted = snapshot
        }
        let at = reading.observedAt
        if isZero(reading.totalCredits, reading.totalUsage) && sawNonZero {
            return [Finding(
                .warning, .zeroReading, at: at, account: account,
                // `fetch` asked GET /key first: the key is a management key, so blaming its
                // rights (as this said) sent a person to replace the right key (probe 140).
                message: "the API reported total_credits 0 and total_usage 0 after non-zero readings, though GET /key "
                    + "says the key is a management key: it may be another account's (a new account reads zeros), or the "
                    + "API answered wrongly; the reading is kept in the ledger but left out of the books. Check that "
                    + "OPENROUTER_API_KEY is this account's management key.")]
        }
        var findings: [Finding] = []
        // Used above bought: the account's next request is refused. Said on every fetch while
        // it lasts, as `status` says it, so a nightly `fetch` alone hears it (probe 208: 0).
        let balance = reading.totalCredits - reading.totalUsage
        if balance.raw < 0 {
            findings.append(Finding(
                .warning, .runwayLow, at: at, account: account, amount: balance,
                message: "the balance is overdrawn: total_usage \(reading.totalUsage) is above total_credits "
                    + "\(reading.totalCredits), \(balance.centsText) USD, so the account's requests are refused: plan a "
                    + "top-up (if the account bought more than that, check the key is this account's)"))
        }
        guard let previous = lastTrusted else { return findings }
        if reading.totalCredits < previous.credits {
            findings.append(Finding(
                .warning, .creditsDecreased, at: at, account: account, amount: reading.totalCredits - previous.credits,
                message: "total_credits went down from \(previous.credits) to \(reading.totalCredits); running totals "
                    + "should only rise. Check the key belongs to this account, or ask OpenRouter about a refund or correction."))
        }
        if reading.totalUsage < previous.usage {
            findings.append(Finding(
                .warning, .usageDecreased, at: at, account: account, amount: reading.totalUsage - previous.usage,
                message: "total_usage went down from \(previous.usage) to \(reading.totalUsage); running totals "
                    + "should only rise. Check the key belongs to this account, or ask OpenRouter about a usage correction."))
        }
        return findings
    }
}
