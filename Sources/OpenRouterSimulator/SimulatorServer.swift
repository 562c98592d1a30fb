import CreditTypes
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// A running simulator, for tests and for `openrouter-sim`: `start` binds (port 0 picks a
/// free port), `port` says where, `shutdown` stops it.
public final class SimulatorServer: Sendable {
    /// The port the server listens on.
    public let port: Int
    /// `http://127.0.0.1:PORT/api/v1`, the client's base URL.
    public var baseURL: String { "http://\(host):\(port)/api/v1" }
    /// The loopback address.
    public let host: String
    let engine: SimulatorEngine
    private let task: Task<Void, any Error>
    private let group: ServiceGroup

    private init(port: Int, host: String, engine: SimulatorEngine, task: Task<Void, any Error>, group: ServiceGroup) {
        self.port = port
        self.host = host
        self.engine = engine
        self.task = task
        self.group = group
    }

    /// Starts a simulator and returns once it accepts connections.
    public static func start(_ options: SimulatorOptions, logger: Logger = SimulatorServer.quietLogger) async throws -> SimulatorServer {
        let engine = try SimulatorEngine(options: options)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = application(engine: engine, options: options, logger: logger) { port in
            continuation.yield(port)
            continuation.finish()
        }
        // A service group, so `shutdown` can stop the server gracefully rather than cancel it.
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let task = Task {
            defer { continuation.finish() }
            try await group.run()
        }
        var bound: Int?
        for await port in ports { bound = port }
        guard let bound else {
            // The server stopped before it was running: surface why.
            do { try await task.value } catch { throw explained(error, options: options) }
            throw SimulatorError.notStarted("the server stopped before listening")
        }
        return SimulatorServer(port: bound, host: options.host, engine: engine, task: task, group: group)
    }

    /// Builds the Hummingbird application, for `openrouter-sim` to run under its own
    /// service group (signals, graceful shutdown).
    public static func application(
        options: SimulatorOptions, logger: Logger, onRunning: @escaping @Sendable (Int) async -> Void
    ) throws -> some ApplicationProtocol {
        application(engine: try SimulatorEngine(options: options), options: options, logger: logger, onRunning: onRunning)
    }

    private static func application(
        engine: SimulatorEngine, options: SimulatorOptions, logger: Logger,
        onRunning: @escaping @Sendable (Int) async -> Void
    ) -> some ApplicationProtocol {
        Application(
            router: SimulatorRoutes.router(engine: engine),
            configuration: ApplicationConfiguration(address: .hostname(options.host, port: options.port), serverName: nil),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? options.port) },
            logger: logger)
    }

    /// `error`, from starting or running the server, in words a person can act on where
    /// the simulator knows them: a port another program holds.
    public static func explained(_ error: any Error, options: SimulatorOptions) -> any Error {
        guard let io = error as? IOError, io.errnoCode == EADDRINUSE else { return error }
        return SimulatorError.notStarted("port \(options.port) on \(options.host) is in use by another program; "
            + "stop that program, or choose another --port (0 picks a free one)")
    }

    /// The simulator's current state (what `GET /_sim/state` shows).
    public func state() async -> SimulatorState { await engine.state }

    /// How many `/api/v1` requests arrived so far (rate-limited and failed ones, and those
    /// still waiting out the latency, included).
    public func apiRequestCount() async -> Int { await engine.apiRequests }

    /// The simulator's clock.
    public func now() async -> Timestamp { await engine.now() }

    /// Stops the server and waits until it has stopped.
    public func shutdown() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
        await engine.releaseStateLock()
    }

    /// In-process servers log warnings and worse only, so test output stays readable.
    public static var quietLogger: Logger {
        var logger = Logger(label: "openrouter-sim")
        logger.logLevel = .warning
        return logger
    }
}
