/// Why the simulator cannot start or keep its state.
public enum SimulatorError: Error, Sendable, CustomStringConvertible {
    /// The `--state` file is not a simulator state.
    case badState(String)
    /// The `--state` file cannot be read or written.
    case stateIO(String)
    /// The server did not start.
    case notStarted(String)
    /// An option the simulator cannot run with; the message names it.
    case badOption(String)
    /// An admin call was refused, as its route would answer `status`.
    case refused(status: Int, message: String)

    /// The sentence `openrouter-sim` prints.
    public var description: String {
        switch self {
        case .badState(let reason): return "the state file is not a simulator state: \(reason); remove it or fix it"
        case .stateIO(let reason): return "cannot use the state file: \(reason)"
        case .notStarted(let reason): return "the simulator did not start: \(reason)"
        case .badOption(let message): return message
        case .refused(let status, let message): return "the simulator refused the admin call (HTTP \(status)): \(message)"
        }
    }
}
