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
}
