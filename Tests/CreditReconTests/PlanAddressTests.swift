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
}
