import Foundation

/// What a command prints for `--json`: a JSON value with no floating point.
///
/// This is the CLI's own output type, kept apart from whatever the ledger journals, so
/// the two can change independently. Amounts are put in as exact decimal strings
/// (`.string(amount.decimalText)`) and counts as `.int`, so nothing is ever rounded
/// through a `Double`.
public enum JSONOutput: Sendable, Equatable, Encodable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A whole number, written exactly.
    case int(Int64)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONOutput])
    /// An object.
    case object([String: JSONOutput])

    /// This object with `exit_code` (the process's exit status) among its members: every
    /// command's `--json` document has it, as every failure's does.
    public func exitCode(_ status: ExitStatus) -> JSONOutput {
        guard case .object(var members) = self else { return self }
        members["exit_code"] = .int(Int64(status.rawValue))
        return .object(members)
    }

    /// Encodes the value as the JSON it stands for (an object as an object, not as an
    /// enum with a case name).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let values): try container.encode(values)
        case .object(let members): try container.encode(members)
        }
    }

    /// Compact JSON text with object keys sorted, so the same value always prints the
    /// same bytes and scripts can compare runs.
    public var text: String {
        let encoder = JSONEncoder()
        // Slashes stay as they are: paths and URLs are printed often and `\/` only
        // makes them harder to read.
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return Self.escapingDirectionControls(String(decoding: try encoder.encode(self), as: UTF8.self))
        } catch {
            // JSONEncoder refuses only non-finite floats and values that encode nothing;
            // this type can hold neither, so reaching here is a bug in this file.
            fatalError("JSONOutput could not be encoded: \(error)")
        }
    }

    /// `text` with each character that sets the direction text is shown in (U+200E,
    /// U+200F, U+061C, U+202A–U+202E, U+2066–U+2069) written as its `\uXXXX` escape: the
    /// same string to a JSON reader, but a person reading the output in a terminal sees
    /// the escape, not text shown in another order (a reference ending in U+202E turned
    /// the rest of its line around). Such a character stands only inside a string here.
    static func escapingDirectionControls(_ text: String) -> String {
        let isDirectionControl = LookAlikeName.isDirectionControl
        guard text.unicodeScalars.contains(where: isDirectionControl) else { return text }
        var escaped = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            guard isDirectionControl(scalar) else {
                escaped.append(scalar)
                continue
            }
            let hex = String(scalar.value, radix: 16)
            escaped.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).unicodeScalars)
        }
        return String(escaped)
    }
}
