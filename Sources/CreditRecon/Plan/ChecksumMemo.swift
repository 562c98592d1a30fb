import Synchronization

/// The EIP-55 checksums of the addresses this process has checked, so a file that names the
/// same wallets row after row (a finance team pays from a few) runs Keccak-256 once per
/// wallet rather than once per row.
///
/// A checksum is a function of the address alone, so the memo keeps, per address, which of
/// its 40 hex digits the checksum writes in upper case. It holds at most `capacity`
/// addresses; past that, new addresses are hashed every time, so memory stays bounded
/// whatever the file's size. Every address check uses `shared`, from any thread, behind one
/// lock.
final class ChecksumMemo: Sendable {
    /// The memo every address check uses: up to 65,536 addresses, about 4 MB.
    static let shared = ChecksumMemo(capacity: 1 << 16)

    /// Addresses kept, at most.
    let capacity: Int

    /// An address's 20 bytes, as three integers.
    private struct Address: Hashable {
        let high: UInt64
        let middle: UInt64
        let low: UInt32
    }

    private let known = Mutex<[Address: UInt64]>([:])

    init(capacity: Int) { self.capacity = capacity }

    /// Bit `i` set when the checksum writes hex digit `i` (a letter) in upper case, that is
    /// when nibble `i` of Keccak-256(`lowercaseHex`) is 8 or more. `lowercaseHex` is the
    /// address's 40 hex digits in lower case, without `0x`.
    func upperCaseDigits(ofLowercaseHex hex: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let address = Address(
            high: Self.nibbles(hex, 0..<16), middle: Self.nibbles(hex, 16..<32),
            low: UInt32(truncatingIfNeeded: Self.nibbles(hex, 32..<40)))
        if let mask = known.withLock({ $0[address] }) { return mask }
        var mask: UInt64 = 0
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { digest in
            Keccak256.hash(hex, into: digest)
            for index in 0..<40 {
                // Even digits take the high nibble of the digest byte, odd ones the low.
                let nibble = (digest[index >> 1] >> (4 - 4 * UInt8(index & 1))) & 0x0F
                mask |= UInt64(nibble >> 3) << UInt64(index)
            }
        }
        known.withLock { known in
            if known.count < capacity { known[address] = mask }
        }
        return mask
    }

    /// The addresses kept (for tests).
    var count: Int { known.withLock { $0.count } }

    /// The value of the lower-case hex digits `hex[range]` (at most 16).
    @inline(__always)
    private static func nibbles(_ hex: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> UInt64 {
        var value: UInt64 = 0
        for index in range {
            let byte = hex[index]
            // '0'...'9' → 0...9, 'a'...'f' → 10...15.
            value = value << 4 | UInt64((byte & 0x0F) &+ 9 &* (byte >> 6))
        }
        return value
    }
}
