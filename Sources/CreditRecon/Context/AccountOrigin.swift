/// Where a command's account label came from.
///
/// Commands that can show several accounts (`status`, `report --all-accounts`) need to
/// know whether a person named one: a label named on the command line or in the
/// environment means that account alone; the default means "whatever the ledger holds".
public enum AccountOrigin: Sendable, Equatable {
    /// Nobody named one: the label is `default`.
    case defaulted
    /// `--account NAME` on the command line.
    case option
    /// `CREDIT_RECON_ACCOUNT` in the environment.
    case environment
}
