import Foundation
import Testing

extension Reliability {
    /// Tampering that `JournalTests` does not already cover, through the CLI and the sqlite3
    /// shell as an attacker would: a truncated journal, a truncated file, a swapped entry
    /// (issue 6, "Tampering"). `verify` exits 1 (or 74 for a file SQLite cannot read) and
    /// names the entry.
    @Suite("Reliability: tampering behind the ledger's back")
    struct ReliabilityTamperingTests {
        let samples = Executable.sampleSnapshots

        func ledgerWithHistory(_ scratch: Scratch) throws -> (path: String, head: String) {
            let ledger = scratch.path("ledger.sqlite")
            #expect(try Executable.creditRecon(["--ledger", ledger, "import", "snapshots", samples]).status == 0)
            let verified = try Executable.creditRecon(["--ledger", ledger, "verify"])
            let head = verified.stdout.split(separator: "\n").first { $0.hasPrefix("head ") }.map(String.init) ?? ""
            return (ledger, head)
        }

        /// `verify` names what was changed, and says what to do by what is broken (probe 67:
        /// it said nothing): only a backup mends the journal; a new ledger built from it mends
        /// its tables or their guards, when nothing was cut from its end.
        @Test(arguments: [
            // The journal's tail cut off, projections left: the replay no longer matches.
            // The entries this host wrote last are gone, which its witness of them says first.
            ("DROP TRIGGER journal_append_only_delete; DELETE FROM journal WHERE seq > 100;", "journal entry 1", Self.witness),
            // An entry cut out of the middle.
            ("DROP TRIGGER journal_append_only_delete; DELETE FROM journal WHERE seq = 50;", "journal entry 51", Self.backup),
            // Two entries swapped, hashes and all.
            ("""
             DROP TRIGGER journal_append_only_update;
             CREATE TEMP TABLE s AS SELECT * FROM journal WHERE seq IN (60, 61);
             UPDATE journal SET hash = printf('%064d', seq) WHERE seq IN (60, 61);
             UPDATE journal SET kind = (SELECT kind FROM s WHERE s.seq = 121 - journal.seq),
               entry = (SELECT entry FROM s WHERE s.seq = 121 - journal.seq),
               prev_hash = (SELECT prev_hash FROM s WHERE s.seq = 121 - journal.seq),
               hash = (SELECT hash FROM s WHERE s.seq = 121 - journal.seq) WHERE seq IN (60, 61);
             """, "journal entry 60", Self.backup),
            // A reading edited in place, its guard dropped first.
            ("DROP TRIGGER snapshots_append_only_update; UPDATE snapshots SET total_credits = total_credits + 1 WHERE id = 2;",
             "snapshots row 2 differs", Self.tablesDiffer),
            // Only a guard dropped.
            ("DROP TRIGGER snapshots_append_only_update;", "trigger snapshots_append_only_update missing", Self.guards),
            // Only a trigger of someone else's added, the ledger's own in place (probe 364: the
            // advice was a copy or a backup, not to drop it).
            ("CREATE TABLE seen (at TEXT); CREATE TRIGGER log_readings AFTER INSERT ON snapshots BEGIN INSERT INTO seen VALUES (NEW.observed_at); END;",
             "trigger or rule the ledger did not make on its tables: snapshots.log_readings", Self.foreign),
            // The journal's last entry cut with what it made (probe 68): the tables agree with
            // what is left, so but for the witness only the missing guard shows.
            ("""
             DROP TRIGGER journal_append_only_delete; DELETE FROM journal WHERE seq = (SELECT max(seq) FROM journal);
             UPDATE runs SET finished_at = NULL, outcome = NULL, exit_code = NULL, summary = NULL WHERE id = 1;
             """, "trigger journal_append_only_delete missing", Self.witness),
        ])
        func verifyNamesTheEntryAndWhatToDo(sql: String, named: String, advice: String) throws {
            let scratch = try Scratch()
            let (ledger, _) = try ledgerWithHistory(scratch)
            let edit = try Executable.sqlite3(ledger, sql)
            #expect(edit.status == 0, "\(edit.stderr)")
            let verified = try Executable.creditRecon(["--ledger", ledger, "verify"])
            #expect(verified.status == 1, "\(verified.stdout)")
            #expect(verified.stdout.contains("NOT sound") && verified.stdout.contains(named), "\(verified.stdout)")
            #expect(verified.stdout.contains("\nwhat to do: \(advice)"), "\(verified.stdout)")
            // Rebuilding from a journal whose end was cut would lose those entries for good:
            // every advice but a backup's first checks a head printed earlier.
            #expect(advice == Self.backup || advice == Self.witness || advice == Self.foreign
                || verified.stdout.contains("(`verify --holds HASH` says `the last sound head`), "
                + "nothing was cut: `credit-recon --ledger"), "\(verified.stdout)")
            let json = try Executable.creditRecon(["--ledger", ledger, "--json", "verify"])
            let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
            #expect((object?["what_to_do"] as? String)?.hasPrefix(advice) == true, "\(json.stdout)")
            #expect(object?["journal_sound"] as? Bool == (advice != Self.backup), "\(json.stdout)")
        }

        /// The advice uses what `--holds` found (probe 177: it asked for `--holds` when given
        /// it): a head printed before a reading was edited is at the last sound head, so a new
        /// ledger built from the journal mends it; one whose entry was cut from the journal's
        /// end (a copy without the host's witness, as an auditor gets) is found nowhere, so
        /// only a backup does.
        @Test func theAdviceUsesWhatHoldsFound() throws {
            let scratch = try Scratch()
            let (ledger, headLine) = try ledgerWithHistory(scratch)
            let head = String(headLine.dropFirst("head ".count))
            #expect(try Executable.sqlite3(ledger, "DROP TRIGGER snapshots_append_only_update; "
                + "UPDATE snapshots SET total_credits = total_credits + 1 WHERE id = 2;").status == 0)
            let edited = try Executable.creditRecon(["--ledger", ledger, "verify", "--holds", head])
            #expect(edited.status == 1 && edited.stdout.contains("what to do: \(Self.tablesDiffer)")
                && edited.stdout.contains("`--holds` finds \(head) at the last sound head, so nothing it pinned was cut; if it is "
                    + "the newest head a report or verify printed, nothing was cut since either: `credit-recon --ledger"), "\(edited.stdout)")
            try FileManager.default.removeItem(atPath: ledger + ".head")
            #expect(try Executable.sqlite3(ledger, """
                DROP TRIGGER journal_append_only_delete; DELETE FROM journal WHERE seq = (SELECT max(seq) FROM journal);
                UPDATE runs SET finished_at = NULL, outcome = NULL, exit_code = NULL, summary = NULL WHERE id = 1;
                """).status == 0)
            let cut = try Executable.creditRecon(["--ledger", ledger, "verify", "--holds", head])
            #expect(cut.status == 1 && cut.stdout.contains("`--holds` found no entry with \(head): entries were cut from "
                + "the journal's end or written again since it was printed (unless it is another ledger's head): restore the "
                + "ledger from a backup that holds it"), "\(cut.stdout)")
            #expect(!cut.stdout.contains("ledger copy"), "\(cut.stdout)")
            // Cut cleanly, its trigger put back: a sound chain, which only the head shows, and
            // says what to do (probe 376: exit 1 and no advice).
            let other = try Scratch()
            let (cleanLedger, cleanHead) = try ledgerWithHistory(other)
            try FileManager.default.removeItem(atPath: cleanLedger + ".head")
            #expect(try Executable.sqlite3(cleanLedger, """
                DROP TRIGGER journal_append_only_delete; DELETE FROM journal WHERE seq = (SELECT max(seq) FROM journal);
                UPDATE runs SET finished_at = NULL, outcome = NULL, exit_code = NULL, summary = NULL WHERE id = 1;
                CREATE TRIGGER journal_append_only_delete BEFORE DELETE ON journal
                BEGIN SELECT RAISE(ABORT, 'the journal is append-only: entries cannot be deleted'); END;
                """).status == 0)
            let newHead = String(cleanHead.dropFirst("head ".count))
            let clean = try Executable.creditRecon(["--ledger", cleanLedger, "verify", "--holds", newHead])
            #expect(clean.status == 1 && clean.stdout.contains("ledger sound: ") && clean.stdout.contains("\nwhat to do: the "
                + "ledger is sound but holds no entry with \(newHead): entries were cut from the journal's end with what they made, "
                + "or written again, since it was printed"), "\(clean.stdout)")
            let json = try Executable.creditRecon(["--ledger", cleanLedger, "--json", "verify", "--holds", newHead])
            let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
            #expect(object?["sound"] as? Bool == true && (object?["what_to_do"] as? String)?.hasPrefix("the ledger is sound but") == true,
                    "\(json.stdout)")
        }

        /// Entries cut from the journal's end with their rows left behind, on a copy without the
        /// host's witness (as an auditor gets it): the rows past the head prove the cut, so the
        /// advice is a backup whatever `--holds` says of the head left (it advised a copy, which
        /// would drop what the cut entries recorded: a charge among them is bought again).
        @Test func rowsPastTheHeadCallForABackupWhateverHoldsSays() throws {
            let scratch = try Scratch()
            let (ledger, _) = try ledgerWithHistory(scratch)
            try FileManager.default.removeItem(atPath: ledger + ".head")
            #expect(try Executable.sqlite3(ledger, "DROP TRIGGER journal_append_only_delete; DELETE FROM journal WHERE seq > 100;")
                .status == 0)
            let left = try Executable.query(ledger, "SELECT hash FROM journal WHERE seq = 100;").first?.first ?? ""
            let verified = try Executable.creditRecon(["--ledger", ledger, "verify", "--holds", left])
            #expect(verified.status == 1, "\(verified.stdout)")
            #expect(verified.stdout.contains("\n  the tables hold rows of entries up to 121, past the journal's newest entry (100): "
                + "entries were cut from the journal's end and left their rows behind"), "\(verified.stdout)")
            #expect(verified.stdout.contains("holds \(left) as entry 100's hash (the last sound head)"), "\(verified.stdout)")
            #expect(verified.stdout.contains("\nwhat to do: the tables hold rows of entries up to 121, past the journal's newest "
                + "entry (100): entries were cut from the journal's end and left their rows behind, and a ledger built from the "
                + "journal would lose what they recorded, a charge among them bought again by the next top-up. Restore the "
                + "ledger from a backup that holds entry 121 at least"), "\(verified.stdout)")
            #expect(!verified.stdout.contains("nothing it pinned was cut"), "\(verified.stdout)")
            let json = try Executable.creditRecon(["--ledger", ledger, "--json", "verify", "--holds", left])
            let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
            #expect(object?["rows_past_head"] as? Int == 121 && object?["journal_sound"] as? Bool == true, "\(json.stdout)")
        }

        /// A head found past the chain's first break is not said to hold: the books it pinned
        /// stand on an entry that is no longer as it was written (it said `holds H as entry
        /// N's hash`, beside exit 1).
        @Test func aHeadPastTheFirstBreakDoesNotHold() throws {
            let scratch = try Scratch()
            let (ledger, headLine) = try ledgerWithHistory(scratch)
            let head = String(headLine.dropFirst("head ".count))
            #expect(try Executable.sqlite3(ledger, "DROP TRIGGER journal_append_only_update; "
                + "UPDATE journal SET entry = replace(entry, '\"source\":\"import\"', '\"source\":\"imported\"') WHERE seq = 50;").status == 0)
            let verified = try Executable.creditRecon(["--ledger", ledger, "verify", "--holds", head])
            #expect(verified.status == 1, "\(verified.stdout)")
            #expect(verified.stdout.contains("does NOT hold \(head) soundly: entry ") && verified.stdout.contains(" has that hash, "
                + "but the chain breaks at or before it (the last sound head is entry 49's), so the books it pinned are not sound "
                + "either"), "\(verified.stdout)")
            #expect(!verified.stdout.contains("holds \(head)"), "\(verified.stdout)")
            // --json says it too: the entry that has it, and not held (probe 401: the same shape
            // as a head that holds).
            let json = try Executable.creditRecon(["--ledger", ledger, "--json", "verify", "--holds", head])
            let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
            let held = (object?["holds"] as? [[String: Any]])?.first
            #expect(json.status == 1 && held?["entry"] as? Int != nil && held?["held"] as? Bool == false, "\(json.stdout)")
        }

        /// A journal emptied, its tables left: the empty journal's head, which every ledger
        /// holds, is no proof that nothing was cut (probe 401: it was, and a copy of the empty
        /// journal was advised, losing every entry).
        @Test func theEmptyJournalsHeadProvesNothingWasKept() throws {
            let scratch = try Scratch()
            let (ledger, _) = try ledgerWithHistory(scratch)
            try FileManager.default.removeItem(atPath: ledger + ".head")
            #expect(try Executable.sqlite3(ledger, "DROP TRIGGER journal_append_only_delete; DELETE FROM journal;").status == 0)
            let zeros = String(repeating: "0", count: 64)
            let verified = try Executable.creditRecon(["--ledger", ledger, "verify", "--holds", zeros])
            #expect(verified.status == 1 && verified.stdout.contains("last sound head \(zeros) after 0 entries"), "\(verified.stdout)")
            // The rows it left prove the cut, so the advice is a backup's.
            #expect(!verified.stdout.contains("`--holds` finds") && verified.stdout.contains("\nwhat to do: the tables hold rows "
                + "of entries up to 121, past the journal's newest entry (0)"), "\(verified.stdout)")
        }

        static let backup = "the journal itself is not as it was written: restore the ledger from a backup"
        static let witness = "the journal chains, but lacks the newest entry this host wrote to it"
        static let tablesDiffer = "the journal chains up to the head above, but the tables differ from it"
        static let guards = "the journal and the tables agree, but the triggers on them are not the ledger's own"
        static let foreign = "the journal and the tables agree and the ledger's own triggers are in place: only what is named "
            + "above was done to them, which no credit-recon command writes past (each refuses, 74). Undo it (DROP TRIGGER, "
            + "as the tables' owner), then run verify again"

        /// Books a write would refuse (a guard dropped) are refused by `fetch`, and by `run`'s
        /// fetch, before anything is asked of the API: it sent GET /key, then refused to
        /// keep what came back.
        @Test func fetchAsksTheAPINothingForBooksThatWouldRefuseTheAnswer() throws {
            let scratch = try Scratch()
            let (ledger, _) = try ledgerWithHistory(scratch)
            #expect(try Executable.sqlite3(ledger, "DROP TRIGGER snapshots_append_only_update").status == 0)
            let sim = try SimulatorProcess()
            for command in [["fetch"], ["run", "--out", scratch.path("r")]] {
                let refused = try Executable.creditRecon(["--ledger", ledger, "--base-url", sim.baseURL] + command,
                                                         environment: ["OPENROUTER_API_KEY": "sim-management-key"])
                #expect(refused.status == 74 && refused.stderr.contains(
                    "the ledger is damaged: append-only trigger snapshots_append_only_update missing"), "\(command): \(refused.stderr)")
            }
            #expect(try sim.state().apiRequests == 0)
        }

        /// A charged plan row set back to `planned` with the sqlite3 shell (the top-ups have
        /// no append-only trigger: their states change) is not charged again by the next
        /// `topup`: it stops before any request (74, "damaged"), the simulator gets no second
        /// charge, and `verify` names the row. It charged the row twice, and `verify` then
        /// said the ledger was sound.
        @Test func aChargedRowSetBackToPlannedIsNotChargedAgain() throws {
            let scratch = try Scratch()
            let ledger = scratch.path("ledger.sqlite")
            let sim = try SimulatorProcess()
            let plan = try scratch.write("plan.csv", DistinctPlan.text(rows: 2))
            let env = ["OPENROUTER_API_KEY": "sim-management-key"]
            let topup = ["--ledger", ledger, "--base-url", sim.baseURL, "topup", plan, "--yes"]
            #expect(try Executable.creditRecon(topup, environment: env).status == 0)
            #expect(try sim.state().charges.count == 2)
            let edit = try Executable.sqlite3(ledger, "UPDATE topups SET state = 'planned', charge_id = NULL WHERE id = (SELECT min(id) FROM topups)")
            #expect(edit.status == 0, "\(edit.stderr)")
            let again = try Executable.creditRecon(topup, environment: env)
            #expect(again.status == 74 && again.stderr.contains("the ledger is damaged: expected top-up "), "\(again.stderr)")
            #expect(try sim.state().charges.count == 2)
            let verified = try Executable.creditRecon(["--ledger", ledger, "verify"])
            #expect(verified.status == 1 && verified.stdout.contains("topups row "), "\(verified.stdout)")
        }

        /// A backup put back in the ledger's place, its log moved aside as the README says:
        /// the chain is sound, and a write went on, `topup` buying again what the lost entries
        /// had bought (probe 159). The witness of the newest entry written refuses it (74),
        /// `status` says it, and removing the witness, as the message says, lets it go on.
        @Test func aBackupPutBackIsRefusedUntilItsWitnessIsRemoved() throws {
            let scratch = try Scratch()
            let (ledger, _) = try ledgerWithHistory(scratch)
            let backup = scratch.path("backup.sqlite")
            #expect(try Executable.sqlite3(ledger, "VACUUM INTO '\(backup)'").status == 0)
            let charges = Executable.repositoryRoot.appendingPathComponent("samples/charges.csv").path
            #expect(try Executable.creditRecon(["--ledger", ledger, "import", "charges", charges]).status == 0)
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: ledger + suffix) }
            try FileManager.default.copyItem(atPath: backup, toPath: ledger)
            let before = try Executable.creditRecon(["--ledger", ledger, "verify"]).stdout

            let refused = try Executable.creditRecon(["--ledger", ledger, "import", "charges", charges])
            #expect(refused.status == 74, "\(refused.stderr)")
            #expect(refused.stderr.contains("the ledger is not as this host left it: it does not hold the newest entry this host "
                + "wrote to it") && refused.stderr.contains("If it was put there on purpose, remove \(ledger).head, record the "
                + "charges made after"), "\(refused.stderr)")
            let verified = try Executable.creditRecon(["--ledger", ledger, "verify", "--json"])
            #expect(verified.status == 1 && verified.stdout.contains("lacks the newest entry this host wrote to it"), "\(verified.stdout)")
            // Nothing written.
            let after = try Executable.creditRecon(["--ledger", ledger, "verify"])
            #expect(after.stdout == before && before.contains("does not hold the newest entry"), "\(after.stdout)")
            let status = try Executable.creditRecon(["--ledger", ledger, "status", "--json"])
            #expect(status.status == 1 && status.stdout.contains("\"ledger_damaged\""), "\(status.stdout)")
            // A dry run of a top-up says the top-up would be refused (probe 172: silent, 0).
            let plan = Executable.repositoryRoot.appendingPathComponent("samples/topups.csv").path
            let dry = try Executable.creditRecon(["--ledger", ledger, "topup", plan, "--dry-run"])
            #expect(dry.status == 1 && dry.stdout.contains("the ledger is damaged, so the top-up would be refused (74) before "
                + "anything is sent: it does not hold the newest entry this host wrote to it"), "\(dry.stdout)")
            let dryJSON = try Executable.creditRecon(["--ledger", ledger, "--json", "topup", plan, "--dry-run"])
            #expect(dryJSON.status == 1 && dryJSON.stdout.contains("\"ledger_damaged\":[\""), "\(dryJSON.stdout)")
            // So does `plan check`, which checks the rows as `topup` does (probe 420: "1 row to send", 0).
            let checked = try Executable.creditRecon(["--ledger", ledger, "plan", "check", plan])
            #expect(checked.status == 1 && checked.stdout.contains("the ledger is damaged, so a top-up would be refused (74) "
                + "before anything is sent: it does not hold the newest entry this host wrote to it"), "\(checked.stdout)")
            let checkedJSON = try Executable.creditRecon(["--ledger", ledger, "--json", "plan", "check", plan])
            #expect(checkedJSON.status == 1 && checkedJSON.stdout.contains("\"ledger_damaged\":[\""), "\(checkedJSON.stdout)")

            try FileManager.default.removeItem(atPath: ledger + ".head")
            let mended = try Executable.creditRecon(["--ledger", ledger, "import", "charges", charges])
            #expect(mended.status == 0, "\(mended.stderr)")
        }

        /// A ledger moved away (here through a link, the witness beside the link alone left)
        /// is said as gone by every command, and none makes a file there: a top-up made an
        /// empty ledger, then refused to write to it and said nothing was written (probes
        /// 417, 418), imports said a backup was put in its place, and `void` and `report` said
        /// to run `fetch` first. Removing the witness, as said, lets a new ledger be made.
        @Test func aLedgerMovedAwayIsSaidAsGoneAndNoneIsMadeThere() throws {
            let scratch = try Scratch()
            let (real, _) = try ledgerWithHistory(scratch)
            let link = scratch.path("link.sqlite")
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: real)
            let charges = Executable.repositoryRoot.appendingPathComponent("samples/charges.csv").path
            #expect(try Executable.creditRecon(["--ledger", link, "import", "charges", charges]).status == 0)
            try FileManager.default.moveItem(atPath: real, toPath: scratch.path("moved.sqlite"))
            try FileManager.default.removeItem(atPath: real + ".head")
            let plan = Executable.repositoryRoot.appendingPathComponent("samples/topups.csv").path
            for arguments in [["topup", plan, "--yes"], ["topup", plan, "--dry-run"], ["fetch"], ["import", "charges", charges],
                              ["import", "snapshots", Executable.sampleSnapshots], ["void", "web-x", "--reason", "x"],
                              ["report", "--out", scratch.path("r")], ["status"], ["verify"], ["plan", "check", plan]] {
                let refused = try Executable.creditRecon(
                    ["--ledger", link, "--base-url", "http://127.0.0.1:9/api/v1"] + arguments,
                    environment: ["OPENROUTER_API_KEY": "sim-management-key"])
                #expect(refused.status == 74 && refused.stderr.contains("there is no ledger at \(link), but this host wrote one "
                    + "there: entry ") && refused.stderr.contains("Nothing was written, and no ledger was made"),
                        "\(arguments): \(refused.status) \(refused.stderr)")
                #expect(!FileManager.default.fileExists(atPath: real), "\(arguments) made \(real)")
            }
            try FileManager.default.removeItem(atPath: link + ".head")
            #expect(try Executable.creditRecon(["--ledger", link, "import", "charges", charges]).status == 0)
        }

        /// The README's check of the chain without this tool, as printed there: it prints the
        /// head `verify` prints, and names an entry edited behind the ledger's back. The one it
        /// gave checked entry 1 alone (probe 153).
        @Test func theREADMEsChainCheckPrintsVerifysHead() throws {
            let scratch = try Scratch()
            let (ledger, head) = try ledgerWithHistory(scratch)
            let readme = try String(contentsOf: Executable.repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
            let start = try #require(readme.range(of: "python3 - ledger.sqlite <<'EOF'\n"))
            let end = try #require(readme.range(of: "\nEOF\n", range: start.upperBound..<readme.endIndex))
            let script = scratch.path("check.py")
            try String(readme[start.upperBound..<end.lowerBound]).write(toFile: script, atomically: true, encoding: .utf8)
            let python = URL(fileURLWithPath: "/usr/bin/env")
            let sound = try Executable.run(tool: python, ["python3", script, ledger])
            #expect(sound.status == 0 && "head " + sound.stdout.trimmingCharacters(in: .newlines) == head, "\(sound)")
            #expect(try Executable.sqlite3(ledger, "DROP TRIGGER journal_append_only_update; UPDATE journal SET entry = entry || ' ' WHERE seq = 7;").status == 0)
            let edited = try Executable.run(tool: python, ["python3", script, ledger])
            #expect(edited.status == 1 && edited.stderr == "entry 7 breaks the chain\n", "\(edited)")
        }

        /// Every entry edited: the listing stops at its limit and says there may be more, in
        /// words and in `--json` (`problems_may_be_more`); one entry edited says nothing of it.
        @Test func aListingCutAtItsLimitSaysThereMayBeMore() throws {
            let scratch = try Scratch()
            let (ledger, _) = try ledgerWithHistory(scratch)
            let edit = try Executable.sqlite3(ledger, "DROP TRIGGER journal_append_only_update; UPDATE journal SET entry = entry || ' ';")
            #expect(edit.status == 0, "\(edit.stderr)")
            let text = try Executable.creditRecon(["--ledger", ledger, "verify"])
            #expect(text.status == 1 && text.stdout.contains("(verify stops listing broken entries at 20: there may be more"), "\(text.stdout)")
            // The count in the first line is what was listed (probe 401: "29 problems" beside the cut).
            #expect(text.stdout.hasPrefix("ledger NOT sound (") && text.stdout.contains(" problems listed, and there may be more):"),
                    "\(text.stdout)")
            let json = try Executable.creditRecon(["--ledger", ledger, "verify", "--json"])
            let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
            // 20 entries named, then the dropped trigger.
            #expect(object?["problems_may_be_more"] as? Bool == true && ((object?["problems"] as? [Any])?.count ?? 0) >= 20, "\(json.stdout)")

            let other = try Scratch()
            let (one, _) = try ledgerWithHistory(other)
            #expect(try Executable.sqlite3(one, "DROP TRIGGER journal_append_only_update; UPDATE journal SET entry = entry || ' ' WHERE seq = 7;").status == 0)
            let single = try Executable.creditRecon(["--ledger", one, "verify", "--json"])
            let singleObject = try JSONSerialization.jsonObject(with: Data(single.stdout.utf8)) as? [String: Any]
            #expect(single.status == 1 && singleObject?["problems_may_be_more"] as? Bool == false, "\(single.stdout)")
            let singleText = try Executable.creditRecon(["--ledger", one, "verify"]).stdout
            #expect(singleText.hasPrefix("ledger NOT sound (") && !singleText.contains("listed, and there may be more"), "\(singleText)")
        }

        @Test func aJournalTruncatedWithItsProjectionsChangesTheHeadOnPaper() throws {
            let scratch = try Scratch()
            let (ledger, head) = try ledgerWithHistory(scratch)
            // A careful attacker removes the tail and the rows it made: the chain that is left is
            // sound, so only the head hash printed on earlier reports can tell.
            let edit = try Executable.sqlite3(ledger, """
                DROP TRIGGER journal_append_only_delete; DROP TRIGGER snapshots_append_only_delete;
                DELETE FROM journal WHERE seq > 100; DELETE FROM snapshots WHERE id > 99;
                """)
            #expect(edit.status == 0, "\(edit.stderr)")
            let verified = try Executable.creditRecon(["--ledger", ledger, "verify"])
            #expect(!verified.stdout.contains(head), "the head hash on paper no longer matches: \(verified.stdout)")
        }

        /// The record of migrations edited away: every command refuses the ledger as
        /// damaged (74) before writing, rather than run a migration again over its own
        /// tables (70, with the SQL); `verify` says so as its finding (1).
        @Test(arguments: ["DELETE FROM schema_migrations", "DELETE FROM schema_migrations WHERE name LIKE 'v1%'"])
        func aLedgerWhoseMigrationsWereEditedAwayIsDamaged(sql: String) throws {
            let scratch = try Scratch()
            let (ledger, _) = try ledgerWithHistory(scratch)
            #expect(try Executable.sqlite3(ledger, sql).status == 0)
            for command in [["status"], ["verify"], ["import", "snapshots", samples]] {
                let result = try Executable.creditRecon(["--ledger", ledger] + command)
                let said = command == ["verify"] ? result.stdout : result.stderr
                #expect(result.status == (command == ["verify"] ? 1 : 74), "\(command): \(result.stderr)")
                #expect(said.contains("the ledger is damaged: schema_migrations ") && !said.contains("CREATE"), "\(said)")
                if command != ["verify"] {
                    // Which case needs a backup, and which `ledger copy` mends (it said "restore from a backup").
                    #expect(said.contains("`credit-recon ledger copy --to NEW` builds them again from the journal")
                        && said.contains("a journal that is not sound needs the ledger restored from a backup"), "\(said)")
                }
            }
        }

        @Test func aTruncatedFileIsRefused() throws {
            let scratch = try Scratch()
            let (ledger, _) = try ledgerWithHistory(scratch)
            let size = (try FileManager.default.attributesOfItem(atPath: ledger)[.size] as? Int) ?? 0
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: ledger))
            try handle.truncate(atOffset: UInt64(size / 2))
            try handle.close()
            let verified = try Executable.creditRecon(["--ledger", ledger, "verify"])
            #expect(verified.status == 1 && verified.stdout.contains("NOT sound"), "\(verified.status): \(verified.stdout)\(verified.stderr)")
            // The other commands say the file is damaged, not to check its path and permissions (probe 138).
            let status = try Executable.creditRecon(["--ledger", ledger, "status"])
            #expect(status.status == 74 && status.stderr.contains("the ledger is damaged: its file \(ledger) says \"database disk "
                + "image is malformed\"") && !status.stderr.contains("permissions"), "\(status.stderr)")

            // Cut inside its last page: SQLite reads the rest as zeros and its check finds
            // nothing, so verify said a row had been edited; it says the file was cut short.
            let other = try Scratch()
            let (cut, _) = try ledgerWithHistory(other)
            let cutSize = (try FileManager.default.attributesOfItem(atPath: cut)[.size] as? Int) ?? 0
            let whole = try #require(FileManager.default.contents(atPath: cut))
            let cutHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: cut))
            try cutHandle.truncate(atOffset: UInt64(cutSize - 100))
            try cutHandle.close()
            let shorter = try Executable.creditRecon(["--ledger", cut, "verify"])
            #expect(shorter.status == 1 && shorter.stdout.contains("bytes long, not a whole number of its"), "\(shorter.stdout)")
            // A writer refuses it before writing (it appended onto the rows read as zeros,
            // probe 344), and a reader says the cut, not an entry "not written as credit-recon
            // writes".
            let cutBytes = FileManager.default.contents(atPath: cut)
            let more = try other.write("more.csv", "observed_at,total_credits,total_usage\n2026-11-01T00:00:00Z,10,1\n")
            for command in [["import", "snapshots", more], ["status"], ["report", "--out", other.path("out")],
                            ["export", "--format", "hledger"], ["--json", "export", "--format", "hledger", "--out", other.path("j")]] {
                let refused = try Executable.creditRecon(["--ledger", cut] + command)
                // A reader that could read the rest says it as the ledger's damage (exit 1).
                let said = refused.stdout + refused.stderr
                    + ((try? String(contentsOfFile: other.path("out/findings.csv"), encoding: .utf8)) ?? "")
                #expect((command[0] == "import" ? [74] : [1, 74]).contains(refused.status)
                    && said.contains("bytes long, not a whole number of its 16384-byte pages"),
                        "\(command): \(refused.status) \(said)")
            }
            #expect(FileManager.default.contents(atPath: cut) == cutBytes, "nothing was written")
            // The journal itself says it, beside its head.
            let journal = try Executable.creditRecon(["--ledger", cut, "export", "--format", "beancount"])
            #expect(journal.stdout.contains("\n; the ledger is damaged, so any write to it is refused (74; a command with nothing "
                + "to write goes on): the file \(cut) is "), "\(journal.stdout)")
            // Cut deeper, into the newest entries' rows: a reader stops on them (74), saying the
            // cut.
            let deeper = cut + ".deeper"
            try FileManager.default.copyItem(atPath: cut, toPath: deeper)
            let deeperHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: deeper))
            try deeperHandle.truncate(atOffset: UInt64(cutSize - 12000))
            try deeperHandle.close()
            let stopped = try Executable.creditRecon(["--ledger", deeper, "status"])
            #expect(stopped.status == 74 && stopped.stderr.contains("bytes long, not a whole number of its 16384-byte pages")
                && !stopped.stderr.contains("not written as credit-recon writes"), "\(stopped.status) \(stopped.stderr)")
            // Cut at a system page inside SQLite's last one (8 KB of its 16 KB): once the rows
            // read are wrong, that cut is what explains them, though a file growing under a
            // checkpoint is measured by system pages (probe 392: verify and status blamed an
            // entry's text).
            let atSystemPage = other.path("system-page.sqlite")
            try whole.prefix(cutSize - 8192).write(to: URL(fileURLWithPath: atSystemPage))
            let pageCut = try Executable.creditRecon(["--ledger", atSystemPage, "verify"])
            #expect(pageCut.status == 1 && pageCut.stdout.contains("is \(cutSize - 8192) bytes long, not a whole number of its "
                + "16384-byte pages"), "\(pageCut.stdout)")
            let pageCutStatus = try Executable.creditRecon(["--ledger", atSystemPage, "status"])
            #expect(pageCutStatus.status == 74 && pageCutStatus.stderr.contains("not a whole number of its 16384-byte pages")
                && !pageCutStatus.stderr.contains("not written as credit-recon writes"), "\(pageCutStatus.stderr)")
            // A copy of it names the cut, not only the entry it lacks (probe 351), and copies nothing.
            try FileManager.default.copyItem(atPath: cut + ".head", toPath: deeper + ".head")
            let copied = try Executable.creditRecon(["--ledger", deeper, "ledger", "copy", "--to", other.path("copy.sqlite")])
            #expect(copied.status == 74 && copied.stderr.contains("bytes long, not a whole number of its 16384-byte pages"),
                    "\(copied.status) \(copied.stderr)")
            #expect(!FileManager.default.fileExists(atPath: other.path("copy.sqlite")))

            // A page zeroed anywhere past the first: a finding of verify (1), whichever page it
            // is, never 74 and "run verify" (probe 344: 1 or 74 by the page).
            let pages = cutSize / 16384
            var found = 0
            for page in 1..<pages {
                let zeroed = other.path("zeroed-\(page).sqlite")
                var bytes = whole
                bytes.replaceSubrange(page * 16384..<(page + 1) * 16384, with: Data(count: 16384))
                try bytes.write(to: URL(fileURLWithPath: zeroed))
                let checked = try Executable.creditRecon(["--ledger", zeroed, "verify"])
                #expect([0, 1].contains(checked.status), "page \(page): \(checked.status) \(checked.stdout)\(checked.stderr)")
                if checked.status == 1 { found += 1 }
            }
            #expect(found > pages / 2, "\(found) of \(pages) pages zeroed found")
            // The first page zeroed where this host wrote a ledger (its witness beside it): that
            // ledger damaged (1), not "a CSV named as the ledger?" (66, probe 351); without the
            // witness, no sign it was ever a ledger (66).
            var first = whole
            first.replaceSubrange(0..<16384, with: Data(count: 16384))
            let headless = other.path("headless.sqlite")
            try first.write(to: URL(fileURLWithPath: headless))
            #expect(try Executable.creditRecon(["--ledger", headless, "verify"]).status == 66)
            try FileManager.default.copyItem(atPath: cut + ".head", toPath: headless + ".head")
            let witnessed = try Executable.creditRecon(["--ledger", headless, "verify"])
            #expect(witnessed.status == 1 && witnessed.stdout.contains("does not begin as a SQLite database, though this host "
                + "wrote a ledger there"), "\(witnessed.status) \(witnessed.stdout)\(witnessed.stderr)")
            #expect(try Executable.creditRecon(["--ledger", headless, "status"]).status == 74)

            // Cut to nothing: an empty file is not an empty ledger.
            let handle2 = try FileHandle(forWritingTo: URL(fileURLWithPath: ledger))
            try handle2.truncate(atOffset: 0)
            try handle2.close()
            try? FileManager.default.removeItem(atPath: ledger + "-wal")
            try? FileManager.default.removeItem(atPath: ledger + "-shm")
            let empty = try Executable.creditRecon(["--ledger", ledger, "verify"])
            #expect(empty.status == 1, "\(empty.stdout)")
            #expect(empty.stdout.contains("NOT sound") && empty.stdout.contains("truncated"), "\(empty.stdout)")
            // No other command quietly starts new books in its place: 74, and the file stays 0 bytes.
            let snapshots = try scratch.write("more.csv", "observed_at,total_credits,total_usage\n2026-11-01T00:00:00Z,10,1\n")
            for command in [["report", "--out", scratch.path("out")], ["status"], ["import", "snapshots", snapshots]] {
                let refused = try Executable.creditRecon(["--ledger", ledger] + command)
                #expect(refused.status == 74, "\(command): \(refused.status) \(refused.stderr)")
                #expect(refused.stderr.contains("truncated"), "\(command): \(refused.stderr)")
            }
            #expect((try FileManager.default.attributesOfItem(atPath: ledger)[.size] as? Int) == 0)
        }

        /// A file that is no SQLite database named as the ledger (a CSV): 66, saying so and
        /// how to name the ledger, and the file left as it was. It was 74, "file is not a
        /// database. Check the path, its permissions and the disk." (probe 140).
        @Test func aFileThatIsNoDatabaseIsNoLedger() throws {
            let scratch = try Scratch()
            let file = try scratch.write("topups.csv", "wallet,chain_id,amount\n0x52908400098527886e0f7030069857d2e4169ee7,1,10\n")
            let before = try Data(contentsOf: URL(fileURLWithPath: file))
            for command in [["status"], ["verify"], ["import", "snapshots", samples], ["--json", "report", "--out", scratch.path("r")]] {
                let refused = try Executable.creditRecon(["--ledger", file] + command)
                #expect(refused.status == 66, "\(command): \(refused.status) \(refused.stderr)")
                #expect((refused.stderr + refused.stdout).contains("\(file) is not a SQLite database, so not a credit-recon ledger"),
                        "\(command): \(refused.stderr)")
            }
            #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == before)
            // A ledger cut to its first 20 bytes keeps SQLite's header: damaged (74), not a CSV (probe 143).
            let (ledger, _) = try ledgerWithHistory(scratch)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: ledger))
            try handle.truncate(atOffset: 20)
            try handle.close()
            let cut = try Executable.creditRecon(["--ledger", ledger, "status"])
            #expect(cut.status == 74 && cut.stderr.contains("the ledger is damaged: its file \(ledger) begins as a SQLite database"),
                    "\(cut.stderr)")
        }
    }
}
