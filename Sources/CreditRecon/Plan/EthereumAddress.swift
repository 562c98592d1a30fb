/// A wallet address: `0x` and 40 hex digits, never the zero address, and when written in
/// mixed case, matching its EIP-55 checksum.
///
/// EIP-55 (https://eips.ethereum.org/EIPS/eip-55) writes a letter in upper case when the
/// matching nibble of Keccak-256(lower-case hex) is 8 or more. All-lower and all-upper
/// addresses carry no checksum and are accepted as written.
public struct EthereumAddress: Hashable, Sendable, CustomStringConvertible {
    /// The address in its EIP-55 checksummed form, e.g. `0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed`.
    /// Stored, keyed and sent in this form, so a plan that writes it in lower case and one
    /// that writes it checksummed name the same wallet.
    public let checksummed: String

    /// Validates `text` (surrounding spaces are not trimmed: callers trim cells).
    public init(validating text: String) throws(AddressError) {
        var text = text
        let result: Result<String, AddressError> = text.withUTF8 { bytes in
            // Scratch space on the stack: this runs once per plan row, a million times
            // for a large plan.
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 42) { scratch in
                Self.validate(bytes, scratch: scratch)
            }
        }
        switch result {
        case .success(let checksummed): self.checksummed = checksummed
        case .failure(.wrongLength), .failure(.notHex): throw Self.digitsError(text)
        case .failure(let error): throw error
        }
    }

    /// What is wrong with the digits after `0x` of `text`, said in characters (the check
    /// counts bytes: `é` was named as `Ã`, a full-width digit counted as three): the first
    /// that is not a hex digit, else how many there are.
    private static func digitsError(_ text: String) -> AddressError {
        let digits = text.dropFirst(2)
        if let stray = digits.first(where: { !($0.isASCII && $0.isHexDigit) }) { return .notHex(stray) }
        return .wrongLength(digits.count)
    }

    private static func validate(_ bytes: UnsafeBufferPointer<UInt8>, scratch: UnsafeMutableBufferPointer<UInt8>)
        -> Result<String, AddressError>
    {
        guard bytes.count >= 2, bytes[0] == UInt8(ascii: "0"), bytes[1] == UInt8(ascii: "x") || bytes[1] == UInt8(ascii: "X") else {
            return .failure(.missingPrefix)
        }
        guard bytes.count == 42 else { return .failure(.wrongLength(bytes.count - 2)) }
        // scratch: "0x" + lower-case hex, then the checksummed form.
        scratch[0] = UInt8(ascii: "0")
        scratch[1] = UInt8(ascii: "x")
        // Branch-free over the 40 digits: hex digits are random, so per-byte branches
        // would be mispredicted about half the time.
        var classes: UInt8 = 0  // bit 0: a digit 1-9 or letter seen, bit 1: lower, bit 2: upper, bit 3: not hex
        for index in 2..<42 {
            let byte = bytes[index]
            let folded = byte | 0x20
            let isDigit = byte &- UInt8(ascii: "0") < 10
            let isLetter = folded &- UInt8(ascii: "a") < 6
            let isUpper = isLetter && byte < UInt8(ascii: "a")
            classes |= (isLetter || (isDigit && byte != UInt8(ascii: "0")) ? 1 : 0)
                | (isLetter && !isUpper ? 2 : 0) | (isUpper ? 4 : 0) | (isDigit || isLetter ? 0 : 8)
            scratch[index] = isLetter ? folded : byte
        }
        if classes & 8 != 0 {
            // Rare: name the first character that is not a hex digit.
            for index in 2..<42 {
                let byte = bytes[index]
                let folded = byte | 0x20
                if !(byte &- UInt8(ascii: "0") < 10 || folded &- UInt8(ascii: "a") < 6) {
                    return .failure(.notHex(Character(Unicode.Scalar(byte))))
                }
            }
        }
        let hasLower = classes & 2 != 0, hasUpper = classes & 4 != 0, allZero = classes & 1 == 0
        guard !allZero else { return .failure(.zeroAddress) }
        let upperCase = ChecksumMemo.shared.upperCaseDigits(ofLowercaseHex: UnsafeBufferPointer(rebasing: scratch[2..<42]))
        var mismatches: UInt8 = 0
        for index in 0..<40 {
            let lower = scratch[index + 2]
            let expected = lower >= UInt8(ascii: "a") && (upperCase >> UInt64(index)) & 1 == 1 ? lower & ~0x20 : lower
            mismatches |= expected ^ bytes[index + 2]
            scratch[index + 2] = expected
        }
        let matches = mismatches == 0
        // Mixed case is a checksum claim and must hold; one case only is no claim at all.
        if hasLower && hasUpper && !matches { return .failure(.checksumMismatch) }
        return .success(String(decoding: UnsafeBufferPointer(rebasing: scratch[0..<42]), as: UTF8.self))
    }

    public var description: String { checksummed }
}
