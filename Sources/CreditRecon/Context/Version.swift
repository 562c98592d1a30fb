/// The tool's version, sent as `User-Agent: credit-recon/<version>`.
public enum CreditReconVersion {
    /// Semantic version of this build.
    public static let current = "0.1.0"
    /// The User-Agent header value.
    public static var userAgent: String { "credit-recon/\(current)" }
}
