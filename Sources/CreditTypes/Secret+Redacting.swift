/// Redacting the secrets this process holds from text others wrote (a server's answer) or
/// that it is about to print.
extension Secret {
    /// `bytes` with every secret this process holds (`held`) redacted.
    public static func redactingHeld(in bytes: [UInt8]) -> [UInt8] {
        held.reduce(bytes) { redacting($1, in: $0) }
    }

    /// `bytes`, an answer of the API, with every secret it is sent (`sentToTheAPI`) redacted.
    public static func redactingSentToTheAPI(in bytes: [UInt8]) -> [UInt8] {
        sentToTheAPI.reduce(bytes) { redacting($1, in: $0) }
    }

    /// `text` with every secret this process holds redacted: the last pass over what the
    /// command prints (its errors, its log lines), whatever put a secret there: a value typed
    /// in the wrong place (`--now`, a refused `--base-url`'s query) was echoed back (probe 149).
    public static func scrubbed(_ text: String) -> String {
        let bytes = Array(text.utf8)
        let redacted = redactingHeld(in: bytes)
        return redacted == bytes ? text : String(decoding: redacted, as: UTF8.self)
    }

    /// `bytes` with every occurrence of `secret` replaced by `<redacted>`, the secret
    /// written as itself or with any of its characters as a JSON escape (`\u0073`, `\/`) or
    /// percent-encoded (`%43`, in a URL): a JSON answer or a `Location` that echoes the key
    /// that way would give it back in full once decoded. Its ASCII letters in either case: a
    /// server that quoted the key in capitals gave it back whole (an OpenRouter key is
    /// hexadecimal) into the journal (probe 263).
    ///
    /// And in base64 (either alphabet), at whichever of the three alignments it has in the
    /// text encoded (`base64Forms`): a server's error that quoted the key as base64 went into
    /// the journal, which keeps it for good (probe 170).
    public static func redacting(_ secret: String, in bytes: [UInt8]) -> [UInt8] {
        let needle = Array(secret.utf8)
        guard needle.count >= 4, bytes.count >= needle.count else { return bytes }
        // Base64 in its own case only: another case of it decodes to other bytes.
        return base64Forms(of: needle).reduce(redactingWritten(needle, in: bytes, foldingCase: true)) {
            redactingWritten($1, in: $0, foldingCase: false)
        }
    }

    /// The base64 forms of `secret` that do not depend on what is encoded before or after it:
    /// for each alignment (its first byte at 0, 1 or 2 of a 3-byte group), the encoding of the
    /// whole groups of its bytes from there, in the standard and the URL alphabet. Those of
    /// fewer than 8 characters are left out (they could be other text).
    static func base64Forms(of secret: [UInt8]) -> [[UInt8]] {
        let standard = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var forms: [[UInt8]] = []
        for start in 0..<3 where secret.count - start >= 6 {
            var encoded: [UInt8] = []
            var index = start
            while index + 3 <= secret.count {
                let group = UInt32(secret[index]) << 16 | UInt32(secret[index + 1]) << 8 | UInt32(secret[index + 2])
                for shift in [18, 12, 6, 0] { encoded.append(standard[Int(group >> UInt32(shift) & 63)]) }
                index += 3
            }
            forms.append(encoded)
            let url = encoded.map { $0 == UInt8(ascii: "+") ? UInt8(ascii: "-") : $0 == UInt8(ascii: "/") ? UInt8(ascii: "_") : $0 }
            if url != encoded { forms.append(url) }
        }
        return forms
    }

    /// `bytes` with every occurrence of `needle` replaced by `<redacted>`, written as itself
    /// or with JSON escapes or percent encoding (a base64 form in a JSON string has its `/`
    /// escaped), its ASCII letters in either case when `foldingCase`.
    private static func redactingWritten(_ needle: [UInt8], in bytes: [UInt8], foldingCase: Bool) -> [UInt8] {
        let needle = needle.map { folded($0, foldingCase) }
        let first = needle[0]
        var out: [UInt8] = []
        var index = 0
        var found = false
        while index < bytes.count {
            if folded(bytes[index], foldingCase) == first || bytes[index] == UInt8(ascii: "\\") || bytes[index] == UInt8(ascii: "%"),
               let end = matchEnd(needle, in: bytes, at: index, foldingCase: foldingCase) {
                if !found { out = Array(bytes[..<index]) }
                out += Array("<redacted>".utf8)
                index = end
                found = true
            } else {
                if found { out.append(bytes[index]) }
                index += 1
            }
        }
        return found ? out : bytes
    }

    /// `byte` in lower case when it is an ASCII capital and `foldingCase`: a plain function,
    /// not a closure, on the byte-by-byte scan of every answer.
    @inline(__always)
    private static func folded(_ byte: UInt8, _ foldingCase: Bool) -> UInt8 {
        foldingCase && byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
    }

    /// Where `needle` ends in `bytes` when it starts at `start`, each of its bytes written
    /// as itself or as a JSON escape, compared as `folded` makes them (`needle` folded
    /// already); `nil` when it does not start there.
    private static func matchEnd(_ needle: [UInt8], in bytes: [UInt8], at start: Int, foldingCase: Bool) -> Int? {
        let backslash = UInt8(ascii: "\\")
        var at = start
        for byte in needle {
            guard at < bytes.count else { return nil }
            if bytes[at] == backslash, at + 1 < bytes.count {
                let next = bytes[at + 1]
                if next == byte, byte == backslash || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "/") {
                    at += 2
                    continue
                }
                if next == UInt8(ascii: "u"), at + 6 <= bytes.count,
                   let value = UInt8(String(decoding: bytes[(at + 2)..<(at + 6)], as: UTF8.self), radix: 16), folded(value, foldingCase) == byte {
                    at += 6
                    continue
                }
            }
            if bytes[at] == UInt8(ascii: "%"), at + 3 <= bytes.count,
               let value = UInt8(String(decoding: bytes[(at + 1)..<(at + 3)], as: UTF8.self), radix: 16), folded(value, foldingCase) == byte {
                at += 3
                continue
            }
            guard folded(bytes[at], foldingCase) == byte else { return nil }
            at += 1
        }
        return at
    }
}
