import CreditTypes
import Hummingbird
import NIOCore
import ServiceLifecycle

/// The simulator's HTTP surface: the API routes (`/api/v1/…`) and the admin routes (`/_sim/…`).
enum SimulatorRoutes {
    static func router(engine: SimulatorEngine) -> Router<SimRequestContext> {
        let router = Router(context: SimRequestContext.self)
        // First, so it wraps every route and the router's own 404.
        router.add(middleware: JSONErrorMiddleware())
        // Each path's methods, so the other methods can answer 405 rather than the router's 404.
        var methods: [String: [HTTPRequest.Method]] = [:]
        func on(
            _ method: HTTPRequest.Method, _ path: String,
            _ handler: @escaping @Sendable (Request, SimRequestContext) async throws -> Response
        ) {
            methods[path, default: []].append(method)
            router.on(RouterPath(path), method: method, use: handler)
        }

        on(.get, "/api/v1/credits") { request, context in
            try await api(engine: engine, context: context, authorization: request.headers[.authorization]) {
                await engine.credits(authorization: request.headers[.authorization])
            }
        }
        on(.post, "/api/v1/credits/coinbase") { request, context in
            let bytes = try await Self.body(of: request, upTo: 1 << 20)
            return try await api(engine: engine, context: context, authorization: request.headers[.authorization]) {
                try await engine.createCharge(authorization: request.headers[.authorization], body: bytes)
            }
        }

        on(.get, "/api/v1/key") { request, context in
            try await api(engine: engine, context: context, authorization: request.headers[.authorization]) {
                await engine.currentKey(authorization: request.headers[.authorization])
            }
        }
        on(.get, "/api/v1/keys") { request, context in
            try await api(engine: engine, context: context, authorization: request.headers[.authorization]) {
                await engine.listKeys(authorization: request.headers[.authorization], query: query(request))
            }
        }
        on(.get, "/api/v1/activity") { request, context in
            try await api(engine: engine, context: context, authorization: request.headers[.authorization]) {
                await engine.activity(authorization: request.headers[.authorization], query: query(request))
            }
        }

        on(.get, "/_sim/state") { _, _ in
            response(.json(200, await engine.stateJSON()))
        }
        on(.post, "/_sim/charges/:id/pay") { _, context in
            let id = context.parameters.get("id") ?? ""
            return response(try await engine.pay(id: id))
        }
        on(.post, "/_sim/usage") { request, _ in
            let bytes = try await Self.body(of: request)
            return response(try await engine.use(body: bytes))
        }
        on(.post, "/_sim/purchase") { request, _ in
            let bytes = try await Self.body(of: request)
            return response(try await engine.purchase(body: bytes))
        }
        on(.post, "/_sim/keys") { request, _ in
            let bytes = try await Self.body(of: request)
            return response(try await engine.createKey(body: bytes))
        }
        on(.post, "/_sim/keys/:hash/disable") { _, context in
            response(try await engine.disableKey(hash: context.parameters.get("hash") ?? ""))
        }
        on(.delete, "/_sim/keys/:hash") { _, context in
            response(try await engine.deleteKey(hash: context.parameters.get("hash") ?? ""))
        }
        on(.post, "/_sim/clock") { request, _ in
            let bytes = try await Self.body(of: request)
            return response(try await engine.setClock(body: bytes))
        }
        on(.post, "/_sim/faults") { request, _ in
            let bytes = try await Self.body(of: request)
            return response(await engine.setFaults(body: bytes))
        }

        for (path, allowed) in methods {
            // One Allow header for a 405 and for OPTIONS (RFC 9110 § 10.2.1: the methods the
            // resource supports, OPTIONS among them); the message names the ones to use.
            let use = allowed.map(\.rawValue).joined(separator: ", ")
            let allow = use + ", OPTIONS"
            for method in [HTTPRequest.Method.get, .post, .put, .patch, .delete, .head] where !allowed.contains(method) {
                router.on(RouterPath(path), method: method) { request, _ in
                    var refusal = response(.error(405, "\(request.method) is not allowed on \(request.uri.path); use \(use)"))
                    refusal.headers[.allow] = allow
                    return refusal
                }
            }
            router.on(RouterPath(path), method: .options) { _, _ in
                var answer = Response(status: .noContent)
                answer.headers[.allow] = allow
                return answer
            }
        }
        return router
    }

    /// Latency, then rate limit and `500` fault, then the route, then maybe a dropped connection.
    private static func api(
        engine: SimulatorEngine, context: SimRequestContext, authorization: String?,
        _ body: @Sendable () async throws -> SimAnswer
    ) async throws -> Response {
        await engine.arrived()
        let latency = await engine.faults.latencyMilliseconds
        if latency > 0 {
            // A graceful shutdown ends the wait: it should not wait out a made-up delay.
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(latency)) }
            } catch {
                guard Task.isShuttingDownGracefully else { throw error }
            }
        }
        if let refusal = await engine.admit() { return response(refusal) }
        if let echo = await engine.echoed(authorization: authorization) { return response(echo) }
        let answer = await engine.garbled(try await body())
        if answer.drop {
            // The work is done (a charge may exist); the client never hears about it.
            context.channel.close(mode: .all, promise: nil)
            throw DroppedConnection()
        }
        return response(answer)
    }

    /// The request's body, at most `limit` bytes; a graceful shutdown ends the wait for it,
    /// as it ends the latency's, so a client that sent part of a body does not hold the
    /// shutdown (Hummingbird waits for every request under way).
    private static func body(of request: Request, upTo limit: Int = 1 << 16) async throws -> [UInt8] {
        let buffer = try await cancelWhenGracefulShutdown { try await request.body.collect(upTo: limit) }
        return Array(buffer.readableBytesView)
    }

    /// The request's query parameters, percent-decoded; a repeated name keeps its last value.
    private static func query(_ request: Request) -> [String: String] {
        var items: [String: String] = [:]
        for (name, value) in request.uri.queryParameters { items[String(name)] = String(value) }
        return items
    }

    static func response(_ answer: SimAnswer) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = answer.contentType
        if let retryAfter = answer.retryAfter { headers[.retryAfter] = String(retryAfter) }
        return Response(
            status: HTTPResponse.Status(code: answer.status),
            headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(string: answer.body)))
    }

    struct DroppedConnection: Error {}
}
