import Ledger

extension KeyReading {
    /// The key as `status`, the findings and the logs show it: its name quoted as
    /// `TerminalText.quoted` quotes (control and format characters as `?`, its own quotes and
    /// backslashes escaped, so where it ends can be seen: probe 388; over 80 characters cut
    /// to its first 79 and `…`: 5,000 filled the screen twice, probe 245), then the first 8
    /// characters of its hash (never the key itself), which tell apart two keys of one name;
    /// the hash alone without a name.
    var shown: String {
        let hash = TerminalText.printable(String(self.hash.prefix(8)))
        guard let name, !name.isEmpty else { return hash }
        let cut = name.count > 80 ? String(name.prefix(79)) + "…" : name
        return "\(TerminalText.quoted(cut)) \(hash)"
    }
}
