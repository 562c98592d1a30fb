/// Why a text is not a usable wallet address.
public enum AddressError: Error, Equatable, Sendable, CustomStringConvertible {
    /// It does not start with `0x`.
    case missingPrefix
    /// It has this many hex digits instead of 40.
    case wrongLength(Int)
    /// It holds a character that is not a hex digit.
    case notHex(Character)
    /// It is `0x000…000`, which nobody can pay from.
    case zeroAddress
    /// Mixed case that does not match the EIP-55 checksum: a typo, or a different address.
    case checksumMismatch

    /// `"g"` for a printable ASCII character; otherwise its code points and names, after
    /// it when it can be seen (`"ｆ" (U+FF46 FULLWIDTH LATIN SMALL LETTER F)`): an invisible
    /// one was shown as `?`, a character the file does not hold (probe 210).
    static func shown(_ character: Character) -> String {
        let scalars = character.unicodeScalars
        if scalars.count == 1, let scalar = scalars.first, (0x21..<0x7F).contains(scalar.value) { return "\"\(character)\"" }
        let names = scalars.map(LookAlikeName.named).joined(separator: " + ")
        let seen = scalars.allSatisfy { scalar in
            ![.control, .format, .lineSeparator, .paragraphSeparator, .spaceSeparator].contains(scalar.properties.generalCategory)
        }
        return seen ? "\"\(character)\" (\(names))" : names
    }

    public var description: String {
        switch self {
        case .missingPrefix:
            return "does not start with 0x; a wallet address is 0x followed by 40 hex digits"
        case .wrongLength(let count):
            return "has \(count) hex digits after 0x instead of 40; copy the address again from the wallet"
        case .notHex(let character):
            return "contains \(Self.shown(character)), which is not a hex digit (0-9, a-f); copy the address again from the wallet"
        case .zeroAddress:
            return "is the zero address, which cannot send a payment; use the paying wallet's address"
        case .checksumMismatch:
            return "fails its EIP-55 checksum (the upper/lower case letters do not match the address), so it "
                + "may have a typo; copy the address again from the wallet (writing it in lower case would only hide the "
                + "typo: money sent to a mistyped address is lost)"
        }
    }
}
