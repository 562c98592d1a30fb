import Foundation

/// The name of an account's folder under `report --all-accounts --out DIR`.
///
/// An account label is free text (`--account`, a CSV's `account` column): it may hold `/`,
/// be `..` or empty, start with `.`, or carry control characters. Used as it is, it could
/// write outside `DIR`, hide its folder, or land on `accounts.csv`. So the name keeps the
/// ASCII letters, digits, `-` and `_`, and writes every other byte of the label's UTF-8 as
/// `%` and two upper-case hex digits (`.` too, so no name is `.`, `..`, hidden, or one of
/// the files beside the folders): `ops/eu` → `ops%2Feu`, `acme.com` → `acme%2Ecom`,
/// `é` → `%C3%A9`. Different labels give different names, and the label can be read back
/// by percent-decoding. The empty label, which this scheme would give no name, is `%`
/// (which no other label gives).
enum AccountFolder {
    /// The longest name a Linux file system takes (`NAME_MAX`).
    static let maxBytes = 255

    /// The folder name for `account`.
    ///
    /// - Throws: a `ReportError` (73) naming the account when the name would be longer than
    ///   a file system allows; that account can still be reported alone with
    ///   `--account NAME --out DIR`.
    static func name(for account: String) throws(ReportError) -> String {
        guard !account.isEmpty else { return "%" }
        var name: [UInt8] = []
        for byte in account.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
                name.append(byte)
            default:
                name.append(UInt8(ascii: "%"))
                name.append(hexDigit(byte >> 4))
                name.append(hexDigit(byte & 0x0F))
            }
        }
        guard name.count <= maxBytes else { throw .accountNameTooLong(account, bytes: name.count) }
        return String(decoding: name, as: UTF8.self)
    }

    /// The label whose folder `name` is (percent-decoded), or `nil` when `name` is none
    /// `name(for:)` gives (a stray `%`, lower-case hex, a byte it would have escaped).
    static func account(named name: String) -> String? {
        if name == "%" { return "" }
        // Foundation decodes (lower-case hex too, and bytes left as they are): only a name
        // `name(for:)` gives back is one.
        guard let label = name.removingPercentEncoding, (try? self.name(for: label)) == name else { return nil }
        return label
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "A") + value - 10
    }
}
