import Synchronization

/// A key or token. It never prints: `description`, `debugDescription` and string
/// interpolation all show `<redacted>`, so it cannot leak into a log line or an error.
public struct Secret: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    private let value: String

    /// Wraps a key read from the environment or a key file, or a password, and remembers it
    /// among `held`; a key, which the API is sent (`sentToTheAPI`), also among
    /// `sentToTheAPI`, what its answers are scrubbed of.
    public init(_ value: String, sentToTheAPI: Bool = true) {
        self.value = value
        // An OpenRouter key's secret part too (`sk-or-v1-` left out): an answer may quote it
        // alone (probe 147). After the whole key, which is scrubbed first.
        var forms = [value]
        if value.hasPrefix("sk-or-"), let dash = value.lastIndex(of: "-"), value.distance(from: dash, to: value.endIndex) > 16 {
            forms.append(String(value[value.index(after: dash)...]))
        }
        // A password too short to be told apart from other text is not hidden: `0000` took
        // digits out of the amounts of the charges a lost connection left to import, and the
        // import refused them (probe 416). A key that short is refused as none.
        guard sentToTheAPI || value.utf8.count >= Self.shortestHidden else { return }
        Self.known.withLock { known in for form in forms where !known.contains(form) { known.append(form) } }
        if sentToTheAPI {
            Self.knownToTheAPI.withLock { known in for form in forms where !known.contains(form) { known.append(form) } }
        }
    }

    /// Every secret this process holds (its keys, the ledger's password), in the order made:
    /// what a server sends back is scrubbed of each, not only of the one sent with the
    /// request. A `run --plan` holds the management key and the bearer, and an answer to
    /// one request quoting the other went into the ledger (probe 145).
    public static var held: [String] { known.withLock { $0 } }

    private static let known = Mutex<[String]>([])

    /// The fewest bytes a secret is hidden at: what a command prints is scrubbed of a
    /// shorter password nowhere (it is said, `PostgresLocation.passwordTooShortToHide`).
    public static let shortestHidden = 8

    /// The secrets of `held` the API is sent, its keys: the only ones an answer of the API
    /// can quote. The ledger's password is not among them: an answer scrubbed of a short one
    /// (`0000`, `openai`) lost digits of a total or a model's name, the reading refused or the
    /// name stored `<redacted>` for good (probe 414).
    public static var sentToTheAPI: [String] { knownToTheAPI.withLock { $0 } }

    private static let knownToTheAPI = Mutex<[String]>([])

    /// Stops holding `value`: a key refused as too short to be one, which no message
    /// repeats, and whose letters were cut out of the name of the file that held it
    /// (`--api-key-file k<redacted>` for `kshort`, probe 263).
    public static func forget(_ value: String) {
        known.withLock { $0.removeAll { $0 == value } }
        knownToTheAPI.withLock { $0.removeAll { $0 == value } }
    }

    /// The key itself, for the one place that needs it: the `Authorization` header.
    public func reveal() -> String { value }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
    public var customMirror: Mirror { Mirror(self, children: []) }
}
