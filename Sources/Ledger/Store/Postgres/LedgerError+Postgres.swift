import ConnectionErrors
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO

extension LedgerError {
    /// Puts a failure of the PostgreSQL store in words a person can act on. The URL is
    /// named without its password, and a server's message never holds one.
    static func postgres(_ error: any Error, at location: PostgresLocation) -> LedgerError {
        if let error = error as? LedgerError { return error }
        if error is PostgresSession.ConnectionClosed { return lostConnection(location) }
        let name = location.description
        func server(_ detail: String) -> LedgerError { .server(location: name, detail: detail) }
        /// A statement the server stopped at one of its limits, `setting` (its `message`),
        /// which may be set for the role, the database or the server: the role's setting
        /// wins over the database's and the server's, so raising it there is enough.
        func stoppedAt(_ setting: String, _ message: String, _ why: String, example: String, noLimit: String) -> LedgerError {
            server("the server stopped a statement at its \(setting) (\(message)): the statement \(why). Have its "
                + "administrator raise \(setting) for user \"\(location.user)\" (for example ALTER ROLE \"\(location.user)\" "
                + "SET \(setting) = \(example), or \(noLimit) for no limit; a role's setting wins over one of the database, "
                + "ALTER DATABASE \"\(location.database)\" SET \(setting), or of the server), and run the command again; the "
                + "statement's transaction was rolled back")
        }
        guard let error = error as? PSQLError else {
            // Before a PostgreSQL session exists, NIO's own errors: the TCP connection failed.
            if error is IOError || error is NIOConnectionError || error is ChannelError {
                return cannotConnect(location, because: error)
            }
            return .store("PostgreSQL client: \(error)")
        }
        switch error.code {
        case .server:
            let state = error.serverInfo?[.sqlState] ?? ""
            let message = error.serverInfo?[.message] ?? "no message"
            switch state {
            case "28P01", "28000":
                return server("the server refused the login of user \"\(location.user)\" (\(message)); check the user "
                    + "and the password (in the URL, PGPASSWORD or --ledger-password-file)")
            case "3D000":
                return server("there is no database \"\(location.database)\" on the server; create it "
                    + "(createdb -h \(location.host) -p \(location.port) -U \(location.user) \(location.database)) or fix the URL")
            case "53100": return .diskFull(path: name)
            case "53300":  // too_many_connections: the server's, the role's or the database's limit
                return .serverBusy(location: name, detail: "the server has no connection left for user \"\(location.user)\" (\(message)); wait "
                    + "until other sessions end, or have its administrator raise the limit (max_connections, or the "
                    + "CONNECTION LIMIT of the role or the database)")
            case "57014":  // query_canceled
                guard message.contains("statement timeout") else {
                    return server("the server cancelled a statement (\(message)), which someone asked for there "
                        + "(pg_cancel_backend); run the command again; the statement's transaction was rolled back")
                }
                return stoppedAt("statement_timeout", message, "takes longer than the server allows", example: "'1h'", noLimit: "0")
            case "53400" where message.contains("temp_file_limit"):
                // Sorts, hashes and the rows a batch's `unnest` yields spill to temporary
                // files past work_mem; the server caps those files per session.
                return stoppedAt("temp_file_limit", message, "needs more room for temporary files than the server allows a session",
                                 example: "'1GB'", noLimit: "-1")
            case "57P03":  // cannot_connect_now: starting up, or in recovery
                return .serverBusy(location: name, detail: "the server does not take connections yet (\(message)); "
                    + "try again once it is up")
            case _ where Self.sessionEndedStates.contains(state):
                return lostConnection(location, because: message)
            case "40001", "40P01", "55P03": return .busy(path: name)
            case "42P01":  // undefined_table: dropped behind the ledger's back
                return .malformedEntry("one of its tables is missing (\(message))")
            case "42703":  // undefined_column: dropped behind the ledger's back
                return .malformedEntry("one of its tables lacks a column (\(message))")
            case "25006":  // read_only_sql_transaction
                return .readOnlySession(location: name, user: location.user, detail: message)
            case "42501":
                return .notPermitted(location: name, user: location.user, detail: message)
            case _ where state.hasPrefix("23") || state.hasPrefix("22"):  // integrity constraint, data exception
                return .refused("\(message) (SQLSTATE \(state))")
            case _ where ["08", "53", "57", "58", "XX"].contains(String(state.prefix(2))):
                // Connection, resources, operator intervention, the server's system and
                // internal errors: the server's trouble, not a bug of this tool.
                return server("the server could not run a statement (\(message), SQLSTATE \(state)); its transaction "
                    + "was rolled back: check the server and its log, then run the command again")
            default:
                return .store("\(message) (SQLSTATE \(state))")
            }
        case .serverClosedConnection, .uncleanShutdown, .clientClosedConnection:
            return lostConnection(location)
        case .connectionError where closedWithoutClosingTLS(error.underlying):
            return closedWhileOpening(location)
        case .connectionError where error.underlying is NIOSSLError || error.underlying is NIOSSLExtraError:
            return server("the TLS handshake with \(location.host):\(location.port) failed (\(tlsWords(error.underlying, location))); "
                + (location.sslModeFromEnvironment ? "sslmode=\(location.sslMode.rawValue) came from PGSSLMODE, the URL giving none; " : "")
                + "with sslmode=verify-ca or verify-full the server's certificate must be signed by an authority this host "
                + "trusts (or the one of sslrootcert=FILE), and with verify-full name the host")
        case .connectionError:
            return cannotConnect(location, because: error.underlying)
        case .sslUnsupported:
            return server("the server does not offer TLS, and sslmode=\(location.sslMode.rawValue)"
                + (location.sslModeFromEnvironment ? " (from PGSSLMODE, the URL giving none)" : "") + " requires it")
        case .failedToAddSSLHandler, .receivedUnencryptedDataAfterSSLRequest:
            return server("the TLS connection failed; check sslmode and the server's certificate")
        case .authMechanismRequiresPassword:
            return server("the server asks user \"\(location.user)\" for a password and none was given: "
                + "put it in the URL, PGPASSWORD or --ledger-password-file")
        case .saslError, .unsupportedAuthMechanism:
            return server("the login of user \"\(location.user)\" failed (\(error.code)); check the password")
        case .messageDecodingFailure, .unexpectedBackendMessage, .invalidCommandTag:
            return server("the server at \(location.host):\(location.port) answered with a message PostgreSQL does not "
                + "send (\(error.code)); check that the URL names a PostgreSQL server, not another service on that port")
        default:
            return .store("PostgreSQL client: \(error.code)")
        }
    }

    /// A failure to connect and log in, in words: as `postgres(_:at:)`, except that a
    /// connection ended before the login finished lost no write; the server is not
    /// PostgreSQL, will not talk to this client, or is going down.
    static func postgresLogin(_ error: any Error, at location: PostgresLocation) -> LedgerError {
        // A reset (not a refusal: the connection was taken) comes as the system's error,
        // bare or wrapped, depending on how far the client had got.
        func isReset(_ error: (any Error)?) -> Bool {
            switch error {
            case let error as IOError: [ECONNRESET, EPIPE].contains(error.errnoCode)
            case let error as NIOConnectionError: error.connectionErrors.contains { isReset($0.error) }
            case let error as PSQLError: isReset(error.underlying)
            default: false
            }
        }
        let failure = error as? PSQLError
        if case ChannelError.connectTimeout = failure?.underlying ?? error { return loginTimedOut(location) }
        let ended: String?  // the server's reason, when it gave one
        switch failure?.code {
        case _ where isReset(error): ended = nil
        case .serverClosedConnection?, .uncleanShutdown?, .clientClosedConnection?: ended = nil
        case .server? where sessionEndedStates.contains(failure?.serverInfo?[.sqlState] ?? ""):
            ended = failure?.serverInfo?[.message] ?? "no message"
        default: return postgres(error, at: location)
        }
        return .server(location: location.description,
                       detail: "the server at \(location.host):\(location.port) ended the connection before the login finished"
                        + (ended.map { " (\($0)); try again once it is up" }
                            ?? "; check that the URL names a PostgreSQL server and that sslmode suits it"))
    }

    /// No login within the connect timeout. postgres-nio bounds the connection and the
    /// login with one timer, and `PostgresSession` with its own, from about the same
    /// instant: which fires first, and so whether the TCP connection was made, cannot be
    /// told, and a server that took the connection and never answered was once said as
    /// "cannot connect", once as a login unfinished (probe 73). The words cover both.
    static func loginTimedOut(_ location: PostgresLocation) -> LedgerError {
        .server(location: location.description,
                detail: "no login at \(location.host):\(location.port) within \(location.connectTimeout) (--timeout): the "
                    + "connection could not be made, or the server took it and did not finish the login; check that the "
                    + "server is running, that the URL's host and port are a PostgreSQL server's, and that it is not "
                    + "overloaded (or raise --timeout)")
    }

    /// Why a TLS handshake failed, in words: the TLS library's reason (`CERTIFICATE_VERIFY_FAILED`
    /// said as what it means), without the library's source file and line its text ends with.
    static func tlsWords(_ error: (any Error)?, _ location: PostgresLocation) -> String {
        if let error = error as? NIOSSLExtraError, error == .failedToValidateHostname {
            return "the server's certificate does not name \(location.host)"
        }
        guard case .handshakeFailed(.sslError(let stack))? = error as? NIOSSLError else {
            return error.map { "\($0)" } ?? "no reason given"
        }
        // Each entry reads "Error: CODE error:HEX:LIBRARY:FUNCTION:REASON at FILE:LINE".
        let reasons = stack.map { entry -> String in
            let text = "\(entry)"
            let beforeFile = text.range(of: " at ", options: .backwards).map { String(text[..<$0.lowerBound]) } ?? text
            return beforeFile.split(separator: ":").last.map(String.init) ?? beforeFile
        }
        if reasons.isEmpty { return "no reason given" }
        return reasons.map { reason in
            // Checked against sslrootcert's authority when there is one, not this host's (probe 259).
            guard reason == "CERTIFICATE_VERIFY_FAILED" else { return reason }
            guard let file = location.sslRootCertificate else {
                return "the server's certificate is not signed by an authority this host trusts"
            }
            return "the server's certificate is not signed by the authority of sslrootcert=\(file)"
                + (location.sslRootCertificateFromEnvironment ? " (from PGSSLROOTCERT)" : "")
        }.joined(separator: "; ")
    }

    /// No connection: refused, unreachable, or a host name that does not resolve.
    private static func cannotConnect(_ location: PostgresLocation, because error: (any Error)?) -> LedgerError {
        let failure = error.flatMap(ConnectFailure.init) ?? .unreachable(reason: error.map(ConnectFailure.systemWords))
        let advice = switch failure {
        case .unknownHost: "check the URL's host name"
        case .unreachable: "check that the server is running and the URL's host and port"
        }
        return .server(location: location.description, detail: failure.words(host: location.host, port: location.port) + "; " + advice)
    }

    /// Whether a connection being opened ended with its TLS session unannounced: the server
    /// ended it as it opened (`pg_terminate_backend`, a shutdown), its handshake done; said
    /// as a failed handshake, and of certificates, it sent a person to check them (probe 409).
    static func closedWithoutClosingTLS(_ underlying: (any Error)?) -> Bool {
        if case .uncleanShutdown? = underlying as? NIOSSLError { return true }
        return false
    }

    /// A connection the server closed while it was being opened.
    static func closedWhileOpening(_ location: PostgresLocation) -> LedgerError {
        .server(location: location.description,
                detail: "the server closed the connection while it was being opened (an administrator ended the session, "
                    + "or the server is shutting down or restarting); nothing was written: check that the server is up"
                    + runAgain)
    }

    /// The SQLSTATEs of a server ending the session as it answers: an administrator's
    /// `pg_terminate_backend`, a shutdown, a connection failure it saw.
    static let sessionEndedStates: Set<String> = ["57P01", "57P02", "08006", "08003"]

    /// The session ended under a statement (the server went away, or ended it). A
    /// transaction under way was rolled back with it: a write's entries are committed whole
    /// or not at all, and a reader wrote nothing. Said of both (probe 408: "nothing of it was
    /// written" of a `verify`), ending with `runAgain`.
    static func lostConnection(_ location: PostgresLocation, because reason: String? = nil) -> LedgerError {
        .server(location: location.description,
                detail: "the connection to the server was lost\(reason.map { " (\($0))" } ?? ""); "
                    + "the server rolled back the transaction under way, so the ledger holds only what was committed "
                    + "before it" + runAgain)
    }

    /// How a lost connection's words end: the advice, which a caller with other advice
    /// leaves out (a copy committed before its check lost the connection: run again, it is
    /// refused, probe 408).
    public static let runAgain = "; run the command again"
}
