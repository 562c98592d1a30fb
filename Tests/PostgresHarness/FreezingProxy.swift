import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A TCP relay on 127.0.0.1 in front of a server, which counts the connections made
/// through it and which a test can freeze: from then on it moves no byte either way and
/// logs nothing new in, yet keeps every connection open. That is what a client sees of a
/// server whose host left the network or whose process stopped: no answer, and nothing
/// that closes the connection.
public final class FreezingProxy: Sendable {
    /// The port clients connect to.
    public let port: Int
    private let listener: Int32
    private let targetPort: Int
    private let frozen = Atomic(false)
    private let accepted = Atomic(0)
    private let stopped = Atomic(false)
    /// Every socket opened, closed by `stop()`.
    private let sockets = Mutex<[Int32]>([])
    /// `cut(after:)`'s marker while armed.
    private let cutMarker = Mutex<[UInt8]?>(nil)
    /// Set once a cut happened: no reply reaches a client any more.
    private let repliesDropped = Atomic(false)

    /// Starts relaying connections to `127.0.0.1:targetPort`.
    public init(to targetPort: Int) {
        self.targetPort = targetPort
        let (fd, port) = Self.boundSocket()
        listener = fd
        self.port = port
        listen(fd, 16)
        let thread = Thread { [self] in acceptConnections() }
        thread.start()
    }

    /// Connections clients have made through the relay so far.
    public var connections: Int { accepted.load(ordering: .sequentiallyConsistent) }

    /// Stops moving bytes; connections stay open.
    public func freeze() { frozen.store(true, ordering: .sequentiallyConsistent) }

    /// Arms a cut: the next bytes a client sends that hold `marker` still reach the server,
    /// and then that client's connection is closed before any reply passes, as when a
    /// network fails just after a statement went out. (From then on no reply reaches any
    /// client.)
    public func cut(after marker: String) { cutMarker.withLock { $0 = Array(marker.utf8) } }

    /// Closes the listener and every connection.
    public func stop() {
        stopped.store(true, ordering: .sequentiallyConsistent)
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        for fd in sockets.withLock({ $0 }) {
            shutdown(fd, Int32(SHUT_RDWR))
        }
    }

    private var isStopped: Bool { stopped.load(ordering: .sequentiallyConsistent) }

    private func acceptConnections() {
        while !isStopped {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            accepted.add(1, ordering: .sequentiallyConsistent)
            sockets.withLock { $0.append(client) }
            // Once frozen, a new connection is held open and never answered.
            guard !frozen.load(ordering: .sequentiallyConsistent) else { continue }
            let (server, _) = Self.boundSocket()
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = in_port_t(UInt16(targetPort).bigEndian)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(server, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            sockets.withLock { $0.append(server) }
            guard connected == 0 else { continue }
            for (from, to, toServer) in [(client, server, true), (server, client, false)] {
                let thread = Thread { [self] in relay(from: from, to: to, toServer: toServer) }
                thread.start()
            }
        }
    }

    /// Copies bytes from `from` to `to` until either closes or the proxy stops; while
    /// frozen, reads nothing (looking again every 50 ms for a stop).
    private func relay(from: Int32, to: Int32, toServer: Bool) {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while !isStopped {
            if frozen.load(ordering: .sequentiallyConsistent) {
                _ = poll(nil, 0, 50)
                continue
            }
            var ready = pollfd(fd: from, events: Int16(POLLIN), revents: 0)
            guard poll(&ready, 1, 50) >= 0 else { return }
            if ready.revents == 0 { continue }
            let count = read(from, &buffer, buffer.count)
            guard count > 0 else { shutdown(to, Int32(SHUT_WR)); return }
            if !toServer, repliesDropped.load(ordering: .sequentiallyConsistent) { continue }
            let cutting = toServer && cutMarker.withLock { marker in
                guard let wanted = marker, buffer[..<count].firstRange(of: wanted) != nil else { return false }
                marker = nil
                repliesDropped.store(true, ordering: .sequentiallyConsistent)
                return true
            }
            defer { if cutting { shutdown(from, Int32(SHUT_RDWR)) } }
            var written = 0
            while written < count {
                let step = buffer.withUnsafeBytes { write(to, $0.baseAddress! + written, count - written) }
                guard step > 0 else { return }
                written += step
            }
        }
    }

    /// A TCP socket bound to a free port of 127.0.0.1, and the port.
    public static func boundSocket() -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        precondition(bound == 0, "cannot bind a socket to 127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }
}
