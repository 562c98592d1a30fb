import ArgumentParser
import CreditRecon

/// The fetch options shared by `fetch` and `run` (which fetches twice).
struct FetchFlags: ParsableArguments {
    @Flag(name: .long, help: "Do not read every key (GET /keys), for a key that may not list them.")
    var noKeys = false

    @Flag(name: .long, help: "Do not read the days of activity not yet stored (GET /activity), for a key that may not read them.")
    var noActivity = false

    /// What the fetch reads besides the snapshot.
    var options: FetchStage.Options { FetchStage.Options(readKeys: !noKeys, readActivity: !noActivity) }
}
