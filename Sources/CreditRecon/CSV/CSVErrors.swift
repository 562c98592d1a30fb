/// Several CSV problems reported together (exit 65 unless the file was unreadable).
public struct CSVErrors: ExitCoded {
    /// Every problem, in file order.
    public var errors: [CSVError]

    public init(errors: [CSVError]) { self.errors = errors }

    public var exitStatus: ExitStatus { errors.contains { $0.exitStatus == .noInput } ? .noInput : .dataError }

    public var description: String {
        let shown = errors.prefix(200).map(\.description)
        let more = errors.count > 200 ? ["… and \(errors.count - 200) more problems"] : []
        return (shown + more).joined(separator: "\n")
    }
}
