import ArgumentParser
import CreditRecon
import CreditTypes
import Foundation
import Logging

/// The arguments and variables as the process got them, in bytes: Swift decodes them as
/// UTF-8 and puts U+FFFD in place of what is not, so a file named in Latin-1 (`caf\xe9.csv`)
/// would be looked for, or made, under another name.
enum RawInput {
    /// The variables credit-recon reads; a value that is not UTF-8 is a configuration error.
    static let variables = [
        "CREDIT_RECON_ACCOUNT", "CREDIT_RECON_LEDGER", "CREDIT_RECON_LEDGER_PASSWORD_FILE", "CREDIT_RECON_LOG_LEVEL",
        "CREDIT_RECON_MAX_RETRY_TIME", "CREDIT_RECON_NOW", "CREDIT_RECON_TIMEOUT", "OPENROUTER_API_KEY",
        "OPENROUTER_BASE_URL", "OPENROUTER_BEARER", "PGPASSWORD", "PGSSLMODE", "PGSSLROOTCERT",
    ]
    /// Those whose value is never shown.
    static let secrets: Set<String> = ["OPENROUTER_API_KEY", "OPENROUTER_BEARER", "PGPASSWORD"]

    /// The first argument (64) or variable (78) that is not UTF-8, said with what to do.
    static func notUTF8() -> (String, ExitStatus)? {
        for index in 1..<Int(CommandLine.argc) {
            guard let raw = CommandLine.unsafeArgv[index], String(validatingCString: raw) == nil else { continue }
            let shown = TerminalText.printable(String(cString: raw))
            return ("argument \(index) (\"\(shown)\") is not UTF-8 text (\u{FFFD} marks the bytes that are not): "
                + "credit-recon reads every argument, file names included, as UTF-8; rename the file or give the "
                + "text in UTF-8", .usage)
        }
        for name in variables {
            guard let raw = getenv(name), String(validatingCString: raw) == nil else { continue }
            let shown = secrets.contains(name) ? "" : " (\"\(TerminalText.printable(String(cString: raw)))\")"
            return ("\(name)\(shown) is not UTF-8 text: credit-recon reads its variables as UTF-8; set it in UTF-8",
                    .config)
        }
        return nil
    }
}
