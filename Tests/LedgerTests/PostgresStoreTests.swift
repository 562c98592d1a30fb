import AsyncWait
import ConnectionErrors
import CreditTypes
import Dispatch
import Foundation
import NIOSSL
import PostgresHarness
import PostgresNIO
import Synchronization
import Testing
@testable import Ledger

#if canImport(Glibc)
import Glibc
#endif

/// What only the PostgreSQL store has: the URL and its password, a server that is down,
/// refuses the login, never answers or ends the session, its guard triggers, and copies
/// between stores.
@Suite("PostgreSQL store: the URL, the server's failures, the guard triggers, ledger copy", .threadOfItsOwn)
struct PostgresStoreTests {
    static let secret = "s3cr3t-Pa55"

    /// A listener on a free port of 127.0.0.1 whose first client `serve` gets, then closed;
    /// `accepted` ends with the client's descriptor (negative when `listener` was closed
    /// before one came). The caller closes `listener`.
    func acceptingOne(
        _ serve: @escaping @Sendable (Int32) -> Void
    ) -> (listener: Int32, port: Int, accepted: BackgroundWork<Int32>) {
        let (listener, port) = FreezingProxy.boundSocket()
        #expect(listen(listener, 8) == 0)
        let accepted = BackgroundWork { () -> Int32 in
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return client }
            serve(client)
            close(client)
            return client
        }
        return (listener, port, accepted)
    }

    /// What opening the ledger at `location` throws, and its words (an issue is recorded
    /// when it opens).
    func refusal(
        opening location: LedgerLocation, sourceLocation: SourceLocation = #_sourceLocation
    ) -> (error: LedgerError?, message: String) {
        let error = #expect(throws: LedgerError.self, sourceLocation: sourceLocation) { _ = try Ledger(location) }
        return (error, error.map { String(describing: $0) } ?? "")
    }

    @Test func theURLIsReadAndPrintedWithoutItsPassword() throws {
        let location = try LedgerLocation("postgresql://alice:\(Self.secret)@db.example:6543/books?sslmode=verify-full")
        guard case .postgres(let database) = location else {
            Issue.record("not a PostgreSQL location")
            return
        }
        #expect(database.host == "db.example")
        #expect(database.port == 6543)
        #expect(database.user == "alice")
        #expect(database.database == "books")
        #expect(database.sslMode == .verifyFull)
        #expect(database.password?.reveal() == Self.secret)
        #expect(location.description == "postgresql://alice@db.example:6543/books?sslmode=verify-full")
        #expect(!String(describing: database).contains(Self.secret))
        #expect(!String(reflecting: database).contains(Self.secret))
        // postgres:// too, the default port, and a password from elsewhere.
        let other = try LedgerLocation("postgres://bob@localhost/ledger", password: Secret("x"))
        #expect(other.description == "postgresql://bob@localhost:5432/ledger")
        if case .postgres(let database) = other { #expect(database.password?.reveal() == "x") }
        // An empty password in the URL (`bob:@`) is none: the one from elsewhere is used, not "".
        if case .postgres(let database) = try LedgerLocation("postgres://bob:@localhost/ledger", password: Secret("x")) {
            #expect(database.password?.reveal() == "x")
        }
        if case .postgres(let database) = try LedgerLocation("postgres://bob:@localhost/ledger") { #expect(database.password == nil) }
        // A user name with a ":" (or "@", "/") is printed encoded: pasted back, the URL names
        // the same user, not a user "we@ird" with the password "u/s".
        let odd = try LedgerLocation("postgresql://we%40ird%3Au%2Fs:\(Self.secret)@db.example/books")
        #expect(odd.description == "postgresql://we%40ird%3Au%2Fs@db.example:5432/books")
        if case .postgres(let again) = try LedgerLocation(odd.description) { #expect(again.user == "we@ird:u/s") }
        // A bare @ in a password does not turn its escapes into literal text (probe 295: `%3A` was sent as such).
        for url in ["postgresql://fin:a@b%3Ac@db.example/books", "postgresql://fin:a@b:c@db.example/books",
                    "postgresql://fin:a%40b%3Ac@db.example/books"] {
            guard case .postgres(let database) = try LedgerLocation(url) else { Issue.record("not PostgreSQL: \(url)"); continue }
            #expect(database.user == "fin" && database.password?.reveal() == "a@b:c" && database.host == "db.example", "\(url)")
        }
        // Nor does a character past ASCII, in the password or the database's name (probe 297).
        for (url, password, name) in [("postgresql://uni:a%40é@db.example/books", "a@é", "books"),
                                      ("postgresql://uni:a@é@db.example/books", "a@é", "books"),
                                      ("postgresql://uni:pw@db.example/dbé%20%3F", "pw", "dbé ?"),
                                      ("postgresql://uni:pw@db.example/a%2Fb", "pw", "a/b")] {
            guard case .postgres(let database) = try LedgerLocation(url) else { Issue.record("not PostgreSQL: \(url)"); continue }
            #expect(database.password?.reveal() == password && database.database == name, "\(url)")
            // Printed, it names the same database when pasted back.
            guard case .postgres(let again) = try LedgerLocation(database.description) else { continue }
            #expect(again.database == name && again.user == "uni", "\(database.description)")
        }
        #expect(try PostgresLocation(url: "postgresql://u@h/a%2Fb", password: nil, defaults: .init(), connectTimeout: .seconds(1))
            .description == "postgresql://u@h:5432/a%2Fb")
        // PGSSLMODE and PGSSLROOTCERT fill in what the URL leaves out; the URL's own win.
        // A certificate authority's PEM file (a self-signed one: the URL is only parsed here).
        let certificate = FileManager.default.temporaryDirectory.appendingPathComponent("credit-recon-test-authority-\(UUID()).pem").path
        try Data(Self.otherAuthority.utf8).write(to: URL(fileURLWithPath: certificate))
        defer { try? FileManager.default.removeItem(atPath: certificate) }
        let tls = try PostgresLocation.TLSDefaults(environment: ["PGSSLMODE": "verify-ca", "PGSSLROOTCERT": certificate])
        #expect(try LedgerLocation("postgresql://alice@db.example/books", tls: tls).description
            == "postgresql://alice@db.example:5432/books?sslmode=verify-ca&sslrootcert=\(certificate)")
        #expect(try LedgerLocation("postgresql://alice@db.example/books?sslmode=disable", tls: tls).description
            == "postgresql://alice@db.example:5432/books?sslmode=disable&sslrootcert=\(certificate)")
        for (url, fromEnvironment) in [("postgresql://alice@db.example/books", true), ("postgresql://alice@db.example/books?sslmode=disable", false)] {
            if case .postgres(let database) = try LedgerLocation(url, tls: tls) { #expect(database.sslModeFromEnvironment == fromEnvironment) }
        }
        if case .postgres(let database) = try LedgerLocation("postgresql://alice@db.example/books") { #expect(!database.sslModeFromEnvironment) }
        #expect(try PostgresLocation.TLSDefaults(environment: ["PGSSLMODE": "", "PGSSLROOTCERT": ""]).sslMode == nil)
        let unknown = #expect(throws: LedgerError.self) { try PostgresLocation.TLSDefaults(environment: ["PGSSLMODE": "VERIFY-FULL"]) }
        #expect(String(describing: unknown).contains(
            "PGSSLMODE=VERIFY-FULL is not one of disable, prefer, require, verify-ca, verify-full"), "\(String(describing: unknown))")
        // Anything else is a file.
        if case .file(let path) = try LedgerLocation("books/ledger.sqlite") { #expect(path == "books/ledger.sqlite") }
        if case .file(let path) = try LedgerLocation("postgres/books.sqlite") { #expect(path == "postgres/books.sqlite") }
        if case .file(let path) = try LedgerLocation("books/host=a/user=b.sqlite") { #expect(path == "books/host=a/user=b.sqlite") }
    }

    @Test(arguments: [
        ("postgresql://db.example/books", "names no user"),
        ("postgresql://alice@/books", "names no host"),
        ("postgresql://alice@db.example", "names no database"),
        // A password's reserved characters left as they are: said how to write them (probe 285).
        ("postgresql://spec:a@b:c/d@db.example:5432/books", "its characters @ / : ? % percent-encoded (%40 %2F %3A %3F %25)"),
        ("postgresql://alice@db.example/books?sslmode=sometimes", "sslmode must be one of"),
        ("postgresql://alice:\(secret)@db.example/books?timeout=3", "unknown parameter \"timeout\""),
        // The last would win: a `require` lost to a `disable` pasted after it (probe 66).
        ("postgresql://alice:\(secret)@db.example/books?sslmode=require&sslmode=disable", "gives sslmode twice; give it once"),
        // The slashes mistyped: not a file whose name holds the password.
        ("postgresql:alice:\(secret)@db.example/books", "starts like a PostgreSQL URL but is not one"),
        ("postgres:/alice:\(secret)@db.example/books", "starts like a PostgreSQL URL but is not one"),
        ("PostgreSQL//alice:\(secret)@db.example/books", "starts like a PostgreSQL URL but is not one"),
        // libpq's key=value form: not a file whose name holds the password.
        ("host=127.0.0.1 port=5432 password=\(secret) dbname=books", "connection string of key=value words"),
        ("dbname=books", "connection string of key=value words"),
        // A NUL cannot reach the server (it answered "invalid startup packet layout", 74).
        ("postgresql://alice:\(secret)@db.example/bo%00oks", "database holds a control character"),
        ("postgresql://alice:\(secret)%0A@db.example/books", "password holds a control character"),
        // Taken by URLComponents for a % itself, and sent: "password authentication failed" (probe 87).
        ("postgresql://alice:\(secret)%ZZ@db.example/books", "has a % that two hex digits do not follow"),
        ("postgresql://alice:\(secret)@db.example/books%4", "has a % that two hex digits do not follow"),
        // Ignored, it connected to `books` (probe 122).
        ("postgresql://alice:\(secret)@db.example/books#2", "has a # (a fragment), which no PostgreSQL URL reads"),
        ("postgresql://alice:\(secret)@db.example/books?sslmode=disable#", "has a # (a fragment)"),
        ("postgresql://alice:pa#\(secret)@db.example/books", "has a # (a fragment)"),
    ])
    func aBadURLSaysWhatIsWrongWithoutRepeatingIt(url: String, expected: String) {
        #expect {
            _ = try LedgerLocation(url)
        } throws: { error in
            guard case .badLocation(let message)? = error as? LedgerError else { return false }
            return message.contains(expected) && !message.contains(Self.secret)
        }
    }

    /// A message that repeats the URL's password, typed as a parameter's name or in a file
    /// path, is scrubbed of it as it is printed: the password is held from the moment it is
    /// read, not only once the URL is found good (probe 170).
    @Test(arguments: ["?%@=1", "?sslmode=verify-full&sslrootcert=/nonexistent/%@"])
    func aMessageRepeatingTheURLsPasswordIsScrubbedOfIt(query: String) {
        let password = "urlCANARY" + String(UInt64.random(in: 1_000_000...9_999_999))
        let url = "postgresql://alice:\(password)@db.example/books" + query.replacingOccurrences(of: "%@", with: password)
        #expect {
            _ = try LedgerLocation(url)
        } throws: { error in
            guard case .badLocation(let message)? = error as? LedgerError else { return false }
            return message.contains(password) && !Secret.scrubbed(message).contains(password)
        }
    }

    @Test func aServerThatIsDownIsNamedAtOnce() throws {
        // Bound but not listening, and held: a connection is refused, and no other test's
        // server can take the port meanwhile (a port closed again could be, and then answer).
        let (held, port) = FreezingProxy.boundSocket()
        defer { close(held) }
        let location = try LedgerLocation("postgresql://alice:\(Self.secret)@127.0.0.1:\(port)/books?sslmode=disable")
        let (error, message) = refusal(opening: location)
        #expect(message.contains("127.0.0.1:\(port)"), "\(message)")
        #expect(message.contains("postgresql://alice@127.0.0.1:\(port)/books"), "\(message)")
        #expect(!message.contains(Self.secret))
        #expect(message.contains("cannot connect to 127.0.0.1:\(port) (Connection refused)"), "the system's words, not NIO's: \(message)")
        if case .server? = error {} else { Issue.record("not a server error: \(message)") }
    }

    /// A COMMIT answered by the server ending the session (`pg_terminate_backend`, a
    /// shutdown) leaves the outcome unknown, as a connection closed under it does: the
    /// server may have committed before its FATAL (probe 397: "rolled back, so nothing of it
    /// was written"). An error that is the COMMIT's own (a constraint, a conflict) is not.
    @Test func aSessionEndedAtItsCommitLeavesTheOutcomeUnknown() {
        for state in ["57P01", "57P02", "08006", "08003"] {
            #expect(PostgresSession.sessionEnded(.server, sqlState: state), "\(state)")
        }
        for state in ["23505", "40001", "40P01", "55P03", "53100", nil] {
            #expect(!PostgresSession.sessionEnded(.server, sqlState: state), "\(state ?? "none")")
        }
        for code in [PSQLError.Code.serverClosedConnection, .uncleanShutdown, .clientClosedConnection] {
            #expect(PostgresSession.sessionEnded(code, sqlState: nil))
        }
        #expect(!PostgresSession.sessionEnded(.queryCancelled, sqlState: nil))
    }

    /// A connection whose TLS session the server ended unannounced as it was opened is said as
    /// closed, not as a failed handshake with advice on certificates (probe 409: after a
    /// `pg_terminate_backend`, with no sslmode given); a handshake's own failure still is one.
    @Test func aConnectionClosedAsItOpenedIsNotAFailedHandshake() throws {
        #expect(LedgerError.closedWithoutClosingTLS(NIOSSLError.uncleanShutdown))
        #expect(!LedgerError.closedWithoutClosingTLS(NIOSSLError.handshakeFailed(.sslError([]))))
        #expect(!LedgerError.closedWithoutClosingTLS(nil))
        let location = try PostgresLocation(
            url: "postgresql://books@127.0.0.1:5432/books", password: nil, defaults: .init(), connectTimeout: .seconds(1))
        #expect("\(LedgerError.closedWhileOpening(location))" == "cannot use the ledger at postgresql://books@127.0.0.1:5432/books: "
            + "the server closed the connection while it was being opened (an administrator ended the session, or the server "
            + "is shutting down or restarting); nothing was written: check that the server is up; run the command again")
    }

    /// An IPv6 address is named in brackets, as the URL gives it: `::1:5432` read as one
    /// address (probe 265). A name or an IPv4 address is named as it was.
    @Test func anIPv6AddressIsNamedInBrackets() {
        let refused = ConnectFailure.unreachable(reason: "Connection refused")
        #expect(refused.words(host: "::1", port: 5432) == "cannot connect to [::1]:5432 (Connection refused)")
        #expect(refused.words(host: "fe80::1%eth0", port: 1) == "cannot connect to [fe80::1%eth0]:1 (Connection refused)")
        #expect(refused.words(host: "127.0.0.1", port: 5432) == "cannot connect to 127.0.0.1:5432 (Connection refused)")
        #expect(refused.words(host: "db.example", port: 5432) == "cannot connect to db.example:5432 (Connection refused)")
    }

    /// Something at the port that is not PostgreSQL (or will not talk to this client)
    /// takes the connection and ends it at once: no write was under way, so the message
    /// says what to check instead of "a write was not committed". Ended with a reset too
    /// (`SO_LINGER` 0), which the client sees as a failed write rather than a closed session.
    @Test(arguments: [false, true]) func aConnectionEndedDuringTheLoginIsNoLostWrite(reset: Bool) throws {
        let (listener, port, ending) = acceptingOne { client in
            if reset {
                var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
                setsockopt(client, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
            }
        }
        defer { close(listener) }  // also ends the `accept` if no client came
        let location = try LedgerLocation(
            "postgresql://alice:\(Self.secret)@127.0.0.1:\(port)/books?sslmode=disable", connectTimeout: .seconds(60))
        let (_, message) = refusal(opening: location)
        #expect(ending.wait() >= 0, "the client connected")
        #expect(message.contains("the server at 127.0.0.1:\(port) ended the connection before the login finished"), "\(message)")
        #expect(message.contains("check that the URL names a PostgreSQL server"), "\(message)")
        #expect(!message.contains("write"), "\(message)")
        #expect(!message.contains(Self.secret))
    }

    /// A URL whose port is another service, one that answers the login with a message no
    /// PostgreSQL server sends (a well-framed one, so the client reads it at once): the
    /// message says to check the URL, as a ledger problem (74), not an internal error (70).
    @Test func aPortThatIsNotPostgreSQLIsNamed() throws {
        let (listener, port, answering) = acceptingOne { client in
            var buffer = [UInt8](repeating: 0, count: 1024)
            _ = read(client, &buffer, buffer.count)  // the startup message
            let answer: [UInt8] = [UInt8(ascii: "!"), 0, 0, 0, 4]  // type "!", no body
            _ = write(client, answer, answer.count)
            while read(client, &buffer, buffer.count) > 0 {}  // until the client gives up
        }
        defer { close(listener) }
        let location = try LedgerLocation(
            "postgresql://alice:\(Self.secret)@127.0.0.1:\(port)/books?sslmode=disable", connectTimeout: .seconds(60))
        let (error, message) = refusal(opening: location)
        #expect(answering.wait() >= 0, "the client connected")
        guard case .server? = error else {
            Issue.record("not a server problem (74): \(message)")
            return
        }
        #expect(message.contains("127.0.0.1:\(port)") && message.contains("check that the URL names a PostgreSQL server"), "\(message)")
        #expect(!message.contains(Self.secret))
    }

    /// A server that fails a statement on its own side (an I/O error on its disk, here
    /// raised by a trigger as the server would raise it): the server's trouble (74), named
    /// with its SQLSTATE, not an internal error (70); nothing is written.
    @Test(arguments: ["58030", "XX001", "53200", "57P04"])
    func aStatementTheServerFailsOnItsOwnSideIsTheServersTrouble(state: String) throws {
        let store = try PostgresUnderTest()
        try store.ledger.appendAll(Array(lifecycle().prefix(2)))
        try store.execute("""
            CREATE FUNCTION fail() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'could not write to file "base/1/2": No space left' USING ERRCODE = '\(state)'; END $$;
            CREATE TRIGGER fail BEFORE INSERT ON journal FOR EACH ROW EXECUTE FUNCTION fail();
            """)
        let error = #expect(throws: LedgerError.self) { try store.ledger.appendAll(Array(lifecycle().dropFirst(2))) }
        guard case .server(_, let detail)? = error else {
            Issue.record("not the server's trouble (74): \(String(describing: error))")
            return
        }
        #expect(detail.contains("SQLSTATE \(state)") && detail.contains("check the server"), "\(detail)")
        #expect(try store.ledger.read { try $0.journalCount() } == 2)
    }

    /// A host name that does not resolve is named as such (`.invalid` never resolves).
    @Test func aHostThatDoesNotResolveIsNamed() throws {
        let location = try LedgerLocation("postgresql://alice@no-such-host.invalid/books?sslmode=disable", connectTimeout: .seconds(60))
        let (_, message) = refusal(opening: location)
        #expect(message.contains("cannot find the host no-such-host.invalid ("), "\(message)")
        #expect(message.contains("check the URL's host name"), "\(message)")
        #expect(!message.contains("SocketAddressError"), "the resolver's words, not NIO's: \(message)")
    }

    /// A port that accepts connections and never says anything: the login gives up after
    /// the connect timeout instead of waiting for ever.
    @Test func aServerThatNeverAnswersTimesOut() throws {
        let (listener, port) = FreezingProxy.boundSocket()
        defer { close(listener) }
        #expect(listen(listener, 8) == 0)
        let location = try LedgerLocation(
            "postgresql://alice@127.0.0.1:\(port)/books?sslmode=disable", connectTimeout: .seconds(2))
        let started = ContinuousClock.now
        let (_, message) = refusal(opening: location)
        #expect(ContinuousClock.now - started < .seconds(30), "gave up after its timeout, not much later")
        // The same words whichever of the two timers (postgres-nio's, the store's) fired first:
        // they were "cannot connect … (timed out)" one time in three (probe 73).
        #expect(message.contains("no login at 127.0.0.1:\(port) within 2.0 seconds (--timeout): the connection could "
            + "not be made, or the server took it and did not finish the login"), "\(message)")
    }

    /// A database that does not store text as UTF-8 is refused before anything is written:
    /// a LATIN1 one took the client's UTF-8 bytes as its own characters, so this tool read
    /// "Café" back sound while psql read "CafÃ©" and the README's chain check found a broken
    /// link. Neither the writer lock nor a ledger is made there.
    @Test func aDatabaseThatIsNotUTF8IsRefused() throws {
        let server = try ThrowawayPostgres.shared()
        let name = "latin1_\(getpid())"
        try server.psql("postgres", "CREATE DATABASE \(name) ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0")
        let location = try LedgerLocation(server.url(name))
        for open in [{ _ = try Ledger.lockWriter(at: location) }, { _ = try Ledger(location) }] {
            let error = #expect(throws: LedgerError.self) { try open() }
            guard case .badLocation(let message)? = error else {
                Issue.record("not a refusal of the location: \(String(describing: error))")
                continue
            }
            #expect(message.hasPrefix("the database \(name) on 127.0.0.1:\(server.port) stores text as LATIN1, not UTF8"), "\(message)")
            #expect(!message.contains(server.password))
        }
        #expect(try server.psql(name, "SELECT count(*) FROM pg_namespace WHERE nspname = 'credit_recon'") == "0\n")
    }

    /// A server that stops answering in the middle of a command (its host left the
    /// network; its process froze): nothing closes the connection, yet the command gives up
    /// within about twice its timeout, naming the server, and every later statement of the
    /// session fails at once instead of waiting in turn.
    @Test func aServerThatStopsAnsweringMidCommandIsGivenUpOn() throws {
        let server = try ThrowawayPostgres.shared()
        let database = try server.newDatabase()
        let proxy = FreezingProxy(to: server.port)
        defer { proxy.stop() }
        let location = try LedgerLocation(
            "postgresql://postgres@127.0.0.1:\(proxy.port)/\(database)?sslmode=disable",
            password: Secret(server.password), connectTimeout: .seconds(2))
        let ledger = try Ledger(location)
        #expect(try ledger.read { try $0.journalCount() } == 0)
        // A writer lock held meanwhile, with a long timeout of its own: once the server was
        // judged silent, letting it go asks the server nothing (its unlock waited another
        // timeout or two), so it is let go in a small part of that timeout.
        let lockLocation = try LedgerLocation(
            "postgresql://postgres@127.0.0.1:\(proxy.port)/\(database)?sslmode=disable",
            password: Secret(server.password), connectTimeout: .seconds(60))
        let locked = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        let holding = BackgroundWork { () -> Result<Void, any Error> in
            Result {
                let lock = try Ledger.lockWriter(at: lockLocation)
                locked.signal()
                release.wait()
                withExtendedLifetime(lock) {}
            }
        }
        #expect(locked.wait(timeout: .now() + 60) == .success, "the lock was not taken")
        proxy.freeze()
        // On another thread, so that a hang fails this test (after 60 s, a bound that only
        // a hang reaches; it takes about 2 × 2 s) instead of holding up the whole run.
        let writing = BackgroundWork { () -> Result<Int64, any Error> in
            Result {
                try ledger.write { writer in
                    try writer.append(.runStarted(RunStarted(command: "fetch")), account: "default", runID: nil,
                                      at: Timestamp(millisecondsSinceEpoch: 0))
                }
            }
        }
        let done = DispatchSemaphore(value: 0)
        _ = BackgroundWork { _ = writing.wait(); done.signal() }
        guard done.wait(timeout: .now() + 60) == .success else {
            Issue.record("the write still waits for the frozen server after 60 s")
            proxy.stop()  // closes the connection, which ends the wait
            return
        }
        var error: LedgerError?
        if case .failure(let failure) = writing.wait() { error = failure as? LedgerError }
        let message = error.map { String(describing: $0) } ?? "no LedgerError"
        #expect(message.contains("the server stopped answering"), "\(message)")
        #expect(message.contains("127.0.0.1:\(proxy.port)/\(database)"), "\(message)")
        #expect(!message.contains(server.password))
        if case .server? = error {} else { Issue.record("not a server error: \(message)") }
        print("a frozen server: \(message)")
        let releasing = ContinuousClock.now
        release.signal()
        let released = DispatchSemaphore(value: 0)
        _ = BackgroundWork { _ = holding.wait(); released.signal() }
        #expect(released.wait(timeout: .now() + 120) == .success)
        #expect(ContinuousClock.now - releasing < .seconds(20), "letting the lock go waited on the frozen server")
        let again = ContinuousClock.now
        #expect(throws: LedgerError.self) { _ = try ledger.headHash() }
        #expect(ContinuousClock.now - again < .seconds(60))
    }

    /// A server that still logs in new sessions, but whose process serving this command's
    /// session froze between two statements: the check beside the unanswered statement
    /// finds the session idle, so the statement never reached it, and the command gives up
    /// within about twice its timeout, naming what happened; it waited for ever (probe 122:
    /// an import ran for nine minutes with `--timeout 2`). The session is ended on the
    /// server, so once its process runs again nothing of the transaction is committed.
    @Test func aSessionWhoseServerProcessFrozeIsGivenUpOn() async throws {
        let server = try ThrowawayPostgres.shared()
        let database = try server.newDatabase()
        let location = try LedgerLocation(
            "postgresql://postgres@127.0.0.1:\(server.port)/\(database)?sslmode=disable",
            password: Secret(server.password), connectTimeout: .seconds(2))
        let ledger = try Ledger(location)
        try ledger.write { writer in
            _ = try writer.append(.runStarted(RunStarted(command: "fetch")), account: "default", runID: nil,
                                  at: Timestamp(millisecondsSinceEpoch: 0))
        }
        let head = try ledger.headHash()
        struct NoSession: Error { var found: String }
        let frozen = Mutex<pid_t?>(nil)
        defer { if let pid = frozen.withLock({ $0 }) { kill(pid, SIGCONT) } }
        // On another thread, so that a hang fails this test (after 60 s, a bound that only a
        // hang reaches; it takes about 2 × 2 s) instead of holding up the whole run.
        let writing = BackgroundWork { () -> Result<Void, any Error> in
            Result {
                try ledger.write { writer in
                    let pid = try server.psql(database, """
                        SELECT pid FROM pg_stat_activity WHERE datname = current_database()
                          AND application_name LIKE 'credit-recon ledger %' AND state LIKE 'idle in transaction%'
                        """).trimmingCharacters(in: .whitespacesAndNewlines)
                    guard let number = pid_t(pid) else { throw NoSession(found: pid) }
                    frozen.withLock { $0 = number }
                    kill(number, SIGSTOP)
                    _ = try writer.append(.runStarted(RunStarted(command: "import")), account: "default", runID: nil,
                                          at: Timestamp(millisecondsSinceEpoch: 1))
                }
            }
        }
        let done = DispatchSemaphore(value: 0)
        _ = BackgroundWork { _ = writing.wait(); done.signal() }
        guard done.wait(timeout: .now() + 60) == .success else {
            Issue.record("the write still waits for the frozen session after 60 s")
            if let pid = frozen.withLock({ $0 }) { kill(pid, SIGCONT) }
            return
        }
        let pid = try #require(frozen.withLock { $0 })
        var error: LedgerError?
        if case .failure(let failure) = writing.wait() { error = failure as? LedgerError }
        let message = error.map { String(describing: $0) } ?? "no LedgerError"
        #expect(message.contains("the server stopped reading this command's statements: its session (process \(pid))"), "\(message)")
        #expect(message.contains("127.0.0.1:\(server.port)/\(database)") && !message.contains(server.password), "\(message)")
        if case .server? = error {} else { Issue.record("not a server error: \(message)") }
        // The next writer waits for the append lock the frozen session holds. Asked to end, it
        // cannot until it runs again: that writer gives up, 75, saying why, where it waited for
        // ever (probe 123).
        let lock = try Ledger.lockWriter(at: location)
        defer { withExtendedLifetime(lock) {} }
        let next = try #require(withinAMinute {
            try Ledger(location).write { writer in
                _ = try writer.append(.runStarted(RunStarted(command: "import")), account: "default", runID: nil,
                                      at: Timestamp(millisecondsSinceEpoch: 2))
            }
        }, "the next writer still waits for the frozen session after 60 s")
        guard case .failure(let failure) = next, case .serverBusy(_, let detail)? = failure as? LedgerError else {
            Issue.record("\(next)")
            return
        }
        #expect(detail.hasPrefix("a statement waited for a lock held by session \(pid) (credit-recon ledger "), "\(detail)")
        #expect(detail.contains(", idle in its transaction for ") && detail.contains(" s), left by a credit-recon command that "
            + "no longer holds the writer lock (it is gone, or its server process froze), asked to end (pg_terminate_backend) "
            + "a --timeout ago, it has not: a server process that froze"), "\(detail)")
        // Running again, the process ends (it was asked to), its transaction rolled back.
        kill(pid, SIGCONT)
        #expect(await waitUntil {
            (try? server.psql(database, "SELECT count(*) FROM pg_stat_activity WHERE pid = \(pid)"))?
                .trimmingCharacters(in: .whitespacesAndNewlines) == "0"
        }, "the frozen session did not end once it ran again")
        #expect(try Ledger(location).headHash() == head)
        // And the writer's next try appends.
        try Ledger(location).write { writer in
            _ = try writer.append(.runStarted(RunStarted(command: "import")), account: "default", runID: nil,
                                  at: Timestamp(millisecondsSinceEpoch: 2))
        }
        #expect(try Ledger(location).read { try $0.journalCount() } == 2)
    }

    /// Runs `body` on another thread and waits for it at most 60 s, a bound only a hang
    /// reaches: its result, or `nil` (the thread is left to its wait).
    private func withinAMinute<T: Sendable>(_ body: @escaping @Sendable () throws -> T) -> Result<T, any Error>? {
        let work = BackgroundWork { () -> Result<T, any Error> in Result { try body() } }
        let done = DispatchSemaphore(value: 0)
        _ = BackgroundWork { _ = work.wait(); done.signal() }
        guard done.wait(timeout: .now() + 60) == .success else { return nil }
        return work.wait()
    }

    /// Takes the ledger's append lock, as a write transaction does.
    static let appendLock = "SELECT pg_advisory_xact_lock(\(PostgresStore.LockKey.lockClass), \(PostgresStore.LockKey.append.rawValue))"

    /// The rest of `lifecycle()` appended at `location` under its writer lock while a session
    /// named `holder` holds what `lock` takes (the append lock), in its transaction, idle or
    /// in a statement: that session (the caller releases it), and the append's result,
    /// within a minute.
    private func append(
        besideAppendLockOf holder: String, lock: String = PostgresStoreTests.appendLock, idle: Bool = true, _ server: ThrowawayPostgres,
        _ database: String, at location: LedgerLocation
    ) throws -> (session: HoldingSession, appended: Result<Void, any Error>) {
        let session = try HoldingSession(server, database, ["BEGIN", lock], idleInTransaction: idle, applicationName: holder)
        try #require(session.waitUntilHolding(), "the lock is not held after 60 s")
        let lock = try Ledger.lockWriter(at: location)
        defer { withExtendedLifetime(lock) {} }
        let appended = try #require(withinAMinute { try Ledger(location).appendAll(Array(lifecycle().dropFirst(2))) },
                                    "the write still waits for the session holding the append lock after 60 s")
        return (session, appended)
    }

    /// A write under the writer lock that waits for the append of a credit-recon session left
    /// behind, idle in its transaction (its command lost the lock and went, as when its host
    /// left the network without closing the connection) or in a statement (its server
    /// process froze in it, probe 124), ends that session and goes on, where it waited for
    /// ever (probe 123): every credit-recon write runs under its command's writer lock,
    /// which this process holds.
    ///
    /// So is one idle in its transaction for a `--timeout` holding a table the write needs
    /// (a migration's lock, its server process frozen: probe 124).
    @Test(arguments: [(PostgresStoreTests.appendLock, true), (PostgresStoreTests.appendLock, false), ("LOCK TABLE credit_recon.journal IN SHARE MODE", true)])
    func aWriterEndsTheAppendLeftByACommandThatLostTheLockAndGoesOn(lock: String, idle: Bool) throws {
        let store = try PostgresUnderTest()
        try store.ledger.appendAll(Array(lifecycle().prefix(2)))
        let location = try LedgerLocation(store.server.url(store.database), connectTimeout: .seconds(1))
        let (left, appended) = try append(
            besideAppendLockOf: "credit-recon ledger elsewhere pid 1", lock: lock, idle: idle, store.server, store.database,
            at: location)
        defer { left.release() }
        if case .failure(let failure) = appended { Issue.record("\(failure)") }
        #expect(try store.ledger.read { try $0.journalCount() } == Int64(lifecycle().count))
        #expect(try store.server.psql(store.database, """
            SELECT count(*) FROM pg_stat_activity WHERE application_name = '\(left.applicationName)'
            """).trimmingCharacters(in: .whitespacesAndNewlines) == "0")
    }

    /// A left-behind session of another user, which this user may not end: the writer gives up
    /// at once, 75, saying so and who may end it, where it waited for ever (probe 124), and
    /// the session stays.
    @Test func aWriterSaysWhenItMayNotEndASessionLeftBehind() throws {
        let server = try ThrowawayPostgres.shared()
        let database = try server.newDatabase()
        let owner = "owner_\(database)"
        try server.psql(database, "CREATE ROLE \(owner) LOGIN PASSWORD 'owner-secret'; GRANT CREATE ON DATABASE \(database) TO \(owner);")
        let location = try LedgerLocation(
            "postgresql://\(owner):owner-secret@127.0.0.1:\(server.port)/\(database)?sslmode=disable", connectTimeout: .seconds(1))
        try Ledger(location).appendAll(Array(lifecycle().prefix(2)))
        let (left, appended) = try append(besideAppendLockOf: "credit-recon ledger elsewhere pid 1", server, database, at: location)
        defer { left.release() }
        guard case .failure(let failure) = appended, case .serverBusy(_, let detail)? = failure as? LedgerError else {
            Issue.record("\(appended)")
            return
        }
        #expect(detail.contains("left by a credit-recon command that no longer holds the writer lock (it is gone, or its server "
            + "process froze), which this user may not end (pg_terminate_backend refused: another user's session); a superuser "
            + "may, with SELECT pg_terminate_backend("), "\(detail)")
        #expect(!detail.contains("owner-secret"))
        #expect(left.isHolding)
    }

    /// Another program's session holding the append lock is not ended by the writer: idle in
    /// its transaction, the write gives up, 75, naming it, and it stays.
    @Test func aWriterLeavesAnotherProgramsSessionHoldingTheAppendLockAlone() throws {
        let store = try PostgresUnderTest()
        try store.ledger.appendAll(Array(lifecycle().prefix(2)))
        let location = try LedgerLocation(store.server.url(store.database), connectTimeout: .seconds(1))
        let (other, appended) = try append(besideAppendLockOf: "psql", store.server, store.database, at: location)
        defer { other.release() }
        guard case .failure(let failure) = appended, case .serverBusy(_, let detail)? = failure as? LedgerError else {
            Issue.record("\(appended)")
            return
        }
        #expect(detail.hasPrefix("a statement waited for a lock held by another program's session "), "\(detail)")
        #expect(other.isHolding)
        #expect(try store.ledger.read { try $0.journalCount() } == 2)
    }

    /// A statement that takes longer than the timeout on a server that still answers is
    /// waited for: the check beside it logs in and is answered.
    @Test func aSlowStatementOnAServerThatAnswersIsWaitedFor() throws {
        let server = try ThrowawayPostgres.shared()
        let database = try server.newDatabase()
        guard case .postgres(let location) = try LedgerLocation(server.url(database), connectTimeout: .seconds(2)) else {
            Issue.record("not a PostgreSQL location")
            return
        }
        let session = try PostgresSession(location, purpose: "test")
        let started = ContinuousClock.now
        // The server waits 5 s before answering: two and a half times the timeout.
        let rows = try session.query("SELECT 7::bigint FROM pg_sleep(5)") { try $0.int64() }
        #expect(rows == [7])
        // Well past the timeout: not 5 s to the millisecond, which this host's clock and the
        // server's measure apart (4.98 s seen).
        #expect(ContinuousClock.now - started >= .seconds(4))
    }

    /// A write that appends many entries (an import) leaves the planner's statistics
    /// fresh, rather than waiting for autovacuum; a small one does not analyze.
    /// The server's disk fills while `verify` replays into its temporary tables (the only
    /// thing it writes): the error says where the scratch copy goes and what to do, not
    /// that the ledger's disk is full, and the ledger was only read.
    @Test func aFullDiskDuringVerifyIsNamedAsTheScratchCopysRoom() throws {
        let store = try PostgresUnderTest()
        try store.ledger.appendAll(Array(lifecycle().prefix(2)))
        guard case .postgres(let location) = store.location else {
            Issue.record("not PostgreSQL")
            return
        }
        let postgres = try PostgresStore(location, create: false)
        let error = #expect(throws: LedgerError.self) {
            _ = try postgres.readReplaying { _ -> Int in throw LedgerError.diskFull(path: postgres.name) }
        }
        guard case .scratchFull(let path, _, .postgresServer)? = error else {
            Issue.record("not scratchFull on the server: \(String(describing: error))")
            return
        }
        #expect(path == postgres.name)
        #expect(String(describing: error!).contains("temp_tablespaces"), "\(String(describing: error!))")
        #expect(try store.ledger.verify().isSound, "the ledger was only read")
    }

    /// A server that caps a session's temporary files (`temp_file_limit`, SQLSTATE 53400)
    /// below what a batch's rows take once they pass `work_mem`: an import and `verify` both
    /// say which setting to raise, for which user, and leave the ledger as it was.
    @Test func aTemporaryFileLimitSaysWhichSettingToRaise() throws {
        let store = try PostgresUnderTest()
        let entries = StoreConformanceTests.bulk(4096)
        try store.ledger.write { writer in
            try writer.append(contentsOf: entries.prefix(2048), runID: nil, at: t0) { ($0.fact, $0.account) }
        }
        let head = try store.ledger.headHash()
        try store.server.psql(store.database, "ALTER DATABASE \(store.database) SET temp_file_limit = '64kB'; "
            + "ALTER DATABASE \(store.database) SET work_mem = '64kB'")
        let limited = try store.openAnother()  // a new session, under the database's new settings
        func expectTheLimitNamed(_ error: LedgerError?) {
            let message = error.map { String(describing: $0) } ?? ""
            guard case .server? = error else {
                Issue.record("not a server error: \(message)")
                return
            }
            #expect(message.contains("temp_file_limit (temporary file size exceeds temp_file_limit (64kB))"), "\(message)")
            #expect(message.contains("ALTER ROLE \"postgres\" SET temp_file_limit"), "\(message)")
            // Set here for the database, as a probe set statement_timeout (probe 136): said too.
            #expect(message.contains("ALTER DATABASE \"\(store.database)\" SET temp_file_limit"), "\(message)")
        }
        expectTheLimitNamed(#expect(throws: LedgerError.self) {
            try limited.write { writer in
                try writer.append(contentsOf: entries.suffix(2048), runID: nil, at: t0) { ($0.fact, $0.account) }
            }
        })
        expectTheLimitNamed(#expect(throws: LedgerError.self) { _ = try limited.verify() })
        try store.server.psql(store.database, "ALTER DATABASE \(store.database) RESET temp_file_limit; "
            + "ALTER DATABASE \(store.database) RESET work_mem")
        let report = try store.openAnother().verify()
        #expect(report.isSound)
        #expect(report.headHash == head, "the refused import wrote nothing")
    }

    /// A statement the server stops says why: at the `statement_timeout` an administrator set
    /// (naming the user whose limit to raise), or cancelled by someone on the server. Each
    /// read here waits behind a lock the test holds, so it is still running when stopped.
    @Test func aStatementTheServerStopsSaysWhy() throws {
        let store = try PostgresUnderTest()
        try store.ledger.appendAll(lifecycle())
        guard case .postgres(let location) = store.location else {
            Issue.record("not PostgreSQL")
            return
        }
        let locker = try PostgresSession(location, purpose: "test")
        try locker.execute("BEGIN")
        try locker.execute("LOCK TABLE \(PostgresSchema.schema).journal IN ACCESS EXCLUSIVE MODE")
        defer { _ = try? locker.execute("ROLLBACK") }
        func message(_ error: LedgerError?) -> String {
            guard case .server? = error else { return "not a server error: \(String(describing: error))" }
            return "\(error!)"
        }

        try store.server.psql("postgres", "ALTER DATABASE \(store.database) SET statement_timeout = '200ms'")
        let timedOut = message(#expect(throws: LedgerError.self) { _ = try store.openAnother().headHash() })
        #expect(timedOut.contains("statement_timeout (canceling statement due to statement timeout)"), "\(timedOut)")
        #expect(timedOut.contains("ALTER ROLE \"postgres\" SET statement_timeout"), "\(timedOut)")
        try store.server.psql("postgres", "ALTER DATABASE \(store.database) RESET statement_timeout")

        let reader = try store.openAnother()
        let reading = BackgroundWork { () -> Result<String, any Error> in Result { try reader.headHash() } }
        let waiting = "SELECT count(*) FROM pg_stat_activity WHERE datname = '\(store.database)' AND wait_event_type = 'Lock'"
        let deadline = ContinuousClock.now + .seconds(60)
        while try store.server.psql("postgres", waiting) != "1\n", ContinuousClock.now < deadline {}
        #expect(try store.server.psql("postgres", """
            SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE datname = '\(store.database)' AND wait_event_type = 'Lock'
            """) == "t\n")
        guard case .failure(let failure) = reading.wait() else {
            Issue.record("the read was not cancelled")
            return
        }
        let cancelled = message(failure as? LedgerError)
        #expect(cancelled.contains("the server cancelled a statement (canceling statement due to user request)"), "\(cancelled)")
    }

    @Test func aBulkWriteRefreshesThePlannersStatistics() throws {
        let store = try PostgresUnderTest()
        func analyzed() throws -> String {
            try store.server.psql(
                store.database,
                "SELECT count(*) FROM pg_stat_user_tables WHERE schemaname = 'credit_recon' AND last_analyze IS NOT NULL")
        }
        try store.ledger.write { writer in
            _ = try writer.append(.runStarted(RunStarted(command: "fetch")), account: "default", runID: nil, at: t0)
        }
        #expect(try analyzed() == "0\n")
        let bulk = StoreConformanceTests.bulk(PostgresStore.bulkWrite)
        try store.ledger.write { writer in
            try writer.append(contentsOf: bulk, runID: nil, at: t0) { ($0.fact, $0.account) }
        }
        #expect(try analyzed() == "\(1 + Schema.projectionTableKeys.count)\n")
    }

    /// The refresh of the statistics after a bulk write runs in a session of its own and
    /// waits only `analyzeLockWait` for a table another session holds: the write is
    /// committed and said so, the ledger's own session goes on (the new head is read; a
    /// connection lost under the ANALYZE had failed that read with "not committed"), and
    /// the command does not hold the writer lock until the other session lets go (60 s here).
    @Test func theStatisticsRefreshWaitsNotForALockedTable() throws {
        let store = try PostgresUnderTest()
        try store.ledger.appendAll(Array(lifecycle().prefix(2)))
        let server = store.server, database = store.database
        let holder = BackgroundWork {
            try? server.psql(database, """
                BEGIN; LOCK TABLE credit_recon.activity_rows IN SHARE UPDATE EXCLUSIVE MODE; SELECT pg_sleep(60); COMMIT;
                """)
        }
        func held() throws -> Bool {
            try store.server.psql(store.database, """
                SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
                WHERE c.relname = 'activity_rows' AND l.mode = 'ShareUpdateExclusiveLock' AND l.granted
                  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                """).trimmingCharacters(in: .whitespacesAndNewlines) == "1"
        }
        let deadline = ContinuousClock.now + .seconds(60)
        while try !held(), ContinuousClock.now < deadline {}
        #expect(try held())
        try store.ledger.write { writer in
            try writer.append(
                contentsOf: StoreConformanceTests.bulk(PostgresStore.bulkWrite, from: t0.adding(seconds: 86_400)), runID: nil, at: t0
            ) { $0 }
        }
        #expect(try held(), "the write waited for the other session's lock")
        #expect(try store.ledger.read { try $0.journalCount() } == Int64(2 + PostgresStore.bulkWrite))
        _ = try store.server.psql(store.database, """
            SELECT pg_terminate_backend(pid) FROM pg_locks WHERE relation = 'credit_recon.activity_rows'::regclass
              AND mode = 'ShareUpdateExclusiveLock' AND granted AND pid <> pg_backend_pid() AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """)
        _ = holder.wait()
        #expect(try store.ledger.verify().isSound)
    }

    /// A server that ends sessions idle in a transaction (`idle_in_transaction_session_timeout`)
    /// does not end the ledger's: a reader's snapshot sits idle while this side adds up the
    /// rows read (`status` on 400,000 entries was ended at 2 s, said as a lost write).
    @Test func aReaderOutlivesTheServersIdleInTransactionTimeout() throws {
        let store = try PostgresUnderTest()
        try store.ledger.appendAll(Array(lifecycle().prefix(2)))
        try store.server.psql(store.database, "ALTER DATABASE \(store.database) SET idle_in_transaction_session_timeout = '1s'")
        let reader = try store.openAnother()
        let count = try reader.read { transaction in
            _ = try transaction.journalCount()
            #expect(try Self.outlivedTimeout(store, application: "credit-recon ledger", state: "idle in transaction"),
                    "the reader's session was ended while it read")
            return try transaction.journalCount()
        }
        #expect(count == 2)
    }

    @Test func aRefusedLoginAMissingDatabaseAndNoConnectionLeftAreNamed() throws {
        let server = try ThrowawayPostgres.shared()
        let wrong = try LedgerLocation("postgresql://postgres:\(Self.secret)@127.0.0.1:\(server.port)/postgres?sslmode=disable")
        let (_, message) = refusal(opening: wrong)
        #expect(message.contains("refused the login of user \"postgres\""), "\(message)")
        #expect(!message.contains(Self.secret))
        let missing = try LedgerLocation(server.url("no_such_books"))
        let absent = refusal(opening: missing).message
        #expect(absent.contains("there is no database \"no_such_books\""), "\(absent)")
        #expect(!absent.contains(server.password))
        // A user the server has no connection left for.
        let database = try server.newDatabase()
        let user = "limited_\(database)"
        try server.psql(database, "CREATE ROLE \(user) LOGIN PASSWORD '\(Self.secret)' CONNECTION LIMIT 0")
        let limited = try LedgerLocation("postgresql://\(user):\(Self.secret)@127.0.0.1:\(server.port)/\(database)?sslmode=disable")
        let (busy, words) = refusal(opening: limited)
        if case .serverBusy? = busy {} else { Issue.record("not a server that is busy (75): \(words)") }
        #expect(words.contains("the server has no connection left for user \"\(user)\" (too many connections for role"), "\(words)")
        #expect(words.contains("CONNECTION LIMIT of the role or the database"), "\(words)")
        #expect(!words.contains(Self.secret))
    }

    /// A self-signed certificate authority's PEM, which signed nothing the tests' server holds.
    static let otherAuthority = """
        -----BEGIN CERTIFICATE-----
        MIIBpDCCAUmgAwIBAgIUOxfOZrFXMAT8yUS/IciAM5aYctIwCgYIKoZIzj0EAwIw
        JjEkMCIGA1UEAwwbY3JlZGl0LXJlY29uIHRlc3QgYXV0aG9yaXR5MCAXDTI2MTIw
        NjEyNTkxNFoYDzIxMjYxMTEyMTI1OTE0WjAmMSQwIgYDVQQDDBtjcmVkaXQtcmVj
        b24gdGVzdCBhdXRob3JpdHkwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAARX1Kwu
        6uvmzxwSnp7xDgMP0YtYYtgZv3LZTN56cLqw5LFqDOwOTmuJbjEbKeOZmt9DR7Az
        URXBfMFXS6a1UigYo1MwUTAdBgNVHQ4EFgQUvhbPi1flHCXeqtmNthBZdfO8vw0w
        HwYDVR0jBBgwFoAUvhbPi1flHCXeqtmNthBZdfO8vw0wDwYDVR0TAQH/BAUwAwEB
        /zAKBggqhkjOPQQDAgNJADBGAiEA43PGzOzrovNtvp+DjLbODhyVMUfLRW79+W/1
        +2iii2sCIQC6YiRhoiIzh0ZOJQovaF9wqFZyGwGKnJQwPbuykD4qlQ==
        -----END CERTIFICATE-----
        """

    /// The tests' server offers TLS with a self-signed certificate for 127.0.0.1: each
    /// sslmode does what it says.
    @Test func eachSSLModeDoesWhatItSays() throws {
        let server = try ThrowawayPostgres.shared()
        let database = try server.newDatabase()
        let base = "postgresql://postgres:\(server.password)@127.0.0.1:\(server.port)/\(database)"
        let certificate = server.folder + "/server.crt"
        for mode in ["disable", "prefer", "require", "verify-ca&sslrootcert=\(certificate)", "verify-full&sslrootcert=\(certificate)"] {
            let ledger = try Ledger(LedgerLocation("\(base)?sslmode=\(mode)"))
            #expect(try ledger.headHash() == JournalEntry.genesisHash, "sslmode=\(mode)")
        }
        // Not a certificate this host trusts: said in words, not as the TLS library's error
        // with its source file and line.
        let refused = #expect(throws: LedgerError.self) { _ = try Ledger(LedgerLocation("\(base)?sslmode=verify-full")) }
        let message = String(describing: refused)
        #expect(message.contains("TLS handshake with 127.0.0.1:\(server.port) failed (the server's certificate is not "
            + "signed by an authority this host trusts)"), "\(message)")
        // Checked against sslrootcert's authority, another's: said as that, not this host's (probe 259).
        let other = FileManager.default.temporaryDirectory.appendingPathComponent("credit-recon-other-authority-\(UUID()).pem").path
        try Data(Self.otherAuthority.utf8).write(to: URL(fileURLWithPath: other))
        defer { try? FileManager.default.removeItem(atPath: other) }
        let foreign = #expect(throws: LedgerError.self) { _ = try Ledger(LedgerLocation("\(base)?sslmode=verify-ca&sslrootcert=\(other)")) }
        #expect(String(describing: foreign).contains("the server's certificate is not signed by the authority of sslrootcert=\(other)"),
                "\(String(describing: foreign))")
        #expect(!message.contains(".cc:") && !message.contains("OPENSSL_internal"), "\(message)")
        #expect(!message.contains(server.password))
    }

    /// A certificate that does not name the URL's host (which the tests' server, whose
    /// certificate names the address it is reached at, cannot show) is said as such; it
    /// was called a server not running. Other reasons are the TLS library's own, without
    /// its source file.
    @Test func aCertificateForAnotherHostIsSaidInWords() throws {
        guard case .postgres(let location) = try LedgerLocation("postgresql://alice@db.example/books?sslmode=verify-full") else {
            Issue.record("not a PostgreSQL location")
            return
        }
        #expect(LedgerError.tlsWords(NIOSSLExtraError.failedToValidateHostname, location)
            == "the server's certificate does not name db.example")
        #expect(LedgerError.tlsWords(NIOSSLError.handshakeFailed(.sslError([])), location) == "no reason given")
        #expect(LedgerError.tlsWords(nil, location) == "no reason given")
    }

    @Test func aDatabaseWithoutTheTablesHoldsNoLedgerUntilAWriterCreatesThem() throws {
        let server = try ThrowawayPostgres.shared()
        let database = try server.newDatabase()
        guard case .postgres(let location) = try LedgerLocation(server.url(database)) else { return }
        let refused = #expect(throws: LedgerError.self) { _ = try Ledger(.postgres(location), create: false) }
        if case .noLedger? = refused {} else { Issue.record("not noLedger: \(String(describing: refused))") }
        #expect(try server.psql(database, "SELECT to_regclass('credit_recon.journal') IS NULL") == "t\n")
        _ = try Ledger(.postgres(location))
        #expect(try Ledger(.postgres(location), create: false).headHash() == JournalEntry.genesisHash)
        #expect(try server.psql(database, "SELECT name FROM credit_recon.schema_migrations ORDER BY name")
            == "v1: journal, runs, snapshots, top-ups, charges\nv2: key readings, activity days\nv3: the journal's times, indexed\n"
                + "v4: charge.status entries\nv5: charge.linked entries\nv6: activity days read again\nv7: charge.voided entries\n"
                + "v8: runs, top-ups and charges never deleted\nv9: charges by time, then sequence\n")
    }

    /// A ledger opened for a write that may fail on its input (an import) makes its tables
    /// in that write's transaction: a write that throws after appending leaves the database
    /// without them, the next write that succeeds has them, and a ledger read before any
    /// write gets them first.
    @Test func aFirstWriteThatFailsLeavesTheDatabaseWithoutTheTables() throws {
        let server = try ThrowawayPostgres.shared()
        let database = try server.newDatabase()
        guard case .postgres(let location) = try LedgerLocation(server.url(database)) else { return }
        let schemaCount = "SELECT count(*) FROM pg_namespace WHERE nspname = 'credit_recon'"
        struct BadInput: Error {}
        let ledger = try Ledger(creatingWithFirstWrite: location)
        #expect(throws: BadInput.self) {
            try ledger.write { writer in
                try writer.append(contentsOf: StoreConformanceTests.bulk(3), runID: nil, at: t0) { $0 }
                throw BadInput()
            }
        }
        #expect(try server.psql(database, schemaCount) == "0\n")
        #expect(throws: LedgerError.self) { _ = try Ledger(.postgres(location), create: false) }
        try ledger.write { try $0.append(contentsOf: StoreConformanceTests.bulk(3), runID: nil, at: t0) { $0 } }
        #expect(try server.psql(database, "SELECT count(*) FROM credit_recon.journal") == "3\n")
        #expect(try Ledger(.postgres(location), create: false).headHash() == ledger.headHash())

        let read = try server.newDatabase()
        guard case .postgres(let readLocation) = try LedgerLocation(server.url(read)) else { return }
        #expect(try Ledger(creatingWithFirstWrite: readLocation).headHash() == JournalEntry.genesisHash)
        #expect(try server.psql(read, "SELECT count(*) FROM credit_recon.schema_migrations") == "9\n")
    }

    /// The ledger's schema holding tables but no ledger (another tool's, a ledger's
    /// remains) is refused for reading and writing alike (66) and left as it was; a writer
    /// met a failed CREATE TABLE (exit 70), and a reader said there was no ledger while a
    /// writer called it damaged.
    /// Another tool's `schema_migrations` (Rails', of a `version`) beside a `journal` of its
    /// own is not the ledger's record: it was taken for a damaged ledger (74, "restore it
    /// from a backup"; probe 66).
    @Test(arguments: [
        ("CREATE TABLE credit_recon.charges (charge_id text); INSERT INTO credit_recon.charges VALUES ('x')", ["charges"]),
        ("CREATE TABLE credit_recon.journal (id int, note text); INSERT INTO credit_recon.journal VALUES (1, 'diary'); "
            + "CREATE TABLE credit_recon.schema_migrations (version text); "
            + "INSERT INTO credit_recon.schema_migrations VALUES ('20200101000000')", ["journal", "schema_migrations"]),
    ])
    func aSchemaOfOtherTablesIsRefusedAndLeftAsItWas(sql: String, names: [String]) throws {
        let server = try ThrowawayPostgres.shared()
        let database = try server.newDatabase()
        _ = try server.psql(database, "CREATE SCHEMA credit_recon; " + sql)
        guard case .postgres(let location) = try LedgerLocation(server.url(database)) else { return }
        for create in [true, false] {
            let refused = #expect(throws: LedgerError.self) { _ = try Ledger(.postgres(location), create: create) }
            guard case .otherDatabase(_, let tables)? = refused else {
                Issue.record("not otherDatabase: \(String(describing: refused))")
                continue
            }
            #expect(tables == names)
        }
        let checked = #expect(throws: LedgerError.self) { _ = try Ledger(checking: .postgres(location)) }
        if case .otherDatabase? = checked {} else { Issue.record("verify: not otherDatabase: \(String(describing: checked))") }
        #expect(try server.psql(database, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'credit_recon'")
            == "\(names.count)\n")
    }

    /// A new ledger is made with the columns, constraints, indexes and triggers of the
    /// ledgers already written: `Fixtures/stored-schema-postgresql.txt` is what these
    /// queries printed of a ledger made by b3a7e93 (the build before the readers' indexes
    /// were declared apart from their tables) on PostgreSQL 15, the Makefile's, with
    /// migration v9's index of charges in the place of v1's. Another
    /// major version may word a definition differently: write the file anew then
    /// (`WRITE_STORED_FORMAT=1`) and check that `git diff` shows only wording.
    @Test func aNewLedgerHasTheSchemaOfTheLedgersAlreadyWritten() throws {
        let store = try PostgresUnderTest()
        let schema = try [
            """
            SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || coalesce(' collate ' || collation_name, '')
                || CASE WHEN is_nullable = 'NO' THEN ' not null' ELSE '' END
            FROM information_schema.columns WHERE table_schema = 'credit_recon' ORDER BY table_name, ordinal_position
            """,
            """
            SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ': ' || pg_get_constraintdef(oid)
            FROM pg_constraint WHERE connamespace = 'credit_recon'::regnamespace ORDER BY conrelid::regclass::text, conname
            """,
            "SELECT 'index ' || indexname || ': ' || indexdef FROM pg_indexes WHERE schemaname = 'credit_recon' ORDER BY indexname",
            """
            SELECT 'trigger ' || tgrelid::regclass || ' ' || tgname || ': ' || pg_get_triggerdef(oid) FROM pg_trigger
            WHERE NOT tgisinternal AND tgrelid::regclass::text LIKE 'credit_recon.%' ORDER BY tgrelid::regclass::text, tgname
            """,
        ].map { try store.server.psql(store.database, $0) }
        try StoredFormatTests.expect(
            schema.joined(), asIn: StoredFormatTests.fixtures.appendingPathComponent("stored-schema-postgresql.txt"))
    }

    /// `report`'s "as of" time comes off migration v3's index, not from reading every entry:
    /// the query and the index name the same expression.
    @Test func theNewestJournalTimeIsReadOffItsIndex() throws {
        let store = try PostgresUnderTest()
        try store.ledger.appendAll(lifecycle())
        let plan = try store.server.psql(store.database, """
            SET enable_seqscan = off; EXPLAIN SELECT max(\(PostgresSchema.entryTime)) FROM credit_recon.journal
            """)
        #expect(plan.contains("Index Only Scan Backward using journal_by_time") || plan.contains("Index Scan Backward using journal_by_time"),
                "\(plan)")
    }

    /// A report reads an account's charges off migration v9's index, in the order it asks
    /// for, without sorting them (v1's index, ending with `charge_id`, left the server to sort
    /// the charges of each moment: a second of a million-charge report).
    @Test func anAccountsChargesAreReadOffTheirIndexUnsorted() throws {
        let store = try PostgresUnderTest()
        try store.ledger.appendAll(lifecycle())
        let plan = try store.server.psql(store.database, """
            SET enable_seqscan = off; PREPARE charges (text) AS \(PostgresTransaction.accountCharges);
            EXPLAIN EXECUTE charges ('default')
            """)
        #expect(plan.contains("Index Scan using charges_by_time") && !plan.contains("Sort"), "\(plan)")
    }

    /// An import asks which of its readings the ledger holds by their `(account,
    /// observed_at)` key, never by a scan of the table, even when the table's statistics
    /// were taken while it held two readings and the same transaction has since written
    /// thousands (a backfill into books that had only their first fetches).
    @Test func heldReadingsAreFoundByTheirKeyWhateverTheStatistics() throws {
        let store = try PostgresUnderTest()
        try store.ledger.write { try $0.append(contentsOf: StoreConformanceTests.bulk(2), runID: nil, at: t0) { $0 } }
        try store.execute("ANALYZE snapshots")
        struct RolledBack: Error {}
        var found: [SnapshotRow] = []
        var scans: (before: [Int64], after: [Int64]) = ([], [])
        #expect(throws: RolledBack.self) {
            try store.ledger.store.write { transaction in
                let live = transaction.projections(.live)
                for index in Int64(0)..<10_000 {
                    let reading = SnapshotTaken(
                        observedAt: t0.adding(seconds: 3600 + index * 60), totalCredits: Micros(raw: 1_000_000),
                        totalUsage: Micros(raw: index), source: "import")
                    try live.insertSnapshot(id: 100 + index, account: "default", reading, runID: nil)
                }
                try transaction.flush()
                let session = try #require(transaction as? PostgresTransaction).session
                func seqScans() throws -> [Int64] {
                    try session.query(
                        "SELECT seq_scan FROM pg_stat_xact_user_tables WHERE relid = 'credit_recon.snapshots'::regclass"
                    ) { try $0.int64() }
                }
                scans.before = try seqScans()
                // Every other minute of what it wrote: 4,096 times, all held.
                found = try transaction.snapshots(account: "default", at: (Int64(0)..<4096).map { t0.adding(seconds: 3600 + $0 * 120) })
                scans.after = try seqScans()
                throw RolledBack()
            }
        }
        #expect(found.count == 4096)
        #expect(found.map(\.observedAt) == found.map(\.observedAt).sorted())
        #expect(scans.before.count == 1)
        #expect(scans.after == scans.before, "the readings were scanned \(scans) times")
    }

    /// A reader whose user may only read a ledger of an older build reads it as that build
    /// left it (it was refused, 74, probe 173), and a write through it is refused saying who
    /// may migrate it; once the ledger's owner has opened it with this build, it reads as ever.
    /// A user that may not create the ledger's schema in a new database is told the right
    /// that is missing (probe 339: the GRANTs on a schema not there yet).
    @Test func aUserThatMayNotCreateTheSchemaIsToldTheGrant() throws {
        let server = try ThrowawayPostgres.shared()
        let database = try server.newDatabase()
        let clerk = "clerk_\(database)"
        try server.psql(database, """
            CREATE ROLE \(clerk) LOGIN PASSWORD 'clerk-secret'; REVOKE ALL ON DATABASE \(database) FROM PUBLIC;
            GRANT CONNECT ON DATABASE \(database) TO \(clerk); REVOKE CREATE ON SCHEMA public FROM PUBLIC;
            """)
        let url = "postgresql://\(clerk):clerk-secret@127.0.0.1:\(server.port)/\(database)?sslmode=disable"
        let refused = #expect(throws: LedgerError.self) { try Ledger(LedgerLocation(url)).appendAll(lifecycle()) }
        let message = refused.map { "\($0)" } ?? ""
        #expect(message.contains("user \"\(clerk)\" may not create its schema credit_recon (permission denied for database "
            + "\(database)), which the first command on a new ledger makes;"), "\(message)")
        #expect(message.hasSuffix("GRANT CREATE ON DATABASE \(database) TO \"\(clerk)\"; or run the first command as that owner, "
            + "then grant this user the rights on the schema") && !message.contains("clerk-secret"), "\(message)")
        try server.psql(database, "GRANT CREATE, TEMP ON DATABASE \(database) TO \(clerk);")  // TEMP for verify
        let made = try Ledger(LedgerLocation(url))
        try made.appendAll(lifecycle())
        #expect(try made.verify().isSound)
    }

    @Test func aReaderThatMayNotMigrateReadsItAsItIsAndIsToldWhoCan() throws {
        let server = try ThrowawayPostgres.shared()
        let database = try server.newDatabase()
        let owner = try Ledger(LedgerLocation(server.url(database)))
        try owner.appendAll(lifecycle())
        let head = try owner.headHash()
        let readings = try owner.read { try $0.snapshots(account: "default") }
        #expect(!readings.isEmpty)
        let reader = "reader_\(database)"
        try server.psql(database, """
            DROP INDEX credit_recon.journal_by_time; DROP INDEX credit_recon.activity_days_by_reading; DROP INDEX credit_recon.charges_voided;
            DROP INDEX credit_recon.charges_by_time; CREATE INDEX charges_by_created ON credit_recon.charges (account, created_at, charge_id);
            DROP TRIGGER runs_kept_delete ON credit_recon.runs; DROP TRIGGER runs_no_truncate ON credit_recon.runs; DROP TRIGGER topups_kept_delete ON credit_recon.topups; DROP TRIGGER topups_no_truncate ON credit_recon.topups; DROP TRIGGER charges_kept_delete ON credit_recon.charges; DROP TRIGGER charges_no_truncate ON credit_recon.charges;
            DELETE FROM credit_recon.schema_migrations WHERE name LIKE 'v3:%' OR name LIKE 'v4:%' OR name LIKE 'v5:%' OR name LIKE 'v6:%' OR name LIKE 'v7:%' OR name LIKE 'v8:%' OR name LIKE 'v9:%';
            CREATE ROLE \(reader) LOGIN PASSWORD 'reader-secret'; GRANT USAGE ON SCHEMA credit_recon TO \(reader);
            GRANT SELECT ON ALL TABLES IN SCHEMA credit_recon TO \(reader);
            """)
        let readerURL = "postgresql://\(reader):reader-secret@127.0.0.1:\(server.port)/\(database)?sslmode=disable"
        let older = try Ledger(LedgerLocation(readerURL), create: false)
        #expect(older.unappliedMigrations == [PostgresSchema.journalTimesMigration, Schema.entryKindsMigration,
                                              Schema.linkedChargesMigration, Schema.activityReadingsMigration,
                                              Schema.voidedChargesMigration, Schema.keptRowsMigration,
                                              PostgresSchema.chargesByTimeMigration])
        #expect(try older.headHash() == head)
        #expect(try older.read { try $0.snapshots(account: "default") } == readings)
        let refused = #expect(throws: LedgerError.self) {
            try older.write { try $0.append(.runStarted(RunStarted(command: "fetch")), account: "default", runID: nil, at: t0) }
        }
        let message = refused.map { "\($0)" } ?? ""
        #expect(message.contains(#"the ledger needs migration "v3: the journal's times, indexed", "v4: charge.status entries", "#
            + #""v5: charge.linked entries", "v6: activity days read again", "v7: charge.voided entries", "#
            + #""v8: runs, top-ups and charges never deleted", "v9: charges by time, then sequence" of this credit-recon, "#
            + #"which user "\#(reader)" may not apply"#), "\(message)")
        #expect(!message.contains("reader-secret"))
        // A user that may not even read which migrations were applied is told just that.
        let stranger = "stranger_\(database)"
        try server.psql(database, "CREATE ROLE \(stranger) LOGIN PASSWORD 'stranger-secret'; GRANT USAGE ON SCHEMA credit_recon TO \(stranger);")
        let strangerURL = "postgresql://\(stranger):stranger-secret@127.0.0.1:\(server.port)/\(database)?sslmode=disable"
        let unread = #expect(throws: LedgerError.self) { _ = try Ledger(LedgerLocation(strangerURL), create: false) }
        if case .notPermitted(_, let user, let detail)? = unread {
            #expect(user == stranger)
            #expect(detail.contains("permission denied for table schema_migrations"), "\(detail)")
            // A reader's rights apart from a writer's: an auditor told to take INSERT and
            // UPDATE was made a writer (probe 346).
            let who = "\"\(stranger)\""
            let read = "nothing of this command's transaction was committed. To read the ledger (status, report, export, "
                + "verify, ledger copy from it), as the tables' owner: GRANT USAGE ON SCHEMA credit_recon TO \(who); GRANT "
                + "SELECT ON ALL TABLES IN SCHEMA credit_recon TO \(who) (verify also GRANT TEMP ON DATABASE, as the "
                + "database's owner); "
            let write = "to write to it, also: GRANT INSERT ON ALL TABLES IN SCHEMA credit_recon TO \(who); GRANT UPDATE ON "
                + "credit_recon.runs, credit_recon.topups, credit_recon.charges TO \(who)"
            let told = String(describing: unread!)
            #expect(told.hasSuffix(read + write), "\(told)")
        } else {
            Issue.record("not notPermitted: \(String(describing: unread))")
        }
        #expect(try Ledger(LedgerLocation(server.url(database)), create: false).headHash() == head)  // the owner migrates
        let readOnly = try Ledger(LedgerLocation(readerURL), create: false)
        #expect(try readOnly.headHash() == head)
        // Writing is refused as what it is, naming the user (exit 74).
        let denied = #expect(throws: LedgerError.self) {
            try readOnly.write { try $0.append(.runStarted(RunStarted(command: "fetch")), account: "default", runID: nil, at: t0) }
        }
        // The rights it lacks, in the statements that grant them (probe 316: "the rights on
        // the database"), before anything is written.
        let lacking = denied.map { "\($0)" } ?? ""
        #expect(lacking.contains("user \"\(reader)\" may not write to it: it lacks INSERT on journal, runs, snapshots, "), "\(lacking)")
        #expect(lacking.contains("; UPDATE on runs, topups, charges; nothing was written. A writer needs USAGE on the schema, "
            + "SELECT and INSERT on the ledger's tables and UPDATE on runs, topups, charges; as the tables' owner: GRANT INSERT ON "
            + "credit_recon.journal, credit_recon.runs, "), "\(lacking)")
        #expect(lacking.hasSuffix("; GRANT UPDATE ON credit_recon.runs, credit_recon.topups, credit_recon.charges TO \"\(reader)\""),
                "\(lacking)")
        #expect(!lacking.contains("GRANT SELECT") && !lacking.contains("GRANT USAGE"), "it has them")
        #expect(try Ledger(LedgerLocation(server.url(database))).headHash() == head)
    }

    /// A user with INSERT but not UPDATE: its write is refused before anything is written
    /// (a `topup` committed its run and its planned rows, then was refused saying nothing was
    /// committed), and `verify` without TEMP is told TEMP alone (probe 346).
    @Test func aUserIsRefusedTheWritesItLacksARightForBeforeWriting() throws {
        let server = try ThrowawayPostgres.shared()
        let database = try server.newDatabase()
        let owner = try Ledger(LedgerLocation(server.url(database)))
        try owner.appendAll(lifecycle())
        let head = try owner.headHash()
        let clerk = "clerk_\(database)"
        try server.psql(database, """
            CREATE ROLE \(clerk) LOGIN PASSWORD 'clerk-secret'; GRANT USAGE ON SCHEMA credit_recon TO \(clerk);
            GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA credit_recon TO \(clerk);
            REVOKE TEMP ON DATABASE \(database) FROM PUBLIC;
            """)
        let url = "postgresql://\(clerk):clerk-secret@127.0.0.1:\(server.port)/\(database)?sslmode=disable"
        let ledger = try Ledger(LedgerLocation(url), create: false)
        let refused = #expect(throws: LedgerError.self) {
            try ledger.write { try $0.append(.runStarted(RunStarted(command: "topup")), account: "default", runID: nil, at: t0) }
        }
        let message = refused.map { "\($0)" } ?? ""
        let lacks = "user \"\(clerk)\" may not write to it: it lacks UPDATE on runs, topups, charges; nothing was written"
        let grant = "as the tables' owner: GRANT UPDATE ON credit_recon.runs, credit_recon.topups, credit_recon.charges TO \"\(clerk)\""
        #expect(message.contains(lacks) && message.hasSuffix(grant), "\(message)")
        #expect(!message.contains("clerk-secret"))
        #expect(try owner.headHash() == head, "nothing was written")
        #expect(throws: LedgerError.self) { try ledger.checkWritable() }

        let checked = #expect(throws: LedgerError.self) { _ = try Ledger(checking: LedgerLocation(url)).verify() }
        let said = checked.map { "\($0)" } ?? ""
        let temp = "nothing was written. Grant it, as the database's owner: GRANT TEMP ON DATABASE \"\(database)\" TO \"\(clerk)\""
        #expect(said.hasSuffix(temp) && !said.contains("INSERT"), "\(said)")
        // So is a copy into a ledger of its tables, every right it lacks named at once (probe
        // 353: the server's refusal of one table's, then of another's on the next try).
        let empty = try server.newDatabase()
        _ = try Ledger(LedgerLocation(server.url(empty)))  // its tables, made by the database's owner
        try server.psql(empty, "GRANT USAGE ON SCHEMA credit_recon TO \(clerk); GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA credit_recon TO \(clerk); REVOKE INSERT ON credit_recon.charges FROM \(clerk);")
        let source = try TemporaryLedger()
        try source.ledger.appendAll(lifecycle())
        let emptyURL = "postgresql://\(clerk):clerk-secret@127.0.0.1:\(server.port)/\(empty)?sslmode=disable"
        let copy = #expect(throws: LedgerError.self) { _ = try source.ledger.copy(into: Ledger(LedgerLocation(emptyURL), create: false)) }
        let copyRefusal = copy.map { "\($0)" } ?? ""
        #expect(copyRefusal.contains("it lacks INSERT on charges; UPDATE on runs, topups, charges; nothing was written"), "\(copyRefusal)")
        #expect(try Ledger(LedgerLocation(server.url(empty))).headHash() == JournalEntry.genesisHash, "nothing was copied")

        try server.psql(database, "GRANT UPDATE ON ALL TABLES IN SCHEMA credit_recon TO \(clerk);")
        _ = try Ledger(LedgerLocation(url), create: false).write {
            try $0.append(.runStarted(RunStarted(command: "topup")), account: "default", runID: nil, at: t0)
        }
        #expect(try owner.headHash() != head, "written once it may")
    }

    /// Where the server makes every transaction read-only by default (an auditor's role, a
    /// database frozen for a migration): a write, or a migration the ledger needs, is refused
    /// as that, naming the setting; `verify` still replays (its temporary tables are its own).
    /// A guard trigger that is there by name but does not guard is missing to `verify`:
    /// enabled for replicas only, running a refuse_change() replaced to let rows through,
    /// or made again firing on something else, `WHEN (false)`, or only for `UPDATE OF` one
    /// column. Each let rows be edited with no error and `verify` still said the ledger was
    /// sound.
    @Test(arguments: [
        "ALTER TABLE snapshots ENABLE REPLICA TRIGGER snapshots_append_only",
        """
        CREATE OR REPLACE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RETURN coalesce(NEW, OLD); END $$
        """,
        """
        DROP TRIGGER snapshots_append_only ON snapshots;
        CREATE TRIGGER snapshots_append_only AFTER INSERT ON snapshots FOR EACH ROW EXECUTE FUNCTION refuse_change('x')
        """,
        """
        DROP TRIGGER snapshots_append_only ON snapshots;
        CREATE TRIGGER snapshots_append_only BEFORE UPDATE OR DELETE ON snapshots FOR EACH ROW WHEN (false)
        EXECUTE FUNCTION refuse_change('x')
        """,
        """
        DROP TRIGGER snapshots_append_only ON snapshots;
        CREATE TRIGGER snapshots_append_only BEFORE UPDATE OF source OR DELETE ON snapshots FOR EACH ROW
        EXECUTE FUNCTION refuse_change('x')
        """,
    ])
    func aTriggerThatNoLongerGuardsIsMissingToVerify(sql: String) throws {
        let store = try PostgresUnderTest()
        try store.ledger.appendAll(lifecycle())
        #expect(try store.ledger.verify().isSound)
        try store.execute(sql)
        let report = try store.ledger.verify()
        #expect(!report.isSound)
        // The function every guard runs, changed, unguards migration v8's triggers too: said after.
        let said = report.problems.last?.components(separatedBy: "; triggers runs_kept_delete").first
        #expect(said?.contains("snapshots_append_only") == true, "\(report.problems)")
        #expect(said?.hasSuffix("missing, changed or disabled: the journal or the readings can be changed in place") == true,
                "\(report.problems)")
    }

    /// A search_path the database's owner sets (no superuser needed) putting a view named
    /// pg_trigger ahead of the catalog's, which lists a dropped guard as still there: the
    /// ledger's sessions read the catalog's own (`verify` said the ledger was sound, with
    /// "the append-only triggers in place"; probe 66).
    @Test func aSearchPathCannotPutAFakeCatalogBeforeTheRealOne() throws {
        let store = try PostgresUnderTest()
        try store.ledger.appendAll(lifecycle())
        try store.execute("DROP TRIGGER snapshots_append_only ON snapshots")
        try store.server.psql(store.database, """
            CREATE VIEW public.pg_trigger AS SELECT * FROM pg_catalog.pg_trigger UNION ALL
              SELECT oid, tgrelid, tgparentid, 'snapshots_append_only'::name, tgfoid, 27::int2, tgenabled, tgisinternal,
                     tgconstrrelid, tgconstrindid, tgconstraint, tgdeferrable, tginitdeferred, tgnargs, tgattr, tgargs, tgqual,
                     tgoldtable, tgnewtable
              FROM pg_catalog.pg_trigger WHERE tgname = 'snapshots_no_truncate';
            ALTER DATABASE \(store.database) SET search_path = public, pg_catalog
            """)
        let report = try store.openAnother().verify()
        #expect(!report.isSound)
        #expect(report.problems.last?.contains("snapshots_append_only") == true, "\(report.problems)")
    }

    /// The README's chain check with `psql` alone, run as it is written there: `0|HEAD` of a
    /// sound ledger, the head `verify` gives, and a count once an entry is missing before the
    /// newest (probe 275: a gap in `seq` read as no broken link).
    @Test func theReadmesPsqlChainCheckWorksAsWritten() throws {
        let readme = try String(contentsOf: ThrowawayPostgres.repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let section = try #require(readme.components(separatedBy: "**Checking the chain with `psql` alone**").last)
        let command = try #require(section.components(separatedBy: "psql \"$URL\" -X -A -t -c \"").dropFirst().first)
        let sql = try #require(command.components(separatedBy: "\"\n").first)
        let store = try PostgresUnderTest()
        try store.ledger.appendAll(lifecycle())
        let head = try store.ledger.headHash()
        #expect(try store.server.psql(store.database, sql).trimmingCharacters(in: .whitespacesAndNewlines) == "0|\(head)")
        // The newest entry renumbered past a gap: every link still holds (probe 275: 127 made 200).
        try store.execute("SET session_replication_role = replica; UPDATE journal SET seq = seq + 1000 WHERE seq = (SELECT max(seq) FROM journal)")
        let broken = try store.server.psql(store.database, sql).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(broken.hasSuffix("|\(head)") && !broken.hasPrefix("0|"), "\(broken)")
        #expect(try !store.openAnother().verify().isSound)
    }

    /// A session with `session_replication_role = replica` runs no trigger, so it changes
    /// or deletes journal rows without the trigger check seeing anything: it cut the newest
    /// entries, with the rows they made, and `verify` said "sound … the append-only triggers
    /// in place" (probe 73). The server's statistics count the rows it changed.
    @Test func rowsChangedWithTheTriggersBypassedAreSaid() throws {
        let store = try PostgresUnderTest()
        try store.ledger.appendAll(lifecycle())
        #expect(try store.ledger.verify().isSound)
        // Nothing the chain or the tables can show: each row written again as it was.
        try store.execute("SET session_replication_role = replica; UPDATE journal SET seq = seq WHERE seq <= 2")
        let report = try store.openAnother().verify()
        #expect(!report.isSound)
        #expect(report.problems == ["the server's statistics count rows the ledger never changes as changed: journal 2 updated "
            + "(since they were last reset); the append-only triggers refuse updating or deleting rows of the journal and the "
            + "readings, and others deleting rows of runs, top-ups and charges, which the ledger never deletes either, so they "
            + "were changed behind its back, past the triggers (session_replication_role = replica, or the triggers disabled "
            + "for a while)"])
    }

    /// The journal's tail cut past its triggers (replica mode, TRUNCATE and the rest put
    /// back: no count of the journal's), with the top-ups, charges and runs it made deleted:
    /// the ledger deletes no row, so the server's count of those is the sign, and a writer
    /// refuses the ledger (probe 158: `topup` bought the cut row again).
    @Test func rowsDeletedFromAnyLedgerTableAreNamed() throws {
        let store = try PostgresUnderTest()
        try store.ledger.appendAll(lifecycle())
        let head = try store.ledger.read { try $0.head() }
        try store.execute("""
            SET session_replication_role = replica;
            DELETE FROM charges WHERE seq = (SELECT max(seq) FROM charges);
            """)
        let writer = try store.openAnother()
        let refused = #expect(throws: LedgerError.self) { try writer.appendAll(usageFacts()) }
        #expect(String(describing: refused).contains("changed: charges 1 deleted (since they were last reset)"),
                "\(String(describing: refused))")
        #expect(try writer.read { try $0.head() } == head)
    }

    /// Row-level security hides rows from the roles a policy names (the table's owner too,
    /// with FORCE): a 250 USD charge vanished from `status` and reports, and the same on the
    /// journal would hide its newest entries and be dropped afterwards (probe 73). The ledger
    /// sets none, so any is said, policies and all, and a copy goes into no such target.
    @Test func rowLevelSecurityOnALedgerTableIsSaid() throws {
        let store = try PostgresUnderTest()
        try store.ledger.appendAll(lifecycle())
        try store.execute("""
            ALTER TABLE topups ENABLE ROW LEVEL SECURITY;
            CREATE POLICY hide ON topups AS RESTRICTIVE FOR SELECT USING (true);
            ALTER TABLE runs ENABLE ROW LEVEL SECURITY
            """)
        let report = try store.openAnother().verify()
        #expect(!report.isSound)
        #expect(report.problems == ["row-level security on the ledger's tables runs, topups (policy hide), which the ledger "
            + "does not use: it hides rows from every role its policies do not let read them (with no policy, from every "
            + "role but the table's owner), so reports, status and verify itself may not see every entry and row; drop the "
            + "policies and DISABLE ROW LEVEL SECURITY on those tables"])
        #expect(report.rowsMayBeHidden)
    }

    /// Row-level security forced on a ledger table refused a writer's rows with the
    /// server's "insufficient privilege": what to do is to drop it, as verify says, not to
    /// grant rights the user already has (probe 74). A writer finds it among the guards
    /// before its first write, and says so.
    @Test func rowLevelSecurityRefusingAWriteSaysToDropIt() throws {
        let store = try PostgresUnderTest()
        try store.ledger.appendAll(lifecycle())
        let head = try store.ledger.headHash()
        // Not as the superuser, whom no policy binds.
        let writer = "writer_\(store.database)"
        try store.server.psql(store.database, """
            CREATE ROLE \(writer) LOGIN PASSWORD 'writer-secret'; GRANT USAGE ON SCHEMA credit_recon TO \(writer);
            GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA credit_recon TO \(writer);
            GRANT USAGE ON ALL SEQUENCES IN SCHEMA credit_recon TO \(writer);
            ALTER TABLE credit_recon.runs ENABLE ROW LEVEL SECURITY; ALTER TABLE credit_recon.runs FORCE ROW LEVEL SECURITY;
            CREATE POLICY reads ON credit_recon.runs FOR SELECT USING (true)
            """)
        let ledger = try Ledger(LedgerLocation(
            "postgresql://\(writer):writer-secret@127.0.0.1:\(store.server.port)/\(store.database)?sslmode=disable"), create: false)
        let refused = #expect(throws: LedgerError.self) {
            try ledger.write { _ = try $0.append(.runStarted(RunStarted(command: "fetch")), account: "default", runID: nil, at: t0) }
        }
        let message = refused.map { "\($0)" } ?? ""
        #expect(message.contains("the ledger is damaged: row-level security on the ledger's table runs (policy reads), which "
            + "the ledger does not use"), "\(message)")
        #expect(message.contains("drop the policies and DISABLE ROW LEVEL SECURITY on those tables; nothing was written"), "\(message)")
        #expect(!message.contains("grant") && !message.contains("writer-secret"), "\(message)")
        #expect(try store.openAnother().headHash() == head)
    }

    /// A migration holds the writer lock while it runs, so no writer of another process (an
    /// older build's) starts meanwhile: one took the lock mid-migration and appended to a
    /// ledger it would refuse (probe 180). Here the migration's index waits for a table lock
    /// another program holds, and a writer asking meanwhile is turned away (75).
    @Test func aMigrationHoldsTheWriterLockWhileItRuns() throws {
        let store = try PostgresUnderTest()
        try store.ledger.appendAll(lifecycle())
        try store.undoMigrationV8()
        try store.execute("DROP INDEX charges_voided; DELETE FROM schema_migrations WHERE name LIKE 'v7:%'")
        let holder = try HoldingSession(store.server, store.database, [
            "BEGIN", "LOCK TABLE credit_recon.charges IN ROW EXCLUSIVE MODE",
        ])
        defer { holder.release() }
        try #require(holder.waitUntilHolding(), "the psql session does not hold the lock after 60 s")
        let migrated = Mutex<Result<Ledger, any Error>?>(nil)
        let location = store.location
        Thread {
            let opened = Result { try Ledger(location) }
            migrated.withLock { $0 = opened }
        }.start()
        let writerLock = """
            SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted
              AND classid = \(UInt32(bitPattern: PostgresStore.LockKey.lockClass)) AND objid = \(PostgresStore.LockKey.writer.rawValue)
              AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """
        let deadline = ContinuousClock.now + .seconds(60)
        while try store.server.psql(store.database, writerLock).trimmingCharacters(in: .whitespacesAndNewlines) != "1",
              ContinuousClock.now < deadline {}
        let refused = #expect(throws: LedgerError.self) { _ = try Ledger.lockWriter(at: store.location) }
        if case .writerBusy? = refused {} else { Issue.record("not writerBusy: \(String(describing: refused))") }
        #expect(refused.map { "\($0)" }?.contains("the ledger is being written by credit-recon process credit-recon ledger ") == true,
                "\(String(describing: refused))")
        holder.release()
        while migrated.withLock({ $0 }) == nil, ContinuousClock.now < deadline + .seconds(60) {}
        #expect(throws: Never.self) { _ = try migrated.withLock { $0 }?.get() }
        #expect(try Ledger(checking: store.location).unappliedMigrations.isEmpty)
    }

    /// A psql session left idle in a transaction that holds a lock of the ledger's tables
    /// (`BEGIN; LOCK TABLE …`) would hold a reader for ever: nothing on this side ends it.
    /// Once it has been idle for a `--timeout` while a statement waits for it, the wait is
    /// given up, 75, naming the session and what to do (probe 73: `status` waited silently
    /// until killed). A session that is running a statement is waited for, as a slow server.
    @Test func aStatementWaitingForAnIdleTransactionsLockSaysWhoHoldsIt() throws {
        let store = try PostgresUnderTest()
        try store.ledger.appendAll(lifecycle())
        let holder = try HoldingSession(store.server, store.database, [
            "BEGIN", "LOCK TABLE credit_recon.journal IN ACCESS EXCLUSIVE MODE",
        ], idleInTransaction: true)
        defer { holder.release() }
        let location = try LedgerLocation(store.server.url(store.database), connectTimeout: .seconds(1))
        guard let detail = try Self.busyReading(location, while: holder) else { return }
        #expect(detail.hasPrefix("a statement waited for a lock held by another program's session "), "\(detail)")
        #expect(detail.contains(" (\(holder.applicationName), user postgres, idle in its transaction for "), "\(detail)")
        #expect(detail.contains(" s), which may never let it go; finish that transaction (COMMIT or ROLLBACK where it was "
            + "begun, or SELECT pg_terminate_backend("), "\(detail)")
        // The session that waited was ended on the server, not left holding what it held: a
        // writer's append lock kept the next writer waiting for ever (probe 75).
        func waiting() throws -> String {
            try store.server.psql(store.database, """
                SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'credit-recon %' AND wait_event_type = 'Lock'
                  AND datname = current_database()
                """).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let ended = ContinuousClock.now + .seconds(60)
        while try waiting() != "0", ContinuousClock.now < ended {}
        #expect(try waiting() == "0", "the session that waited is still there after 60 s")
        // Said so by a read alongside a second reader and by verify too, not as "the connection
        // to the server was lost" of a read tried again on the session the wait closed.
        let both = #expect(throws: LedgerError.self) { _ = try Ledger(location).read({ try $0.head() }, alongside: { try $0.head() }) }
        let verified = #expect(throws: LedgerError.self) { _ = try Ledger(location).verify() }
        for (which, error) in [("both", both), ("verified", verified)] {
            guard case .serverBusy? = error else {
                Issue.record("\(which): \(String(describing: error))")
                continue
            }
        }
        holder.release()
        #expect(try Ledger(location).read { try $0.head() }.seq > 0)
    }

    /// Migration v8's record deleted with the triggers that refuse deleting rows, but not
    /// those that refuse TRUNCATE (PostgreSQL's own part of it): damage, said as such (74), not
    /// v8 applied again and failing on them (70, "trigger … already exists", probe 365).
    @Test func migrationV8sTruncateTriggersLeftWithoutItsRecordAreDamage() throws {
        let store = try PostgresUnderTest()
        try store.ledger.appendAll(lifecycle())
        try store.undoMigrationsAfterV8()
        try store.execute(Schema.keptTables.map { "DROP TRIGGER \($0)_kept_delete ON \($0);" }.joined(separator: " ")
            + " DELETE FROM schema_migrations WHERE name LIKE 'v8:%';")
        StoreConformanceTests.expectRefusedAsDamaged(store, "schema_migrations lacks v8: runs, top-ups and charges never deleted "
            + "though its trigger runs_no_truncate exists")
    }

    /// What a read of the ledger at `location` is told once `holder`, a session idle in its
    /// transaction, holds the lock it waits for (`serverBusy`'s detail), or `nil`, recorded.
    static func busyReading(_ location: LedgerLocation, while holder: HoldingSession) throws -> String? {
        try #require(holder.waitUntilHolding(), "the psql session does not hold the lock after 60 s")
        let error = #expect(throws: LedgerError.self) { _ = try Ledger(location).read { try $0.head() } }
        guard case .serverBusy(_, let detail)? = error else {
            Issue.record("\(String(describing: error))")
            return nil
        }
        return detail
    }

    /// A reader that applies a migration and waits for another program's lock on a table
    /// says which migration it was applying: a `status` given 75 for a psql session holding
    /// a lock on `charges` could not tell why a reader needed one (probe 362).
    @Test func aMigrationWaitingForAnIdleTransactionsLockIsNamed() throws {
        let store = try PostgresUnderTest()
        try store.ledger.appendAll(lifecycle())
        try store.undoMigrationsAfterV8()
        let holder = try HoldingSession(store.server, store.database, [
            "BEGIN", "LOCK TABLE credit_recon.charges IN ACCESS SHARE MODE",
        ], idleInTransaction: true)
        defer { holder.release() }
        let location = try LedgerLocation(store.server.url(store.database), connectTimeout: .seconds(1))
        guard let detail = try Self.busyReading(location, while: holder) else { return }
        #expect(detail.hasPrefix(#"applying migration "v9: charges by time, then sequence" (every command of this build but "#
            + "verify applies it to a ledger an earlier build left, readers too): a statement waited for a lock held by "
            + "another program's session "), "\(detail)")
        holder.release()
        #expect(try Ledger(location).read { try $0.head() }.seq > 0)
        #expect(try Ledger(checking: location).unappliedMigrations.isEmpty)
    }

    /// A write waiting for a lock that another program's running statement holds gives up
    /// once asked (`giveUpLockWaits`: a signal to an import), naming that session, where it
    /// waited until the statement ended, an hour here; nothing of it is committed, and its
    /// session is ended on the server, not left queued behind the lock with its own. The
    /// second readers of the same ledger give up with it.
    @Test func aWaitForAnotherSessionsLockIsGivenUpWhenAsked() throws {
        let store = try PostgresUnderTest()
        try store.ledger.appendAll(lifecycle())
        let head = try store.ledger.headHash()
        let holder = try HoldingSession(store.server, store.database, [
            "BEGIN", "LOCK TABLE credit_recon.journal IN ACCESS EXCLUSIVE MODE",
        ])
        defer { holder.release() }
        try #require(holder.waitUntilHolding(), "the psql session does not hold the lock after 60 s")
        func waiting() throws -> Int {
            Int(try store.server.psql(store.database, """
                SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'credit-recon %' AND wait_event_type = 'Lock'
                  AND datname = current_database()
                """).trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        }
        let writer = try store.openAnother(), reader = try store.openAnother()
        let writing = BackgroundWork { () -> Result<Void, any Error> in
            Result { try writer.write { _ = try $0.append(.runStarted(RunStarted(command: "fetch")), account: "default", runID: nil, at: t0) } }
        }
        let reading = BackgroundWork { () -> Result<Int64, any Error> in
            Result { try reader.read({ try $0.head().seq }, alongside: { try $0.head().seq }).0 }
        }
        let queued = ContinuousClock.now + .seconds(60)
        while try waiting() < 3, ContinuousClock.now < queued {}
        #expect(try waiting() == 3, "the write and both readers wait for the lock")
        writer.giveUpLockWaits(because: "SIGTERM")
        reader.giveUpLockWaits(because: "SIGTERM")
        let done = DispatchSemaphore(value: 0)
        _ = BackgroundWork { _ = (writing.wait(), reading.wait()); done.signal() }
        guard done.wait(timeout: .now() + 60) == .success else {
            Issue.record("the waits were not given up within 60 s")
            holder.release()
            return
        }
        for (which, result) in [("write", writing.wait().map { _ in 0 }), ("read", reading.wait())] {
            guard case .failure(let failure) = result, case .lockWaitGivenUp(_, let because, let holders)? = failure as? LedgerError else {
                Issue.record("\(which): \(result)")
                continue
            }
            #expect(because == "SIGTERM")
            #expect(holders.count == 1 && holders[0].contains(" (\(holder.applicationName), user postgres, running a statement for "),
                    "\(which): \(holders)")
            #expect("\(failure)".hasPrefix("gave up, on SIGTERM, waiting for a lock of the ledger at \(store.location) held by session "),
                    "\(failure)")
        }
        #expect(holder.isHolding, "the holder's lock is untouched")
        let ended = ContinuousClock.now + .seconds(60)
        while try waiting() != 0, ContinuousClock.now < ended {}
        #expect(try waiting() == 0, "the sessions that waited are still there after 60 s")
        holder.release()
        #expect(try store.openAnother().headHash() == head, "nothing was written")
    }

    @Test func aReadOnlySessionIsToldSoAndStillVerifies() throws {
        let store = try PostgresUnderTest()
        try store.ledger.appendAll(lifecycle())
        let head = try store.ledger.headHash()
        func readOnly(_ on: Bool) throws {  // from another database: the setting governs the ledger's
            try store.server.psql("postgres", on
                ? "ALTER DATABASE \(store.database) SET default_transaction_read_only = on"
                : "ALTER DATABASE \(store.database) RESET default_transaction_read_only")
        }
        try store.execute("""
            DROP INDEX journal_by_time; DROP INDEX activity_days_by_reading; DROP INDEX charges_voided;
            DELETE FROM schema_migrations WHERE name LIKE 'v3:%' OR name LIKE 'v4:%' OR name LIKE 'v5:%' OR name LIKE 'v6:%' OR name LIKE 'v7:%'
            """)
        try store.undoMigrationV8()
        try readOnly(true)
        let older = try store.openAnother()  // read as the older build left it
        #expect(try older.headHash() == head)
        let unmigrated = #expect(throws: LedgerError.self) {
            try older.write { try $0.append(.runStarted(RunStarted(command: "fetch")), account: "default", runID: nil, at: t0) }
        }
        let message = unmigrated.map { "\($0)" } ?? ""
        #expect(message.contains(#"the ledger needs migration "v3: the journal's times, indexed", "v4: charge.status entries", "#
            + #""v5: charge.linked entries", "v6: activity days read again", "v7: charge.voided entries", "#
            + #""v8: runs, top-ups and charges never deleted", "v9: charges by time, then sequence" of this credit-recon, "#
            + #"which user "postgres" may not apply (cannot execute "#),
            "\(message)")
        #expect(message.contains("in a read-only transaction"), "\(message)")
        try readOnly(false)
        _ = try store.openAnother()  // migrates
        try readOnly(true)
        let frozen = try store.openAnother()
        let refused = #expect(throws: LedgerError.self) {
            try frozen.write { try $0.append(.runStarted(RunStarted(command: "fetch")), account: "default", runID: nil, at: t0) }
        }
        if case .readOnlySession(_, let user, let detail)? = refused {
            #expect(user == "postgres")
            #expect(detail == "cannot execute INSERT in a read-only transaction", "\(detail)")
            #expect("\(refused!)".contains("default_transaction_read_only is on for user \"postgres\""), "\(refused!)")
        } else {
            Issue.record("not readOnlySession: \(String(describing: refused))")
        }
        let report = try frozen.verify()
        #expect(report.isSound, "\(report.problems)")
        #expect(report.headHash == head)
        try readOnly(false)
        #expect(try store.openAnother().headHash() == head, "nothing was written")
    }

    /// A server that ends idle sessions (`idle_session_timeout`) does not end the writer
    /// lock's, which sits idle for a whole command (a fetch's API calls): the lock holds
    /// until its writer lets it go, and a second writer is still refused.
    @Test func theWriterLockOutlivesTheServersIdleSessionTimeout() throws {
        let store = try PostgresUnderTest()
        try store.server.psql(store.database, "ALTER DATABASE \(store.database) SET idle_session_timeout = '1s'")
        let lock = try Ledger.lockWriter(at: store.location)
        #expect(try Self.outlivedTimeout(store, application: "credit-recon writer", state: "idle"),
                "the writer lock's session was ended while it held the lock")
        #expect {
            _ = try Ledger.lockWriter(at: store.location)
        } throws: { error in
            if case .writerBusy? = error as? LedgerError { true } else { false }
        }
        withExtendedLifetime(lock) {}
    }

    @Test func aSessionEndedMidWriteKeepsNothing() throws {
        let store = try PostgresUnderTest()
        try store.ledger.appendAll(Array(lifecycle().prefix(2)))
        let head = try store.ledger.headHash()
        let inside = DispatchSemaphore(value: 0)
        let ended = DispatchSemaphore(value: 0)
        let writer = try store.openAnother()
        let writing = BackgroundWork { () -> Result<Void, any Error> in
            Result {
                try writer.write { writer in
                    try writer.append(contentsOf: StoreConformanceTests.bulk(3000, from: t0.adding(seconds: 10)), runID: nil, at: t0) { $0 }
                    _ = try writer.reader.journalCount()
                    inside.signal()
                    ended.wait()
                    try writer.append(contentsOf: StoreConformanceTests.bulk(10, from: t0.adding(seconds: 900_000)), runID: nil, at: t0) { $0 }
                    _ = try writer.reader.journalCount()
                }
            }
        }
        #expect(inside.wait(timeout: .now() + 60) == .success)
        try store.server.psql(store.database, """
            SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'
            """)
        ended.signal()
        let failure = #expect(throws: LedgerError.self) { try writing.wait().get() }
        // Said of a write and of a read alike (probe 408: "nothing of it was written" of a verify).
        #expect(String(describing: failure).contains("connection to the server was lost; the server rolled back the transaction "
            + "under way, so the ledger holds only what was committed before it; run the command again"),
                "\(String(describing: failure))")
        #expect(try store.ledger.headHash() == head)
        #expect(try store.ledger.read { try $0.journalCount() } == 2)
        try store.openAnother().appendAll(Array(lifecycle().dropFirst(2)))
        #expect(try store.ledger.verify().isSound)
    }

    /// The session holding a command's writer lock is ended on the server while the
    /// command runs (`pg_terminate_backend`, as an administrator or a restart would): the
    /// lock is gone, another writer may take it, so the command's next write stops before
    /// it writes anything instead of going on as if it still held the lock.
    @Test func aWriterWhoseLockWasLostWritesNothingMore() throws {
        let store = try PostgresUnderTest()
        let lock = try Ledger.lockWriter(at: store.location)
        try store.ledger.appendAll(Array(lifecycle().prefix(2)))
        try store.server.psql(store.database, """
            SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE datname = current_database() AND application_name LIKE 'credit-recon writer %'
            """)
        try store.waitUntilWriterLockIsFree()
        let error = #expect(throws: LedgerError.self) { try store.ledger.appendAll(Array(lifecycle().dropFirst(2))) }
        #expect(String(describing: error).contains("this command's writer lock was lost"), "\(String(describing: error))")
        #expect(try store.ledger.read { try $0.journalCount() } == 2)
        // Another writer takes the lock; once this one lets its own go, it writes again.
        let other = try Ledger.lockWriter(at: store.location)
        withExtendedLifetime(other) {}
        withExtendedLifetime(lock) {}
    }

    /// A writer whose lock was lost says so at its next write at once, not after waiting
    /// for the appends of the writer that took the lock (a whole import: probe 72 saw the
    /// top-up hang 33 s after its session was ended).
    @Test func aWriterWhoseLockWasLostSaysSoWithoutWaitingForAnothersAppends() throws {
        let store = try PostgresUnderTest()
        let lock = try Ledger.lockWriter(at: store.location)
        defer { withExtendedLifetime(lock) {} }
        try store.ledger.appendAll(Array(lifecycle().prefix(2)))
        try store.server.psql(store.database, """
            SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE datname = current_database() AND application_name LIKE 'credit-recon writer %'
            """)
        try store.waitUntilWriterLockIsFree()
        // Another writer's append transaction, held open for as long as the test lasts.
        let appending = try HoldingSession(store.server, store.database, ["BEGIN", Self.appendLock])
        defer { appending.release() }
        try #require(appending.waitUntilHolding(), "the other writer's append lock is not held after 60 s")
        let error = #expect(throws: LedgerError.self) { try store.ledger.appendAll(Array(lifecycle().dropFirst(2))) }
        #expect(String(describing: error).contains("this command's writer lock was lost"), "\(String(describing: error))")
    }

    /// The writer lock's session is ended while a write transaction is under way (a long
    /// import): the lock was held when the write began, but it is not at its end, so the
    /// transaction is rolled back instead of committed.
    @Test func aWriterLosingItsLockMidWriteCommitsNothing() throws {
        let store = try PostgresUnderTest()
        let lock = try Ledger.lockWriter(at: store.location)
        try store.ledger.appendAll(Array(lifecycle().prefix(2)))
        let head = try store.ledger.headHash()
        let error = #expect(throws: LedgerError.self) {
            try store.ledger.write { writer in
                try writer.append(contentsOf: StoreConformanceTests.bulk(50, from: t0.adding(seconds: 10)), runID: nil, at: t0) { $0 }
                try store.server.psql(store.database, """
                    SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                    WHERE datname = current_database() AND application_name LIKE 'credit-recon writer %'
                    """)
                try store.waitUntilWriterLockIsFree()
            }
        }
        #expect(String(describing: error).contains("this command's writer lock was lost"), "\(String(describing: error))")
        #expect(try store.ledger.headHash() == head)
        #expect(try store.ledger.read { try $0.journalCount() } == 2)
        withExtendedLifetime(lock) {}
    }

    /// The connection is lost just after the COMMIT went out: the server commits, the
    /// writer never hears so. It must not claim the write was not committed; it says the
    /// outcome is not known and how to find out, and the books are sound either way.
    @Test func aConnectionLostAsItCommitsSaysTheOutcomeIsUnknown() throws {
        let server = try ThrowawayPostgres.shared()
        let database = try server.newDatabase()
        let direct = try Ledger(LedgerLocation(server.url(database)))
        try direct.appendAll(Array(lifecycle().prefix(2)))
        let proxy = FreezingProxy(to: server.port)
        defer { proxy.stop() }
        let through = try Ledger(LedgerLocation(
            "postgresql://postgres:\(server.password)@127.0.0.1:\(proxy.port)/\(database)?sslmode=disable"))
        proxy.cut(after: "COMMIT\0")
        let error = #expect(throws: LedgerError.self) { try through.appendAll(Array(lifecycle().dropFirst(2))) }
        let message = error.map { String(describing: $0) } ?? ""
        #expect(message.contains("lost as it committed, so whether the write was committed is not known"), "\(message)")
        #expect(message.contains("run `credit-recon --ledger 'postgresql://postgres@127.0.0.1:\(proxy.port)/\(database)?sslmode=disable' verify`"),
                "the ledger named, or verify checks the default one: \(message)")
        #expect(!message.contains("was not committed"), "\(message)")
        #expect(!message.contains(server.password))
        // Here the server did commit (it had the COMMIT): once it has, every entry is there.
        let deadline = ContinuousClock.now + .seconds(60)
        var count = try direct.read { try $0.journalCount() }
        while count < Int64(lifecycle().count), ContinuousClock.now < deadline {
            count = try direct.read { try $0.journalCount() }
        }
        #expect(count == Int64(lifecycle().count))
        #expect(try direct.verify().isSound)
    }

    /// The server ends `verify`'s session while it replays: a failure that is not a
    /// refused row. It is the lost connection, not a finding about the books, and the
    /// ledger, only read, verifies on the next connection.
    @Test func aSessionEndedMidVerifyIsTheLostConnection() throws {
        let store = try PostgresUnderTest()
        try store.ledger.appendAll(lifecycle())
        try store.ledger.write { try $0.append(contentsOf: StoreConformanceTests.bulk(5000, from: t0.adding(seconds: 86_400)), runID: 1, at: t0) { $0 } }
        let head = try store.ledger.headHash()
        let inside = DispatchSemaphore(value: 0)
        let ended = DispatchSemaphore(value: 0)
        let verifier = try store.openAnother()
        let verifying = BackgroundWork { () -> Result<VerifyReport, any Error> in
            let paused = Mutex(false)
            return Result {
                try verifier.verify { progress in
                    guard case .checked = progress, !paused.withLock({ $0 }) else { return }
                    paused.withLock { $0 = true }
                    inside.signal()
                    ended.wait()
                }
            }
        }
        #expect(inside.wait(timeout: .now() + 60) == .success)
        try store.server.psql(store.database, """
            SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'
            """)
        ended.signal()
        let failure = #expect(throws: LedgerError.self) { _ = try verifying.wait().get() }
        #expect(String(describing: failure).contains("connection to the server was lost"), "\(String(describing: failure))")
        // A reader was writing nothing: no "write that was under way was not committed".
        #expect(!String(describing: failure).contains("write"), "\(String(describing: failure))")
        let report = try store.ledger.verify()
        #expect(report.isSound && report.headHash == head)
    }

    /// Books move between stores with the same entries, so the same head; a copy goes only
    /// into an empty ledger, and a copy of books whose stored entries were edited is refused.
    @Test func aCopyHasTheSameHeadEitherWayAndOnlyIntoAnEmptyLedger() throws {
        let sqlite = try SQLiteUnderTest()
        try sqlite.ledger.appendAll(lifecycle())
        try sqlite.ledger.write { try $0.append(contentsOf: StoreConformanceTests.bulk(5000, from: t0.adding(seconds: 86_400)), runID: 1, at: t0) { $0 } }
        let head = try sqlite.ledger.headHash()
        let postgres = try PostgresUnderTest()
        var reported: [Int64] = []
        let copied = try sqlite.ledger.copy(into: postgres.ledger) { reported.append($0) }
        #expect(copied.headHash == head)
        #expect(copied.entries == Int64(lifecycle().count + 5000))
        #expect(reported.last == copied.entries)
        #expect(try postgres.ledger.verify().headHash == head)
        let back = try SQLiteUnderTest()
        #expect(try postgres.ledger.copy(into: back.ledger).headHash == head)
        #expect(try back.ledger.verify().isSound)
        // Not into books that hold entries, and nothing is added to them.
        let refused = #expect(throws: LedgerError.self) { _ = try sqlite.ledger.copy(into: postgres.ledger) }
        if case .notEmpty(_, let entries, let sameHead)? = refused {
            #expect(entries == copied.entries && sameHead, "the copy made before, so said")
            #expect(String(describing: refused!).contains("ending at this ledger's head hash: the copy is already there"))
        } else {
            Issue.record("\(String(describing: refused))")
        }
        #expect(try postgres.ledger.read { try $0.journalCount() } == copied.entries)
        // An edited entry (triggers dropped) does not chain to the stored head: refused, nothing written.
        try postgres.dropAppendOnlyTriggers()
        try postgres.execute("UPDATE journal SET entry = replace(entry, '100000000', '900000000') WHERE seq = 2")
        let target = try PostgresUnderTest()
        #expect(throws: LedgerError.self) { _ = try postgres.ledger.copy(into: target.ledger) }
        #expect(try target.ledger.read { try $0.journalCount() } == 0)
    }

    /// A TCP port on 127.0.0.1 that nothing listens on.
    /// Whether the server's own clock comes to say, within 60 s, that a session of
    /// `application` has been in `state` for three seconds: three times the 1 s timeouts the
    /// tests set, after one of which the server ends a session that did not opt out.
    static func outlivedTimeout(_ store: PostgresUnderTest, application: String, state: String) throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let seen = try store.server.psql(store.database, """
                SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
                  AND application_name LIKE '\(application) %' AND state = '\(state)'
                  AND now() - state_change > interval '3 seconds'
                """).trimmingCharacters(in: .whitespacesAndNewlines)
            if seen == "1" { return true }
        }
        return false
    }
}
