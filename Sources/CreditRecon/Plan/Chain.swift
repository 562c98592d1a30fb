/// A chain the Coinbase charge endpoint accepts for payment.
public enum Chain: Int64, CaseIterable, Sendable, CustomStringConvertible {
    case ethereum = 1
    case polygon = 137
    case base = 8453

    /// The chain named by `text`: its id (`137`) or its name (`polygon`, any case).
    public init?(text: String) {
        // The spellings nearly every row uses, matched without lower-casing or parsing
        // (this runs once per plan row); anything else takes the general rule below.
        switch text {
        case "1", "ethereum": self = .ethereum; return
        case "137", "polygon": self = .polygon; return
        case "8453", "base": self = .base; return
        default: break
        }
        let lowered = text.lowercased()
        // A sign where none is written is a column mixed up, as for amounts (probe 210: `+1`
        // was read as ethereum).
        if let id = lowered.first.map(\.isNumber) == true ? Int64(lowered) : nil, let chain = Chain(rawValue: id) {
            self = chain
        } else if let chain = Chain.allCases.first(where: { $0.name == lowered }) {
            self = chain
        } else {
            return nil
        }
    }

    /// The lower-case name: `ethereum`, `polygon`, `base`.
    public var name: String {
        switch self {
        case .ethereum: return "ethereum"
        case .polygon: return "polygon"
        case .base: return "base"
        }
    }

    public var description: String { name }

    /// The chain's name for an id, or the id itself when it is not one of ours.
    public static func label(for id: Int64) -> String { Chain(rawValue: id)?.name ?? String(id) }
}
