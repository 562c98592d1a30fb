/// Waits until `condition` holds, looking every 10 ms; `false` if `deadline` passes first.
/// The deadline only ends a hung test: a loaded machine makes a test slower, never red.
/// (The same helper lives in each test target that waits; targets cannot share code.)
func waitUntil(deadline: Duration = .seconds(60), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let clock = ContinuousClock()
    let end = clock.now + deadline
    while clock.now < end {
        if try await condition() { return true }
        // Cancelled: stop pausing, and give the condition a last look.
        do { try await Task.sleep(for: .milliseconds(10)) } catch { break }
    }
    return try await condition()
}
