import CreditTypes
import Foundation
import Ledger
import Logging
import Synchronization

/// Everything a command needs from the global options and the environment, resolved once.
public struct CommandContext: Sendable {
    /// The ledger as `--ledger` names it: a SQLite file's path or a PostgreSQL URL (which
    /// may hold a password: print `ledgerLocation()` instead).
    public var ledgerPath: String
    /// Where `ledgerPath` came from, for messages: `--ledger` (also when defaulted),
    /// `CREDIT_RECON_LEDGER`, or `--to` of `ledger copy`.
    public var ledgerSource = "--ledger"
    /// The API root, e.g. `https://openrouter.ai/api/v1`.
    public var baseURL: String
    /// Where `baseURL` came from, for messages: `--base-url` (also when defaulted) or
    /// `OPENROUTER_BASE_URL`.
    public var baseURLSource = "--base-url"
    /// The account label stored on every row.
    public var account: String
    /// Where `account` came from: a label someone named, or the default.
    public var accountOrigin: AccountOrigin
    /// One API request's limit.
    public var timeout: Duration
    /// How long one API call may keep retrying.
    public var maxRetryTime: Duration
    /// Print a machine-readable summary on stdout.
    public var json: Bool
    /// Logs go to stderr through this.
    public var logger: Logger
    /// Where the clock starts: `--now`, or the system clock.
    public let clock: CommandClock
    /// `--api-key-file`, when given.
    public var apiKeyFile: String?
    /// `--bearer-file`, when given.
    public var bearerFile: String?
    /// `--ledger-password-file`, when given (else `CREDIT_RECON_LEDGER_PASSWORD_FILE` of
    /// `environment`).
    public var ledgerPasswordFile: String?
    /// The process environment (injectable for tests).
    public var environment: [String: String]

    public init(
        ledgerPath: String, baseURL: String, account: String, timeout: Duration, maxRetryTime: Duration,
        json: Bool, logger: Logger, clock: CommandClock, apiKeyFile: String? = nil, bearerFile: String? = nil,
        ledgerPasswordFile: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment,
        accountOrigin: AccountOrigin = .defaulted
    ) {
        self.ledgerPath = ledgerPath
        self.baseURL = baseURL
        self.account = account
        self.accountOrigin = accountOrigin
        self.timeout = timeout
        self.maxRetryTime = maxRetryTime
        self.json = json
        self.logger = logger
        self.clock = clock
        self.apiKeyFile = apiKeyFile
        self.bearerFile = bearerFile
        self.ledgerPasswordFile = ledgerPasswordFile
        self.environment = environment
        Self.holdSecrets(
            environment: environment, files: [apiKeyFile, bearerFile].compactMap { $0 },
            passwordFiles: [ledgerPasswordFile, environment["CREDIT_RECON_LEDGER_PASSWORD_FILE"]].compactMap { $0 },
            ledgerPath: ledgerPath)
    }

    /// Makes every secret this process may hold known (`Secret.held`) before any answer is
    /// read, whether the command loads it or not: an answer is scrubbed of each, and
    /// `topup` (which loads the bearer) still had the management key in its environment,
    /// which a 500 quoted into the ledger (probe 147). The files are read quietly here:
    /// reading them for use says what is wrong with them. `files` hold keys, `passwordFiles`
    /// the ledger's password, which the API is never sent (`Secret.sentToTheAPI`).
    public static func holdSecrets(
        environment: [String: String], files: [String], passwordFiles: [String] = [], ledgerPath: String
    ) {
        for name in ["OPENROUTER_API_KEY", "OPENROUTER_BEARER", "PGPASSWORD"] {
            if let value = environment[name], !value.isEmpty { hold(value, sentToTheAPI: name != "PGPASSWORD") }
        }
        for (path, isKey) in files.map({ ($0, true) }) + passwordFiles.map({ ($0, false) }) {
            var info = stat()
            guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_size <= largestSecretFile,
                  let data = FileManager.default.contents(atPath: path) else { continue }
            let text = String(decoding: data.starts(with: [0xEF, 0xBB, 0xBF]) ? data.dropFirst(3) : data[...], as: UTF8.self)
            if let line = text.split(whereSeparator: \.isNewline).first(where: { !$0.allSatisfy(\.isWhitespace) }) {
                hold(String(line), sentToTheAPI: isKey)
            }
        }
        // A password in a PostgreSQL URL: parsing it makes it a `Secret`.
        if PostgresLocation.isURL(ledgerPath) { _ = try? LedgerLocation(ledgerPath) }
    }

    /// Holds `value` as a secret, and as it is trimmed.
    private static func hold(_ value: String, sentToTheAPI: Bool) {
        _ = Secret(value, sentToTheAPI: sentToTheAPI)
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if trimmed != value, !trimmed.isEmpty { _ = Secret(trimmed, sentToTheAPI: sentToTheAPI) }
    }

    /// The current time on this command's clock.
    public func now() -> Timestamp { clock.now() }

    /// Whether someone named the account (`--account` or `CREDIT_RECON_ACCOUNT`): then a
    /// command shows that account alone, never every account the ledger holds.
    public var accountIsExplicit: Bool { accountOrigin != .defaulted }

    /// Refuses `--account` on the command line for a command that works on the whole
    /// ledger, every account's entries in one chain (probe 235: `verify --account nobody`
    /// said "ledger sound", as if it had checked that account). `CREDIT_RECON_ACCOUNT` is
    /// left alone: a cron job's environment names its account for every command.
    public func refuseAccountOption(command: String, does: String) throws {
        guard accountOrigin == .option else { return }
        throw UsageError.usage(
            "\(command) \(does) of every account the ledger holds, whose entries are one chain: --account does not "
                + "apply to it; leave it out")
    }

    /// The management key for `GET /credits`: `--api-key-file`, else `OPENROUTER_API_KEY`.
    public func managementKey() throws -> Secret {
        if let apiKeyFile { return try readKeyFile(apiKeyFile, option: "--api-key-file") }
        if let key = environment["OPENROUTER_API_KEY"].map(Self.trimmed), !key.isEmpty {
            return try Self.key(key, from: "OPENROUTER_API_KEY")
        }
        throw UsageError.config(
            "no API key: \(Self.emptyNote(environment, "OPENROUTER_API_KEY"))set OPENROUTER_API_KEY to a management key, or "
                + "pass --api-key-file PATH (keys are never accepted as command-line values)")
    }

    /// `NAME is set but empty; ` for each of `names` set to nothing but white space (a
    /// `NAME=$UNSET` in a crontab), which "set NAME" alone did not say (probe 252).
    static func emptyNote(_ environment: [String: String], _ names: String...) -> String {
        let empty = names.filter { environment[$0].map { trimmed($0).isEmpty } ?? false }
        guard !empty.isEmpty else { return "" }
        return empty.joined(separator: " and ") + (empty.count == 1 ? " is" : " are") + " set but empty; "
    }

    /// Why `baseURL` cannot be the API's root, as the options said it (`keyBaseURL()` throws it).
    public var baseURLProblem: (any Error)?

    /// Throws `baseURLProblem`: first thing, for a command that calls the API, before it reads
    /// a key or asks a question.
    public func checkBaseURL() throws {
        if let baseURLProblem { throw baseURLProblem }
    }

    /// `baseURL`, for a client that sends a key to it: plain `http://` only to this machine
    /// (the key goes in a header, which anyone on the way reads), and of the API root's
    /// shape (`baseURLProblem`). Commands that send no key never ask, so a variable set for
    /// every job does not stop the local ones.
    public func keyBaseURL() throws -> String {
        try checkBaseURL()
        guard let url = URL(string: baseURL), url.scheme?.lowercased() == "http", let host = url.host,
              !Self.isLoopback(host) else { return baseURL }
        let message = "\(baseURLSource): \"\(TerminalText.printable(baseURL))\" would send the key unencrypted across "
            + "the network; use https:// (plain http:// only to this machine: localhost, 127.0.0.1, [::1], e.g. a local proxy)"
        throw baseURLSource.hasPrefix("--") ? UsageError.usage(message) : UsageError.config(message)
    }

    /// Whether `host` (as `URL.host` gives it) is this machine: `localhost`, 127.0.0.0/8, ::1.
    static func isLoopback(_ host: String) -> Bool {
        let name = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if name == "localhost" || name == "::1" { return true }
        let octets = name.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    /// The bearer for `POST /credits/coinbase`: `--bearer-file`, else `OPENROUTER_BEARER`,
    /// else the management key.
    public func bearer() throws -> Secret {
        guard let given = try givenBearer() else {
            // Named as the key charges go with: the management key's words left out the bearer (probe 248).
            throw UsageError.config(
                "no key for charges: \(Self.emptyNote(environment, "OPENROUTER_BEARER", "OPENROUTER_API_KEY"))set "
                    + "OPENROUTER_BEARER to the key charges are created with (else OPENROUTER_API_KEY, the management key, is "
                    + "used), or pass --bearer-file PATH (or --api-key-file PATH) (keys are never accepted as command-line values)")
        }
        return given
    }

    /// `bearer()` when one is given (a file named, or a variable set), read and checked;
    /// `nil` when none is.
    public func givenBearer() throws -> Secret? {
        if let bearerFile { return try readKeyFile(bearerFile, option: "--bearer-file") }
        if let key = environment["OPENROUTER_BEARER"].map(Self.trimmed) {
            // Not "no bearer": charges went out under the management key (probe 398).
            guard !key.isEmpty else {
                throw UsageError.config("OPENROUTER_BEARER is set but empty; set it to the key charges are made with, or "
                    + "unset it to make them with the management key (OPENROUTER_API_KEY)")
            }
            return try Self.key(key, from: "OPENROUTER_BEARER")
        }
        guard apiKeyFile != nil || !(environment["OPENROUTER_API_KEY"].map(Self.trimmed) ?? "").isEmpty else { return nil }
        return try managementKey()
    }

    /// The ledger as messages name it: its path, or its URL without the password (never
    /// `ledgerPath` as given, which may hold one), printable on a terminal.
    public var ledgerName: String {
        guard let location = try? ledgerLocation() else {
            return PostgresLocation.isURL(ledgerPath) ? "the PostgreSQL ledger" : TerminalText.printable(ledgerPath)
        }
        return TerminalText.printable(location.description)
    }

    /// Where the ledger is. A PostgreSQL URL without a password takes it from
    /// `--ledger-password-file`, else `CREDIT_RECON_LEDGER_PASSWORD_FILE`, else `PGPASSWORD`;
    /// its login must finish within `--timeout`. A SQLite path reads none of them.
    public func ledgerLocation() throws -> LedgerLocation {
        do {
            let location = try parsedLedgerLocation()
            if case .file(let path) = location { AtomicFile.neverReplace(ledger: path) }
            return location
        } catch LedgerError.badLocation(let why) {
            // Named as given: a usage error (64) for an option, a configuration error (78)
            // for the environment variable, as for every other setting.
            let message = "\(ledgerSource): \(why)"
            throw ledgerSource.hasPrefix("--") ? UsageError.usage(message) : UsageError.config(message)
        }
    }

    private func parsedLedgerLocation() throws -> LedgerLocation {
        guard PostgresLocation.isURL(ledgerPath) else { return try LedgerLocation(ledgerPath) }
        var password: Secret?
        if let ledgerPasswordFile {
            password = try readKeyFile(ledgerPasswordFile, option: "--ledger-password-file", isKey: false)
        } else if let file = environment["CREDIT_RECON_LEDGER_PASSWORD_FILE"] {
            guard !file.isEmpty else {
                throw UsageError.config("CREDIT_RECON_LEDGER_PASSWORD_FILE is set but empty; set it to the password's file, or "
                    + "unset it (the password then comes from the URL or PGPASSWORD)")
            }
            password = try readKeyFile(file, option: "CREDIT_RECON_LEDGER_PASSWORD_FILE", isKey: false)
        } else if let value = environment["PGPASSWORD"], !value.isEmpty {
            password = Secret(value, sentToTheAPI: false)
        }
        let tls: PostgresLocation.TLSDefaults
        do { tls = try PostgresLocation.TLSDefaults(environment: environment) } catch LedgerError.badLocation(let why) {
            throw UsageError.config(why)  // the environment's, whatever names the ledger
        }
        let location = try LedgerLocation(ledgerPath, password: password, tls: tls, connectTimeout: timeout)
        if case .postgres(let database) = location, database.passwordTooShortToHide, Self.firstShortPassword() {
            let said = "the ledger's password has fewer than \(Secret.shortestHidden) characters, too few to be told apart "
                + "from other text, so what credit-recon prints is not scrubbed of it (a total or a reference may hold the same "
                + "characters); give the ledger's user a longer password"
            logger.warning("\(said)")
        }
        return location
    }

    /// Whether a short password was said, once a process.
    private static let shortPasswordSaid = Mutex(false)

    /// True the first time it is asked in a process.
    private static func firstShortPassword() -> Bool {
        shortPasswordSaid.withLock { said in
            let first = !said
            said = true
            return first
        }
    }

    /// The first line of `path`: an API key (`isKey`) trimmed, and it must be one
    /// (`key(_:from:)`); a password as it is (spaces at its ends are a part of it, as in
    /// `PGPASSWORD`), without the line's end.
    private func readKeyFile(_ path: String, option: String, isKey: Bool = true) throws -> Secret {
        var info = stat()
        let found = stat(path, &info) == 0
        if found, info.st_mode & S_IFMT != S_IFREG {
            // A pipe (`<(pass show key)`) could be read once, and a command may read the file
            // more than once (the ledger's password at each login): a file is asked for.
            let kind = info.st_mode & S_IFMT == S_IFIFO ? "a pipe" : info.st_mode & S_IFMT == S_IFDIR ? "a folder" : "not a regular file"
            throw UsageError.config(
                "\(option): \(path) is \(kind); give a file holding the secret on its first line (mode 600), "
                    + "since it may be read more than once")
        }
        // A secret is a line; a mistyped path (a log, a dump) was read whole, and its first
        // line sent as the key: 300 MB took a minute and 1.2 GB (probe 82).
        if found, info.st_size > Self.largestSecretFile {
            throw UsageError.config(
                "\(option): \(path) holds \(info.st_size) bytes, more than a file holding a secret does "
                    + "(\(Self.largestSecretFile / 1024) KiB at most); check the path: the secret goes on the file's first line")
        }
        // Read up to one byte past the limit: a file whose size says nothing (/proc's say 0)
        // or that grows meanwhile is refused the same way.
        // A key or password typed where its file's path goes is not repeated (probe 145).
        let cannotRead = UsageError.config(
            "\(option): cannot read \(found ? path : Self.shownPath(path)); check the path and its permissions")
        guard let handle = FileHandle(forReadingAtPath: path) else { throw cannotRead }
        defer { try? handle.close() }
        var data: Data
        do {
            data = try handle.read(upToCount: Self.largestSecretFile + 1) ?? Data()  // nil: nothing in it
        } catch {
            throw cannotRead
        }
        if data.count > Self.largestSecretFile {
            throw UsageError.config(
                "\(option): \(path) holds more than \(Self.largestSecretFile / 1024) KiB, more than a file holding a secret does; "
                    + "check the path: the secret goes on the file's first line")
        }
        // A byte order mark, as some Windows editors save a file, is no part of the secret.
        if data.starts(with: [0xEF, 0xBB, 0xBF]) { data.removeFirst(3) }
        if found, info.st_mode & 0o077 != 0, Self.looseFilesWarnedOf.withLock({ $0.insert(path).inserted })
        {
            logger.warning("\(option): \(path) can be read by other users; run `chmod 600 \(path)`")
        }
        let lines = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline)
        let line = lines.first.map(String.init) ?? ""
        // Two keys in one file (an old one left above a new one) would fail as a refused key.
        if lines.dropFirst().contains(where: { !$0.allSatisfy(\.isWhitespace) }),
           Self.extraLinesWarnedOf.withLock({ $0.insert(path).inserted })
        {
            logger.warning("\(option): only the first line of \(path) that is not empty is read; the lines after it are ignored")
        }
        let firstLine = isKey ? line.trimmingCharacters(in: .whitespaces) : line
        guard !firstLine.isEmpty else {
            throw UsageError.config("\(option): \(path) is empty; put the secret on its first line")
        }
        return isKey ? try Self.key(firstLine, from: "\(option) \(path)") : Secret(firstLine, sentToTheAPI: false)
    }

    /// `path` as a message names a file that is not there: as given, unless it may be a
    /// secret typed in its place (an OpenRouter key, or 8 characters or more with no `/` and
    /// no `.`, as a key file's name seldom is), which is never repeated.
    static func shownPath(_ path: String) -> String {
        let secretLike = path.hasPrefix("sk-or-") || (path.count >= 8 && !path.contains("/") && !path.contains("."))
        return secretLike ? "the path given (not shown: it looks like a key or a password, not a file name)" : path
    }

    /// The largest key, bearer or password file read, in bytes.
    static let largestSecretFile = 64 * 1024

    /// The secret files already warned of in this process: a command reads the ledger's
    /// password file each time it opens the ledger (its writer lock, then its writes).
    private static let looseFilesWarnedOf = Mutex<Set<String>>([])
    /// The secret files already warned of for holding more than their first line.
    private static let extraLinesWarnedOf = Mutex<Set<String>>([])

    private static func trimmed(_ text: String) -> String { text.trimmingCharacters(in: .whitespacesAndNewlines) }

    /// An API key or bearer, which goes into an HTTP header: only visible ASCII. Anything
    /// else (a carriage return from a Windows file, a DEL) is refused before a request is
    /// made, since the HTTP client's error would quote the header with the key in it.
    static func key(_ text: String, from source: String) throws -> Secret {
        // A key file's path put in the variable itself: it was sent as the key, and the
        // 401's advice to check the variable did not say why (probe 148). No key holds a `/`.
        if text.contains("/"), FileManager.default.fileExists(atPath: text) {
            throw UsageError.config(
                "\(source) holds the path of a file (\(TerminalText.printable(text))), not a key: give the key itself there, "
                    + "or the file with --api-key-file (--bearer-file for the bearer)")
        }
        // What no key holds first: `bad key` was said to be too short (probe 398).
        let short = text.utf8.count < 8
        guard text.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            if short { Secret.forget(text) }
            throw UsageError.config(
                "\(source) holds a character no key has (a space, a control character or a letter outside ASCII); "
                    + "give the key alone, as OpenRouter shows it")
        }
        // Too short to be a key, and too short to be told apart in what others send back
        // (`7` went unredacted into the ledger, probe 149).
        guard !short else {
            let count = text.utf8.count
            Secret.forget(text)
            throw UsageError.config("\(source) holds \(count) character\(count == 1 ? "" : "s"), fewer than any key "
                + "(OpenRouter's are about 70): give the key itself, as OpenRouter shows it")
        }
        return Secret(text)
    }
}
