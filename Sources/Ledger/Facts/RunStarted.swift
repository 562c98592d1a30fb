/// A command began.
public struct RunStarted: Sendable, Equatable {
    /// The command, e.g. `import snapshots`.
    public var command: String
    public init(command: String) { self.command = command }
}
