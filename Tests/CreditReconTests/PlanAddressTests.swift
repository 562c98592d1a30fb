@testable import CreditRecon
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
        #expect(message.contains("copy the address again from the wallet, or write it all in lower case to skip the checksum"))
    }

    @Test func malformedAddresses() {
        #expect(throws: AddressError.zeroAddress) { try EthereumAddress(validating: "0x" + String(repeating: "0", count: 40)) }
        #expect(throws: AddressError.missingPrefix) { try EthereumAddress(validating: "5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed") }
        #expect(throws: AddressError.wrongLength(39)) { try EthereumAddress(validating: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe") }
        #expect(throws: AddressError.notHex("g")) { try EthereumAddress(validating: "0xg" + String(repeating: "1", count: 39)) }
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

    /// Every one of the 20 bytes tells addresses apart: changing one digit anywhere gives an
    /// address with its own checksum, the first time and when it is checked again.
    @Test func addressesOneDigitApartHaveTheirOwnChecksums() throws {
        let base = Array("de709f2102306220921060314715629080e2fb77")
        for position in [0, 7, 15, 16, 24, 31, 32, 35, 39] {
            var digits = base
            digits[position] = digits[position] == "a" ? "b" : "a"
            let lowerHex = String(digits)
            for _ in 0..<2 {
                #expect(try EthereumAddress(validating: "0x" + lowerHex).checksummed == Self.checksummed(lowerHex))
                #expect(try EthereumAddress(validating: Self.checksummed(lowerHex)).checksummed == Self.checksummed(lowerHex))
            }
        }
    }

    /// More distinct wallets than the memo keeps: it stops growing, and the ones past its
    /// capacity are still checked right.
    @Test func theChecksumMemoStaysBounded() throws {
        var generator = SystemRandomNumberGenerator()
        var last: [String] = []
        for index in 0..<(ChecksumMemo.capacity + 200) {
            let lowerHex = (0..<5).map { _ in
                let word = String(UInt32.random(in: 0...UInt32.max, using: &generator), radix: 16)
                return String(repeating: "0", count: 8 - word.count) + word
            }.joined()
            let address = try EthereumAddress(validating: "0x" + lowerHex)
            if index >= ChecksumMemo.capacity { last.append(lowerHex) }
            #expect(address.checksummed.lowercased() == "0x" + lowerHex)
        }
        #expect(ChecksumMemo.count <= ChecksumMemo.capacity)
        for lowerHex in last {
            #expect(try EthereumAddress(validating: Self.checksummed(lowerHex)).checksummed == Self.checksummed(lowerHex))
        }
    }
}
