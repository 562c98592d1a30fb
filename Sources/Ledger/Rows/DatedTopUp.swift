import CreditTypes

extension LedgerReader {
    /// A top-up row and when it was bought: the time of its latest journal entry (for a
    /// `created` row, when its charge was made), or its charge's `created_at`, the API's
    /// time, when that is later; a `recorded` row's charge's `created_at` alone.
    public struct DatedTopUp: Sendable, Equatable {
        public let topUp: StoredTopUp
        public let boughtAt: Timestamp
    }
}
