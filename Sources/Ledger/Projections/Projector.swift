import CreditTypes

/// Which projection rows each fact changes: the live appends and `verify`'s replay both
/// come through here, so the projections are, by construction, what the journal says.
/// Everything written comes from the entry itself: no clock, no random ids.
enum Projector {
    static func apply(_ entry: JournalEntry, to out: some ProjectionWriter) throws {
        let seq = entry.seq
        let account = entry.account
        let runID = entry.runID
        switch entry.fact {
        case .runStarted(let fact):
            try out.insertRun(id: seq, account: account, command: fact.command, startedAt: entry.recordedAt)
        case .runFinished(let fact):
            try expect(out.finishRun(id: fact.runID, at: entry.recordedAt, fact), "run \(fact.runID) to finish")
        case .snapshotTaken(let fact):
            try out.insertSnapshot(id: seq, account: account, fact, runID: runID)
        case .topUpPlanned(let fact):
            try out.insertTopUp(id: seq, account: account, fact, runID: runID)
        case .chargeRequested(let fact):
            // Never a second request of a top-up that may have its charge (one whose row says
            // otherwise, changed behind the ledger's back, included): that is how a plan row
            // would be charged twice.
            try expect(out.requestTopUp(key: fact.key, attempt: fact.attempt, seq: seq, runID: runID),
                       "top-up \(fact.key) to be requested",
                       missing: "no such top-up without its charge or a request under way, in the state its journal entries give it")
        case .chargeCreated(let fact):
            try expect(out.createCharge(seq: seq, account: account, fact, runID: runID), "top-up \(fact.key) to be created",
                       missing: "no such top-up with a request under way")
        case .chargeRejected(let fact), .chargeBlocked(let fact), .chargeUnknown(let fact):
            let state = String(entry.fact.kind.dropFirst("charge.".count))
            try expect(out.failTopUp(state: state, seq: seq, fact), "top-up \(fact.key) to become \(state)",
                       missing: "no such top-up with a request under way")
        case .chargeRecorded(let fact):
            try out.insertRecordedCharge(seq: seq, account: account, fact, runID: runID)
            if let key = fact.topUpKey {
                try expect(out.recordTopUp(key: key, chargeID: fact.chargeID, seq: seq), "top-up \(key) to be recorded",
                           missing: "no such top-up without its charge, in the state its journal entries give it")
            }
        case .chargeStatusRecorded(let fact):
            try expect(out.recordChargeStatus(fact), "charge \(fact.chargeID) to be recorded \(fact.status)")
        case .chargeLinked(let fact):
            try expect(out.linkCharge(fact), "charge \(fact.chargeID) to be linked to top-up \(fact.topUpKey)",
                       missing: "no such recorded charge without a plan row")
            try expect(out.recordTopUp(key: fact.topUpKey, chargeID: fact.chargeID, seq: seq), "top-up \(fact.topUpKey) to be recorded",
                       missing: "no such top-up without its charge, in the state its journal entries give it")
        case .chargeVoided(let fact):
            try expect(out.voidCharge(fact, seq: seq), "charge \(fact.chargeID) to be voided",
                       missing: "no such recorded charge without a plan row, not voided")
        case .keysRead(let fact):
            try out.insertKeyListing(id: seq, account: account, fact, runID: runID)
        case .activityDay(let fact):
            try out.insertActivityDay(id: seq, account: account, fact, runID: runID)
        }
    }

    private static func expect(_ found: Bool, _ what: @autoclosure () -> String, missing: String = "no such row exists") throws {
        guard found else { throw LedgerError.malformedEntry("expected \(what()), but \(missing)") }
    }
}
