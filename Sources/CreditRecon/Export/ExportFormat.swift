/// The double-entry formats `export` writes.
public enum ExportFormat: String, Sendable, CaseIterable {
    /// beancount (v2 and v3; checked with `bean-check`).
    case beancount
    /// hledger journal (checked with `hledger check`).
    case hledger
}
