import ArgumentParser
import CreditRecon
import CreditTypes
import Foundation
import Ledger
import OpenRouterAPI
import Logging

/// Options every command takes; each can also come from the environment (CONTRACT.md).
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The ledger: a SQLite file (default ledger.sqlite), or postgresql://USER@HOST:PORT/DB[?sslmode=disable|prefer|require|verify-ca|verify-full][&sslrootcert=FILE] for books shared by several hosts (env CREDIT_RECON_LEDGER; PGSSLMODE and PGSSLROOTCERT when the URL gives neither).",
        valueName: "path|url"))
    var ledger: String?

    @Option(name: .long, help: ArgumentHelp(
        "Read the PostgreSQL ledger's password from the first line of this file instead of the URL or PGPASSWORD (env CREDIT_RECON_LEDGER_PASSWORD_FILE).",
        valueName: "path"))
    var ledgerPasswordFile: String?

    @Option(name: .long, help: ArgumentHelp("API root (env OPENROUTER_BASE_URL; default https://openrouter.ai/api/v1).", valueName: "url"))
    var baseURL: String?

    @Option(name: .long, help: ArgumentHelp("The OpenRouter account: the label the commands that write store on its rows, and whose books report, status and export show; status without it shows every account, and verify and ledger copy always take every account (env CREDIT_RECON_ACCOUNT; default \"default\"). A label beginning with - is given as --account=-x.", valueName: "name"))
    var account: String?

    @Option(name: .long, help: ArgumentHelp("Fix the clock at this ISO 8601 time, for tests and backfills: each later reading of it is a millisecond on, so the same commands record the same times; fetch does not check it against the API's clock; 1970 to 8999 (env CREDIT_RECON_NOW).", valueName: "time"))
    var now: String?

    @Option(name: .long, help: ArgumentHelp("trace, debug, info, notice, warning, error or critical; logs go to stderr (env CREDIT_RECON_LOG_LEVEL; default info).", valueName: "level"))
    var logLevel: String?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("How long one API call may keep retrying, 1 to 86400 (env CREDIT_RECON_MAX_RETRY_TIME; default 120).", valueName: "seconds"))
    var maxRetryTime: Int?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("One HTTP request's limit, and the ledger server's login's, 1 to 86400 (env CREDIT_RECON_TIMEOUT; default 30).", valueName: "seconds"))
    var timeout: Int?

    @Flag(name: .long, help: "Print a machine-readable summary on stdout.")
    var json = false

    @Option(name: .long, help: ArgumentHelp("Read the management key from the first line of this file that is not empty (spaces at its ends trimmed) instead of OPENROUTER_API_KEY.", valueName: "path"))
    var apiKeyFile: String?

    @Option(name: .long, help: ArgumentHelp("Read the charge bearer from the first line of this file that is not empty (spaces at its ends trimmed) instead of OPENROUTER_BEARER; without either, charges are made with the management key.", valueName: "path"))
    var bearerFile: String?

    /// Resolves options, environment and defaults into a context. A bad value names where it
    /// came from: an option is a usage error (64), an environment variable a configuration
    /// error (78).
    func context(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> CommandContext {
        /// A variable set to nothing is refused (78), as a value it cannot take: taken for
        /// unset, `CREDIT_RECON_NOW=$T` with `T` unset dated a backfill's reading now (probe 398).
        func pick(_ option: String?, _ name: String, _ variable: String) throws -> Setting? {
            if let option { return Setting(value: option, source: name, fromEnvironment: false) }
            guard let value = environment[variable] else { return nil }
            guard !value.isEmpty else { throw UsageError.config("\(variable) is set but empty; set it, or unset it for the default") }
            return Setting(value: value, source: variable, fromEnvironment: true)
        }
        /// `pick`, for a setting whose default is a real place (the ledger in the current
        /// folder, the production API, the `default` account): a variable set to nothing, or
        /// to a value with a line break (`CREDIT_RECON_LEDGER=$BOOKS` with `BOOKS` unset, or
        /// read from a file), is refused (78) rather than taken for "use the default", which
        /// started new books beside the old and sent their plan rows again.
        func pickNamed(_ option: String?, _ name: String, _ variable: String, default: String) throws -> Setting? {
            if option == nil, let value = environment[variable] {
                if value.isEmpty {
                    throw UsageError.config("\(variable) is set but empty; set it, or unset it for the default (\(`default`))")
                }
                if value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                    throw Setting(value: value, source: variable, fromEnvironment: true).error(
                        "holds a control character (a line break, a tab); remove it")
                }
            }
            return try pick(option, name, variable)
        }
        let levelSetting = try pick(logLevel, "--log-level", "CREDIT_RECON_LOG_LEVEL")
        let levelText = levelSetting?.value ?? "info"
        guard let level = Logger.Level(rawValue: levelText.lowercased()) else {
            throw levelSetting!.error("is not one of trace, debug, info, notice, warning, error, critical")
        }
        var logger = Logger(label: "credit-recon")
        logger.logLevel = level
        Ledger.useLogger(logger)
        var start: Timestamp?
        if let setting = try pick(now, "--now", "CREDIT_RECON_NOW") {
            do { start = try Timestamp(iso8601: setting.value) } catch {
                throw setting.failure("\(setting.source): \(TerminalText.printable(error.description))")
            }
            // Days before and after it (the activity's 30, a report's periods) must stay
            // within the four-digit years the ledger writes.
            guard let start, start.millisecondsSinceEpoch >= 0, start < (try Timestamp(iso8601: "9000-01-01")) else {
                throw setting.error("is before 1970 or after 8999")
            }
        }
        // A day at most: longer is a typo, and the deadlines are counted in nanoseconds.
        let allowed = 1...86_400
        let range = "a whole number of seconds from 1 to 86400"
        func seconds(_ option: Int?, _ name: String, _ variable: String, _ fallback: Int) throws -> Duration {
            guard let setting = try pick(option.map(String.init), name, variable) else { return .seconds(fallback) }
            guard let value = Int(setting.value), allowed.contains(value) else { throw setting.error("is not \(range)") }
            return .seconds(value)
        }
        // Checked here, said by the commands that call the API (`keyBaseURL()`) when it comes
        // from the environment: a variable set for every job stopped `verify` and `export`,
        // which never use it (probe 340).
        var urlSetting: Setting?
        var urlProblem: (any Error)?
        do { urlSetting = try pickNamed(self.baseURL, "--base-url", "OPENROUTER_BASE_URL", default: ClientConfiguration.productionBaseURL) } catch {
            urlProblem = error
        }
        let baseURL = urlSetting?.value ?? ClientConfiguration.productionBaseURL
        // Quoted with a password in it masked: a refused URL was echoed whole (probe 145).
        func refuse(_ why: String) -> UsageError {
            urlSetting!.failure("\(urlSetting!.source): \"\(TerminalText.printable(Self.maskingPassword(in: baseURL)))\" \(why)")
        }
        if urlProblem == nil {
            if let url = URL(string: baseURL), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), url.host != nil {
                if let port = url.port, !(1...65_535).contains(port) {
                    urlProblem = refuse("has port \(port), which is not a TCP port (1 to 65535)")
                } else if url.query != nil || url.fragment != nil || baseURL.contains("?") || baseURL.contains("#") {
                    // Each call's path is added after it: "…/v1?x=1" would ask for "/v1?x=1/key".
                    urlProblem = refuse("has a ?query or a #fragment; write the API root alone, e.g. https://openrouter.ai/api/v1")
                } else if url.user != nil || url.password != nil {
                    // A user or password in it would go to the server as well as the key, and is in the
                    // process list while the command runs: the API takes its key from the environment.
                    urlProblem = refuse("holds a user name or password (before the @); the API takes its key from OPENROUTER_API_KEY "
                        + "(or --api-key-file), never from the URL: write the API root alone, e.g. https://openrouter.ai/api/v1")
                }
            } else {
                urlProblem = refuse("is not an http(s) URL; write the API root, e.g. https://openrouter.ai/api/v1")
            }
        }
        let accountSetting = try pickNamed(account, "--account", "CREDIT_RECON_ACCOUNT", default: AccountLabel.defaultAccount)
        let accountOrigin: AccountOrigin = accountSetting.map { $0.fromEnvironment ? .environment : .option } ?? .defaulted
        if let accountSetting, let problem = AccountLabel.reason(accountSetting.value) { throw accountSetting.error(problem) }
        let ledgerSetting = try pickNamed(ledger, "--ledger", "CREDIT_RECON_LEDGER", default: "ledger.sqlite")
        var context = CommandContext(
            ledgerPath: ledgerSetting?.value ?? "ledger.sqlite",
            baseURL: baseURL,
            account: accountSetting?.value ?? AccountLabel.defaultAccount,
            timeout: try seconds(timeout, "--timeout", "CREDIT_RECON_TIMEOUT", 30),
            maxRetryTime: try seconds(maxRetryTime, "--max-retry-time", "CREDIT_RECON_MAX_RETRY_TIME", 120),
            json: json,
            logger: logger,
            clock: CommandClock(start: start),
            apiKeyFile: apiKeyFile,
            bearerFile: bearerFile,
            ledgerPasswordFile: ledgerPasswordFile,
            environment: environment,
            accountOrigin: accountOrigin)
        context.ledgerSource = ledgerSetting?.source ?? "--ledger"
        // On the command line, the URL (its password too) is in the process list for every
        // user of the machine while the command runs; the variable is not (probe 87).
        if let ledgerSetting, !ledgerSetting.fromEnvironment { Self.warnOfPassword(in: ledgerSetting.value, of: "--ledger", logger: logger) }
        context.baseURLSource = urlSetting?.source ?? "--base-url"
        context.baseURLProblem = urlProblem
        // Given on the command line, it is refused by every command, as any option's wrong
        // value is: a password in it is in the process list whatever the command (probe 368:
        // `status` took one). A variable set for every job is said only where the API is called.
        if let urlProblem, urlSetting?.fromEnvironment == false { throw urlProblem }
        return context
    }
}

extension GlobalOptions {
    /// `url` with whatever stands before an `@` in its host part written `<redacted>`: a user,
    /// a password, or both, however written (`user:pw@`, `token@`, `user%3Apw@`, without a
    /// scheme or with `//` alone), since any of it may be a secret (probe 147).
    static func maskingPassword(in url: String) -> String {
        let afterScheme = url.range(of: "//").map(\.upperBound)
            ?? url.firstIndex(of: ":").flatMap { colon in
                url[..<colon].allSatisfy { $0.isLetter || $0 == "+" || $0 == "." || $0 == "-" } && !url[..<colon].isEmpty
                    ? url.index(after: colon) : nil
            }
            ?? url.startIndex
        let hostEnd = url[afterScheme...].firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? url.endIndex
        // A scheme-less `user:pw@host` has its colon inside the part taken for a scheme.
        let start = url[..<hostEnd].contains("@") && url[afterScheme..<hostEnd].contains("@") ? afterScheme : url.startIndex
        guard let at = url[start..<hostEnd].lastIndex(of: "@") else { return url }
        return String(url[..<start]) + "<redacted>" + String(url[at...])
    }

    /// Warns when `value`, given as `option` on the command line, is a PostgreSQL URL
    /// holding a password (naming no password).
    static func warnOfPassword(in value: String, of option: String, logger: Logger) {
        guard case .postgres(let location)? = try? LedgerLocation(value), location.passwordInURL else { return }
        logger.warning(
            "\(option)'s URL holds a password, which every user of this machine can read in the process list (ps) while the command runs; give it with --ledger-password-file FILE or PGPASSWORD instead")
    }
}

/// A global option's value and where it came from, for messages that name it.
private struct Setting {
    let value: String
    /// The option (`--now`) or the environment variable (`CREDIT_RECON_NOW`).
    let source: String
    let fromEnvironment: Bool

    /// `--timeout: "text" why`: a usage error (64) for an option, a configuration error (78)
    /// for an environment variable.
    func error(_ why: String) -> UsageError {
        failure("\(source): \"\(TerminalText.printable(value))\" \(why)")
    }

    func failure(_ message: String) -> UsageError {
        fromEnvironment ? .config(message) : .usage(message)
    }
}
