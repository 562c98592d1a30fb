import CreditTypes

/// Decodes the two kinds a bulk import writes a million of (`snapshot.taken`,
/// `charge.recorded`) straight from their canonical bytes, for `verify`'s replay.
///
/// `JournalEntry.decode` builds a dictionary per object and was half of `verify`'s time
/// (issue "Speed", perf profile). This reads only text laid out exactly as the canonical
/// writer lays it out (keys in order, every key present, ASCII without escapes, canonical
/// integers) and only values `decode` accepts; anything else answers `nil` and takes
/// `decode`, so every entry decodes to the same value, or fails the same way, as before.
/// `VerifyDecoderTests` checks it against `decode`.
enum VerifyDecoder {
    static func decode(_ text: String) -> JournalEntry? {
        var text = text
        return text.withUTF8 { bytes in
            var reader = Reader(bytes: bytes)
            return reader.entry()
        }
    }

    /// A raw JSON value of the flat kinds this decoder reads.
    private enum Value {
        case string(String)
        case int(Int64)
        case null
    }

    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        mutating func entry() -> JournalEntry? {
            guard literal(#"{"account":"#), case .string(let account)? = value(),
                  literal(#","at":"#), case .string(let atText)? = value(),
                  let at = Self.time(atText),
                  literal(#","data":{"#)
            else { return nil }
            // Keys are kept as byte ranges and compared with the expected ones below: no
            // `String` per key.
            var keys: [Range<Int>] = []
            keys.reserveCapacity(12)
            var fields: [Value] = []
            fields.reserveCapacity(12)
            while true {
                guard let key = keyRange(), literal(":"), let member = value() else { return nil }
                keys.append(key)
                fields.append(member)
                if literal(",") { continue }
                guard literal("}") else { return nil }
                break
            }
            guard literal(#","kind":"#), case .string(let kind)? = value(), literal(#","run":"#) else { return nil }
            let run: Int64?
            switch value() {
            case .int(let number)?: run = number
            case .null?: run = nil
            default: return nil
            }
            guard literal(#","seq":"#), case .int(let seq)? = value(), literal("}"), index == bytes.count,
                  let fact = fact(kind: kind, keys, fields)
            else { return nil }
            return JournalEntry(seq: seq, recordedAt: at, account: account, runID: run, fact: fact)
        }

        private func fact(kind: String, _ keys: [Range<Int>], _ fields: [Value]) -> Fact? {
            switch kind {
            case "snapshot.taken":
                guard same(keys, Self.snapshotKeys),
                      case .string(let observed) = fields[0], let observedAt = Self.time(observed),
                      let origin = Self.optionalString(fields[1]), let rawBody = Self.optionalString(fields[2]),
                      case .string(let source) = fields[3],
                      case .int(let credits) = fields[4], case .int(let usage) = fields[5]
                else { return nil }
                return .snapshotTaken(SnapshotTaken(
                    observedAt: observedAt, totalCredits: Micros(raw: credits), totalUsage: Micros(raw: usage),
                    source: source, origin: origin.value, rawBody: rawBody.value))
            case "charge.recorded":
                guard same(keys, Self.chargeKeys),
                      case .int(let amount) = fields[0], let chainID = Self.optionalInt(fields[1]),
                      case .string(let chargeID) = fields[2],
                      case .string(let created) = fields[3], let createdAt = Self.time(created),
                      let expiresAt = Self.optionalTime(fields[4]), let memo = Self.optionalString(fields[5]),
                      let origin = Self.optionalString(fields[6]), let paidAt = Self.optionalTime(fields[7]),
                      let reference = Self.optionalString(fields[8]), let status = Self.optionalString(fields[9]),
                      let topUpKey = Self.optionalString(fields[10]), let wallet = Self.optionalString(fields[11])
                else { return nil }
                return .chargeRecorded(ChargeRecorded(
                    chargeID: chargeID, amount: Micros(raw: amount), wallet: wallet.value, chainID: chainID.value,
                    createdAt: createdAt, expiresAt: expiresAt.value, reference: reference.value,
                    topUpKey: topUpKey.value, status: status.value, paidAt: paidAt.value, memo: memo.value,
                    origin: origin.value))
            default:
                return nil
            }
        }

        private static let snapshotKeys: [StaticString] = [
            "observed_at", "origin", "raw_body", "source", "total_credits_micros", "total_usage_micros",
        ]
        private static let chargeKeys: [StaticString] = [
            "amount_micros", "chain_id", "charge_id", "created_at", "expires_at", "memo", "origin", "paid_at",
            "reference", "status", "topup_key", "wallet",
        ]

        /// The keys read are exactly `expected`, in order.
        private func same(_ keys: [Range<Int>], _ expected: [StaticString]) -> Bool {
            guard keys.count == expected.count else { return false }
            for (range, word) in zip(keys, expected) {
                guard range.count == word.utf8CodeUnitCount else { return false }
                for offset in 0..<range.count where bytes[range.lowerBound + offset] != word.utf8Start[offset] {
                    return false
                }
            }
            return true
        }

        /// A key: a string of printable ASCII without escapes; its bytes' range.
        private mutating func keyRange() -> Range<Int>? {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
            index += 1
            let start = index
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    index += 1
                    return start..<(index - 1)
                }
                guard byte >= 0x20, byte < 0x7F, byte != UInt8(ascii: "\\") else { return nil }
                index += 1
            }
            return nil
        }

        /// Wraps an optional so that `nil` can mean "not acceptable" in the guards above.
        private struct Present<T> { let value: T? }

        private static func optionalString(_ value: Value) -> Present<String>? {
            switch value {
            case .null: return Present(value: nil)
            case .string(let text): return Present(value: text)
            case .int: return nil
            }
        }

        private static func optionalInt(_ value: Value) -> Present<Int64>? {
            switch value {
            case .null: return Present(value: nil)
            case .int(let number): return Present(value: number)
            case .string: return nil
            }
        }

        private static func optionalTime(_ value: Value) -> Present<Timestamp>? {
            switch value {
            case .null: return Present(value: nil)
            case .string(let text): return time(text).map { Present(value: $0) }
            case .int: return nil
            }
        }

        private static func time(_ text: String) -> Timestamp? { try? Timestamp(iso8601: text) }

        private mutating func literal(_ word: StaticString) -> Bool { bytes.consume(word, at: &index) }

        /// A string (printable ASCII, no escapes), a canonical integer or `null`.
        private mutating func value() -> Value? {
            guard index < bytes.count else { return nil }
            switch bytes[index] {
            case UInt8(ascii: "\""):
                index += 1
                let start = index
                while index < bytes.count {
                    let byte = bytes[index]
                    if byte == UInt8(ascii: "\"") {
                        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                        index += 1
                        return .string(text)
                    }
                    // Escapes, control characters and non-ASCII take the general decoder.
                    guard byte >= 0x20, byte < 0x7F, byte != UInt8(ascii: "\\") else { return nil }
                    index += 1
                }
                return nil
            case UInt8(ascii: "n"):
                return literal("null") ? .null : nil
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                return integer().map(Value.int)
            default:
                return nil
            }
        }

        /// The canonical parser's integer rules: no leading zeros, no `-0`, no fraction or
        /// exponent, within `Int64`.
        private mutating func integer() -> Int64? {
            let negative = bytes[index] == UInt8(ascii: "-")
            if negative { index += 1 }
            let start = index
            var magnitude: UInt64 = 0
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
                let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times10.addingReportingOverflow(UInt64(bytes[index] - UInt8(ascii: "0")))
                guard !overflow1, !overflow2 else { return nil }
                magnitude = sum
                index += 1
            }
            let digits = index - start
            guard digits > 0 else { return nil }
            if bytes[start] == UInt8(ascii: "0") && (digits > 1 || negative) { return nil }
            if index < bytes.count,
               bytes[index] == UInt8(ascii: ".") || bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E")
            {
                return nil
            }
            if negative {
                guard magnitude <= UInt64(Int64.max) else { return nil }  // Int64.min: leave it to decode
                return -Int64(magnitude)
            }
            guard magnitude <= UInt64(Int64.max) else { return nil }
            return Int64(magnitude)
        }
    }
}
