import CreditTypes
import Foundation

/// Runs a producer of batches on another core while this thread consumes them: an import
/// validates the next rows of its file while it writes the ones before.
///
/// At most `capacity` batches wait between the two, so memory stays bounded however long
/// the file is. The consumer asks for batches with `next()` and, after the last one,
/// learns how production ended with `finished()`, which rethrows the producer's error.
/// When the consumer throws, the producer is told to stop (its `send` returns `false`)
/// and is waited for before the error goes on.
enum BatchPipeline {
    static func run<Batch: Sendable, Output>(
        capacity: Int = 4,
        produce: @escaping @Sendable (_ send: (Batch) -> Bool) throws -> Void,
        consume: (_ next: () -> Batch?, _ finished: () throws -> Void) throws -> Output
    ) throws -> Output {
        let channel = Channel<Batch>(capacity: capacity)
        let production = BackgroundWork { () -> Result<Void, any Error> in
            defer { channel.finish() }
            return Result { try produce(channel.send) }
        }
        do {
            return try consume(channel.next, { try production.wait().get() })
        } catch {
            channel.cancel()
            _ = production.wait()
            throw error
        }
    }

    /// A bounded hand-over from one producer thread to one consumer thread.
    private final class Channel<Batch: Sendable>: @unchecked Sendable {
        // Everything below is only touched with `condition` locked.
        private let condition = NSCondition()
        private let capacity: Int
        private var pending: [Batch] = []  // a handful at most: removing the first is cheap
        private var finished = false
        private var cancelled = false

        init(capacity: Int) { self.capacity = max(1, capacity) }

        /// Hands `batch` over, waiting while `capacity` batches are pending; `false` once
        /// the consumer has cancelled (the batch is dropped: stop producing).
        func send(_ batch: Batch) -> Bool {
            condition.lock()
            defer { condition.unlock() }
            while pending.count >= capacity && !cancelled { condition.wait() }
            guard !cancelled else { return false }
            pending.append(batch)
            condition.broadcast()
            return true
        }

        /// The producer is done: `next()` returns `nil` once the pending batches are taken.
        func finish() {
            condition.lock()
            finished = true
            condition.broadcast()
            condition.unlock()
        }

        /// The next batch, waiting for one; `nil` when the producer has finished.
        func next() -> Batch? {
            condition.lock()
            defer { condition.unlock() }
            while pending.isEmpty && !finished { condition.wait() }
            guard !pending.isEmpty else { return nil }
            let batch = pending.removeFirst()
            condition.broadcast()
            return batch
        }

        /// The consumer gives up: pending batches are dropped and the producer released.
        func cancel() {
            condition.lock()
            cancelled = true
            pending = []
            condition.broadcast()
            condition.unlock()
        }
    }
}
