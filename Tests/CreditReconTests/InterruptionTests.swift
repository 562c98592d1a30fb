import AsyncWait
import Foundation
import Glibc
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

    /// A signal once the write says it is finishing (an import committed, its ledger being
    /// closed: a checkpoint of 1.2 GB) is said as such, not as "nothing of it is written"
    /// of 2,000,000 readings committed (probe 164), and said once.
    @Test func aSignalOnceTheWriteIsFinishingIsSaidAsSuch() throws {
        let said = Said()
        let logger = Logger(label: "test") { _ in said }
        let result = try Interruption.stoppingBetweenBatches(
            "the import of s.csv", then: "nothing of it is written", logger: logger
        ) { interruption in
            try interruption.stopIfSignalled("not yet")
            interruption.finishing()
            interruption.raise("SIGTERM")  // as the ledger is closed
            return 42
        }
        #expect(result == 42)
        #expect(said.lines.withLock { $0 } == [
            "SIGTERM came as the import of s.csv was finishing, its last batch written: it finishes (send the signal again to "
                + "stop at once: the write is then in the ledger whole or not at all, and running the command again finishes it, "
                + "finding what is there)",
        ])
    }

    /// A signal the moment a trap is set up is heard (a dispatch source, armed later, missed
    /// it, the signal ignored meanwhile), and the signal is handled, not ignored, so a child
    /// process would not start with it ignored. (Here SIGHUP, whose default action would end
    /// the whole test run.)
    @Test func aSignalAsTheTrapIsSetUpIsHeardAndOneAfterAStageIsKept() async {
        let stage = Interruption(signals: [SIGHUP])
        stage.startTrapping()
        kill(getpid(), SIGHUP)
        #expect(await waitUntil { stage.signal != nil }, "the stage never heard the signal")
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let ignored = status.split(separator: "\n").first { $0.hasPrefix("SigIgn:") }
            .flatMap { UInt64($0.dropFirst("SigIgn:".count).trimmingCharacters(in: .whitespaces), radix: 16) }
        #expect(ignored.map { $0 & (1 << UInt64(SIGHUP - 1)) == 0 } == true, "SIGHUP is ignored while trapped: \(String(describing: ignored))")
        stage.stopTrapping(keepingUntilExit: false)

        // In the credit-recon command a stage's trap, once stopped, stays until the process
        // exits: a signal after the stage (an import committed, its writer lock being let go)
        // is recorded, where the signal's default action ended the command with 143 and no
        // word of the committed import (probe 76). The next stage takes the same trap over,
        // and a signal it had heard stops that stage as it starts (as one before a writing
        // command's stage does, `trapFromStart()`). One test with the one above: a signal
        // sent by one test to this process reaches the traps of all.
        defer { Interruption.cancelKeptTrap() }
        let first = Interruption(signals: [SIGHUP])
        first.startTrapping()
        first.stopTrapping(keepingUntilExit: true)
        kill(getpid(), SIGHUP)
        #expect(await waitUntil { Interruption.keptTrapHeard != nil }, "the kept trap never heard the signal")
        #expect(first.signal == nil, "the stage had ended")
        let next = Interruption(signals: [SIGHUP])
        let heard = Mutex<String?>(nil)
        next.onSignal { name in heard.withLock { $0 = name } }
        next.startTrapping()
        #expect(Interruption.keptTrapHeard == nil, "the next stage took the trap over")
        #expect(next.signal == Interruption.keptTrapHeard ?? "SIGHUP")
        #expect(heard.withLock { $0 } == "SIGHUP", "the next stage's actions ran as it started")
        next.stopTrapping(keepingUntilExit: false)
    }

    /// Keeps the log's messages, and apart those at warning and above.
    final class Said: LogHandler, @unchecked Sendable {
        let lines = Mutex<[String]>([])
        let warnings = Mutex<[String]>([])
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            lines.withLock { $0.append(event.message.description) }
            if event.level >= .warning { warnings.withLock { $0.append(event.message.description) } }
        }
    }
}
