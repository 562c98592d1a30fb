import ArgumentParser
import CreditTypes
import Foundation
import Hummingbird
import Logging
import OpenRouterSimulator
import ServiceLifecycle

/// `openrouter-sim`: a stateful stand-in for the OpenRouter credits endpoints
/// (CONTRACT.md § Simulator).
@main
struct OpenRouterSimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "openrouter-sim",
        abstract: "A stateful stand-in for OpenRouter's /credits and /credits/coinbase, with faults and admin routes.",
        discussion: """
            Prints `listening on http://127.0.0.1:PORT` as its first line of stdout, logs to stderr, \
            and shuts down gracefully on SIGTERM or SIGINT. Admin routes (no auth): GET /_sim/state, \
            POST /_sim/charges/{id}/pay, /_sim/usage, /_sim/purchase, /_sim/clock, /_sim/faults.
            """)

    @Option(help: "Port on 127.0.0.1; 0 picks a free one.")
    var port = 0

    @Option(help: "The management key (reads real totals on /credits).")
    var managementKey = "sim-management-key"

    @Option(help: "An ordinary key: /credits answers 200 with zero totals.")
    var inferenceKey = "sim-inference-key"

    @Option(help: "A disabled key: answered 403.")
    var disabledKey: String?

    @Option(help: "available, or gone (POST /credits/coinbase answers 410 as production does).")
    var coinbase = "available"

    @Option(help: "total_credits at the start, decimal USD.")
    var initialCredits = "0"

    @Option(help: "total_usage at the start, decimal USD.")
    var initialUsage = "0"

    @Option(name: .customLong("charge-ttl"), help: "Seconds a charge can be paid.")
    var chargeTTL: Int64 = 3600

    @Option(help: "Milliseconds added before every API answer.")
    var latencyMs: Int64 = 0

    @Option(help: "API requests per second before 429 with Retry-After.")
    var rateLimit: Double?

    @Option(help: "Probability (0…1) of a 500 before processing.")
    var failRate = 0.0

    @Option(help: "Probability (0…1) of processing, then dropping the connection without answering.")
    var dropRate = 0.0

    @Option(help: "Seed for the fault draws, for reproducible runs.")
    var seed: UInt64?

    @Option(help: ArgumentHelp("Keep the state in this file across restarts.", valueName: "file"))
    var state: String?

    @Option(help: "trace, debug, info, notice, warning, error or critical (logs go to stderr).")
    var logLevel = "info"

    func validate() throws {
        guard SimulatorOptions.CoinbaseMode(rawValue: coinbase) != nil else {
            throw ValidationError("--coinbase must be available or gone")
        }
        guard (0...1).contains(failRate), (0...1).contains(dropRate) else {
            throw ValidationError("--fail-rate and --drop-rate are probabilities between 0 and 1")
        }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0…65535") }
        guard chargeTTL > 0 else { throw ValidationError("--charge-ttl must be positive") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level: unknown level \(logLevel)") }
    }

    func run() async throws {
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        var logger = Logger(label: "openrouter-sim")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        var options = SimulatorOptions()
        options.port = port
        options.managementKey = managementKey
        options.inferenceKey = inferenceKey.isEmpty ? nil : inferenceKey
        options.disabledKey = disabledKey
        options.coinbase = SimulatorOptions.CoinbaseMode(rawValue: coinbase) ?? .available
        do {
            options.initialCredits = try Micros(parsing: initialCredits)
            options.initialUsage = try Micros(parsing: initialUsage)
        } catch {
            throw ValidationError("--initial-credits / --initial-usage: \(error)")
        }
        options.chargeTTLSeconds = chargeTTL
        options.latencyMilliseconds = latencyMs
        options.rateLimit = rateLimit
        options.failRate = failRate
        options.dropRate = dropRate
        options.seed = seed
        options.statePath = state

        let app = try SimulatorServer.application(options: options, logger: logger) { port in
            // Unbuffered and first, so a script can read the port before anything else.
            FileHandle.standardOutput.write(Data("listening on http://127.0.0.1:\(port)\n".utf8))
        }
        let group = ServiceGroup(configuration: .init(
            services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
