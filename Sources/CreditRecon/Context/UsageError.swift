/// A problem with how the command was called or configured.
public struct UsageError: ExitCoded {
    /// What is wrong and how to fix it.
    public let message: String
    /// `usage` (64) or `config` (78).
    public let exitStatus: ExitStatus

    /// An error with any exit status (e.g. `noInput` for a missing ledger).
    public init(message: String, exitStatus: ExitStatus) {
        self.message = message
        self.exitStatus = exitStatus
    }

    /// A usage error (exit 64).
    public static func usage(_ message: String) -> UsageError { UsageError(message: message, exitStatus: .usage) }
    /// A configuration error (exit 78).
    public static func config(_ message: String) -> UsageError { UsageError(message: message, exitStatus: .config) }

    /// A ledger holding no account yet, to a command that reads books: nothing to read, as
    /// with no ledger at all (66); no argument was wrong.
    public static let noBooksYet = UsageError(
        message: "the ledger holds no books yet (no account); run `credit-recon fetch` or `credit-recon import snapshots FILE` first",
        exitStatus: .noInput)

    public var description: String { message }
}
