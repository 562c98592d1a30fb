/// A report file that cannot be written.
public struct ReportError: ExitCoded, Equatable {
    /// What is wrong and how to fix it.
    public let message: String
    /// Always "cannot create an output file" (73).
    public var exitStatus: ExitStatus { .cannotCreate }
    public var description: String { message }

    static func cannotCreate(_ path: String, _ detail: String) -> ReportError {
        ReportError(message: "cannot write the report file \(path): \(detail). Check that the folder can be created and written, or pass another --out.")
    }
}
