import CreditTypes
import Testing

@Suite("Secret")
struct SecretTests {
    @Test func secretsNeverPrint() {
        let secret = Secret("sk-or-v1-canary")
        #expect("\(secret)" == "<redacted>")
        #expect(String(reflecting: secret) == "<redacted>")
        #expect(!String(describing: [secret]).contains("canary"))
        #expect(secret.reveal() == "sk-or-v1-canary")
    }

    /// A password shorter than `shortestHidden` is not scrubbed from what a command prints:
    /// `0000` took digits out of the amounts a lost connection left to import (probe 416). A
    /// longer one is, and neither is scrubbed from the API's answers, which never get it.
    @Test func aShortPasswordIsNotHidden() {
        let short = String((0..<7).map { _ in "bcdfghjkmnpqrstvwxz".randomElement()! })
        let long = short + "q"
        _ = Secret(short, sentToTheAPI: false)
        _ = Secret(long, sentToTheAPI: false)
        defer { Secret.forget(long) }
        #expect(!Secret.held.contains(short) && Secret.held.contains(long))
        #expect(Secret.scrubbed("a \(short)-1 b \(long)") == "a \(short)-1 b <redacted>")
        #expect(!Secret.sentToTheAPI.contains(long))
    }
}
