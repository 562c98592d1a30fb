import Foundation
import Testing

/// Runs each test on a thread of its own instead of the test pool's, for synchronous tests
/// that wait: for a child process, a server's timeout, a file to appear. The pool has a
/// thread per core (two here), and a test that blocks one holds it from every async test
/// and from the in-process simulator's handlers; two such tests stopped the whole suite,
/// and requests made before the stall timed out after it (59 failures seen at once).
///
/// Tests that take turns run one per two cores at a time (the pool's threads and the
/// serialized suites' tests run beside them): the ones waiting for their turn wait without
/// a thread. A `.serialized` suite runs one test at a time already, and its tests are a
/// chain the whole run waits for: they take no turn, or each would wait behind every other
/// suite's. (A test's reported duration includes its wait for a turn.)
public struct ThreadOfItsOwn: TestTrait, SuiteTrait, TestScoping {
    public var isRecursive: Bool { true }

    /// Whether each test waits for one of the `turns` first.
    let takesTurns: Bool

    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        if takesTurns { await Self.turns.take() }
        let thread = ThreadExecutor(name: test.name)
        var failure: (any Error)?
        do { try await withTaskExecutorPreference(thread) { try await function() } } catch { failure = error }
        thread.finish()
        if takesTurns { await Self.turns.give() }
        if let failure { throw failure }
    }

    /// The name of the test whose thread this is, or `nil` on any other thread. (Not
    /// `Thread.name`: Foundation gives a thread the name of the one that started it.)
    public static var testOfThisThread: String? { Thread.current.threadDictionary[threadKey] as? String }

    static let threadKey = "ThreadOfItsOwn.test"
    static let turns = Turns(width: max(1, ProcessInfo.processInfo.activeProcessorCount / 2))
}

extension Trait where Self == ThreadOfItsOwn {
    /// Each test on a thread of its own, in turn (`ThreadOfItsOwn`).
    public static var threadOfItsOwn: ThreadOfItsOwn { ThreadOfItsOwn(takesTurns: true) }

    /// Each test on a thread of its own, waiting for a turn or not (`takingTurns: false`
    /// for `.serialized` suites).
    public static func threadOfItsOwn(takingTurns: Bool) -> ThreadOfItsOwn { ThreadOfItsOwn(takesTurns: takingTurns) }
}

/// `width` turns handed out in the order they were asked for.
actor Turns {
    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(width: Int) { free = width }

    func take() async {
        if free > 0 {
            free -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func give() {
        if waiting.isEmpty { free += 1 } else { waiting.removeFirst().resume() }
    }
}

/// An executor that runs its jobs one after another on one thread it starts. After
/// `finish()` the thread ends once its queue is empty, and a job that still arrives (the
/// task leaving the executor) goes to the global executor.
final class ThreadExecutor: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    /// Guarded by `condition`.
    private var jobs: [UnownedJob] = []
    private var finished = false

    /// `name`: the test's, kept in the thread's dictionary (`ThreadOfItsOwn.testOfThisThread`).
    init(name: String) {
        let thread = Thread { [self] in
            Thread.current.threadDictionary[ThreadOfItsOwn.threadKey] = name
            run()
        }
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        if finished {
            condition.unlock()
            globalConcurrentExecutor.enqueue(ExecutorJob(job))
            return
        }
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    func finish() {
        condition.lock()
        finished = true
        condition.signal()
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            while jobs.isEmpty && !finished { condition.wait() }
            guard !jobs.isEmpty else {
                condition.unlock()
                return
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
