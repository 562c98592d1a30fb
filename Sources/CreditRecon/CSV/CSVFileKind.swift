/// The CSV files the tool reads, each known by its required columns, so that a file given
/// to the wrong command is told which command takes it.
enum CSVFileKind: CaseIterable, Sendable {
    case plan, charges, snapshots

    /// The columns this kind's reader understands.
    var specs: [CSVColumns.Spec] {
        switch self {
        case .plan: PlanReader.columns
        case .charges: ChargeImport.columns
        case .snapshots: SnapshotImport.columns
        }
    }

    /// What such a file is, and the command that takes it.
    var described: String {
        switch self {
        case .plan: "a top-up plan's (rows to buy): `credit-recon plan check FILE`, then `credit-recon topup FILE`, take it"
        case .charges: "a charges file's (charges already made): `credit-recon import charges FILE` takes it"
        case .snapshots: "a snapshots file's: `credit-recon import snapshots FILE` takes it"
        }
    }

    /// Whether a header of `names` (trimmed, lower-cased) has every required column of
    /// this kind, under its name or an alias.
    func fits(_ names: [String]) -> Bool {
        specs.filter(\.required).allSatisfy { spec in names.contains { $0 == spec.name || spec.aliases.contains($0) } }
    }

    /// Why a header that has this kind's columns is still not this kind's file, or `nil`:
    /// a charges export has a plan's wallet, chain_id and amount, and `topup` bought its
    /// rows (charges already made, paid or expired) again (probe 140).
    func refusal(of header: CSVRecord, file: String) -> CSVError? {
        guard self == .plan else { return nil }
        let names = header.fields.map { $0.trimmingASCIIWhitespace() }
        var found = names.filter { ["charge_id", "paid_at"].contains($0.lowercased()) }
        // `id`, the charges file's other name for `charge_id`, beside a charge's own columns
        // (a plan may keep ids of its own; probe 148 bought an `id` file's row again).
        let charges = names.filter { ["created_at", "expires_at", "status"].contains($0.lowercased()) }
        if found.isEmpty, !charges.isEmpty, let id = names.first(where: { $0.lowercased() == "id" }) { found = [id] + charges }
        guard !found.isEmpty else { return nil }
        return .malformed(file, header.line, "the header has \(found.joined(separator: " and ")): it is a charges file "
            + "(charges already made), not a plan of top-ups to buy, and topup would buy its rows again; record it with "
            + "`credit-recon import charges FILE`, and give topup a plan of wallet,chain_id,amount,reference,memo")
    }

    /// What to add to the problems of `header`, read as this kind: which other kind's it
    /// is, or that its fields are separated by semicolons; `nil` when neither.
    func hint(for header: CSVRecord, file: String) -> CSVError? {
        let names = header.fields.map { $0.trimmingASCIIWhitespace().lowercased() }
        // A spreadsheet's first line naming the separator (Excel's `sep=,`, split by its own
        // comma), before the header: every column was said missing (probe 448).
        if let first = names.first, first.hasPrefix("sep="), first.count <= 5, names.dropFirst().allSatisfy(\.isEmpty) {
            return .malformed(file, header.line, "is a spreadsheet's \"\(header.fields.joined(separator: ","))\" line, which "
                + "names the separator and is no header: delete that line, so that the header is the first")
        }
        // This kind's own column with a character that shows nothing (a second byte-order
        // mark) is said as that, not read as another kind's header: a charges export was told
        // it was a plan, for topup to buy (probe 448).
        let own = specs.filter(\.required).flatMap { [$0.name] + $0.aliases }
        if CSVColumns.hiddenCharacters(in: names, reading: own) != nil { return nil }
        // A charges export fits a plan's columns too, but is no plan (`refusal(of:file:)`).
        if let other = Self.allCases.first(where: {
            $0 != self && $0.fits(names) && $0.refusal(of: header, file: file) == nil && !fits(names)
        }) {
            return .malformed(file, header.line, "the header is \(other.described)")
        }
        // Semicolons (a spreadsheet's CSV in a locale whose decimal mark is a comma), or tabs
        // (a copy out of a spreadsheet, or a .tsv: probe 255 was told each column was missing).
        for (separator, named) in [(Character(";"), "semicolons"), (Character("\t"), "tabs")] {
            if names.count == 1, let only = names.first, only.contains(separator),
               fits(only.split(separator: separator).map { String($0).trimmingASCIIWhitespace() }) {
                return .malformed(file, header.line, "the header's columns are separated by \(named); the file must use commas "
                    + "(save it as CSV with , as the separator)")
            }
        }
        return nil
    }
}
