import CreditTypes

/// Where a ledger lives: a SQLite file (the embedded default) or a PostgreSQL database
/// (shared books). `description` names it for people: a path, or the URL without its
/// password.
public enum LedgerLocation: Sendable, CustomStringConvertible {
    case file(String)
    case postgres(PostgresLocation)

    /// `text` as `--ledger` takes it: a `postgresql://` or `postgres://` URL selects
    /// PostgreSQL; anything else is a SQLite file path. A URL without a password takes
    /// `password` (from `PGPASSWORD` or a password file); `connectTimeout` bounds the
    /// connection and login.
    public init(_ text: String, password: Secret? = nil, connectTimeout: Duration = .seconds(30)) throws(LedgerError) {
        if PostgresLocation.isURL(text) {
            self = .postgres(try PostgresLocation(url: text, password: password, connectTimeout: connectTimeout))
        } else {
            self = .file(text)
        }
    }

    public var description: String {
        switch self {
        case .file(let path): path
        case .postgres(let location): location.description
        }
    }
}
