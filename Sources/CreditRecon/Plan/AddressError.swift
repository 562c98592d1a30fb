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

    public var description: String {
        switch self {
        case .missingPrefix:
            return "does not start with 0x; a wallet address is 0x followed by 40 hex digits"
        case .wrongLength(let count):
            return "has \(count) hex digits after 0x instead of 40; copy the address again from the wallet"
        case .notHex(let character):
            return "contains \"\(character)\", which is not a hex digit (0-9, a-f); copy the address again from the wallet"
        case .zeroAddress:
            return "is the zero address, which cannot send a payment; use the paying wallet's address"
        case .checksumMismatch:
            return "fails its EIP-55 checksum (the upper/lower case letters do not match the address), so it "
                + "may have a typo; copy the address again from the wallet, or write it all in lower case to skip the checksum"
        }
    }
}
