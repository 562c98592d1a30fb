import AsyncWait
import Foundation
import Testing

/// The trait the end-to-end suites carry: their tests wait for child processes on threads
/// of their own, not on the test pool's.
@Suite("Test support: each test on a thread of its own", .threadOfItsOwn)
struct ThreadOfItsOwnTests {
    @Test func aSynchronousTestRunsOnTheThreadMadeForIt() {
        #expect(Test.current?.name != nil)
        #expect(ThreadOfItsOwn.testOfThisThread == Test.current?.name)
    }

    /// Parameterized cases each get a thread (the trait is applied per case).
    @Test(arguments: [1, 2, 3]) func eachCaseToo(_ number: Int) {
        #expect(ThreadOfItsOwn.testOfThisThread == Test.current?.name, "case \(number)")
    }

    /// An async test starts there too, and after a suspension (its job enqueued again) it
    /// is back on that thread.
    @Test func anAsyncTestStaysOnIt() async {
        let name = Test.current?.name
        #expect(ThreadOfItsOwn.testOfThisThread == name)
        await Task.yield()
        #expect(ThreadOfItsOwn.testOfThisThread == name)
    }
}
