#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The open file a report is written into as it is rendered (`AtomicFile.Staging.openFile`):
/// a `ReportText` hands it its bytes a chunk at a time, so a report of a million charges,
/// hundreds of megabytes, is never whole in memory. The first write that fails is kept,
/// and the writes after it are skipped.
final class ReportSink {
    /// How many bytes a `ReportText` gathers before handing them over.
    static let chunk = 1 << 20

    private let descriptor: Int32
    let chunk: Int
    /// Why a write failed, in the system's words (`No space left on device`); `nil` while
    /// every write has succeeded.
    private(set) var failure: String?

    init(descriptor: Int32, chunk: Int = ReportSink.chunk) {
        self.descriptor = descriptor
        self.chunk = chunk
    }

    /// Writes `bytes` whole, unless a write failed before.
    func write(_ bytes: UnsafeRawBufferPointer) {
        guard failure == nil, var next = bytes.baseAddress else { return }
        var left = bytes.count
        while left > 0 {
            let wrote = writeToDescriptor(descriptor, next, left)
            if wrote < 0 {
                if errno == EINTR { continue }
                failure = String(cString: strerror(errno))
                return
            }
            next += wrote
            left -= wrote
        }
    }
}

/// POSIX `write`, by a name the sink's own `write` does not hide.
private func writeToDescriptor(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}
