import CreditTypes

/// Something in the books a reader should know about, with how urgent it is.
public struct Finding: Sendable, Equatable {
    /// How urgent.
    public var severity: Severity
    /// What it is about.
    public var kind: FindingKind
    /// When it was observed (the reading, the expiry, the request).
    public var observedAt: Timestamp
    /// The account label.
    public var account: String
    /// The amount involved, if any.
    public var amount: Micros?
    /// The charge id or plan reference involved, if any.
    public var reference: String?
    /// What happened and what to do, in words.
    public var message: String
    /// The charge's id, for a finding about a charge that `reference` names by its plan
    /// reference: what OpenRouter is asked about (not a column of findings.csv).
    public var chargeID: String?

    /// A finding.
    public init(
        _ severity: Severity, _ kind: FindingKind, at observedAt: Timestamp, account: String,
        amount: Micros? = nil, reference: String? = nil, chargeID: String? = nil, message: String
    ) {
        self.severity = severity
        self.kind = kind
        self.observedAt = observedAt
        self.account = account
        self.amount = amount
        self.reference = reference
        self.chargeID = chargeID
        self.message = message
    }

    /// The report's order: by time, then most serious first, then kind, reference, message.
    static func reportOrder(_ a: Finding, _ b: Finding) -> Bool {
        if a.observedAt != b.observedAt { return a.observedAt < b.observedAt }
        if a.severity != b.severity { return a.severity > b.severity }
        if a.kind != b.kind { return a.kind.rawValue < b.kind.rawValue }
        if a.reference != b.reference { return (a.reference ?? "") < (b.reference ?? "") }
        return a.message < b.message
    }
}
