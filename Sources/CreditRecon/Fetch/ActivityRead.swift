import CreditTypes
import Ledger

/// What a fetch did with the activity: the days it stored for the first time, how many
/// held days it checked against the API, and those it read again and stored anew.
struct ActivityRead {
    var stored: [ActivityDay] = []
    var checked = 0
    var readAgain: [ActivityDay] = []
    /// The newest day of the window, when the API did not answer it yet (`windowEdges`).
    var notYet: CivilDate?
    /// The days after the newest one stored that left the window unread
    /// (`FetchStage.Outcome.activityDaysGone`).
    var gone: FetchStage.Outcome.DaysGone?
}
