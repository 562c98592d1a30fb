import CreditTypes
import Logging
import OpenRouterAPI
import OpenRouterSimulator
import Synchronization

/// Runs `body` with a fresh simulator on 127.0.0.1:0 and a client pointed at it; both are
/// shut down even when `body` throws.
func withSimulator(
    _ configure: (inout SimulatorOptions) -> Void = { _ in },
    client configureClient: (inout ClientConfiguration) -> Void = { _ in },
    _ body: (SimulatorServer, OpenRouterClient) async throws -> Void
) async throws {
    var options = SimulatorOptions()
    options.seed = 42
    configure(&options)
    let server = try await SimulatorServer.start(options)
    var configuration = ClientConfiguration(
        baseURL: server.baseURL, managementKey: Secret(options.managementKey), bearer: Secret(options.managementKey),
        timeout: .seconds(5), maxRetryTime: .seconds(5), userAgent: "credit-recon/test")
    configureClient(&configuration)
    let client = OpenRouterClient(configuration: configuration)
    do {
        try await body(server, client)
    } catch {
        await client.shutdown()
        await server.shutdown()
        throw error
    }
    await client.shutdown()
    await server.shutdown()
}

let wallet = "0x52908400098527886E0F7030069857D2E4169EE7"

/// Collects every log line, to prove no key is ever logged.
final class CapturedLogs: Sendable {
    let lines = Mutex<[String]>([])

    var logger: Logger {
        var logger = Logger(label: "test") { _ in CapturingHandler(sink: self) }
        logger.logLevel = .trace
        return logger
    }

    var all: [String] { lines.withLock { $0 } }
}

struct CapturingHandler: LogHandler {
    let sink: CapturedLogs
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        sink.lines.withLock { $0.append("\(event.level) \(event.message) \(event.metadata ?? [:]) \(metadata)") }
    }
}
