/// Waits until `condition` holds, looking every 10 ms; `false` if `deadline` passes first.
/// The deadline only ends a hung test: a loaded machine makes a test slower, never red. It
/// is counted in looks, not read off a clock: on a thread pool starved by the whole suite a
/// minute could pass between two looks, while the work awaited waited behind the same
/// threads (a progress line's quiet period once ended "never" this way).
///
/// Shared by the test targets that wait in async code; `EndToEndTests` waits on processes
/// from synchronous tests and has a synchronous one of its own.
public func waitUntil(deadline: Duration = .seconds(60), _ condition: () async throws -> Bool) async rethrows -> Bool {
    for _ in 0..<Int(deadline / .milliseconds(10)) {
        if try await condition() { return true }
        // Cancelled: stop pausing, and give the condition a last look.
        do { try await Task.sleep(for: .milliseconds(10)) } catch { break }
    }
    return try await condition()
}
