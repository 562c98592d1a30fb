import CreditTypes

/// One period's books: one row of `periods.csv`.
public struct PeriodSummary: Sendable, Equatable {
    /// The first local day of the period.
    public var start: CivilDate
    /// The first local day after it (end-exclusive).
    public var end: CivilDate
    /// The instant the period starts.
    public var startInstant: Timestamp
    /// The instant the next period starts.
    public var endInstant: Timestamp
    /// Balance at the last trusted reading before the period (or its first reading when
    /// none came before); `nil` before the first reading.
    public var opening: Micros?
    /// When the reading `opening` is taken from was taken: inside the period when it is
    /// the first reading (none came before).
    public var openingReadAt: Timestamp?
    /// Net rise of `total_credits` over the period.
    public var purchased = Micros.zero
    /// The part of `purchased` that matched charges explain.
    public var purchasedViaCharges = Micros.zero
    /// `purchased − purchasedViaCharges`: card or web purchases (and decreases, negative).
    public var purchasedOther = Micros.zero
    /// The falls of `total_credits` in the period, added up (zero or negative): `purchased`
    /// is the rises with them, so that a fall inside a period of purchases shows apart.
    public var creditsFell = Micros.zero
    /// Net rise of `total_usage` over the period.
    public var used = Micros.zero
    /// The falls of `total_usage` in the period, added up (zero or negative; `used` is net
    /// of them).
    public var usageFell = Micros.zero
    /// Balance at the period's last trusted reading; `nil` before the first reading.
    public var closing: Micros?
    /// Charges created in the period.
    public var chargesCreated = 0
    /// Their amount.
    public var chargesCreatedAmount = Micros.zero
    /// Charges whose credits showed up in the period.
    public var chargesSettled = 0
    /// Their amount.
    public var chargesSettledAmount = Micros.zero
    /// Findings observed in the period.
    public var findings = 0

    /// `opening + purchased − used = closing`, exactly (vacuously true before any reading).
    public var balanceCheckHolds: Bool {
        guard let opening, let closing else { return opening == nil && closing == nil }
        return opening + purchased - used == closing
    }
}
