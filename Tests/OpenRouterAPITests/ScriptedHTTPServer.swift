import Foundation
import PostgresHarness
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// An HTTP server on 127.0.0.1 that answers what a test scripts, for the answers the
/// simulator is too well-behaved to give: each connection's request (read up to its blank
/// line) is answered with the pieces `answer(n)` gives for the n-th request, each sent after
/// its pause, and the connection is closed after the last piece.
final class ScriptedHTTPServer: Sendable {
    struct Piece: Sendable {
        var bytes: [UInt8]
        var pauseMilliseconds: Int32 = 0
    }

    let port: Int
    private let listener: Int32
    private let answer: @Sendable (Int) -> [Piece]
    private let stopped = Atomic(false)
    private let served = Atomic(0)

    init(_ answer: @escaping @Sendable (Int) -> [Piece]) {
        (listener, port) = FreezingProxy.boundSocket()
        self.answer = answer
        listen(listener, 16)
        Thread { [self] in acceptConnections() }.start()
    }

    /// The API root to give a client.
    var baseURL: String { "http://127.0.0.1:\(port)/api/v1" }

    /// Requests read so far.
    var requests: Int { served.load(ordering: .sequentiallyConsistent) }

    func stop() {
        stopped.store(true, ordering: .sequentiallyConsistent)
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    /// A whole answer: status line, `Content-Length` (unless `length` is given), headers, body.
    static func answer(status: Int, body: String, length: Int? = nil, headers: [String] = []) -> [UInt8] {
        let head = ["HTTP/1.1 \(status) Scripted", "Content-Type: application/json",
                    "Content-Length: \(length ?? body.utf8.count)", "Connection: close"] + headers
        return Array((head.joined(separator: "\r\n") + "\r\n\r\n" + body).utf8)
    }

    private func acceptConnections() {
        while !stopped.load(ordering: .sequentiallyConsistent) {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            Thread { [self] in serve(client) }.start()
        }
    }

    private func serve(_ fd: Int32) {
        defer { close(fd) }
        var request: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while request.firstRange(of: Array("\r\n\r\n".utf8)) == nil {
            let count = read(fd, &buffer, buffer.count)
            guard count > 0 else { return }
            request += buffer[..<count]
        }
        // A POST's body too: closed with it unread, the connection would be reset under the
        // client before it read the answer.
        if let end = request.firstRange(of: Array("\r\n\r\n".utf8))?.upperBound {
            let head = String(decoding: request[..<end], as: UTF8.self).lowercased()
            let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
            var read = request.count - end
            while read < length {
                let count = Glibc.read(fd, &buffer, buffer.count)
                guard count > 0 else { return }
                read += count
            }
        }
        let index = served.add(1, ordering: .sequentiallyConsistent).newValue - 1
        for piece in answer(index) {
            if piece.pauseMilliseconds > 0 { _ = poll(nil, 0, piece.pauseMilliseconds) }  // the server's own pace
            var sent = 0
            while sent < piece.bytes.count {
                // MSG_NOSIGNAL: a client that gave up must not end the test process with SIGPIPE.
                let step = piece.bytes.withUnsafeBytes { send(fd, $0.baseAddress! + sent, piece.bytes.count - sent, Int32(MSG_NOSIGNAL)) }
                guard step > 0 else { return }
                sent += step
            }
        }
    }
}
