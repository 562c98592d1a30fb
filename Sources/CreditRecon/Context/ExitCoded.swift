/// An error that knows its exit code; every user-facing error type conforms.
public protocol ExitCoded: Error, CustomStringConvertible {
    /// The exit code the CLI uses for this error.
    var exitStatus: ExitStatus { get }
}
