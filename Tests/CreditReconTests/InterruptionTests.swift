import Logging
import Synchronization
import Testing

@testable import CreditRecon

/// The command-wide record of SIGINT/SIGTERM that the stages act on.
@Suite struct InterruptionTests {
    @Test func theFirstSignalIsKeptAndEachActionRunsOnce() {
        let interruption = Interruption()
        let heard = Mutex<[String]>([])
        interruption.onSignal { name in heard.withLock { $0.append("first \(name)") } }
        #expect(interruption.signal == nil)
        interruption.raise("SIGTERM")
        interruption.raise("SIGINT")
        #expect(interruption.signal == "SIGTERM")
        #expect(heard.withLock { $0 } == ["first SIGTERM"])
    }

    /// A stage that starts after the signal (the `run` job's next stage) still hears it.
    @Test func anActionRegisteredAfterTheSignalRunsAtOnce() {
        let interruption = Interruption()
        interruption.raise("SIGINT")
        let heard = Mutex<String?>(nil)
        interruption.onSignal { name in heard.withLock { $0 = name } }
        #expect(heard.withLock { $0 } == "SIGINT")
    }

    /// A write stopped between batches hears a signal at its next batch; one that comes
    /// after the last batch's check, as the write commits, lets it finish, and the log says
    /// both what the signal does and that the work finished.
    @Test func aSignalAfterTheLastBatchLetsTheWorkFinishAndSaysSo() throws {
        let said = Said()
        let logger = Logger(label: "test") { _ in said }
        let result = try Interruption.stoppingBetweenBatches(
            "the import of s.csv", then: "nothing of it is written", logger: logger
        ) { interruption in
            try interruption.stopIfSignalled("not yet")
            interruption.raise("SIGTERM")  // as the last batch is committed
            return 42
        }
        #expect(result == 42)
        #expect(said.lines.withLock { $0 } == [
            "SIGTERM: the import of s.csv stops at its next batch, and nothing of it is written (send the signal again to stop at once)",
            "SIGTERM came as the import of s.csv was finishing, after its last batch: it finished",
        ])
    }

    /// Keeps the log's messages.
    final class Said: LogHandler, @unchecked Sendable {
        let lines = Mutex<[String]>([])
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String,
                 function: String, line: UInt) {
            lines.withLock { $0.append(message.description) }
        }
    }
}
