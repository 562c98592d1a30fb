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
}
