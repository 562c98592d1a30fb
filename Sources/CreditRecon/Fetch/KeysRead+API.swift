import CreditTypes
import Ledger
import OpenRouterAPI

extension KeysRead {
    /// The ledger's fact for a `GET /keys` listing read at `observedAt`.
    init(_ reading: KeysReading, observedAt: Timestamp) {
        self.init(
            observedAt: observedAt,
            keys: reading.keys.map { key in
                KeyReading(
                    hash: key.hash, name: key.name, label: key.label, disabled: key.disabled, usage: key.usage,
                    // What is left of a limit, only for a key with one: an answer giving a remainder
                    // without a limit (the API says null for both) would read as a limit of 0.
                    byokUsage: key.byokUsage, limit: key.limit, limitRemaining: key.limit == nil ? nil : key.limitRemaining,
                    limitReset: key.limitReset, createdAt: key.createdAt)
            },
            rawBodies: reading.rawBodies)
    }
}
