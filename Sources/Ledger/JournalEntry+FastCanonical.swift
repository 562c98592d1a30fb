import CreditTypes

// The bulk import paths append one journal entry per CSV row. Building a `JSONValue`
// dictionary per entry, sorting its keys and formatting times through `String` was most
// of a million-row import's CPU time (issue "Speed", perf profile). For the two kinds an
// import writes in bulk, the canonical text is written here directly, with the keys
// already in canonical (UTF-16) order. Every other kind goes through `JSONValue`.
// `JournalFastCanonicalTests` proves both paths give the same bytes.
extension JournalEntry {
    /// The canonical text, written directly for bulk-imported kinds (see above).
    var fastCanonicalBytes: [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(480)
        return writeFastCanonical(into: &out) ? out : nil
    }

    /// Appends the canonical text to `out` for bulk-imported kinds and returns `true`;
    /// returns `false` (leaving `out` alone) for every other kind. The bulk writer reuses
    /// one buffer for a million entries instead of allocating one per entry.
    func writeFastCanonical(into out: inout [UInt8]) -> Bool {
        var envelope = EnvelopeStart()
        return writeFastCanonical(into: &out, envelope: &envelope)
    }

    /// `writeFastCanonical(into:)`, taking the envelope's opening from `envelope` when the
    /// previous entry written with it had the same account and time (as every entry of an
    /// import has), and keeping this entry's opening there otherwise. `data`, when given, is
    /// the fact's `data` text as `writeFastData` wrote it earlier (see `FactTexts`).
    func writeFastCanonical(into out: inout [UInt8], envelope: inout EnvelopeStart, data: ArraySlice<UInt8>? = nil) -> Bool {
        switch fact {
        case .snapshotTaken, .chargeRecorded: break
        default: return false
        }
        envelopeStart(into: &out, envelope: &envelope)
        if let data {
            out.append(contentsOf: data)
        } else {
            Self.writeFastData(of: fact, into: &out)
        }
        envelopeEnd(into: &out)
        return true
    }

    /// Appends the canonical text of `fact`'s `data` object to `out` and returns `true` for
    /// bulk-imported kinds; returns `false` (leaving `out` alone) for every other kind.
    @discardableResult
    static func writeFastData(of fact: Fact, into out: inout [UInt8]) -> Bool {
        switch fact {
        case .snapshotTaken(let fact):
            out.append(contentsOf: #"{"observed_at":"#.utf8)
            writeTimestamp(fact.observedAt, into: &out)
            out.append(contentsOf: #","origin":"#.utf8)
            writeOptional(fact.origin, into: &out)
            out.append(contentsOf: #","raw_body":"#.utf8)
            writeOptional(fact.rawBody, into: &out)
            out.append(contentsOf: #","source":"#.utf8)
            JSONValue.writeString(fact.source, into: &out)
            out.append(contentsOf: #","total_credits_micros":"#.utf8)
            JSONValue.writeInt(fact.totalCredits.raw, into: &out)
            out.append(contentsOf: #","total_usage_micros":"#.utf8)
            JSONValue.writeInt(fact.totalUsage.raw, into: &out)
            out.append(UInt8(ascii: "}"))
            return true
        case .chargeRecorded(let fact):
            out.append(contentsOf: #"{"amount_micros":"#.utf8)
            JSONValue.writeInt(fact.amount.raw, into: &out)
            out.append(contentsOf: #","chain_id":"#.utf8)
            writeOptional(fact.chainID, into: &out)
            out.append(contentsOf: #","charge_id":"#.utf8)
            JSONValue.writeString(fact.chargeID, into: &out)
            out.append(contentsOf: #","created_at":"#.utf8)
            writeTimestamp(fact.createdAt, into: &out)
            out.append(contentsOf: #","expires_at":"#.utf8)
            writeOptional(fact.expiresAt, into: &out)
            out.append(contentsOf: #","memo":"#.utf8)
            writeOptional(fact.memo, into: &out)
            out.append(contentsOf: #","origin":"#.utf8)
            writeOptional(fact.origin, into: &out)
            out.append(contentsOf: #","paid_at":"#.utf8)
            writeOptional(fact.paidAt, into: &out)
            out.append(contentsOf: #","reference":"#.utf8)
            writeOptional(fact.reference, into: &out)
            out.append(contentsOf: #","status":"#.utf8)
            writeOptional(fact.status, into: &out)
            out.append(contentsOf: #","topup_key":"#.utf8)
            writeOptional(fact.topUpKey, into: &out)
            out.append(contentsOf: #","wallet":"#.utf8)
            writeOptional(fact.wallet, into: &out)
            out.append(UInt8(ascii: "}"))
            return true
        default:
            return false
        }
    }

    /// `{"account":…,"at":…,"data":` — the envelope's keys before `data`, in canonical order.
    private func envelopeStart(into out: inout [UInt8], envelope: inout EnvelopeStart) {
        if envelope.account != account || envelope.recordedAt != recordedAt {
            envelope.bytes.removeAll(keepingCapacity: true)
            envelope.bytes.append(contentsOf: #"{"account":"#.utf8)
            JSONValue.writeString(account, into: &envelope.bytes)
            envelope.bytes.append(contentsOf: #","at":"#.utf8)
            Self.writeTimestamp(recordedAt, into: &envelope.bytes)
            envelope.bytes.append(contentsOf: #","data":"#.utf8)
            envelope.account = account
            envelope.recordedAt = recordedAt
        }
        out.append(contentsOf: envelope.bytes)
    }

    /// `,"kind":…,"run":…,"seq":…}` — the envelope's keys after `data`.
    private func envelopeEnd(into out: inout [UInt8]) {
        out.append(contentsOf: #","kind":"#.utf8)
        JSONValue.writeString(fact.kind, into: &out)
        out.append(contentsOf: #","run":"#.utf8)
        Self.writeOptional(runID, into: &out)
        out.append(contentsOf: #","seq":"#.utf8)
        JSONValue.writeInt(seq, into: &out)
        out.append(UInt8(ascii: "}"))
    }

    private static func writeOptional(_ value: String?, into out: inout [UInt8]) {
        if let value { JSONValue.writeString(value, into: &out) } else { out.append(contentsOf: "null".utf8) }
    }

    private static func writeOptional(_ value: Int64?, into out: inout [UInt8]) {
        if let value { JSONValue.writeInt(value, into: &out) } else { out.append(contentsOf: "null".utf8) }
    }

    private static func writeOptional(_ value: Timestamp?, into out: inout [UInt8]) {
        if let value { writeTimestamp(value, into: &out) } else { out.append(contentsOf: "null".utf8) }
    }

    /// `"` + `Timestamp.iso8601` + `"`, without building a `String` for years 0–9999
    /// (other years, never seen in practice, take `iso8601` itself).
    static func writeTimestamp(_ time: Timestamp, into out: inout [UInt8]) {
        let millis = time.millisecondsSinceEpoch
        var days = millis / 86_400_000
        var msOfDay = millis % 86_400_000
        if msOfDay < 0 { days -= 1; msOfDay += 86_400_000 }
        let date = CivilDate(daysSinceEpoch: days)
        guard (0...9999).contains(date.year) else {
            JSONValue.writeString(time.iso8601, into: &out)
            return
        }
        // Written into 26 bytes on the stack and appended once: appending byte by byte
        // (a capacity and uniqueness check each) was most of this function's time.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 26) { text in
            func put(_ value: Int64, width: Int, at end: Int) {
                var rest = value
                for index in stride(from: end, to: end - width, by: -1) {
                    text[index] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest % 10)
                    rest /= 10
                }
            }
            text[0] = UInt8(ascii: "\"")
            put(date.year, width: 4, at: 4)
            text[5] = UInt8(ascii: "-")
            put(date.month, width: 2, at: 7)
            text[8] = UInt8(ascii: "-")
            put(date.day, width: 2, at: 10)
            text[11] = UInt8(ascii: "T")
            put(msOfDay / 3_600_000, width: 2, at: 13)
            text[14] = UInt8(ascii: ":")
            put(msOfDay / 60_000 % 60, width: 2, at: 16)
            text[17] = UInt8(ascii: ":")
            put(msOfDay / 1000 % 60, width: 2, at: 19)
            text[20] = UInt8(ascii: ".")
            put(msOfDay % 1000, width: 3, at: 23)
            text[24] = UInt8(ascii: "Z")
            text[25] = UInt8(ascii: "\"")
            out.append(contentsOf: UnsafeBufferPointer(text))
        }
    }
}

/// The opening of the last entry's envelope (`{"account":…,"at":…,"data":`) and the
/// account and time it was written for (see `JournalEntry.writeFastCanonical(into:envelope:)`).
struct EnvelopeStart {
    fileprivate var account: String?
    fileprivate var recordedAt: Timestamp?
    fileprivate var bytes: [UInt8] = []
}
