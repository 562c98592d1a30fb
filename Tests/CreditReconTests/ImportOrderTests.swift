@testable import CreditRecon
import CreditTypes
import Testing

/// The importers skip their duplicate look-ups while a file is in order (ids ascending,
/// readings later and later); the first row out of order must still be checked against
/// every earlier row, including rows refused for other reasons (issue "Speed").
@Suite("import: repeats found in and out of order")
struct ImportOrderTests {
    static let now = Timestamp(millisecondsSinceEpoch: 1_795_000_000_000)

    @Test func repeatedChargeIdsAreNamedWhateverTheOrder() throws {
        let temp = try TemporaryDirectory()
        let file = try temp.write("c.csv", """
            charge_id,amount,created_at
            ch-b,10,2026-01-01T00:00:00Z
            ch-c,oops,2026-01-01T00:00:00Z
            ch-a,10,2026-01-01T00:00:00Z
            ch-c,10,2026-01-01T00:00:00Z
            ch-b,10,2026-01-01T00:00:00Z
            ch-d,10,2026-01-01T00:00:00Z
            ch-d,10,2026-01-01T00:00:00Z
            """)
        var lines: [String] = []
        do {
            _ = try ChargeImport(path: file, displayName: "c.csv", defaultAccount: "acct").validate(now: Self.now)
            Issue.record("expected the file to be refused")
        } catch let error as InputErrors {
            lines = error.errors.map(\.description)
        }
        #expect(lines.count == 4, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("c.csv:3: amount:") })
        #expect(lines.contains { $0.hasPrefix("c.csv:5: charge_id: \"ch-c\" is already on line 3") })
        #expect(lines.contains { $0.hasPrefix("c.csv:6: charge_id: \"ch-b\" is already on line 2") })
        #expect(lines.contains { $0.hasPrefix("c.csv:8: charge_id: \"ch-d\" is already on line 7") })
    }

    @Test func idsInOrderNeedNoLookUpAndAllGoIn() throws {
        let temp = try TemporaryDirectory()
        let file = try temp.write("c.csv", "charge_id,amount,created_at\nch-1,1,2026-01-01\nch-2,2,2026-01-01\nch-3,3,2026-01-01\n")
        let validated = try ChargeImport(path: file, defaultAccount: "acct").validate(now: Self.now)
        #expect(validated.rows.map(\.charge.chargeID) == ["ch-1", "ch-2", "ch-3"])
    }

    @Test func readingsOfSeveralAccountsOutOfOrderAreChecked() throws {
        let temp = try TemporaryDirectory()
        let file = try temp.write("s.csv", """
            observed_at,total_credits,total_usage,account
            2026-01-01T00:00:00Z,10,1,a
            2026-01-01T00:00:00Z,20,2,b
            2026-01-02T00:00:00Z,10,1,a
            2026-01-01T00:00:00Z,10,1,a
            2026-01-01T00:00:00Z,21,2,b
            """)
        do {
            _ = try SnapshotImport(path: file, displayName: "s.csv", defaultAccount: "d").validate(now: Self.now)
            Issue.record("expected the file to be refused")
        } catch let error as InputErrors {
            #expect(error.errors.map(\.description) == ["s.csv:6: observed_at: line 3 has another reading for b at the same time; keep one"])
        }
        let good = try temp.write("g.csv", "observed_at,total_credits,total_usage,account\n2026-01-01,1,0,a\n2026-01-01,1,0,b\n2026-01-01,1,0,a\n")
        #expect(try SnapshotImport(path: good, defaultAccount: "d").validate(now: Self.now).count == 2, "an identical repeat is skipped")
    }
}
