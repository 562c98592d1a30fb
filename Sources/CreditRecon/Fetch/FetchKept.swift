import CreditTypes

/// What a `fetch` stored before it failed or was stopped: said in its error's sentence, and
/// under `--json` in the failure's object (`stored`), so that a script need not read the
/// sentence to learn that the snapshot was kept (probe 405).
public struct FetchKept: Sendable, Equatable {
    /// The stored reading's time, once the snapshot is stored.
    public var snapshotAt: Timestamp?
    /// Whether the key listing was stored.
    public var keyReadings = false
    /// The days of activity stored, in the order they were.
    public var activityDays: [CivilDate] = []

    public init(snapshotAt: Timestamp? = nil, keyReadings: Bool = false, activityDays: [CivilDate] = []) {
        self.snapshotAt = snapshotAt
        self.keyReadings = keyReadings
        self.activityDays = activityDays
    }

    /// Nothing stored.
    public static let nothing = FetchKept()

    public var isEmpty: Bool { snapshotAt == nil && !keyReadings && activityDays.isEmpty }

    /// In words, `the snapshot, the key readings, 2 days of activity`; empty when nothing was.
    public var text: String {
        let days = activityDays.count
        return ((snapshotAt == nil ? [] : ["the snapshot"]) + (keyReadings ? ["the key readings"] : [])
            + (days == 0 ? [] : ["\(days) day\(days == 1 ? "" : "s") of activity"])).joined(separator: ", ")
    }

    /// `{"snapshot_observed_at", "key_readings", "activity_days"}`.
    public var json: JSONOutput {
        .object([
            "snapshot_observed_at": snapshotAt.map { .string($0.iso8601) } ?? .null,
            "key_readings": .bool(keyReadings),
            "activity_days": .array(activityDays.map { .string($0.isoText) }),
        ])
    }
}

/// A failure whose `--json` object says more than `error` and `exit_code`: its members are
/// added to it.
public protocol FailureDetails: Error {
    var failureDetails: [String: JSONOutput] { get }
}
