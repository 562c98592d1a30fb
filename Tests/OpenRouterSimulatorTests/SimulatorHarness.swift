import AsyncHTTPClient
import CreditTypes
import Foundation
import NIOCore
import NIOHTTP1
import OpenRouterSimulator
import Testing

struct Answer {
    let status: Int
    let contentType: String?
    let retryAfter: String?
    let allow: String?
    /// `.null` for an answer without a body (`HEAD`, `204`).
    let json: ExactJSON
}

/// A folder of its own for a simulator's state file, removed when released.
final class StateFolder {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("sim-\(UUID().uuidString)")
    init() throws { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) }
    deinit { try? FileManager.default.removeItem(at: url) }
    /// `state.json` in it.
    var statePath: String { url.appendingPathComponent("state.json").path }
}

/// Runs `body` against a fresh simulator (seed 1) and HTTP client, shutting both down even on throw.
func withSim(_ configure: (inout SimulatorOptions) -> Void = { _ in },
             _ body: (SimulatorServer, Requester) async throws -> Void) async throws {
    var options = SimulatorOptions()
    options.seed = 1
    configure(&options)
    let server = try await SimulatorServer.start(options)
    let http = HTTPClient(eventLoopGroupProvider: .singleton)
    let requester = Requester(http: http, root: "http://127.0.0.1:\(server.port)")
    do {
        try await body(server, requester)
    } catch {
        try? await http.shutdown()
        await server.shutdown()
        throw error
    }
    try await http.shutdown()
    await server.shutdown()
}

/// Why the simulator refused to start with `options`: `nil`, with an issue recorded saying
/// `started`, when it started (it is then stopped).
func refusedStart(_ options: SimulatorOptions, started: String) async -> (any Error)? {
    do {
        let server = try await SimulatorServer.start(options)
        await server.shutdown()
        Issue.record("started \(started)")
        return nil
    } catch {
        return error
    }
}

struct Requester {
    let http: HTTPClient
    let root: String

    func send(_ method: HTTPMethod, _ path: String, key: String? = nil, body: String? = nil) async throws -> Answer {
        var request = HTTPClientRequest(url: root + path)
        request.method = method
        if let key { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await http.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        return Answer(
            status: Int(response.status.code), contentType: response.headers.first(name: "content-type"),
            retryAfter: response.headers.first(name: "retry-after"), allow: response.headers.first(name: "allow"),
            json: bytes.readableBytes == 0 ? .null : try ExactJSON(parsing: Array(bytes.readableBytesView)))
    }

    func credits(key: String = "sim-management-key") async throws -> Answer {
        try await send(.GET, "/api/v1/credits", key: key)
    }

    func charge(_ body: String, key: String = "sim-management-key") async throws -> Answer {
        try await send(.POST, "/api/v1/credits/coinbase", key: key, body: body)
    }

    func state() async throws -> ExactJSON { try await send(.GET, "/_sim/state").json }

    /// `POST /_sim/keys`; the new key's hash and the key itself.
    func createKey(_ name: String, limit: String? = nil) async throws -> (hash: String, key: String) {
        let body = limit.map { #"{"name":"\#(name)","limit":"\#($0)"}"# } ?? #"{"name":"\#(name)"}"#
        let json = try await send(.POST, "/_sim/keys", body: body).json
        return (json["hash"]?.stringValue ?? "", json["key"]?.stringValue ?? "")
    }

    /// `POST /_sim/usage` with `body`; the status.
    @discardableResult
    func use(_ body: String) async throws -> Int { try await send(.POST, "/_sim/usage", body: body).status }

    /// `POST /_sim/clock`.
    func clock(_ now: String) async throws { _ = try await send(.POST, "/_sim/clock", body: #"{"now":"\#(now)"}"#) }
}
