import Logging
import Synchronization

/// Where the ledger says what it did that no error carries (a session another command left
/// behind, ended on the server): the command's own logger, at its `--log-level`, once the
/// command line gives it (`Ledger.useLogger`); until then one at `info`.
enum LedgerLog {
    private static let logger = Mutex(Logger(label: "credit-recon"))

    static func warning(_ message: @autoclosure () -> String) {
        let logger = logger.withLock { $0 }
        logger.warning("\(message())")
    }

    static func use(_ logger: Logger) { self.logger.withLock { $0 = logger } }
}

extension Ledger {
    /// Makes `logger` the one the ledger's own log lines go to.
    public static func useLogger(_ logger: Logger) { LedgerLog.use(logger) }
}
