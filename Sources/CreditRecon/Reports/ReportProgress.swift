/// How far `report` or `export` has got, for the progress line on a terminal: the books
/// being read, then reconciled, then each file being written.
public struct ReportProgress: Sendable, Equatable {
    /// What the command is doing.
    public enum Step: Sendable, Equatable {
        /// Reading the account's books from the ledger.
        case reading
        /// Reconciling what was read.
        case reconciling(readings: Int, charges: Int)
        /// Writing a file (its name), or the journal to standard output.
        case writing(String)
    }

    /// With `report --all-accounts`: which account, and its place among them.
    public struct Place: Sendable, Equatable {
        public let account: String
        public let number: Int
        public let of: Int
    }

    public let step: Step
    public let place: Place?

    public init(_ step: Step, place: Place? = nil) {
        self.step = step
        self.place = place
    }

    /// `reconciling 1000000 readings and 250000 charges`; with a place,
    /// `account ops (2 of 3): writing charges.csv` (the label made safe for a terminal).
    public var words: String {
        let doing = switch step {
        case .reading: "reading the books"
        case .reconciling(let readings, let charges): "reconciling \(readings) readings and \(charges) charges"
        case .writing(let name): "writing \(TerminalText.printable(name))"
        }
        guard let place else { return doing }
        return "account \(TerminalText.printable(place.account)) (\(place.number) of \(place.of)): \(doing)"
    }
}
