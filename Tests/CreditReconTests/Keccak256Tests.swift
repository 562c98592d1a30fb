@testable import CreditRecon
import Testing

/// Keccak-256 against the published vectors and pycryptodome's `keccak` (digest_bits=256).
struct Keccak256Tests {
    private func hex(_ text: String) -> String {
        Keccak256.hash(Array(text.utf8)).map { String($0, radix: 16).leftPadded(2) }.joined()
    }

    @Test func emptyInputIsKeccakNotSHA3() {
        #expect(hex("") == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
        // SHA3-256("") would be a7ffc6f8…; the different padding byte makes the difference.
        #expect(hex("") != "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a")
    }

    @Test func abc() {
        #expect(hex("abc") == "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45")
    }

    @Test func blockBoundaries() {
        // 135 bytes: padding bytes 0x01 and 0x80 share the last byte of the block.
        #expect(hex(String(repeating: "x", count: 135)) == "16570bdb055e663ea1cb57ac6f09194f4bc7b7070847971fc0b86710366dc34f")
        // 136 bytes: one full block, then a block of padding only.
        #expect(hex(String(repeating: "x", count: 136)) == "50da8ef3747b7a7f01d08563aa11c72a2a668563fb928adc6e8d2a1ab4e36096")
        #expect(hex(String(repeating: "x", count: 137)) == "01e0852c139fa337a5d3f746ab3b2d3400442195225e2f10c34702f8f37ae8d3")
    }

    @Test func multiBlock() {
        #expect(hex(String(repeating: "a", count: 200)) == "96ea54061def936c4be90b518992fdc6f12f535068a256229aca54267b4d084d")
        let bytes = (0..<3).flatMap { _ in (0...255).map { UInt8($0) } }
        let digest = Keccak256.hash(bytes).map { String($0, radix: 16).leftPadded(2) }.joined()
        #expect(digest == "00e77ce2c4f77212a0d5df106b08157b77058479357a98a6039b457c469723e4")
    }
}

fileprivate extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
