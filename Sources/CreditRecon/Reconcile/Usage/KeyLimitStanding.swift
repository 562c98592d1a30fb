import CreditTypes
import Ledger

/// What one key can still spend: the smaller of the account's balance and what is left of
/// the key's limit (a key without a limit can spend the whole balance), never below zero
/// (a key over its limit, an overdrawn account), and nothing for a disabled key.
public struct KeyLimitStanding: Sendable, Equatable {
    /// The key at the latest listing.
    public var key: KeyReading
    /// What it can still spend; `nil` without a balance (no trusted reading).
    public var spendable: Micros?

    /// The standing of `key` when the account's balance is `balance`.
    public init(key: KeyReading, balance: Micros?) {
        self.key = key
        let remaining = key.limit == nil ? nil : key.limitRemaining
        switch (balance, remaining) {
        case let (balance?, remaining?): spendable = min(balance, remaining)
        case let (balance?, nil): spendable = balance
        case let (nil, remaining): spendable = remaining
        }
        if key.disabled == true { spendable = .zero }
        if let can = spendable, can < .zero { spendable = .zero }
    }

    /// `limit_remaining` as a share of `limit`, in ten-thousandths (`nil` without a limit;
    /// 0 for a zero limit): how near the key is to its limit, for ordering.
    public var remainingBasisPoints: Int64? {
        guard let limit = key.limit, let remaining = key.limitRemaining else { return nil }
        guard limit > .zero else { return 0 }
        // In 128 bits: 922337204 USD left and more passed Int64 and read as the largest share
        // (probe 380: "92233720368547758.07 % left" of a key with all its limit left).
        return Int64(clamping: Int128(remaining.raw) * 10_000 / Int128(limit.raw))
    }
}
