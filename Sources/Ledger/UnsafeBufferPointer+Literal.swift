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
