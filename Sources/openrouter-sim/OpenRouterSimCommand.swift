import ArgumentParser
import CreditTypes
import Foundation
import Hummingbird
import Logging
import OpenRouterSimulator
import ServiceLifecycle

/// `openrouter-sim`: a stateful stand-in for the OpenRouter endpoints credit-recon uses
/// (CONTRACT.md § Simulator, § Simulator additions).
@main
struct OpenRouterSimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "openrouter-sim",
        abstract: "A stateful stand-in for OpenRouter's /credits, /credits/coinbase, /key, /keys and /activity, "
            + "with faults and admin routes.",
        discussion: """
            Prints `listening on http://127.0.0.1:PORT` as its first line of stdout, logs to stderr, \
            and shuts down gracefully on SIGTERM or SIGINT.

            API routes under /api/v1: GET /credits, POST /credits/coinbase, GET /key (the calling key; \
            the management key answers is_management_key true), GET /keys (include_disabled=true, \
            offset=N; pages of --keys-page keys; the keys given on the command line are not listed), \
            GET /activity (date=YYYY-MM-DD, api_key_hash=HASH; the last 30 completed UTC days of the \
            simulator's clock, another date is a 400).

            Admin routes (no auth): GET /_sim/state; POST /_sim/charges/{id}/pay; \
            POST /_sim/keys {"name":"ci","limit":"50"} answers {"hash","key"}; \
            POST /_sim/keys/{hash}/disable; DELETE /_sim/keys/{hash}; \
            POST /_sim/usage {"amount":"1.25","key":"<hash or key>","model":"openai/gpt-4o","provider":"openai"} \
            (key, model and provider optional; with a key and no model the model is openrouter/auto; also \
            "requests", "prompt_tokens", "completion_tokens", "reasoning_tokens", "cached_tokens"); \
            POST /_sim/purchase {"amount":"20"}; POST /_sim/clock {"now":"2026-01-01T00:00:00Z"}; \
            POST /_sim/faults {"latency_ms","rate_limit","fail_rate","drop_rate","coinbase","garble","fail_message"} \
            ("garble": "json", "html", "echo" or null; "fail_message": the text of fail_rate's 500s; checked whole: \
            one bad field is a 400 and changes nothing; the answer is the faults now in force, {} reads them).
            """)

    @Option(parsing: .unconditional, help: "Port on 127.0.0.1; 0 picks a free one.")
    var port = 0

    @Option(help: "The management key (reads real totals on /credits; lists /keys and /activity); not empty.")
    var managementKey = "sim-management-key"

    @Option(help: "An ordinary key, not the management key (empty for none): /credits answers 200 with zero totals, /key says it is no management key.")
    var inferenceKey = "sim-inference-key"

    @Option(help: "A disabled key: answered 403; neither of the other two.")
    var disabledKey: String?

    @Option(help: "available, or gone (POST /credits/coinbase answers 410 as production does).")
    var coinbase = "available"

    @Option(parsing: .unconditional, help: "total_credits at the start, decimal USD, at least 0 (default 0; not used when --state names a file that exists).")
    var initialCredits: String?

    @Option(parsing: .unconditional, help: "total_usage at the start, decimal USD (default 0; not used when --state names a file that exists); below 0 is an answer no real account gives, for testing a client's checks.")
    var initialUsage: String?

    @Option(name: .customLong("charge-ttl"), parsing: .unconditional, help: "Seconds a charge can be paid (it must expire by 9999-12-31).")
    var chargeTTL: Int64 = 3600

    @Option(parsing: .unconditional, help: "Milliseconds added before every API answer (0 to 3600000); SIGTERM or SIGINT does not wait them out.")
    var latencyMs: Int64 = 0

    @Option(parsing: .unconditional, help: "API requests per second before 429 with Retry-After (0.001 to 1000000).")
    var rateLimit: Double?

    @Option(parsing: .unconditional, help: "Probability (0…1) of a 500 before processing.")
    var failRate = 0.0

    @Option(parsing: .unconditional, help: "Probability (0…1) of processing, then dropping the connection without answering.")
    var dropRate = 0.0

    @Option(help: "Seed for the fault draws, charge ids and key hashes, for reproducible runs; without it each run draws its own (from the system), so two runs do not hand out the same ids.")
    var seed: UInt64?

    @Option(parsing: .unconditional, help: "Keys per page of GET /api/v1/keys (a client reads pages by offset until one is empty).")
    var keysPage = 100

    @Option(help: ArgumentHelp("Keep the state in this file across restarts.", valueName: "file"))
    var state: String?

    @Option(help: "trace, debug, info, notice, warning, error or critical (logs go to stderr).")
    var logLevel = "info"

    func validate() throws {
        guard SimulatorOptions.CoinbaseMode(rawValue: coinbase) != nil else {
            throw ValidationError("--coinbase must be available or gone")
        }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level: unknown level \(logLevel)") }
        do { try simulatorOptions().validate() } catch { throw ValidationError(error.description) }
    }

    /// The simulator's options from the command line's; the amounts parsed exactly.
    func simulatorOptions() throws(SimulatorError) -> SimulatorOptions {
        var options = SimulatorOptions()
        options.port = port
        options.managementKey = managementKey
        options.inferenceKey = inferenceKey.isEmpty ? nil : inferenceKey
        options.disabledKey = disabledKey
        options.coinbase = SimulatorOptions.CoinbaseMode(rawValue: coinbase) ?? .available
        options.initialCredits = try SimulatorOptions.amount(initialCredits ?? "0", option: "--initial-credits")
        options.initialUsage = try SimulatorOptions.amount(initialUsage ?? "0", option: "--initial-usage")
        options.chargeTTLSeconds = chargeTTL
        options.latencyMilliseconds = latencyMs
        options.rateLimit = rateLimit
        options.failRate = failRate
        options.dropRate = dropRate
        options.seed = seed
        options.keysPage = keysPage
        options.statePath = state
        return options
    }

    func run() async throws {
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        var logger = Logger(label: "openrouter-sim")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        let options = try simulatorOptions()
        if let state, FileManager.default.fileExists(atPath: state) {
            let given = [("--initial-credits", initialCredits), ("--initial-usage", initialUsage)].filter { $0.1 != nil }.map(\.0)
            if !given.isEmpty {
                logger.warning("""
                    \(given.joined(separator: " and ")) \(given.count == 1 ? "is" : "are") not used: the state file \(state) holds \
                    the account's totals, which go on from where they were (remove the file to start again from the options)
                    """)
            }
        }
        let app = try SimulatorServer.application(options: options, logger: logger) { port in
            // Unbuffered and first, so a script can read the port before anything else.
            try? FileHandle.standardOutput.write(contentsOf: Data("listening on http://127.0.0.1:\(port)\n".utf8))
        }
        let group = ServiceGroup(configuration: .init(
            services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do { try await group.run() } catch { throw SimulatorServer.explained(error, options: options) }
    }
}
