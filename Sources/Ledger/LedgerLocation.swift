import CreditTypes
import Foundation

/// Where a ledger lives: a SQLite file (the embedded default) or a PostgreSQL database
/// (shared books). `description` names it for people: a path, or the URL without its
/// password.
public enum LedgerLocation: Sendable, CustomStringConvertible {
    case file(String)
    case postgres(PostgresLocation)

    /// `text` as `--ledger` takes it: a `postgresql://` or `postgres://` URL selects
    /// PostgreSQL; another URL is refused (never repeated: it may hold a password); anything
    /// else is a SQLite file path, taken as a file even where SQLite would read it otherwise
    /// (`:memory:` is a file in the current folder). A URL without a password takes
    /// `password` (from `PGPASSWORD` or a password file), and the TLS settings it does not
    /// give from `tls` (`PGSSLMODE`, `PGSSLROOTCERT`); `connectTimeout` bounds the
    /// connection and login.
    public init(
        _ text: String, password: Secret? = nil, tls: PostgresLocation.TLSDefaults = .init(),
        connectTimeout: Duration = .seconds(30)
    ) throws(LedgerError) {
        let shape = "give a SQLite file path or a postgresql://USER@HOST:PORT/DATABASE URL"
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if PostgresLocation.isURL(trimmed) {
            self = .postgres(try PostgresLocation(url: trimmed, password: password, defaults: tls, connectTimeout: connectTimeout))
        } else if let scheme = Self.urlScheme(trimmed) {
            throw .badLocation("the ledger is a \(scheme):// URL, which this tool cannot use; \(shape)")
        } else if Self.looksLikePostgresURL(trimmed) {
            // A mistyped URL taken as a file name would put the password in a file's name,
            // in messages, and the books in a local file.
            throw .badLocation(
                "the ledger starts like a PostgreSQL URL but is not one (it is not repeated here: it may hold a password); "
                    + "write postgresql://USER@HOST:PORT/DATABASE, with two slashes after the colon")
        } else if Self.looksLikeConnectionString(trimmed) {
            // libpq's other form (`host=… dbname=… password=…`), which this tool does not
            // read: taken as a file name, it would put the password in a file's name and in
            // messages, and the books in a local file.
            throw .badLocation(
                "the ledger looks like a PostgreSQL connection string of key=value words, which this tool does not read "
                    + "(it is not repeated here: it may hold a password); write it as a URL, "
                    + "postgresql://USER@HOST:PORT/DATABASE, with the password in PGPASSWORD")
        } else if trimmed.isEmpty {
            throw .badLocation("the ledger's name is empty; \(shape)")
        } else if text.hasSuffix("/") {
            // Never a file's name: read as no books (66), or a lock file refused in a folder
            // that was not there (probe 232).
            var info = stat()
            let file = String(text.reversed().drop(while: { $0 == "/" }).reversed())
            let isFile = !file.isEmpty && stat(file, &info) == 0 && info.st_mode & S_IFMT == S_IFREG
            throw .badLocation(
                "the ledger \(text) ends with a slash, so it names a folder, not a file; name the ledger's file, e.g. "
                    + (isFile ? "\(file) (a file that is there)" : "\(text)ledger.sqlite"))
        } else if let name = text.split(separator: "/").last, name.utf8.count > Self.longestName {
            // Beside the file, SQLite and the writer keep names 9 bytes longer; a reader too
            // needs its -wal (probe 232: "File name too long. Check the path, its permissions").
            throw .badLocation(
                "the ledger's file name is \(name.utf8.count) bytes long; with the names kept beside it (its .creating "
                    + "while an import makes it, -journal, -wal and -shm, .lock and .head, up to 9 bytes more) it would pass "
                    + "the 255 bytes a file name may "
                    + "have: name the file at most \(Self.longestName) bytes long (mv it, when it exists)")
        } else if text.hasPrefix(":") || text.hasPrefix("file:") {
            self = .file("./" + text)
        } else {
            self = .file(text)
        }
    }

    /// The longest file name a SQLite ledger may have: 255 bytes, less the longest suffix
    /// kept beside it (`.creating`, the new ledger an import builds).
    static let longestName = 255 - 9

    /// Whether `text` is a PostgreSQL URL with its `//` mistyped: `postgresql:user@host`,
    /// `postgres:/host`, `postgresql//host`. (`postgres/books.sqlite` is a path.)
    static func looksLikePostgresURL(_ text: String) -> Bool {
        let lower = text.lowercased()
        return ["postgresql:", "postgres:", "postgresql//", "postgres//"].contains { lower.hasPrefix($0) }
    }

    /// Whether a word of `text` is a libpq connection keyword with its value
    /// (`host=db dbname=books`), as no file path the tool is given starts.
    static func looksLikeConnectionString(_ text: String) -> Bool {
        let keywords = ["host", "hostaddr", "port", "dbname", "user", "password", "passfile", "sslmode", "service",
                        "connect_timeout", "application_name", "options", "sslrootcert", "target_session_attrs"]
        return text.split(whereSeparator: \.isWhitespace).contains { word in
            guard let equals = word.firstIndex(of: "=") else { return false }
            return keywords.contains(word[..<equals].lowercased())
        }
    }

    /// The scheme of `text` when it starts as a URL does (`scheme://`).
    private static func urlScheme(_ text: String) -> String? {
        guard let colon = text.firstIndex(of: ":"), text[colon...].hasPrefix("://") else { return nil }
        let scheme = text[..<colon]
        guard let first = scheme.first, first.isASCII, first.isLetter,
              scheme.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) })
        else { return nil }
        return String(scheme)
    }

    public var description: String {
        switch self {
        case .file(let path): path
        case .postgres(let location): location.description
        }
    }
}
