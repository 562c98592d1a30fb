import NIOCore
import NIOPosix
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A connection that could not be opened, in the words a person reads: a host name that
/// does not resolve, in the resolver's words (`Name or service not known`), or the system's
/// words for the first address that would not take it (`Connection refused`). NIO's own
/// descriptions (`SocketAddressError.UnknownHost`, `connect(descriptor:addr:size:)`) never
/// reach a message. The OpenRouter client and the PostgreSQL ledger both word their
/// failures to connect with it.
public enum ConnectFailure: Equatable, Sendable {
    /// The host name does not resolve; `reason` is the resolver's.
    case unknownHost(reason: String)
    /// No address of the host took the connection; `reason` is the first one's, when known.
    case unreachable(reason: String?)

    /// What `error` says about a connection that could not be opened, or `nil` when it is
    /// no such error (a failure once connected, say).
    public init?(_ error: any Error) {
        switch error {
        case let error as NIOConnectionError:
            if let lookup = error.dnsAError ?? error.dnsAAAAError {
                self = .unknownHost(reason: (lookup as? SocketAddressError.UnknownHost)?.errorDescription ?? "\(lookup)")
            } else {
                // NIO lists each address it tried; the first one's error says what happened.
                self = .unreachable(reason: error.connectionErrors.first.map { Self.systemWords(for: $0.error) })
            }
        case let error as IOError:
            self = .unreachable(reason: Self.systemWords(for: error))
        case ChannelError.connectTimeout:
            self = .unreachable(reason: "timed out")
        default:
            return nil
        }
    }

    /// `cannot find the host db.example (Name or service not known)`, or
    /// `cannot connect to db.example:5432 (Connection refused)`.
    public func words(host: String, port: Int) -> String {
        switch self {
        case .unknownHost(let reason): "cannot find the host \(host) (\(reason))"
        case .unreachable(let reason): "cannot connect to \(Self.hostAndPort(host, port))\(reason.map { " (\($0))" } ?? "")"
        }
    }

    /// `host:port`, an IPv6 address in brackets as a URL writes it: `::1:5432` could be read
    /// as the address `::1:5432` (probe 265).
    static func hostAndPort(_ host: String, _ port: Int) -> String {
        host.contains(":") && !host.hasPrefix("[") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// A system error as the system words it (`Connection refused`); anything else as it
    /// describes itself.
    public static func systemWords(for error: any Error) -> String {
        guard let error = error as? IOError else { return String(describing: error) }
        return String(cString: strerror(error.errnoCode))
    }
}
