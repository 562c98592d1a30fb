/// A key or token. It never prints: `description`, `debugDescription` and string
/// interpolation all show `<redacted>`, so it cannot leak into a log line or an error.
public struct Secret: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    private let value: String

    /// Wraps a key read from the environment or a key file.
    public init(_ value: String) { self.value = value }

    /// The key itself, for the one place that needs it: the `Authorization` header.
    public func reveal() -> String { value }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
    public var customMirror: Mirror { Mirror(self, children: []) }
}
