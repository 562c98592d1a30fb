import AsyncHTTPClient
import ConnectionErrors
import NIOCore
import NIOHTTP1
import NIOPosix
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Sorts transport errors into "provably never sent" and "may have reached the server".
///
/// Only failures to open a connection count as never sent: a refused or timed-out
/// connect, or a pool that never handed out a connection. Everything else — a reset, a
/// closed connection, a read timeout — may have happened after the server read the
/// request, so a `POST` that fails that way has an unknown outcome.
enum TransportFailure {
    static func neverSent(_ error: any Error) -> Bool {
        if let error = error as? HTTPClientError {
            return error == .connectTimeout || error == .getConnectionFromPoolTimeout
                || error == .tlsHandshakeTimeout || error == .alreadyShutdown || error == .invalidURL
                || error == .emptyHost || error == .emptyScheme || error == .socksHandshakeTimeout
                || error == .httpProxyHandshakeTimeout
        }
        if error is NIOConnectionError { return true }
        if let error = error as? ChannelError, case .connectTimeout = error { return true }
        if let error = error as? IOError {
            // EMFILE and ENFILE: no descriptor for the socket, so no connection to send on
            // (a request on an open connection makes no descriptor). Rows of a top-up run
            // out of descriptors were left `unknown`, each for a person to check.
            return [ECONNREFUSED, ENETUNREACH, EHOSTUNREACH, EADDRNOTAVAIL, EMFILE, ENFILE].contains(error.errnoCode)
        }
        if error is SocketAddressError { return true }
        return false
    }

    /// Whether the answer came and was not HTTP (a header no HTTP server writes, another
    /// protocol's greeting): a server that is not the API's, or a proxy mangling its
    /// answers, not a connection lost on the way, which ends the stream early
    /// (`invalidEOFState`).
    static func isNotHTTP(_ error: any Error) -> Bool {
        guard let error = error as? HTTPParserError else { return false }
        return error != .invalidEOFState
    }

    static func isTimeout(_ error: any Error) -> Bool {
        if let error = error as? HTTPClientError {
            return error == .deadlineExceeded || error == .readTimeout || error == .writeTimeout
        }
        return false
    }

    /// Words for the error, without anything from the request (no headers, no key).
    static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout: return "connecting timed out"
            case .deadlineExceeded, .readTimeout: return "the request timed out"
            case .remoteConnectionClosed: return "the server closed the connection"
            case .getConnectionFromPoolTimeout: return "no connection could be opened in time"
            default:
                // The case's name alone: some cases carry the request's header values, the
                // Authorization header among them.
                return "HTTP client error " + String("\(error)".prefix { $0 != "(" })
            }
        }
        if let error = error as? NIOConnectionError, let failure = ConnectFailure(error) {
            return failure.words(host: error.host, port: error.port)
        }
        if error is IOError { return ConnectFailure.systemWords(for: error) }
        return "\(error)"
    }
}
