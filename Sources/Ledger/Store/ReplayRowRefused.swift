/// The projection tables of `verify`'s replay refused the row of entry `seq`, held back for
/// a batch: the journal says something the tables cannot hold (a reading twice, a charge
/// id twice). Only a refusal (`RowRefusal`) is wrapped in this.
struct ReplayRowRefused: Error, CustomStringConvertible {
    let seq: Int64
    let reason: any Error

    var description: String { "\(reason)" }
}
