@testable import Ledger
import Testing

/// What `verify` says of rows the server's statistics count changed: past the triggers for
/// the tables they guard, by a statement run on them for the others.
struct StoreCheckTests {
    static let said = "the server's statistics count rows the ledger never changes as changed: "

    /// A plain DELETE on charges, which no trigger guards before migration v8, was said as
    /// the triggers bypassed (probe 250), sending an admin to look for session_replication_role.
    @Test func aTableNoTriggerGuardsIsSaidChangedDirectly() {
        let earlier = Schema.appendOnlyTables
        #expect(StoreCheck(bypassed: ["charges 3 deleted"], guardedTables: earlier).bypassedProblem == Self.said + "charges 3 deleted (since they were "
            + "last reset); the append-only triggers refuse updating or deleting rows of the journal and the readings, and "
            + "the ledger deletes no row of its other tables, so they were changed behind its back: no trigger guards that "
            + "table, and an UPDATE or DELETE run on it directly (psql, another program) is what changes them")
        #expect(StoreCheck(bypassed: ["journal 2 updated"], guardedTables: earlier).bypassedProblem?.hasSuffix("so they were changed behind its back, "
            + "past the triggers (session_replication_role = replica, or the triggers disabled for a while)") == true)
        #expect(StoreCheck(bypassed: ["charges 1 deleted", "journal 1 deleted"], guardedTables: earlier).bypassedProblem?.hasSuffix("so they were "
            + "changed behind its back: journal 1 deleted past the triggers (session_replication_role = replica, or the "
            + "triggers disabled for a while), the others, which no trigger guards, by an UPDATE or DELETE run on them "
            + "directly") == true)
        #expect(StoreCheck().bypassedProblem == nil)
        // Since migration v8 a trigger guards charges from deleting too: past it, as the journal's.
        #expect(StoreCheck(bypassed: ["charges 3 deleted"]).bypassedProblem == Self.said + "charges 3 deleted (since they were "
            + "last reset); the append-only triggers refuse updating or deleting rows of the journal and the readings, and "
            + "others deleting rows of runs, top-ups and charges, which the ledger never deletes either, so they were changed "
            + "behind its back, past the triggers (session_replication_role = replica, or the triggers disabled for a while)")
    }
}
