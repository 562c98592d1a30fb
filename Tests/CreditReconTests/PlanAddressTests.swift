@testable import CreditRecon
import CreditTypes
import Testing

/// EIP-55 checksums, with the EIP's own examples.
struct PlanAddressTests {
    static let mixedCase = [
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
        "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
    ]
    static let allCaps = ["0x52908400098527886E0F7030069857D2E4169EE7", "0x8617E340B3D01FA5F11F306F4090FD50E238070D"]
    static let allLower = ["0xde709f2102306220921060314715629080e2fb77", "0x27b1fdb04752bbc536007a920d24acb045561c26"]

    @Test(arguments: mixedCase)
    func mixedCaseVectorsPass(_ address: String) throws {
        let parsed = try EthereumAddress(validating: address)
        #expect(parsed.checksummed == address)
    }

    @Test(arguments: mixedCase)
    func lowerAndUpperFormsNeedNoChecksum(_ address: String) throws {
        let hex = address.dropFirst(2)
        #expect(try EthereumAddress(validating: "0x" + hex.lowercased()).checksummed == address)
        #expect(try EthereumAddress(validating: "0x" + hex.uppercased()).checksummed == address)
    }

    @Test(arguments: allCaps + allLower)
    func singleCaseVectorsAreAccepted(_ address: String) throws {
        let parsed = try EthereumAddress(validating: address)
        #expect(parsed.checksummed.lowercased() == address.lowercased())
    }

    @Test func oneFlippedLetterFails() {
        // "…BeAed" → "…BeaEd": the same hex, a wrong checksum.
        #expect(throws: AddressError.checksumMismatch) {
            try EthereumAddress(validating: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeaEd")
        }
        #expect(throws: AddressError.checksumMismatch) {
            try EthereumAddress(validating: "0x5aaeb6053F3E94C9b9A09f33669435E7Ef1BeAed")
        }
        let message = AddressError.checksumMismatch.description
        // Never the way round the one check that caught a typo in where the money goes (probe 382).
        #expect(message.contains("copy the address again from the wallet (writing it in lower case would only hide the typo"))
        #expect(!message.contains("to skip the checksum"))
    }

    @Test func malformedAddresses() {
        #expect(throws: AddressError.zeroAddress) { try EthereumAddress(validating: "0x" + String(repeating: "0", count: 40)) }
        #expect(throws: AddressError.missingPrefix) { try EthereumAddress(validating: "5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed") }
        #expect(throws: AddressError.wrongLength(39)) { try EthereumAddress(validating: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe") }
        #expect(throws: AddressError.notHex("g")) { try EthereumAddress(validating: "0xg" + String(repeating: "1", count: 39)) }
        // Said in characters, whatever the length: a stray letter first (it was "1 hex
        // digits"), an accented one whole (it was "Ã"), a full-width digit as one (it was 42).
        #expect(throws: AddressError.notHex("g")) { try EthereumAddress(validating: "0xg") }
        #expect(throws: AddressError.notHex("é")) { try EthereumAddress(validating: "0x" + String(repeating: "1", count: 39) + "é") }
        #expect(throws: AddressError.notHex("３")) { try EthereumAddress(validating: "0x" + String(repeating: "1", count: 39) + "３") }
    }

    /// EIP-55 straight from its definition: a letter is upper case when the matching nibble
    /// of Keccak-256(lower-case hex) is 8 or more.
    static func checksummed(_ lowerHex: String) -> String {
        let digest = Keccak256.hash(Array(lowerHex.utf8))
        var text = "0x"
        for (index, character) in lowerHex.enumerated() {
            let nibble = (digest[index / 2] >> (index % 2 == 0 ? 4 : 0)) & 0x0F
            text += character.isLetter && nibble >= 8 ? character.uppercased() : String(character)
        }
        return text
    }

    @Test func aRememberedChecksumStillRefusesTheWrongCase() throws {
        let address = Self.mixedCase[0]
        for _ in 0..<3 {
            #expect(try EthereumAddress(validating: address).checksummed == address)
            #expect(try EthereumAddress(validating: address.lowercased()).checksummed == address)
            #expect(throws: AddressError.checksumMismatch) {
                try EthereumAddress(validating: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeaEd")
            }
        }
    }

    /// Which digits EIP-55 writes in upper case, from its definition: those whose nibble of
    /// Keccak-256(lower-case hex) is 8 or more.
    static func upperCaseDigits(_ lowerHex: String) -> UInt64 {
        let digest = Keccak256.hash(Array(lowerHex.utf8))
        var mask: UInt64 = 0
        for index in 0..<40 where (digest[index / 2] >> (index % 2 == 0 ? 4 : 0)) & 0x0F >= 8 { mask |= 1 << UInt64(index) }
        return mask
    }

    static func upperCaseDigits(_ lowerHex: String, from memo: ChecksumMemo) -> UInt64 {
        Array(lowerHex.utf8).withUnsafeBufferPointer { memo.upperCaseDigits(ofLowercaseHex: $0) }
    }

    /// Every one of the 20 bytes tells addresses apart: changing one digit anywhere gives an
    /// address with its own checksum, the first time and when it is checked again (from a
    /// memo of the test's own, so other tests filling the shared one change nothing).
    @Test func addressesOneDigitApartHaveTheirOwnChecksums() throws {
        let memo = ChecksumMemo(capacity: 64)
        let base = Array("de709f2102306220921060314715629080e2fb77")
        let positions = [0, 7, 15, 16, 24, 31, 32, 35, 39]
        for position in positions {
            var digits = base
            digits[position] = digits[position] == "a" ? "b" : "a"
            let lowerHex = String(digits)
            for _ in 0..<2 {
                #expect(Self.upperCaseDigits(lowerHex, from: memo) == Self.upperCaseDigits(lowerHex))
                #expect(try EthereumAddress(validating: "0x" + lowerHex).checksummed == Self.checksummed(lowerHex))
                #expect(try EthereumAddress(validating: Self.checksummed(lowerHex)).checksummed == Self.checksummed(lowerHex))
            }
        }
        #expect(memo.count == positions.count)  // each remembered, so the second look was a memory
    }

    /// More distinct wallets than a memo keeps: it stops growing, and the ones past its
    /// capacity are still checked right.
    @Test func theChecksumMemoStaysBounded() throws {
        let memo = ChecksumMemo(capacity: 100)
        var random = SeededRandom(seed: 55)
        let addresses = (0..<300).map { _ in String(random.hex(words: 3).prefix(40)) }
        for _ in 0..<2 {
            for lowerHex in addresses {
                #expect(Self.upperCaseDigits(lowerHex, from: memo) == Self.upperCaseDigits(lowerHex))
            }
        }
        #expect(memo.count <= memo.capacity)
        for lowerHex in addresses.suffix(20) {
            #expect(try EthereumAddress(validating: "0x" + lowerHex).checksummed == Self.checksummed(lowerHex))
        }
        #expect(ChecksumMemo.shared.count <= ChecksumMemo.shared.capacity)
    }
}
