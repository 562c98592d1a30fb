import NIOCore
import Testing
@testable import OpenRouterAPI
#if canImport(Glibc)
import Glibc
#endif

/// Which transport failures prove a request was never sent (a top-up's row stays
/// `planned`, sent again by the next run) and which leave its outcome unknown.
@Suite("Transport failures: never sent, or unknown")
struct TransportFailureTests {
    @Test func noDescriptorForTheSocketIsNeverSent() {
        // A top-up under `ulimit -n 22`: 7 rows left `unknown` that never reached the API.
        for code in [EMFILE, ENFILE, ECONNREFUSED] {
            #expect(TransportFailure.neverSent(IOError(errnoCode: code, reason: "socket")), "errno \(code)")
        }
        for code in [ECONNRESET, EPIPE, ETIMEDOUT] {
            #expect(!TransportFailure.neverSent(IOError(errnoCode: code, reason: "write")), "errno \(code)")
        }
    }
}
