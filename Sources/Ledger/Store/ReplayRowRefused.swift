/// The projection tables of `verify`'s replay refused a row (a constraint: a reading
/// twice, a charge id twice): the journal says something the tables cannot hold. Any other
/// failure of the store (a full disk, a lost connection) is no finding about the journal
/// and is never wrapped in this.
struct ReplayRowRefused: Error, CustomStringConvertible {
    /// The entry whose row was refused, when it is not the one being replayed (a row held
    /// back for a batch).
    let seq: Int64?
    let reason: any Error

    var description: String { "\(reason)" }
}
