import CreditTypes
import Foundation
import NIOSSL

/// A PostgreSQL ledger: the database of a `postgresql://user[:password]@host[:port]/db`
/// URL (`?sslmode=disable|prefer|require|verify-ca|verify-full`, `sslrootcert=FILE`).
public struct PostgresLocation: Sendable, CustomStringConvertible {
    public enum SSLMode: String, Sendable, CaseIterable {
        /// Plain TCP.
        case disable
        /// TLS when the server offers it, without checking its certificate (libpq's default).
        case prefer
        /// TLS or no connection, without checking the certificate.
        case require
        /// TLS with a certificate signed by a trusted authority, any host name.
        case verifyCA = "verify-ca"
        /// TLS with a trusted certificate for this host name.
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var user: String
    public var database: String
    public var sslMode: SSLMode
    /// A file of trusted authorities' certificates (PEM) for `verify-ca`/`verify-full`;
    /// the system's when `nil`.
    public var sslRootCertificate: String?
    public var connectTimeout: Duration
    /// Never printed: `description` leaves it out.
    var password: Secret?
    /// Whether the URL itself holds the password (not `PGPASSWORD` or a password file).
    public private(set) var passwordInURL = false
    /// Where `sslMode` came from when the URL gave none: `PGSSLMODE`, named in the errors
    /// it causes (the URL they print holds an sslmode the user never typed, probe 250).
    public private(set) var sslModeFromEnvironment = false
    /// Where `sslRootCertificate` came from when the URL gave none: `PGSSLROOTCERT`.
    public private(set) var sslRootCertificateFromEnvironment = false

    /// Whether the password is too short to be hidden from what a command prints
    /// (`Secret.shortestHidden`): a command says so.
    public var passwordTooShortToHide: Bool { password.map { $0.reveal().utf8.count < Secret.shortestHidden } ?? false }

    /// Whether `--ledger`'s `text` names a PostgreSQL database rather than a SQLite file.
    /// The scheme is read in any case, as URLs' schemes are, after any white space.
    public static func isURL(_ text: String) -> Bool {
        let start = text.drop(while: \.isWhitespace).prefix(13).lowercased()
        return start.hasPrefix("postgresql://") || start.hasPrefix("postgres://")
    }

    /// The TLS settings a URL may leave out, from libpq's environment variables as psql and
    /// every libpq client take them: `PGSSLMODE` and `PGSSLROOTCERT`. The URL's own win.
    public struct TLSDefaults: Sendable {
        public var sslMode: SSLMode?
        public var sslRootCertificate: String?

        public init(sslMode: SSLMode? = nil, sslRootCertificate: String? = nil) {
            self.sslMode = sslMode
            self.sslRootCertificate = sslRootCertificate
        }

        /// Reads `PGSSLMODE` and `PGSSLROOTCERT` (empty is unset, as libpq has it); throws
        /// `LedgerError.badLocation` naming the variable when one is wrong.
        public init(environment: [String: String]) throws(LedgerError) {
            if let mode = environment["PGSSLMODE"], !mode.isEmpty {
                guard let known = SSLMode(rawValue: mode) else {
                    throw .badLocation("PGSSLMODE=\(mode) is not one of \(SSLMode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                sslMode = known
            }
            if let path = environment["PGSSLROOTCERT"], !path.isEmpty {
                try PostgresLocation.checkRootCertificate(path, named: "PGSSLROOTCERT")
                sslRootCertificate = path
            }
        }
    }

    /// `url` with each `@` of its user part but the last, and each character past ASCII in
    /// its user part and path, percent-encoded: Foundation read a URL holding either as
    /// literal text from end to end, its escapes (`%3A`) sent as those three characters,
    /// and the login refused or another database named (probes 295, 297); the same text
    /// without them had its escapes read.
    static func escapedForParsing(_ url: String) -> String {
        guard let scheme = url.range(of: "://") else { return url }
        func escaped(_ text: Substring, also: Character? = nil) -> String {
            var out = ""
            for character in text {
                if character.isASCII && character != also {
                    out.append(character)
                } else {
                    for byte in String(character).utf8 { out += "%" + String(byte, radix: 16, uppercase: true) }
                }
            }
            return out
        }
        let rest = url[scheme.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        let pathEnd = rest[authorityEnd...].firstIndex(of: "?") ?? rest.endIndex
        var user = "", host = authority
        if let last = authority.lastIndex(of: "@") {
            user = escaped(authority[..<last], also: "@")
            host = authority[last...]
        }
        return url[..<scheme.upperBound] + user + host + escaped(rest[authorityEnd..<pathEnd]) + rest[pathEnd...]
    }

    /// Parses `url`; `password` is used when the URL has none (or an empty one), and
    /// `defaults` for the TLS settings it does not give. Throws `LedgerError.badLocation`
    /// saying what is wrong and what a good URL looks like.
    init(url: String, password fallback: Secret?, defaults: TLSDefaults, connectTimeout: Duration) throws(LedgerError) {
        let shape = "postgresql://USER@HOST:PORT/DATABASE"
        // The URL is never repeated in these messages: it may hold a password.
        // A # ends what a URL says (a fragment follows, read by nothing here): a database
        // `books#2` was `books`, and the books were written there without a word.
        guard !url.contains("#") else {
            throw LedgerError.badLocation("the ledger URL has a # (a fragment), which no PostgreSQL URL reads; write a # "
                + "in a name or password as %23")
        }
        guard let parts = URLComponents(string: Self.escapedForParsing(url)) else {
            // Most often a password holding a character a URL reserves (probe 285: said nothing of it).
            throw LedgerError.badLocation("the ledger URL is not a valid URL; write it as \(shape), a password as "
                + "USER:PASSWORD@, its characters @ / : ? % percent-encoded (%40 %2F %3A %3F %25), or give it in PGPASSWORD "
                + "or --ledger-password-file")
        }
        // URLComponents takes a % not followed by two hex digits (`pa%ZZ`) for a % itself: a
        // password mistyped so was sent as it read, and refused as a wrong password.
        let bytes = Array(url.utf8)
        for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "%") {
            let digits = bytes.dropFirst(index + 1).prefix(2)
            guard digits.count == 2, digits.allSatisfy({ UInt8(ascii: "0")...UInt8(ascii: "9") ~= $0
                || UInt8(ascii: "a")...UInt8(ascii: "f") ~= $0 | 0x20 }) else {
                throw LedgerError.badLocation("the ledger URL has a % that two hex digits do not follow; write a % "
                    + "itself as %25, and other characters as %XX (an @ in a password as %40)")
            }
        }
        guard let host = parts.host, !host.isEmpty, host != "[]" else {
            throw LedgerError.badLocation("the ledger URL names no host; write it as \(shape)")
        }
        guard let user = parts.user, !user.isEmpty else {
            throw LedgerError.badLocation("the ledger URL names no user; write it as \(shape)")
        }
        // Split as written, then decoded: a database with a `/` in its name is given as `%2F`.
        let path = parts.percentEncodedPath.hasPrefix("/") ? String(parts.percentEncodedPath.dropFirst()) : parts.percentEncodedPath
        guard !path.isEmpty, !path.contains("/") else {
            throw LedgerError.badLocation("the ledger URL names no database (or more than one path part: write a / in its "
                + "name as %2F); write it as \(shape)")
        }
        let database = path.removingPercentEncoding ?? path
        // A NUL cannot travel in PostgreSQL's startup packet, and an escape that decodes to
        // no UTF-8 (`%FF`, half a character) is a typo, not a name or a password.
        for (part, encoded, decoded) in [
            ("user", parts.percentEncodedUser, parts.user), ("database", parts.percentEncodedPath, parts.path),
            ("password", parts.percentEncodedPassword, parts.password),
        ] {
            guard let encoded else { continue }
            guard let decoded, encoded.removingPercentEncoding != nil else {
                throw LedgerError.badLocation("the ledger URL's \(part) has a % escape that is not UTF-8 text (such as "
                    + "%FF); write a % itself as %25")
            }
            guard !decoded.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw LedgerError.badLocation("the ledger URL's \(part) holds a control character (a NUL, a line break); "
                    + "PostgreSQL names and passwords cannot")
            }
        }
        // Held from here, so a message about what follows is scrubbed of it even when it
        // repeats the password (a parameter named or a file path typed as it, probe 170).
        // `user:@host` gives an empty password, which no server accepts: as for libpq, it is
        // none, and the password comes from elsewhere (it silently hid the password file's).
        let password = parts.password.flatMap { $0.isEmpty ? nil : Secret($0, sentToTheAPI: false) }
        let port = parts.port ?? 5432
        guard (1...65535).contains(port) else {
            throw LedgerError.badLocation("the ledger URL's port \(port) is not a TCP port")
        }
        var sslMode = defaults.sslMode ?? .prefer
        var rootCertificate = defaults.sslRootCertificate
        var seen: Set<String> = []
        for item in parts.queryItems ?? [] {
            // Given twice, the last would win without a word: `sslmode=require&sslmode=disable`,
            // pasted together, connected in plain text.
            guard seen.insert(item.name).inserted else {
                throw LedgerError.badLocation("the ledger URL gives \(item.name) twice; give it once")
            }
            switch item.name {
            case "sslmode":
                guard let mode = item.value.flatMap(SSLMode.init(rawValue:)) else {
                    let modes = SSLMode.allCases.map(\.rawValue).joined(separator: ", ")
                    throw LedgerError.badLocation("the ledger URL's sslmode must be one of \(modes)")
                }
                sslMode = mode
            case "sslrootcert":
                guard let path = item.value, !path.isEmpty else {
                    throw LedgerError.badLocation("the ledger URL's sslrootcert needs a file path")
                }
                try Self.checkRootCertificate(path, named: "the ledger URL's sslrootcert")
                rootCertificate = path
            default:
                throw LedgerError.badLocation(
                    "the ledger URL has an unknown parameter \"\(item.name)\"; only sslmode and sslrootcert are read")
            }
        }
        self.host = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        self.port = port
        self.user = user
        self.database = database
        self.sslMode = sslMode
        sslModeFromEnvironment = defaults.sslMode != nil && !seen.contains("sslmode")
        sslRootCertificateFromEnvironment = defaults.sslRootCertificate != nil && !seen.contains("sslrootcert")
        self.sslRootCertificate = rootCertificate
        self.connectTimeout = connectTimeout
        self.password = password ?? fallback
        passwordInURL = password != nil
    }

    /// Checked with the URL, so a wrong path is named as a setting (78 from the
    /// environment), not as a TLS library's error at the first connection.
    static func checkRootCertificate(_ path: String, named name: String) throws(LedgerError) {
        guard access(path, R_OK) == 0 else {
            throw .badLocation("\(name)=\(path) cannot be read (\(String(cString: strerror(errno)))); give the path of the "
                + "PEM file of the certificate authority that signed the server's certificate")
        }
        // Read as the TLS library will: a file that holds none was found only at the
        // connection, said as the URL's (64) when PGSSLROOTCERT gave it (probe 259).
        guard let certificates = try? NIOSSLCertificate.fromPEMFile(path), !certificates.isEmpty else {
            throw .badLocation("\(name)=\(path) holds no certificate the TLS library can load; it must be the PEM file of "
                + "the certificate authority that signed the server's certificate")
        }
    }

    /// The characters a URL's parts never encode (RFC 3986's unreserved ones).
    static let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")

    /// The URL without its password.
    public var description: String {
        var parts = URLComponents()
        parts.scheme = "postgresql"
        // `user` leaves a ":" as it is, and the URL would then name another user with a
        // password: every character but the unreserved ones is encoded here.
        parts.percentEncodedUser = user.addingPercentEncoding(withAllowedCharacters: Self.unreserved)
        parts.host = host.contains(":") ? "[\(host)]" : host
        parts.port = port
        parts.percentEncodedPath = "/" + (database.addingPercentEncoding(withAllowedCharacters: Self.unreserved) ?? database)
        var query: [URLQueryItem] = []
        if sslMode != .prefer { query.append(URLQueryItem(name: "sslmode", value: sslMode.rawValue)) }
        if let sslRootCertificate { query.append(URLQueryItem(name: "sslrootcert", value: sslRootCertificate)) }
        if !query.isEmpty { parts.queryItems = query }
        return parts.string ?? "postgresql://\(user)@\(host):\(port)/\(database)"
    }
}
