/// Keccak-256 as Ethereum uses it: the original Keccak submission with its own padding
/// byte `0x01`, not FIPS 202 SHA3-256 (padding `0x06`), so the two give different digests.
///
/// Hand-written because swift-crypto has no Keccak and EIP-55 checksums need it; this is
/// the only hash in the project not taken from a library. It works on 64-bit lanes with the
/// rounds unrolled over locals, runs once per distinct wallet (`ChecksumMemo`), and is tested
/// against the published vectors (`""`, `"abc"`) and block-boundary and multi-block inputs
/// computed with pycryptodome's `keccak` (see `Keccak256Tests`).
enum Keccak256 {
    /// Bytes absorbed per permutation: 1600 − 2 × 256 bits.
    static let rate = 136

    private static let roundConstants: [UInt64] = [
        0x0000_0000_0000_0001, 0x0000_0000_0000_8082, 0x8000_0000_0000_808A, 0x8000_0000_8000_8000,
        0x0000_0000_0000_808B, 0x0000_0000_8000_0001, 0x8000_0000_8000_8081, 0x8000_0000_0000_8009,
        0x0000_0000_0000_008A, 0x0000_0000_0000_0088, 0x0000_0000_8000_8009, 0x0000_0000_8000_000A,
        0x0000_0000_8000_808B, 0x8000_0000_0000_008B, 0x8000_0000_0000_8089, 0x8000_0000_0000_8003,
        0x8000_0000_0000_8002, 0x8000_0000_0000_0080, 0x0000_0000_0000_800A, 0x8000_0000_8000_000A,
        0x8000_0000_8000_8081, 0x8000_0000_0000_8080, 0x0000_0000_8000_0001, 0x8000_0000_8000_8008,
    ]

    /// The 32-byte digest of `bytes`.
    static func hash(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        let message = Array(bytes)
        return message.withUnsafeBufferPointer { hash($0) }
    }

    /// The 32-byte digest of the bytes in `message`.
    static func hash(_ message: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 32) { digest, count in
            hash(message, into: UnsafeMutableBufferPointer(rebasing: digest[0..<32]))
            count = 32
        }
    }

    /// Writes the 32-byte digest of `message` into `digest` without allocating, for the
    /// EIP-55 check that runs once per plan row.
    static func hash(_ message: UnsafeBufferPointer<UInt8>, into digest: UnsafeMutableBufferPointer<UInt8>) {
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 25) { state in
            state.initialize(repeating: 0)
            var offset = 0
            while message.count - offset >= rate {
                absorb(message, from: offset, count: rate, into: state)
                permute(state)
                offset += rate
            }
            // Last, partial block with Keccak padding: 0x01 … 0x80 (the same byte when
            // only one is free).
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: rate) { block in
                block.initialize(repeating: 0)
                let tail = message.count - offset
                for index in 0..<tail { block[index] = message[offset + index] }
                block[tail] ^= 0x01
                block[rate - 1] ^= 0x80
                absorb(UnsafeBufferPointer(block), from: 0, count: rate, into: state)
            }
            permute(state)
            for index in 0..<32 {
                digest[index] = UInt8(truncatingIfNeeded: state[index / 8] >> (8 * UInt64(index % 8)))
            }
        }
    }

    /// XORs `count` bytes (a multiple of 8) into the state's lanes, little-endian.
    @inline(__always)
    private static func absorb(
        _ bytes: UnsafeBufferPointer<UInt8>, from offset: Int, count: Int, into state: UnsafeMutableBufferPointer<UInt64>
    ) {
        for lane in 0..<(count / 8) {
            var value: UInt64 = 0
            let base = offset + lane * 8
            for byte in 0..<8 { value |= UInt64(bytes[base + byte]) << (8 * UInt64(byte)) }
            state[lane] ^= value
        }
    }

    @inline(__always)
    private static func rotl(_ value: UInt64, _ amount: UInt64) -> UInt64 {
        (value << amount) | (value >> (64 - amount))
    }

    /// Keccak-f[1600]: 24 rounds of theta, rho, pi, chi and iota, unrolled over 25 local
    /// lanes so they stay in registers (generated from the FIPS 202 rho offsets and pi map).
    private static func permute(_ a: UnsafeMutableBufferPointer<UInt64>) {
        var a00 = a[0]
        var a01 = a[1]
        var a02 = a[2]
        var a03 = a[3]
        var a04 = a[4]
        var a05 = a[5]
        var a06 = a[6]
        var a07 = a[7]
        var a08 = a[8]
        var a09 = a[9]
        var a10 = a[10]
        var a11 = a[11]
        var a12 = a[12]
        var a13 = a[13]
        var a14 = a[14]
        var a15 = a[15]
        var a16 = a[16]
        var a17 = a[17]
        var a18 = a[18]
        var a19 = a[19]
        var a20 = a[20]
        var a21 = a[21]
        var a22 = a[22]
        var a23 = a[23]
        var a24 = a[24]
        roundConstants.withUnsafeBufferPointer { constants in
            for round in 0..<24 {
                // Theta.
                let c0 = a00 ^ a05 ^ a10 ^ a15 ^ a20
                let c1 = a01 ^ a06 ^ a11 ^ a16 ^ a21
                let c2 = a02 ^ a07 ^ a12 ^ a17 ^ a22
                let c3 = a03 ^ a08 ^ a13 ^ a18 ^ a23
                let c4 = a04 ^ a09 ^ a14 ^ a19 ^ a24
                let d0 = c4 ^ rotl(c1, 1)
                let d1 = c0 ^ rotl(c2, 1)
                let d2 = c1 ^ rotl(c3, 1)
                let d3 = c2 ^ rotl(c4, 1)
                let d4 = c3 ^ rotl(c0, 1)
                // Rho and pi.
                let b00 = (a00 ^ d0)
                let b01 = rotl((a06 ^ d1), 44)
                let b02 = rotl((a12 ^ d2), 43)
                let b03 = rotl((a18 ^ d3), 21)
                let b04 = rotl((a24 ^ d4), 14)
                let b05 = rotl((a03 ^ d3), 28)
                let b06 = rotl((a09 ^ d4), 20)
                let b07 = rotl((a10 ^ d0), 3)
                let b08 = rotl((a16 ^ d1), 45)
                let b09 = rotl((a22 ^ d2), 61)
                let b10 = rotl((a01 ^ d1), 1)
                let b11 = rotl((a07 ^ d2), 6)
                let b12 = rotl((a13 ^ d3), 25)
                let b13 = rotl((a19 ^ d4), 8)
                let b14 = rotl((a20 ^ d0), 18)
                let b15 = rotl((a04 ^ d4), 27)
                let b16 = rotl((a05 ^ d0), 36)
                let b17 = rotl((a11 ^ d1), 10)
                let b18 = rotl((a17 ^ d2), 15)
                let b19 = rotl((a23 ^ d3), 56)
                let b20 = rotl((a02 ^ d2), 62)
                let b21 = rotl((a08 ^ d3), 55)
                let b22 = rotl((a14 ^ d4), 39)
                let b23 = rotl((a15 ^ d0), 41)
                let b24 = rotl((a21 ^ d1), 2)
                // Chi.
                a00 = b00 ^ (~b01 & b02)
                a01 = b01 ^ (~b02 & b03)
                a02 = b02 ^ (~b03 & b04)
                a03 = b03 ^ (~b04 & b00)
                a04 = b04 ^ (~b00 & b01)
                a05 = b05 ^ (~b06 & b07)
                a06 = b06 ^ (~b07 & b08)
                a07 = b07 ^ (~b08 & b09)
                a08 = b08 ^ (~b09 & b05)
                a09 = b09 ^ (~b05 & b06)
                a10 = b10 ^ (~b11 & b12)
                a11 = b11 ^ (~b12 & b13)
                a12 = b12 ^ (~b13 & b14)
                a13 = b13 ^ (~b14 & b10)
                a14 = b14 ^ (~b10 & b11)
                a15 = b15 ^ (~b16 & b17)
                a16 = b16 ^ (~b17 & b18)
                a17 = b17 ^ (~b18 & b19)
                a18 = b18 ^ (~b19 & b15)
                a19 = b19 ^ (~b15 & b16)
                a20 = b20 ^ (~b21 & b22)
                a21 = b21 ^ (~b22 & b23)
                a22 = b22 ^ (~b23 & b24)
                a23 = b23 ^ (~b24 & b20)
                a24 = b24 ^ (~b20 & b21)
                // Iota.
                a00 ^= constants[round]
            }
        }
        a[0] = a00
        a[1] = a01
        a[2] = a02
        a[3] = a03
        a[4] = a04
        a[5] = a05
        a[6] = a06
        a[7] = a07
        a[8] = a08
        a[9] = a09
        a[10] = a10
        a[11] = a11
        a[12] = a12
        a[13] = a13
        a[14] = a14
        a[15] = a15
        a[16] = a16
        a[17] = a17
        a[18] = a18
        a[19] = a19
        a[20] = a20
        a[21] = a21
        a[22] = a22
        a[23] = a23
        a[24] = a24
    }
}
