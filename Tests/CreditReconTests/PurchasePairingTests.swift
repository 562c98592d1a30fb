import CreditTypes
import Testing
@testable import CreditRecon

/// `PurchasePairing`: one to one, the earliest candidate in range first, by account and
/// amount, the taken ones and the ones that do not fit passed over.
struct PurchasePairingTests {
    static func line(_ id: String, _ amount: String, at minute: Int64, account: String = "a", wallet: String? = nil) -> ChargeLine {
        ChargeLine(
            chargeID: id, topUpKey: nil, reference: nil, batch: nil, account: account, origin: "import", wallet: wallet,
            chainID: 8453, amount: reconMicros(amount), createdAt: Timestamp(millisecondsSinceEpoch: minute * 60_000),
            expiresAt: nil, state: .settled, memo: nil)
    }

    static func minute(_ minute: Int64) -> Timestamp { Timestamp(millisecondsSinceEpoch: minute * 60_000) }

    @Test func takesTheEarliestFreeCandidateInRangeOnce() {
        let lines = [
            Self.line("c", "5", at: 30), Self.line("a", "5", at: 10), Self.line("b", "5", at: 20),
            Self.line("other-amount", "6", at: 15), Self.line("other-account", "5", at: 12, account: "b"),
        ]
        var pairing = PurchasePairing(lines.indices, of: lines)
        let take = { (pairing: inout PurchasePairing, from: Int64, to: Int64) -> String? in
            pairing.take(account: "a", amount: reconMicros("5"), from: Self.minute(from), to: Self.minute(to), where: { _ in true })
                .map { lines[$0].chargeID ?? "" }
        }
        #expect(take(&pairing, 11, 100) == "b")
        #expect(take(&pairing, 0, 100) == "a")
        #expect(take(&pairing, 0, 29) == nil, "a and b are taken; c is out of range")
        #expect(take(&pairing, 0, 30) == "c")
        #expect(take(&pairing, 0, 100) == nil)
        #expect(pairing.take(account: "b", amount: reconMicros("5"), from: Self.minute(0), to: Self.minute(100),
                             where: { _ in true }) == 4)
    }

    /// A candidate that does not fit one charge stays free for the next.
    @Test func aCandidateThatDoesNotFitStaysFree() {
        let lines = (0..<1000).map { Self.line("c\($0)", "5", at: Int64($0)) }
        var pairing = PurchasePairing(lines.indices, of: lines)
        let odd = pairing.take(account: "a", amount: reconMicros("5"), from: Self.minute(0), to: Self.minute(999),
                               where: { $0 % 2 == 1 })
        #expect(odd == 1)
        var taken: [Int] = []
        while let next = pairing.take(account: "a", amount: reconMicros("5"), from: Self.minute(0), to: Self.minute(999),
                                      where: { _ in true }) {
            taken.append(next)
        }
        #expect(taken == [0] + Array(2..<1000))
    }

    @Test func walletsInAnyCaseAndUnknownOnesMayBeOnePurchase() {
        let a = Self.line("a", "5", at: 0, wallet: "0xAbC"), b = Self.line("b", "5", at: 1, wallet: "0xabc")
        let c = Self.line("c", "5", at: 2, wallet: nil), d = Self.line("d", "5", at: 3, wallet: "0xdef")
        #expect(PurchasePairing.samePurchase(a, b) && PurchasePairing.samePurchase(a, c) && !PurchasePairing.samePurchase(a, d))
    }
}
