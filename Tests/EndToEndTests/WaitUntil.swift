import Foundation

/// Waits until `condition` holds, looking every 50 ms; `false` if `deadline` passes first.
/// The deadline only ends a hung test: a loaded machine makes a test slower, never red.
/// (The async targets share `AsyncWait`'s; this one blocks the thread, as these tests
/// already do while a child process runs.)
func waitUntil(deadline: Duration = .seconds(60), _ condition: () throws -> Bool) rethrows -> Bool {
    let clock = ContinuousClock()
    let end = clock.now + deadline
    while clock.now < end {
        if try condition() { return true }
        Thread.sleep(forTimeInterval: 0.05)
    }
    return try condition()
}
