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
    /// import has), and keeping this entry's opening there otherwise; likewise its closing
    /// up to the `seq`, for the same kind and run. `data`, when given, is
    /// the fact's `data` text as `writeFastData` wrote it earlier (see `FactTexts`).
    func writeFastCanonical(into out: inout [UInt8], envelope: inout EnvelopeStart, data: ArraySlice<UInt8>? = nil) -> Bool {
        switch fact {
        case .snapshotTaken, .chargeRecorded: break
        default: return false
        }
        if let data {
            Self.writeFastCanonical(account: account, recordedAt: recordedAt, data: data, kind: fact.kind, runID: runID,
                                    seq: seq, into: &out, envelope: &envelope)
        } else {
            Self.envelopeStart(account: account, recordedAt: recordedAt, into: &out, envelope: &envelope)
            Self.writeFastData(of: fact, into: &out, dates: &envelope.dates)
            Self.envelopeEnd(kind: fact.kind, runID: runID, seq: seq, into: &out, envelope: &envelope)
        }
        return true
    }

    /// The canonical text of the entry that holds a fact whose `data` text (`writeFastData`)
    /// is `data`: what `writeFastCanonical(into:envelope:data:)` writes for an entry with
    /// these fields, for a fact of kind `kind`. `FactTexts.chain(from:)` frames entries ahead
    /// with it.
    static func writeFastCanonical(
        account: String, recordedAt: Timestamp, data: ArraySlice<UInt8>, kind: String, runID: Int64?, seq: Int64,
        into out: inout [UInt8], envelope: inout EnvelopeStart
    ) {
        envelopeStart(account: account, recordedAt: recordedAt, into: &out, envelope: &envelope)
        out.append(contentsOf: data)
        envelopeEnd(kind: kind, runID: runID, seq: seq, into: &out, envelope: &envelope)
    }

    /// Appends the canonical text of `fact`'s `data` object to `out` and returns `true` for
    /// bulk-imported kinds; returns `false` (leaving `out` alone) for every other kind.
    @discardableResult
    static func writeFastData(of fact: Fact, into out: inout [UInt8]) -> Bool {
        var dates = DateCache()
        return writeFastData(of: fact, into: &out, dates: &dates)
    }

    /// `writeFastData(of:into:)`, taking the dates of its times from `dates` (see `DateCache`).
    @discardableResult
    static func writeFastData(of fact: Fact, into out: inout [UInt8], dates: inout DateCache) -> Bool {
        switch fact {
        case .snapshotTaken(let fact):
            out.append(literal: #"{"observed_at":"#)
            writeTimestamp(fact.observedAt, into: &out, dates: &dates)
            out.append(literal: #","origin":"#)
            writeOptional(fact.origin, into: &out)
            out.append(literal: #","raw_body":"#)
            writeOptional(fact.rawBody, into: &out)
            out.append(literal: #","source":"#)
            JSONValue.writeString(fact.source, into: &out)
            out.append(literal: #","total_credits_micros":"#)
            JSONValue.writeInt(fact.totalCredits.raw, into: &out)
            out.append(literal: #","total_usage_micros":"#)
            JSONValue.writeInt(fact.totalUsage.raw, into: &out)
            out.append(UInt8(ascii: "}"))
            return true
        case .chargeRecorded(let fact):
            out.append(literal: #"{"amount_micros":"#)
            JSONValue.writeInt(fact.amount.raw, into: &out)
            out.append(literal: #","chain_id":"#)
            writeOptional(fact.chainID, into: &out)
            out.append(literal: #","charge_id":"#)
            JSONValue.writeString(fact.chargeID, into: &out)
            out.append(literal: #","created_at":"#)
            writeTimestamp(fact.createdAt, into: &out, dates: &dates)
            out.append(literal: #","expires_at":"#)
            writeOptional(fact.expiresAt, into: &out, dates: &dates)
            out.append(literal: #","memo":"#)
            writeOptional(fact.memo, into: &out)
            out.append(literal: #","origin":"#)
            writeOptional(fact.origin, into: &out)
            out.append(literal: #","paid_at":"#)
            writeOptional(fact.paidAt, into: &out, dates: &dates)
            out.append(literal: #","reference":"#)
            writeOptional(fact.reference, into: &out)
            out.append(literal: #","status":"#)
            writeOptional(fact.status, into: &out)
            out.append(literal: #","topup_key":"#)
            writeOptional(fact.topUpKey, into: &out)
            out.append(literal: #","wallet":"#)
            writeOptional(fact.wallet, into: &out)
            out.append(UInt8(ascii: "}"))
            return true
        default:
            return false
        }
    }

    /// `{"account":…,"at":…,"data":` — the envelope's keys before `data`, in canonical order.
    private static func envelopeStart(account: String, recordedAt: Timestamp, into out: inout [UInt8], envelope: inout EnvelopeStart) {
        if envelope.account != account || envelope.recordedAt != recordedAt {
            envelope.bytes.removeAll(keepingCapacity: true)
            envelope.bytes.append(literal: #"{"account":"#)
            JSONValue.writeString(account, into: &envelope.bytes)
            envelope.bytes.append(literal: #","at":"#)
            writeTimestamp(recordedAt, into: &envelope.bytes, dates: &envelope.dates)
            envelope.bytes.append(literal: #","data":"#)
            envelope.account = account
            envelope.recordedAt = recordedAt
        }
        out.append(contentsOf: envelope.bytes)
    }

    /// `,"kind":…,"run":…,"seq":…}` — the envelope's keys after `data`. Everything before
    /// the `seq` is the same for every entry of an import, so it is kept in `envelope`
    /// (writing the kind and run afresh was 3 % of a million-row import's writing thread).
    private static func envelopeEnd(kind: String, runID: Int64?, seq: Int64, into out: inout [UInt8], envelope: inout EnvelopeStart) {
        if envelope.endKind != kind || envelope.endRunID != runID {
            envelope.endBytes.removeAll(keepingCapacity: true)
            envelope.endBytes.append(literal: #","kind":"#)
            JSONValue.writeString(kind, into: &envelope.endBytes)
            envelope.endBytes.append(literal: #","run":"#)
            writeOptional(runID, into: &envelope.endBytes)
            envelope.endBytes.append(literal: #","seq":"#)
            envelope.endKind = kind
            envelope.endRunID = runID
        }
        out.append(contentsOf: envelope.endBytes)
        JSONValue.writeInt(seq, into: &out)
        out.append(UInt8(ascii: "}"))
    }

    private static func writeOptional(_ value: String?, into out: inout [UInt8]) {
        if let value { JSONValue.writeString(value, into: &out) } else { out.append(literal: "null") }
    }

    private static func writeOptional(_ value: Int64?, into out: inout [UInt8]) {
        if let value { JSONValue.writeInt(value, into: &out) } else { out.append(literal: "null") }
    }

    private static func writeOptional(_ value: Timestamp?, into out: inout [UInt8], dates: inout DateCache) {
        if let value { writeTimestamp(value, into: &out, dates: &dates) } else { out.append(literal: "null") }
    }

    /// `"` + `Timestamp.iso8601` + `"`, without building a `String` for years 0–9999
    /// (other years, never seen in practice, take `iso8601` itself).
    static func writeTimestamp(_ time: Timestamp, into out: inout [UInt8]) {
        var dates = DateCache()
        writeTimestamp(time, into: &out, dates: &dates)
    }

    /// `writeTimestamp(_:into:)`, taking the date from `dates` when its day is the one
    /// asked for last (an import's times mostly fall on the day of the time before).
    static func writeTimestamp(_ time: Timestamp, into out: inout [UInt8], dates: inout DateCache) {
        let millis = time.millisecondsSinceEpoch
        var days = millis / 86_400_000
        var msOfDay = millis % 86_400_000
        if msOfDay < 0 { days -= 1; msOfDay += 86_400_000 }
        let date = dates.date(days)
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

/// The civil date of the day last asked for (`JournalEntry.writeTimestamp`): turning days
/// into a date took 3 % of a million-row charge import's validating thread, for the same
/// few days again and again.
struct DateCache {
    private var days: Int64 = .min
    private var cached = CivilDate(daysSinceEpoch: 0)

    init() {}

    /// The date `days` after 1970-01-01.
    mutating func date(_ days: Int64) -> CivilDate {
        if days != self.days {
            self.days = days
            cached = CivilDate(daysSinceEpoch: days)
        }
        return cached
    }
}

/// The opening of the last entry's envelope (`{"account":…,"at":…,"data":`) and the
/// account and time it was written for, and its closing up to the `seq` (see
/// `JournalEntry.writeFastCanonical(into:envelope:)`).
struct EnvelopeStart {
    fileprivate var account: String?
    fileprivate var recordedAt: Timestamp?
    fileprivate var bytes: [UInt8] = []
    /// The closing up to the `seq` (`,"kind":…,"run":…,"seq":`), and the kind and run it
    /// was written for (`endKind` is `nil` until one is written).
    fileprivate var endKind: String?
    fileprivate var endRunID: Int64?
    fileprivate var endBytes: [UInt8] = []
    /// The dates of the times of the entries written with it.
    var dates = DateCache()
}
