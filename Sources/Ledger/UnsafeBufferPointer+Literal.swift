extension UnsafeBufferPointer<UInt8> {
    /// Whether `word`'s bytes stand at `index`; when they do, `index` moves past them.
    /// The byte cursors over canonical JSON (`CanonicalJSONParser`, `VerifyDecoder`) match
    /// their fixed keys and literals with it.
    func consume(_ word: StaticString, at index: inout Int) -> Bool {
        let count = word.utf8CodeUnitCount
        guard self.count - index >= count else { return false }
        for offset in 0..<count where self[index + offset] != word.utf8Start[offset] { return false }
        index += count
        return true
    }
}

extension Array<UInt8> {
    /// Appends `text`'s UTF-8 bytes in one copy. Appending a literal's `String.UTF8View`
    /// went through the generic sequence path: 5 % of a million-row import's validating
    /// thread, for the fixed keys of the journal's text (issue "Speed").
    @inline(__always)
    mutating func append(literal text: StaticString) {
        text.withUTF8Buffer { append(contentsOf: $0) }
    }
}
