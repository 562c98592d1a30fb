import Crypto

/// The journal's hash chain: `hash = SHA-256(prev_hash ‖ entry)`, where `prev_hash` is the
/// previous entry's hash as 64 lower-case hex digits and `entry` its canonical text, both
/// as UTF-8; the first entry follows `JournalEntry.genesisHash`.
enum ChainHash {
    /// Turns `head`, the hex digits of an entry's hash, into those of the next entry's
    /// hash, in place (a million entries chain without a `String` each).
    static func advance(_ head: inout [UInt8], entry: UnsafeRawBufferPointer) {
        var hasher = SHA256()
        head.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        hasher.update(bufferPointer: entry)
        let digest = hasher.finalize()
        if head.count != 64 { head = Array(repeating: 0, count: 64) }
        head.withUnsafeMutableBufferPointer { hex in
            digest.withUnsafeBytes { bytes in
                for (index, byte) in bytes.enumerated() {
                    hex[2 * index] = CanonicalWriter.hexDigit(byte >> 4)
                    hex[2 * index + 1] = CanonicalWriter.hexDigit(byte & 0x0F)
                }
            }
        }
    }
}
