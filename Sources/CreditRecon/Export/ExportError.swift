/// What stops an export.
public enum ExportError: ExitCoded, Equatable {
    /// An account the export would post to is one the format refuses (65): a key's name
    /// joined to a mapped usage account, say.
    case badAccount(String, format: ExportFormat, String)

    public var exitStatus: ExitStatus { .dataError }

    public var description: String {
        switch self {
        case let .badAccount(name, format, problem):
            return "\(format.rawValue) refuses the account \"\(TerminalText.printable(name))\" the export would post to: \(problem); "
                + "map the usage role to another account with --accounts-map"
        }
    }
}
