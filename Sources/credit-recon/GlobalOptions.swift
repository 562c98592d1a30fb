import ArgumentParser
import CreditRecon
import CreditTypes
import Foundation
import Logging

/// Options every command takes; each can also come from the environment (CONTRACT.md).
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The ledger: a SQLite file (default ledger.sqlite), or postgresql://USER@HOST:PORT/DB[?sslmode=disable|require|verify-full] for books shared by several hosts (env CREDIT_RECON_LEDGER).",
        valueName: "path|url"))
    var ledger: String?

    @Option(name: .long, help: ArgumentHelp(
        "Read the PostgreSQL ledger's password from the first line of this file instead of the URL or PGPASSWORD (env CREDIT_RECON_LEDGER_PASSWORD_FILE).",
        valueName: "path"))
    var ledgerPasswordFile: String?

    @Option(name: .long, help: ArgumentHelp("API root (env OPENROUTER_BASE_URL; default https://openrouter.ai/api/v1).", valueName: "url"))
    var baseURL: String?

    @Option(name: .long, help: ArgumentHelp("Account label stored on every row (env CREDIT_RECON_ACCOUNT; default \"default\").", valueName: "name"))
    var account: String?

    @Option(name: .long, help: ArgumentHelp("Start the clock at this ISO 8601 time, for tests and backfills (env CREDIT_RECON_NOW).", valueName: "time"))
    var now: String?

    @Option(name: .long, help: ArgumentHelp("trace, debug, info, notice, warning, error or critical; logs go to stderr (env CREDIT_RECON_LOG_LEVEL).", valueName: "level"))
    var logLevel: String?

    @Option(name: .long, help: ArgumentHelp("How long one API call may keep retrying (env CREDIT_RECON_MAX_RETRY_TIME; default 120).", valueName: "seconds"))
    var maxRetryTime: Int?

    @Option(name: .long, help: ArgumentHelp("One HTTP request's limit (env CREDIT_RECON_TIMEOUT; default 30).", valueName: "seconds"))
    var timeout: Int?

    @Flag(name: .long, help: "Print a machine-readable summary on stdout.")
    var json = false

    @Option(name: .long, help: ArgumentHelp("Read the management key from the first line of this file instead of OPENROUTER_API_KEY.", valueName: "path"))
    var apiKeyFile: String?

    @Option(name: .long, help: ArgumentHelp("Read the charge bearer from the first line of this file instead of OPENROUTER_BEARER.", valueName: "path"))
    var bearerFile: String?

    /// Resolves options, environment and defaults into a context.
    func context(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> CommandContext {
        func pick(_ option: String?, _ variable: String) -> String? {
            if let option { return option }
            if let value = environment[variable], !value.isEmpty { return value }
            return nil
        }
        let levelText = pick(logLevel, "CREDIT_RECON_LOG_LEVEL") ?? "info"
        guard let level = Logger.Level(rawValue: levelText.lowercased()) else {
            throw UsageError.usage("--log-level: \"\(levelText)\" is not one of trace, debug, info, notice, warning, error, critical")
        }
        var logger = Logger(label: "credit-recon")
        logger.logLevel = level
        var start: Timestamp?
        if let text = pick(now, "CREDIT_RECON_NOW") {
            do { start = try Timestamp(iso8601: text) } catch {
                throw UsageError.usage("--now: \(error)")
            }
        }
        func seconds(_ option: Int?, _ variable: String, _ fallback: Int, _ name: String) throws -> Duration {
            if let option {
                guard option > 0 else { throw UsageError.usage("\(name) must be a positive number of seconds") }
                return .seconds(option)
            }
            if let text = environment[variable], !text.isEmpty {
                guard let value = Int(text), value > 0 else {
                    throw UsageError.config("\(variable)=\"\(text)\" is not a positive number of seconds")
                }
                return .seconds(value)
            }
            return .seconds(fallback)
        }
        let baseURL = pick(self.baseURL, "OPENROUTER_BASE_URL") ?? "https://openrouter.ai/api/v1"
        guard let url = URL(string: baseURL), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
            throw UsageError.usage("--base-url: \"\(baseURL)\" is not an http(s) URL")
        }
        let accountOrigin: AccountOrigin
        if account != nil {
            accountOrigin = .option
        } else if let value = environment["CREDIT_RECON_ACCOUNT"], !value.isEmpty {
            accountOrigin = .environment
        } else {
            accountOrigin = .defaulted
        }
        return CommandContext(
            ledgerPath: pick(ledger, "CREDIT_RECON_LEDGER") ?? "ledger.sqlite",
            baseURL: baseURL,
            account: pick(account, "CREDIT_RECON_ACCOUNT") ?? "default",
            timeout: try seconds(timeout, "CREDIT_RECON_TIMEOUT", 30, "--timeout"),
            maxRetryTime: try seconds(maxRetryTime, "CREDIT_RECON_MAX_RETRY_TIME", 120, "--max-retry-time"),
            json: json,
            logger: logger,
            clock: CommandClock(start: start),
            apiKeyFile: apiKeyFile,
            bearerFile: bearerFile,
            ledgerPasswordFile: pick(ledgerPasswordFile, "CREDIT_RECON_LEDGER_PASSWORD_FILE"),
            environment: environment,
            accountOrigin: accountOrigin)
    }
}
