import AsyncWait
import Foundation
import Testing

@Suite("End to end: import snapshots, verify, exit codes", .threadOfItsOwn)
struct LedgerCommandsTests {
    let samples = Executable.sampleSnapshots

    func headHash(_ output: String) -> String? {
        output.split(separator: "\n").first { $0.hasPrefix("head ") }.map { String($0.dropFirst(5)) }
    }

    @Test func importThenVerifyPrintsAStableHeadHash() throws {
        let scratch = try Scratch()
        let ledger = scratch.path("ledger.sqlite")
        let imported = try Executable.creditRecon(["--ledger", ledger, "import", "snapshots", samples])
        #expect(imported.status == 0, "\(imported.stderr)")
        let verified = try Executable.creditRecon(["--ledger", ledger, "verify"])
        #expect(verified.status == 0, "\(verified.stderr)")
        let head = try #require(headHash(verified.stdout))
        #expect(head.count == 64 && head.allSatisfy(\.isHexDigit))
        let again = try Executable.creditRecon(["import", "snapshots", samples], environment: ["CREDIT_RECON_LEDGER": ledger])
        #expect(again.status == 0)
        #expect(again.stdout.contains("imported 0 snapshots"))
        #expect(headHash(try Executable.creditRecon(["--ledger", ledger, "verify"]).stdout) == head)
    }

    /// `verify --holds` finds a head hash an earlier verify (or report) printed, at its
    /// entry, and says when the ledger does not hold one (1); what is no head hash is 64.
    @Test func verifyHoldsFindsAPrintedHead() throws {
        let scratch = try Scratch()
        let ledger = scratch.path("ledger.sqlite")
        #expect(try Executable.creditRecon(["--ledger", ledger, "import", "snapshots", samples]).status == 0)
        let first = try Executable.creditRecon(["--ledger", ledger, "verify"]).stdout
        let printed = try #require(headHash(first))
        // "ledger sound: N journal entries, …"
        let entries = try #require(first.split(separator: " ").dropFirst(2).first.flatMap { Int($0) })
        let charges = Executable.repositoryRoot.appendingPathComponent("samples/charges.csv").path
        #expect(try Executable.creditRecon(["--ledger", ledger, "import", "charges", charges]).status == 0)

        let found = try Executable.creditRecon(["--ledger", ledger, "verify", "--holds", printed.uppercased()])
        #expect(found.status == 0, "\(found.stderr)")
        let total = try #require(found.stdout.split(separator: " ").dropFirst(2).first.flatMap { Int($0) })
        #expect(total > entries)
        #expect(found.stdout.contains("holds \(printed) as entry \(entries)'s hash (\(total - entries) entries before the head)"),
                "\(found.stdout)")

        let other = String(repeating: "ab", count: 32)
        let json = try Executable.creditRecon(["--ledger", ledger, "verify", "--json", "--holds", printed, "--holds", other])
        #expect(json.status == 1)
        let document = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let held = document?["holds"] as? [[String: Any]]
        #expect(held?.map { $0["hash"] as? String } == [printed, other])
        #expect(held?.first?["entry"] as? Int == entries && held?.first?["held"] as? Bool == true)
        #expect(held?.last?["entry"] is NSNull && held?.last?["held"] as? Bool == false)
        #expect(document?["sound"] as? Bool == true && document?["exit_code"] as? Int == 1)

        let missing = try Executable.creditRecon(["--ledger", ledger, "verify", "--holds", other])
        #expect(missing.status == 1)
        #expect(missing.stdout.contains("does NOT hold \(other): no entry has that hash"), "\(missing.stdout)")
        // The likeliest cause an auditor looks for first is named (probe 138).
        #expect(missing.stdout.contains("entries were cut from the journal's end"), "\(missing.stdout)")

        // The empty journal's head, which verify prints as the last sound head of a journal
        // broken at its first entry, is held before entry 1, and said to pin nothing (probe
        // 392: "does NOT hold … restore from a backup").
        let emptyHead = String(repeating: "0", count: 64)
        let genesis = try Executable.creditRecon(["--ledger", ledger, "verify", "--json", "--holds", emptyHead])
        let genesisDocument = try JSONSerialization.jsonObject(with: Data(genesis.stdout.utf8)) as? [String: Any]
        #expect(genesis.status == 0 && (genesisDocument?["holds"] as? [[String: Any]])?.first?["entry"] as? Int == 0
                && (genesisDocument?["holds"] as? [[String: Any]])?.first?["held"] as? Bool == true, "\(genesis.stdout)")
        let genesisText = try Executable.creditRecon(["--ledger", ledger, "verify", "--holds", emptyHead])
        #expect(genesisText.status == 0 && genesisText.stdout.contains("holds \(emptyHead), but it is the empty journal's head, "
            + "which every ledger holds before its first entry, so it pins no books"), "\(genesisText.stdout)")

        // A ledger that cannot be read at all holds none, said in the text and in --json.
        let empty = try scratch.write("empty.sqlite", "")
        let unread = try Executable.creditRecon(["--ledger", empty, "verify", "--holds", printed])
        #expect(unread.status == 1 && unread.stdout.contains("does NOT hold \(printed): no entry could be read"), "\(unread.stdout)")
        let unreadJSON = try Executable.creditRecon(["--ledger", empty, "verify", "--json", "--holds", printed]).stdout
        let unreadDocument = try JSONSerialization.jsonObject(with: Data(unreadJSON.utf8)) as? [String: Any]
        #expect(unreadDocument?["problems_may_be_more"] as? Bool == false)
        #expect((unreadDocument?["holds"] as? [[String: Any]])?.first?["entry"] is NSNull)

        let short = try Executable.creditRecon(["--ledger", ledger, "verify", "--holds", String(printed.prefix(8))])
        #expect(short.status == 64)
        #expect(short.stderr.contains("--holds takes a head hash, 64 hex digits"), "\(short.stderr)")
    }

    /// A ledger restored beside a log that is not its own (here another copy's, holding a
    /// reading no entry records): `verify` finds what the log breaks and names the log, with
    /// how to tell it is the log, and leaves both where they were; the file alone is sound.
    @Test func verifyNamesALogThatIsNotTheLedgersOwn() throws {
        let scratch = try Scratch()
        let ledger = scratch.path("ledger.sqlite")
        #expect(try Executable.creditRecon(["--ledger", ledger, "import", "snapshots", samples]).status == 0)
        let head = try #require(headHash(try Executable.creditRecon(["--ledger", ledger, "verify"]).stdout))
        let other = scratch.path("other.sqlite")
        try FileManager.default.copyItem(atPath: ledger, toPath: other)
        let written = try Executable.run(tool: URL(fileURLWithPath: "/usr/bin/env"), [
            "sqlite3", other, ".dbconfig no_ckpt_on_close on",
            "INSERT INTO snapshots (account, observed_at, total_credits, total_usage, source) "
                + "VALUES ('default', '2030-01-01T00:00:00.000Z', 1, 0, 'import')"])
        #expect(written.status == 0, "\(written.stderr)")
        try FileManager.default.moveItem(atPath: other + "-wal", toPath: ledger + "-wal")
        let log = FileManager.default.contents(atPath: ledger + "-wal")

        let verified = try Executable.creditRecon(["--ledger", ledger, "verify"])
        #expect(verified.status == 1)
        #expect(verified.stdout.contains("read with its log \(ledger)-wal (\(log?.count ?? 0) bytes of writes not yet folded "
            + "into the file)") && verified.stdout.contains("copy the ledger's file alone and verify the copy"),
            "\(verified.stdout)")
        let json = try Executable.creditRecon(["--ledger", ledger, "verify", "--json"])
        let document = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let named = document?["wal_log"] as? [String: Any]
        #expect(named?["path"] as? String == ledger + "-wal" && named?["bytes"] as? Int == log?.count)
        #expect(FileManager.default.contents(atPath: ledger + "-wal") == log, "the log is left where it was")

        let alone = scratch.path("alone.sqlite")
        try FileManager.default.copyItem(atPath: ledger, toPath: alone)
        let copy = try Executable.creditRecon(["--ledger", alone, "verify", "--json"])
        let copyDocument = try JSONSerialization.jsonObject(with: Data(copy.stdout.utf8)) as? [String: Any]
        #expect(copy.status == 0 && copyDocument?["head_hash"] as? String == head)
        #expect(copyDocument?["wal_log"] is NSNull)
    }

    /// A file that cannot be read as a ledger at all, with a log beside it: the log is named
    /// there too, and the advice tries the file alone first (probe 282: `wal_log` null and
    /// "restore from a backup" beside another ledger's log).
    @Test func verifyNamesTheLogBesideAFileItCannotRead() throws {
        let scratch = try Scratch()
        let ledger = scratch.path("ledger.sqlite")
        #expect(try Executable.creditRecon(["--ledger", ledger, "import", "snapshots", samples]).status == 0)
        let handle = try #require(FileHandle(forUpdatingAtPath: ledger))
        try handle.truncate(atOffset: 3000)
        try handle.close()
        try Data(repeating: 7, count: 4096).write(to: URL(fileURLWithPath: ledger + "-wal"))
        let text = try Executable.creditRecon(["--ledger", ledger, "verify"])
        #expect(text.status == 1 && text.stdout.contains("read with its log \(ledger)-wal (4096 bytes"), "\(text.stdout)")
        #expect(text.stdout.contains("what to do: first copy the ledger's file alone and verify the copy"), "\(text.stdout)")
        let json = try Executable.creditRecon(["--ledger", ledger, "verify", "--json"])
        let document = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect((document?["wal_log"] as? [String: Any])?["bytes"] as? Int == 4096, "\(json.stdout)")
    }

    /// Two backfills of the same file with the same --now end in the same head hash, and
    /// `status` says the --now given as its "as of".
    @Test func theSameImportWithTheSameNowEndsInTheSameHead() throws {
        let scratch = try Scratch()
        let environment = ["CREDIT_RECON_NOW": "2026-12-01T00:00:00Z"]
        var heads: [String] = []
        for name in ["one.sqlite", "two.sqlite"] {
            let ledger = scratch.path(name)
            let imported = try Executable.creditRecon(["--ledger", ledger, "--json", "import", "snapshots", samples],
                                                      environment: environment)
            let document = try JSONSerialization.jsonObject(with: Data(imported.stdout.utf8)) as? [String: Any]
            heads += [try #require(document?["head_hash"] as? String, "\(imported.stdout)")]
            let status = try Executable.creditRecon(["--ledger", ledger, "status"], environment: environment)
            #expect(status.stdout.contains("as of 2026-12-01T00:00:00.000Z"), "\(status.stdout)")
        }
        #expect(heads[0] == heads[1])
    }

    /// `report` for an account the ledger does not hold is a usage error naming those it
    /// holds, not an empty report.
    @Test func aReportForAnAccountTheLedgerDoesNotHoldIs64NamingTheAccounts() throws {
        let scratch = try Scratch()
        let ledger = scratch.path("ledger.sqlite")
        #expect(try Executable.creditRecon(["--ledger", ledger, "import", "snapshots", samples]).status == 0)
        let other = try Executable.creditRecon(["--ledger", ledger, "--account", "ops", "report", "--out", scratch.path("r")])
        #expect(other.status == 64)
        #expect(other.stderr.contains(#"the ledger holds no account "ops"; it holds "default""#), "\(other.stderr)")
        #expect(!FileManager.default.fileExists(atPath: scratch.path("r")), "no report written")
        // Named in the environment, it is said to be from there (probe 311: "pass --account
        // NAME" to a user who had not), and a configuration error, 78, as any wrong value from the
        // environment (probe 340: 64); `export` alike.
        for command in [["report", "--out", scratch.path("r")], ["export", "--format", "hledger"]] {
            let fromEnvironment = try Executable.creditRecon(["--ledger", ledger] + command, environment: ["CREDIT_RECON_ACCOUNT": "ops"])
            #expect(fromEnvironment.status == 78 && fromEnvironment.stderr.contains(#"the ledger holds no account "ops" "#
                + #"(CREDIT_RECON_ACCOUNT); it holds "default" (set CREDIT_RECON_ACCOUNT to one of them or pass --account NAME"#),
                    "\(command): \(fromEnvironment.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: scratch.path("r")), "no report written")
        let held = try Executable.creditRecon(["--ledger", ledger, "report", "--out", scratch.path("r")])
        #expect([0, 1].contains(held.status), "\(held.stderr)")
        // A name with quotes in it is quoted with them escaped, so where it ends can be seen.
        let quoted = try scratch.write("quoted.csv", "observed_at,total_credits,total_usage,account\n2026-10-01T00:00:00Z,5,1,\"ops \"\"x\"\"\"\n")
        #expect(try Executable.creditRecon(["--ledger", ledger, "import", "snapshots", quoted]).status == 0)
        let typo = try Executable.creditRecon(["--ledger", ledger, "--account", "ops x", "report", "--out", scratch.path("r2")])
        #expect(typo.status == 64)
        #expect(typo.stderr.contains(#"holds no account "ops x"; it holds "default", "ops \"x\"""#), "\(typo.stderr)")
    }

    @Test func aBadCellOnLine3IsExit65NamingTheLineAndWritesNothing() throws {
        let scratch = try Scratch()
        let ledger = scratch.path("ledger.sqlite")
        let bad = try scratch.write("bad.csv", "observed_at,total_credits,total_usage\n2026-10-01T00:00:00Z,5,1\n2026-10-01T06:00:00Z,five,1\n")
        let result = try Executable.creditRecon(["--ledger", ledger, "import", "snapshots", bad])
        #expect(result.status == 65)
        #expect(result.stderr.contains("bad.csv:3: total_credits:"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: ledger), "a rejected file must not even create the ledger")
        let missing = try Executable.creditRecon(["--ledger", ledger, "import", "snapshots", scratch.path("none.csv")])
        #expect(missing.status == 66)
    }

    @Test(arguments: [
        "DROP TRIGGER snapshots_append_only_update; UPDATE snapshots SET total_credits = total_credits + 1 WHERE id = 40;",
        "DROP TRIGGER journal_append_only_update; UPDATE journal SET entry = replace(entry, '\"source\":\"import\"', '\"source\":\"api\"') WHERE seq = 40;",
    ])
    func tamperingBehindTheTriggersMakesVerifyFail(sql: String) throws {
        let scratch = try Scratch()
        let ledger = scratch.path("ledger.sqlite")
        #expect(try Executable.creditRecon(["--ledger", ledger, "import", "snapshots", samples]).status == 0)
        let edit = try Executable.sqlite3(ledger, sql)
        #expect(edit.status == 0, "\(edit.stderr)")
        let verified = try Executable.creditRecon(["--ledger", ledger, "verify"])
        #expect(verified.status == 1)
        #expect(verified.stdout.contains("40"), "\(verified.stdout)")
    }

    /// `ledger copy` of a source a write refuses (a trigger dropped) says so, and that the
    /// copy is the mend only if its head is one printed before the damage: it said nothing,
    /// and the copy verified (probe 217). A sound source's copy says nothing of the kind.
    @Test func aCopyOfADamagedSourceSaysSo() throws {
        let scratch = try Scratch()
        let ledger = scratch.path("ledger.sqlite")
        #expect(try Executable.creditRecon(["--ledger", ledger, "import", "snapshots", samples]).status == 0)
        let sound = try Executable.creditRecon(["--ledger", ledger, "ledger", "copy", "--to", scratch.path("sound.sqlite")])
        #expect(sound.status == 0 && !sound.stdout.contains("damage"), "\(sound.stdout)")
        #expect(try Executable.sqlite3(ledger, "DROP TRIGGER journal_append_only_update").status == 0)
        let target = scratch.path("copy.sqlite")
        let copied = try Executable.creditRecon(["--ledger", ledger, "ledger", "copy", "--to", target])
        // Exit 1: the copy is the mend only once a person finds its head was printed before (probe 259: 0).
        #expect(copied.status == 1, "\(copied.stderr)")
        #expect(copied.stdout.contains("the source shows damage a write refuses (1):\n  append-only trigger "
            + "journal_append_only_update missing"), "\(copied.stdout)")
        #expect(copied.stdout.contains("it is the mend only if its head is one a report or verify printed before the damage "
            + "(`credit-recon --ledger \(target) verify --holds HASH`)"), "\(copied.stdout)")
        let json = try Executable.creditRecon(["--ledger", ledger, "--json", "ledger", "copy", "--to", scratch.path("json.sqlite")])
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect((object?["source_damage"] as? [String])?.count == 1, "\(json.stdout)")
        #expect(json.status == 1 && object?["exit_code"] as? Int == 1, "\(json.stdout)")
    }

    /// A row changed to hold terminal escapes is named by `verify` with them shown as `?`.
    @Test func verifyNamesATamperedRowWithoutObeyingIt() throws {
        let scratch = try Scratch()
        let ledger = scratch.path("ledger.sqlite")
        let charges = Executable.repositoryRoot.appendingPathComponent("samples/charges.csv").path
        #expect(try Executable.creditRecon(["--ledger", ledger, "import", "charges", charges]).status == 0)
        let edit = try Executable.sqlite3(ledger, "UPDATE charges SET charge_id = 'x' || char(27) || '[2J' WHERE rowid = (SELECT min(rowid) FROM charges)")
        #expect(edit.status == 0, "\(edit.stderr)")
        let verified = try Executable.creditRecon(["--ledger", ledger, "verify"])
        #expect(verified.status == 1)
        #expect(verified.stdout.contains(#"charges row "x?[2J" is not in the journal"#), "\(verified.stdout)")
        #expect(!Executable.holdsControlCharacters(verified.stdout), "\(verified.stdout.debugDescription)")
    }

    /// A charge recorded by mistake (5000 for 50: cents, not USD) stayed in the books for
    /// good, a `paid_charge_unmatched` beside an `unexplained_purchase` (probe 168). Voided,
    /// it is out of the books and said as `charge_voided` with its reason; its id is free,
    /// and the right row, imported again, explains the purchase. What cannot be voided is
    /// refused (64) with nothing written; a new id with a space is refused (65).
    @Test func aChargeRecordedByMistakeIsVoidedAndRecordedAgain() throws {
        let scratch = try Scratch()
        let ledger = scratch.path("books.sqlite")
        func run(_ arguments: [String]) throws -> Executable.Result {
            try Executable.creditRecon(["--ledger", ledger, "--now", "2026-11-25T00:00:00Z"] + arguments)
        }
        let readings = try scratch.write("readings.csv", """
            observed_at,total_credits,total_usage
            2026-11-20T09:00:00Z,100,0
            2026-11-20T12:00:00Z,150,0
            2026-11-21T06:00:00Z,150,1

            """)
        #expect(try run(["import", "snapshots", readings]).status == 0)
        let header = "charge_id,amount,created_at,status,paid_at\n"
        let wrong = try scratch.write("wrong.csv", header + "web-B,5000,2026-11-20T10:00:00Z,paid,2026-11-20T10:05:00Z\n")
        let right = try scratch.write("right.csv", header + "web-B,50,2026-11-20T10:00:00Z,paid,2026-11-20T10:05:00Z\n")
        #expect(try run(["record", wrong]).status == 0)
        let contradicting = try run(["record", right])
        #expect(contradicting.status == 65 && contradicting.stderr.contains(
            "if the ledger is wrong, `credit-recon void web-B --reason TEXT` takes its record out of the books"), "\(contradicting.stderr)")
        func findings() throws -> [Substring] {
            let report = try run(["report", "--out", scratch.path("out")])
            #expect([0, 1].contains(report.status), "\(report.stderr)")
            let csv = try String(contentsOfFile: scratch.path("out/findings.csv"), encoding: .utf8)
            return csv.split(separator: "\r\n").dropFirst().map { $0.split(separator: ",").dropFirst().first ?? "" }
        }
        #expect(try findings().contains("paid_charge_unmatched") && findings().contains("unexplained_purchase"))

        for (id, said) in [("web-X", #"void: no charge "web-X" in the ledger"#), ("", "void: give the id of the charge")] {
            let refused = try run(["void", id, "--reason", "typo"])
            #expect(refused.status == 64 && refused.stderr.contains(said), "\(refused.stderr)")
        }
        let elsewhere = try run(["--account", "other", "void", "web-B", "--reason", "typo"])
        #expect(elsewhere.status == 64 && elsewhere.stderr.contains(#"charge "web-B" is of account "default", not "other""#),
                "\(elsewhere.stderr)")
        // A label that looks like a held one is refused as such, as every writer refuses it (probe
        // 419: told to give another account's label, whose charge of that id was not the one meant).
        let alike = try run(["--account", "DEFAULT", "void", "web-B", "--reason", "typo"])
        #expect(alike.status == 64 && alike.stderr.contains(#"--account: "DEFAULT" looks like account "default", which the ledger holds"#),
                "\(alike.stderr)")
        let reordered = try run(["void", "web-B", "--reason", "a\u{202E}b"])
        #expect(reordered.status == 64 && reordered.stderr.contains("control or format character (U+202E RIGHT-TO-LEFT OVERRIDE)"), "\(reordered.stderr)")
        let noReason = try run(["void", "web-B", "--reason", " "])
        #expect(noReason.status == 64 && noReason.stderr.contains("--reason is empty"), "\(noReason.stderr)")
        let voided = try run(["--json", "void", "web-B", "--reason", "recorded 5000 for 50: cents, not USD"])
        #expect(voided.status == 0, "\(voided.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(voided.stdout.utf8)) as? [String: Any]
        #expect(object?["charge_id"] as? String == "web-B" && object?["amount"] as? String == "5000"
            && object?["reason"] as? String == "recorded 5000 for 50: cents, not USD" && object?["exit_code"] as? Int == 0,
                "\(voided.stdout)")
        #expect(try findings() == ["charge_voided", "unexplained_purchase"])
        let entry = try #require(object?["entry"] as? Int)
        let twice = try run(["void", "web-B (voided by entry \(entry))", "--reason", "again"])
        #expect(twice.status == 64 && twice.stderr.contains("is charge web-B, voided already by entry \(entry)"), "\(twice.stderr)")
        // By its own id as well (probe 192: "no charge", and a template of the kept id).
        let voidAgain = try run(["void", "web-B", "--reason", "again"])
        #expect(voidAgain.status == 64 && voidAgain.stderr.contains(#"void: no charge "web-B" is in the books: the one recorded under "#
            + "that id was voided already, by entry \(entry); nothing was written"), "\(voidAgain.stderr)")
        let kept = try scratch.write("kept.csv", header + "web-B (voided by entry \(entry)),5000,2026-11-20T10:00:00Z,paid,\n")
        let keptRefused = try run(["record", kept])
        #expect(keptRefused.status == 65 && keptRefused.stderr.contains("is the id charge web-B is kept under since entry \(entry) "
            + "voided it"), "\(keptRefused.stderr)")

        // The wrong file imported again does not undo the void (probe 171).
        let again = try run(["--json", "record", wrong])
        let repeated = try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any]
        #expect(again.status == 0 && repeated?["inserted"] as? Int == 0, "\(again.stdout)")
        #expect((repeated?["voided_again"] as? [[String: Any]])?.first?["charge_id"] as? String == "web-B", "\(again.stdout)")
        #expect(try run(["record", wrong]).stdout.contains("1 row repeats a charge voided before (web-B, voided by entry "))
        let recorded = try run(["record", right])
        #expect(recorded.status == 0 && recorded.stdout.contains("recorded 1 charge"), "\(recorded.stderr)")
        // And again once the right record holds the id: not a contradiction of it (probe 181:
        // 65, advising to void the right record).
        let afterRight = try run(["record", wrong])
        #expect(afterRight.status == 0 && afterRight.stdout.contains("1 row repeats a charge voided before (web-B, voided by entry "),
                "\(afterRight.stdout)\(afterRight.stderr)")
        // Exported again with its id in capitals, the wrong record is that record still: it
        // came back into the books (probe 190).
        let capitals = try scratch.write("capitals.csv", header + "WEB-B,5000,2026-11-20T10:00:00Z,paid,2026-11-20T10:05:00Z\n")
        let shouted = try run(["record", capitals])
        #expect(shouted.status == 0 && shouted.stdout.contains("1 row repeats a charge voided before (WEB-B, voided by entry "),
                "\(shouted.stdout)\(shouted.stderr)")
        #expect(try findings() == ["charge_voided"])
        let csv = try String(contentsOfFile: scratch.path("out/findings.csv"), encoding: .utf8)
        #expect(csv.contains(#"info,charge_voided,2026-11-20T10:00:00.000Z,default,5000,web-B,"charge web-B of 5000 USD, "#
            + #"recorded from an export, was voided by entry "#), "\(csv)")
        #expect(csv.contains("recorded 5000 for 50: cents, not USD; it is left out of these books"), "\(csv)")
        let charges = try String(contentsOfFile: scratch.path("out/charges.csv"), encoding: .utf8)
        #expect(charges.contains("\r\nweb-B,,,default,import,,,50,") && !charges.contains(",5000,"), "\(charges)")
        #expect(try run(["verify"]).status == 0)

        let spaced = try scratch.write("spaced.csv", header + "web C,20,2026-11-20T11:00:00Z,pending,\n")
        let refused = try run(["record", spaced])
        #expect(refused.status == 65 && refused.stderr.contains(#""web C" holds a space"#), "\(refused.stderr)")
    }

    /// A charge recorded with the wrong `paid_at` or wallet, voided, and its right record
    /// imported: that record is recorded. It was passed over as a repeat of the voided one
    /// (the same id, amount, account and `created_at`), exit 0, the charge out of the books
    /// for good (probe 218). The wrong record imported again is still a repeat.
    @Test func aRecordCorrectingWhatWasVoidedIsRecorded() throws {
        let scratch = try Scratch()
        let ledger = scratch.path("books.sqlite")
        func run(_ arguments: [String]) throws -> Executable.Result {
            try Executable.creditRecon(["--ledger", ledger, "--now", "2026-11-25T00:00:00Z"] + arguments)
        }
        let header = "charge_id,amount,wallet,chain_id,created_at,status,paid_at\n"
        let wallet = "0x3A37DFe702393e0FA6c8Bbc2A299E490BBeD2cf3", other = "0x19ae3e8e5dF28Fb36d4E020E267318b40aF47f49"
        let wrong = try scratch.write("wrong.csv", header + "web-P,50,\(wallet),base,2026-11-20T10:00:00Z,paid,2026-11-20T10:05:00Z\n"
            + "web-W,20,\(wallet),base,2026-11-20T11:00:00Z,paid,2026-11-20T11:05:00Z\n")
        let right = try scratch.write("right.csv", header + "web-P,50,\(wallet),base,2026-11-20T10:00:00Z,paid,2026-11-20T10:09:00Z\n"
            + "web-W,20,\(other),base,2026-11-20T11:00:00Z,paid,2026-11-20T11:05:00Z\n")
        #expect(try run(["record", wrong]).status == 0)
        for id in ["web-P", "web-W"] { #expect(try run(["void", id, "--reason", "wrong record"]).status == 0) }
        let corrected = try run(["--json", "record", right])
        let object = try JSONSerialization.jsonObject(with: Data(corrected.stdout.utf8)) as? [String: Any]
        #expect(corrected.status == 0 && object?["inserted"] as? Int == 2, "\(corrected.stdout)\(corrected.stderr)")
        #expect((object?["voided_again"] as? [Any])?.isEmpty ?? true, "\(corrected.stdout)")
        let again = try run(["record", wrong])
        #expect(again.status == 0 && again.stdout.contains("2 rows repeat a charge voided before"), "\(again.stdout)\(again.stderr)")
        #expect(again.stdout.contains("a row with the right values (amount, account, created_at, or wallet, chain, expires_at, "
            + "paid_at, reference or status) is recorded"), "\(again.stdout)")
        // A charge recorded paid that never was: voided, its record as expired is recorded
        // (probe 226: passed over as a repeat, the charge in no report at all).
        let paid = try scratch.write("paid.csv", header + "web-N,30,\(wallet),base,2026-11-20T12:00:00Z,paid,2026-11-20T12:05:00Z\n")
        #expect(try run(["record", paid]).status == 0)
        #expect(try run(["void", "web-N", "--reason", "never paid"]).status == 0)
        let unpaid = try scratch.write("unpaid.csv", header + "web-N,30,\(wallet),base,2026-11-20T12:00:00Z,expired,\n")
        let fixed = try run(["record", unpaid])
        #expect(fixed.status == 0 && fixed.stdout.contains("recorded 1 charge"), "\(fixed.stdout)\(fixed.stderr)")
        #expect(try Executable.query(ledger, "SELECT status FROM charges WHERE charge_id = 'web-N'") == [["expired"]])
        // The wrong file again: passed over before it is compared with the right record, which
        // took its `paid` back (probe 228: settled again, exit 0).
        let paidAgain = try run(["record", paid])
        #expect(paidAgain.status == 0 && paidAgain.stdout.contains("1 row repeats a charge voided before"), "\(paidAgain.stdout)")
        #expect(try Executable.query(ledger, "SELECT status FROM charges WHERE charge_id = 'web-N'") == [["expired"]])
        // Nor is a wrong reference compared with the right one's: the whole file was refused (probe 228).
        let typo = try scratch.write("typo.csv", "charge_id,amount,created_at,reference\nweb-R,15,2026-11-20T13:00:00Z,X-TYPO\n")
        #expect(try run(["record", typo]).status == 0)
        #expect(try run(["void", "web-R", "--reason", "wrong reference"]).status == 0)
        let fixedReference = try scratch.write("ref.csv", "charge_id,amount,created_at,reference\nweb-R,15,2026-11-20T13:00:00Z,R-OK\n")
        #expect(try run(["record", fixedReference]).status == 0)
        let typoAgain = try run(["record", typo])
        #expect(typoAgain.status == 0 && typoAgain.stdout.contains("1 row repeats a charge voided before"),
                "\(typoAgain.stdout)\(typoAgain.stderr)")
        #expect(try Executable.query(ledger, "SELECT charge_id, paid_at, wallet FROM charges WHERE status = 'paid' ORDER BY charge_id")
            == [["web-P", "2026-11-20T10:09:00.000Z", wallet], ["web-W", "2026-11-20T11:05:00.000Z", other]])
        #expect(try run(["verify"]).status == 0)
    }

    /// A web-flow charge that resolves a blocked plan row is not voided; the refusal said the
    /// row "would be bought again by the next topup", which a blocked row never is (probe 220).
    @Test func aChargeResolvingABlockedRowIsNotVoidedAndTheRefusalSaysWhy() throws {
        let scratch = try Scratch()
        let sim = try SimulatorProcess(["--coinbase", "gone"])
        let ledger = scratch.path("books.sqlite")
        let env = ["OPENROUTER_API_KEY": "sim-management-key"]
        let wallet = "0x3A37DFe702393e0FA6c8Bbc2A299E490BBeD2cf3"
        let plan = try scratch.write("plan.csv", "wallet,chain_id,amount,reference\n\(wallet),base,25,R-1\n")
        #expect(try Executable.creditRecon(["--ledger", ledger, "--base-url", sim.baseURL, "topup", plan, "--yes"], environment: env).status == 1)
        let charges = try scratch.write("c.csv", "charge_id,amount,wallet,chain_id,created_at,reference,status,paid_at\n"
            + "web-1,25,\(wallet),base,2026-12-01T07:00:00Z,R-1,paid,2026-12-01T07:05:00Z\n")
        #expect(try Executable.creditRecon(["--ledger", ledger, "import", "charges", charges]).status == 0)
        let head = try Executable.creditRecon(["--ledger", ledger, "verify"]).stdout
        let refused = try Executable.creditRecon(["--ledger", ledger, "void", "web-1", "--reason", "wrong paid_at"])
        #expect(refused.status == 64)
        #expect(refused.stderr.contains("carries out plan row ref/default/R-1: a charge that carries out a plan row is not voided, "
            + "as the row would read as not bought again, and a link to a row is not taken back; its record stays as recorded, "
            + "which this build cannot correct: when it is wrong, keep the right figures beside the books for the auditors, naming "
            + "this charge id"), "\(refused.stderr)")
        #expect(!refused.stderr.contains("bought again by the next"))
        #expect(try Executable.creditRecon(["--ledger", ledger, "verify"]).stdout == head, "nothing was written")
    }

    /// `--allow-other-amount` reaches the import from both commands that take it: a blocked
    /// row of 25 paid 24.99 is refused without it and settled with it (probe 240).
    @Test func theOtherAmountFlagSettlesABlockedRowFromEitherCommand() throws {
        let wallet = "0x3A37DFe702393e0FA6c8Bbc2A299E490BBeD2cf3"
        for command in [["import", "charges"], ["record"]] {
            let scratch = try Scratch()
            let sim = try SimulatorProcess(["--coinbase", "gone"])
            let ledger = scratch.path("books.sqlite")
            let plan = try scratch.write("plan.csv", "wallet,chain_id,amount,reference\n\(wallet),base,25,R-1\n")
            #expect(try Executable.creditRecon(["--ledger", ledger, "--base-url", sim.baseURL, "topup", plan, "--yes"],
                                               environment: ["OPENROUTER_API_KEY": "sim-management-key"]).status == 1)
            let charges = try scratch.write("c.csv", "charge_id,amount,wallet,chain_id,created_at,reference,status,paid_at\n"
                + "web-1,24.99,\(wallet),base,2026-12-01T07:00:00Z,R-1,paid,2026-12-01T07:05:00Z\n")
            let refused = try Executable.creditRecon(["--ledger", ledger] + command + [charges])
            #expect(refused.status == 65 && refused.stderr.contains("import the file with --allow-other-amount"), "\(refused.stderr)")
            let settled = try Executable.creditRecon(["--ledger", ledger, "--json"] + command + [charges, "--allow-other-amount"])
            #expect(settled.status == 0 && settled.stdout.contains(#""other_amounts":[{"charge_id":"web-1","paid":"24.99","planned":"25""#),
                    "\(command): \(settled.stdout)\(settled.stderr)")
        }
    }

    /// `--version` names the newest ledger migration the build makes and reads: builds of
    /// one version number differ in it, and an auditor records which build checked the books
    /// (probe 177: both builds said `0.1.0`).
    @Test func theVersionNamesTheLedgersNewestMigration() throws {
        let version = try Executable.creditRecon(["--version"])
        #expect(version.status == 0 && version.stdout == "0.1.0 (ledger schema to migration \"v9: charges by time, then sequence\")\n",
                "\(version.stdout)")
        // Asked for JSON, JSON (it was the text line).
        for arguments in [["--json", "--version"], ["--version", "--json"]] {
            let json = try Executable.creditRecon(arguments)
            #expect(json.status == 0 && json.stdout == #"{"exit_code":0,"ledger_schema":"v9: charges by time, then sequence","version":"0.1.0"}"#
                + "\n", "\(arguments): \(json.stdout)")
        }
    }

    @Test func helpListsEveryCommandOfTheContract() throws {
        let help = try Executable.creditRecon(["--help"])
        #expect(help.status == 0)
        for command in ["fetch", "plan", "topup", "import", "record", "report", "run", "status", "verify"] {
            #expect(help.stdout.contains("  \(command) "), "\(command) missing from --help")
        }
    }

    @Test func usageErrorsAreExit64AndVerifyWithoutALedgerIs66() throws {
        let scratch = try Scratch()
        #expect(try Executable.creditRecon(["--ledger", scratch.path("x"), "--log-level", "loud", "verify"]).status == 64)
        #expect(try Executable.creditRecon(["no-such-command"]).status == 64)
        #expect(try Executable.creditRecon(["--ledger", scratch.path("absent.sqlite"), "verify"]).status == 66)
    }

    /// A reader run in a folder deleted while the shell stood in it says so (66), as the
    /// writers do, not "run fetch first" beside a ledger that may well be there (probe 336).
    @Test func readersInAFolderThatIsGoneSaySo() throws {
        let scratch = try Scratch()
        let gone = scratch.path("gone")
        for command in ["verify", "status", "report"] {
            try FileManager.default.createDirectory(atPath: gone, withIntermediateDirectories: true)
            let tool = Executable.binDirectory.appendingPathComponent("credit-recon").path
            let result = try Executable.run(tool: URL(fileURLWithPath: "/bin/sh"),
                                            ["-c", "cd '\(gone)' && rmdir '\(gone)' && exec '\(tool)' --ledger ledger.sqlite \(command)"])
            #expect(result.status == 66, "\(command): \(result.stderr)")
            #expect(result.stderr.contains("cannot reach ledger.sqlite: the folder this command runs in is gone (deleted while "
                + "the shell stood in it): cd to a folder that is there, or give the ledger's absolute path"), "\(command): \(result.stderr)")
        }
    }

    /// A killed import into a new ledger leaves `LEDGER.creating`: the readers say what it
    /// is instead of only "no ledger", and the next import replaces it.
    @Test func readersExplainAnUnfinishedImportsFile() throws {
        let scratch = try Scratch()
        let ledger = scratch.path("ledger.sqlite")
        _ = try scratch.write("ledger.sqlite.creating", "half an import")
        for command in [["verify"], ["status"], ["report"]] {
            let result = try Executable.creditRecon(["--ledger", ledger] + command)
            #expect(result.status == 66, "\(command): \(result.stderr)")
            #expect(result.stderr.contains("no ledger at \(ledger)"), "\(command): \(result.stderr)")
            // A command that runs as it is written (`credit-recon import` alone is a usage error; probe 188).
            #expect(result.stderr.contains("run `credit-recon fetch` or `credit-recon import snapshots FILE` first"),
                    "\(command): \(result.stderr)")
            #expect(result.stderr.contains("ledger.sqlite.creating is not a ledger"), "\(command): \(result.stderr)")
        }
        let plain = try Executable.creditRecon(["--ledger", scratch.path("other.sqlite"), "status"])
        #expect(plain.status == 66 && !plain.stderr.contains(".creating"), "\(plain.stderr)")
        // Through a link to the ledger's name, the file is beside the name it links to,
        // where the import builds it.
        let link = scratch.path("link.sqlite")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: ledger)
        let linked = try Executable.creditRecon(["--ledger", link, "status"])
        #expect(linked.status == 66 && linked.stderr.contains("; \(ledger).creating is not a ledger"), "\(linked.stderr)")
        #expect(try Executable.creditRecon(["--ledger", ledger, "import", "snapshots", samples]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: ledger + ".creating"))
        #expect(try Executable.creditRecon(["--ledger", ledger, "verify"]).status == 0)
    }

    /// A `--ledger` naming a database that is not the books: another tool's, whose
    /// `schema_migrations` is not the ledger's, is refused by every command (66) and left
    /// byte for byte; one holding no tables is no ledger to the readers (66, left as it is)
    /// and new books to a writer.
    @Test func aDatabaseThatIsNotTheBooksIsLeftAsItWas() throws {
        let scratch = try Scratch()
        let rails = scratch.path("rails.sqlite")
        #expect(try Executable.sqlite3(rails, "CREATE TABLE schema_migrations (version varchar PRIMARY KEY); INSERT INTO schema_migrations VALUES ('20240101')").status == 0)
        let railsBytes = try Data(contentsOf: URL(fileURLWithPath: rails))
        for command in [["status"], ["verify"], ["report", "--out", scratch.path("r")], ["import", "snapshots", samples]] {
            let result = try Executable.creditRecon(["--ledger", rails] + command)
            #expect(result.status == 66, "\(command): \(result.stderr)")
            #expect(result.stderr.contains("holds tables of something else (schema_migrations)"), "\(command): \(result.stderr)")
        }
        // As the target of a copy, it is a target unfit for one (64, as a target holding
        // entries is), not a missing input (66).
        #expect(try Executable.creditRecon(["--ledger", scratch.path("books.sqlite"), "import", "snapshots", samples]).status == 0)
        let copy = try Executable.creditRecon(["--ledger", scratch.path("books.sqlite"), "ledger", "copy", "--to", rails])
        #expect(copy.status == 64 && copy.stderr.contains("holds tables of something else (schema_migrations)"), "\(copy.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: rails)) == railsBytes)
        // Nor is a lock file left beside it, or beside a folder (writers took the lock first).
        let folder = scratch.path("books")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        #expect(try Executable.creditRecon(["--ledger", folder, "import", "snapshots", samples]).status == 64)
        #expect(!FileManager.default.fileExists(atPath: rails + ".lock") && !FileManager.default.fileExists(atPath: folder + ".lock"))
        // Nor beside a link that leads back to itself (taken for a missing ledger: 74 "a file
        // appeared there", and its lock left).
        let loop = scratch.path("loop.sqlite")
        try FileManager.default.createSymbolicLink(atPath: loop, withDestinationPath: loop)
        let looped = try Executable.creditRecon(["--ledger", loop, "import", "snapshots", samples])
        #expect(looped.status == 64 && looped.stderr.contains("is a loop of symbolic links"), "\(looped.stderr)")
        #expect(!FileManager.default.fileExists(atPath: loop + ".lock"))

        let blank = scratch.path("blank.sqlite")
        #expect(try Executable.sqlite3(blank, "PRAGMA user_version = 3; CREATE VIEW v AS SELECT 1 AS x").status == 0)
        let blankBytes = try Data(contentsOf: URL(fileURLWithPath: blank))
        for command in [["status"], ["verify"], ["export", "--format", "hledger", "--out", scratch.path("x.journal")]] {
            let result = try Executable.creditRecon(["--ledger", blank] + command)
            #expect(result.status == 66, "\(command): \(result.stderr)")
            #expect(result.stderr.contains("\(blank) is a SQLite database holding no tables, not a ledger"), "\(command): \(result.stderr)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: blank)) == blankBytes)
        #expect(try Executable.creditRecon(["--ledger", blank, "import", "snapshots", samples]).status == 0)
        #expect(try Executable.creditRecon(["--ledger", blank, "verify"]).status == 0)

        // An empty file made for the copy (mktemp) is the empty ledger asked for.
        let target = try scratch.write("target.sqlite", "")
        let copied = try Executable.creditRecon(["--ledger", blank, "ledger", "copy", "--to", target])
        #expect(copied.status == 0, "\(copied.stderr)")
        #expect(headHash(try Executable.creditRecon(["--ledger", target, "verify"]).stdout)
            == headHash(try Executable.creditRecon(["--ledger", blank, "verify"]).stdout))
    }

    /// Its record of migrations dropped behind its back: `verify` names the damage as a
    /// finding (1), not "run verify" (74), and no command puts the record back (the table
    /// was created again before the record was read, so the file changed under a reader).
    /// The journal dropped too, the other tables kept: the same (it was taken for a new
    /// database, and the first migration failed, 70, on the tables already there).
    @Test(arguments: [
        ("DROP TABLE schema_migrations", "the journal exists"),
        ("DROP TABLE schema_migrations; DROP TRIGGER journal_append_only_update; DROP TRIGGER journal_append_only_delete; "
            + "DROP TABLE journal", "runs exists"),
    ])
    func aDroppedMigrationRecordIsAFindingAndIsNotMadeAgain(sql: String, found: String) throws {
        let scratch = try Scratch()
        let ledger = scratch.path("books.sqlite")
        #expect(try Executable.creditRecon(["--ledger", ledger, "import", "snapshots", samples]).status == 0)
        let dropped = try Executable.sqlite3(ledger, sql)
        #expect(dropped.status == 0, "\(dropped.stderr)")
        let before = try Data(contentsOf: URL(fileURLWithPath: ledger))
        let verified = try Executable.creditRecon(["--ledger", ledger, "verify"])
        #expect(verified.status == 1, "\(verified.stderr)")
        #expect(verified.stdout.contains("ledger NOT sound (1 problem):")
            && verified.stdout.contains("schema_migrations records no migration though \(found)")
            && verified.stdout.contains("restore it from a backup") && !verified.stdout.contains("Run `credit-recon verify`"),
            "\(verified.stdout)")
        let status = try Executable.creditRecon(["--ledger", ledger, "status"])
        #expect(status.status == 74 && status.stderr.contains("the ledger is damaged"), "\(status.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: ledger)) == before)
    }

    /// What makes a ledger of this build one as the build before v6 left it: v2's index of
    /// activity days in the place of v6's, no v7 index, no v8 triggers, no record of any.
    static let earlierBuildsSchema = """
        DROP INDEX activity_days_by_reading; DROP INDEX charges_voided;
        DROP TRIGGER runs_kept_delete; DROP TRIGGER topups_kept_delete; DROP TRIGGER charges_kept_delete;
        CREATE UNIQUE INDEX activity_days_by_date ON activity_days (account, date, coalesce(api_key_hash, ''));
        DELETE FROM schema_migrations WHERE name LIKE 'v6:%' OR name LIKE 'v7:%' OR name LIKE 'v8:%';
        """

    /// A ledger written by an earlier build, lacking migrations it can be read without:
    /// `verify` writes nothing to the ledger it checks, so it checks it as it is, naming
    /// them (it was refused, 78, until another command had migrated it: an auditor's copy
    /// had to be written to be checked); the next command that writes applies them.
    @Test func verifyChecksAnEarlierBuildsLedgerAsItIs() throws {
        let scratch = try Scratch()
        let ledger = scratch.path("books.sqlite")
        #expect(try Executable.creditRecon(["--ledger", ledger, "import", "snapshots", samples]).status == 0)
        let head = try #require(headHash(try Executable.creditRecon(["--ledger", ledger, "verify"]).stdout))
        let removed = try Executable.sqlite3(ledger, Self.earlierBuildsSchema)
        #expect(removed.status == 0, "\(removed.stderr)")
        let before = try Data(contentsOf: URL(fileURLWithPath: ledger))
        let unapplied = #""v6: activity days read again", "v7: charge.voided entries", "v8: runs, top-ups and charges never deleted""#
        let verified = try Executable.creditRecon(["--ledger", ledger, "verify"])
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
        #expect(headHash(verified.stdout) == head)
        #expect(verified.stdout.contains("checked as an earlier credit-recon left it, without migrations \(unapplied) "
            + "(an index, guarding triggers, or entry kinds it holds none of); verify applies none, but any other command of this build (status and "
            + "report too) applies them where it may write the ledger, and the earlier build then refuses the ledger as newer: "
            + "on books an earlier build still writes, run them on a copy"),
            "\(verified.stdout)")
        let json = try Executable.creditRecon(["--ledger", ledger, "verify", "--json"])
        #expect(json.status == 0 && json.stdout.contains(#""unapplied_migrations":["v6: activity days read again","#
                    + #""v7: charge.voided entries","v8: runs, top-ups and charges never deleted"]"#), "\(json.stdout)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: ledger)) == before)
        // Copied out, it stays as the earlier build left it (probes 176, 180: the copy migrated its
        // source, and the earlier build then refused its own ledger); the copy is this build's.
        let copied = try Executable.creditRecon(["--ledger", ledger, "ledger", "copy", "--to", scratch.path("moved.sqlite")])
        #expect(copied.status == 0 && copied.stdout.contains(head), "\(copied.stdout)\(copied.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: ledger)) == before)
        let moved = try Executable.creditRecon(["--ledger", scratch.path("moved.sqlite"), "verify"])
        #expect(moved.status == 0 && headHash(moved.stdout) == head && !moved.stdout.contains("earlier credit-recon"),
                "\(moved.stdout)")
        // The index v6 replaces, dropped behind the ledger's back: not the earlier build's shape either.
        let copy = scratch.path("changed.sqlite")
        try FileManager.default.copyItem(atPath: ledger, toPath: copy)
        #expect(try Executable.sqlite3(copy, "DROP INDEX activity_days_by_date").status == 0)
        let changed = try Executable.creditRecon(["--ledger", copy, "verify"])
        #expect(changed.status == 1 && changed.stdout.contains("table activity_days is not as credit-recon makes it"), "\(changed.stdout)")

        #expect([0, 1].contains(try Executable.creditRecon(["--ledger", ledger, "status"]).status))
        let migrated = try Executable.creditRecon(["--ledger", ledger, "verify"])
        #expect(migrated.status == 0 && headHash(migrated.stdout) == head, "\(migrated.stderr)")
        #expect(!migrated.stdout.contains("earlier credit-recon"), "\(migrated.stdout)")
    }

    /// Another user's ledger in a folder both may write (a shared, sticky one): the readers
    /// leave no file beside it, a writer is refused (74) before it makes its lock file, and
    /// `ledger copy` copies it without one.
    /// Reading it made -wal and -shm files of the reader's, and a write its lock file, which
    /// the owner's next write could not open (74, "attempt to write a readonly database").
    /// Runs as root only: the reader is `nobody`, the owner `daemon`.
    @Test(.enabled(if: getuid() == 0)) func anotherUsersLedgerInASharedFolderIsLeftToItsOwner() throws {
        let scratch = try Scratch()
        let folder = scratch.path("shared")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: scratch.url.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o1777], ofItemAtPath: folder)
        let ledger = folder + "/books.sqlite"
        #expect(try Executable.creditRecon(["--ledger", ledger, "import", "snapshots", samples]).status == 0)
        // As its owner's writers left it, but for their lock file and head's witness.
        for beside in [".lock", ".head"] { try FileManager.default.removeItem(atPath: ledger + beside) }
        try FileManager.default.setAttributes([.ownerAccountName: "daemon", .posixPermissions: 0o644], ofItemAtPath: ledger)
        let charges = Executable.repositoryRoot.appendingPathComponent("samples/charges.csv").path
        func run(as user: String, _ arguments: [String]) throws -> Executable.Result {
            let tool = Executable.binDirectory.appendingPathComponent("credit-recon")
            return try Executable.run(tool: URL(fileURLWithPath: "/usr/bin/env"),
                                      ["runuser", "-u", user, "--", tool.path, "--ledger", ledger] + arguments)
        }
        for command in [["verify"], ["status"]] {
            #expect([0, 1].contains(try run(as: "nobody", command).status))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["books.sqlite"])
        let refused = try run(as: "nobody", ["import", "charges", charges])
        #expect(refused.status == 74 && refused.stderr.contains("this process may not write the ledger"), "\(refused.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["books.sqlite"])
        // A copy of it is made without a lock file beside it.
        let out = scratch.path("out")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: out)
        #expect(try run(as: "nobody", ["ledger", "copy", "--to", out + "/copy.sqlite"]).status == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["books.sqlite"])
        let owners = try run(as: "daemon", ["import", "charges", charges])
        #expect(owners.status == 0, "\(owners.stderr)")
    }

    /// A lock file that is there and that this user may not open is said as that, whose it
    /// is and its mode (probe 379: "cannot create the lock file …; check that this user may
    /// write the ledger's folder", of a folder it could write). Runs as root only: the writer
    /// is `nobody`, in a folder of its own, beside root's lock file of mode 000.
    @Test(.enabled(if: getuid() == 0)) func aLockFileThisUserMayNotOpenIsSaidAsOne() throws {
        let scratch = try Scratch()
        let folder = scratch.path("nobodys")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: scratch.url.path)
        try FileManager.default.setAttributes([.ownerAccountName: "nobody", .posixPermissions: 0o755], ofItemAtPath: folder)
        let ledger = folder + "/books.sqlite"
        #expect(FileManager.default.createFile(atPath: ledger + ".lock", contents: Data("1\n".utf8), attributes: [.posixPermissions: 0]))
        let charges = Executable.repositoryRoot.appendingPathComponent("samples/charges.csv").path
        let tool = Executable.binDirectory.appendingPathComponent("credit-recon")
        func importAsNobody() throws -> Executable.Result {
            try Executable.run(tool: URL(fileURLWithPath: "/usr/bin/env"),
                               ["runuser", "-u", "nobody", "--", tool.path, "--ledger", ledger, "import", "charges", charges])
        }
        let refused = try importAsNobody()
        #expect(refused.status == 74, "\(refused.stderr)")
        #expect(refused.stderr.contains("cannot open the lock file \(ledger).lock, which is there already: Permission denied; "
            + "it belongs to uid 0 (root), mode 000, and this command runs as uid 65534 (nobody): run the command as the user "
            + "who writes this ledger, or work on a copy"), "\(refused.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["books.sqlite.lock"])
        // Its own lock file, its rights taken away: another user is no answer (probe 388).
        try FileManager.default.setAttributes([.ownerAccountName: "nobody"], ofItemAtPath: ledger + ".lock")
        let own = try importAsNobody()
        #expect(own.status == 74, "\(own.stderr)")
        #expect(own.stderr.contains("which is there already: Permission denied; it is this user's own (uid 65534 (nobody)), mode "
            + "000, which lets it neither read nor write it: give it back its rights (chmod 600 '\(ledger).lock') and run the "
            + "command again"), "\(own.stderr)")
    }

    /// In `scratch` (opened to other users): `books` with a ledger of `samples` (its lock
    /// file, root's and mode 0600, removed, so another user may take the lock), and an
    /// empty `outside`, where nothing may be written.
    static func booksAndAnOutside(_ scratch: Scratch, _ samples: String) throws -> (books: String, outside: String, ledger: String) {
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: scratch.url.path)
        let books = scratch.path("books"), outside = scratch.path("outside")
        for folder in [books, outside] { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        let ledger = books + "/ledger.sqlite"
        #expect(try Executable.creditRecon(["--ledger", ledger, "import", "snapshots", samples]).status == 0)
        // As its owner's writers left it, but for their lock file and head's witness.
        for beside in [".lock", ".head"] { try FileManager.default.removeItem(atPath: ledger + beside) }
        return (books, outside, ledger)
    }

    /// Run as root, a report or export goes only through folders and links no other user
    /// may change: in another user's folder it is refused (73), and the folder is left as
    /// it was, so the owner's nightly report goes on (one run as root left root's files
    /// there, and the owner's next report failed 73 every night, probe 82); a report file
    /// root left there (an older build) is replaced by the owner's report all the same,
    /// kept aside as a copy while the files go in place (protected_hardlinks refuses the
    /// hard link). Whoever may change a folder on the way could have had root write a file
    /// of their choosing, through a link of theirs at the end of root's own (probe 84).
    @Test(.enabled(if: getuid() == 0)) func runAsRootAReportGoesOnlyWhereNoOtherUserMayChangeIt() throws {
        let scratch = try Scratch()
        let (books, outside, ledger) = try Self.booksAndAnOutside(scratch, samples)
        for path in [books, ledger] { try FileManager.default.setAttributes([.ownerAccountName: "daemon"], ofItemAtPath: path) }
        let tool = Executable.binDirectory.appendingPathComponent("credit-recon")
        func asDaemon(_ arguments: [String]) throws -> Executable.Result {
            try Executable.run(tool: URL(fileURLWithPath: "/usr/bin/env"), ["runuser", "-u", "daemon", "--"] + arguments)
        }
        let reports = books + "/reports"
        let first = try asDaemon([tool.path, "--ledger", ledger, "report", "--out", reports])
        #expect(first.status == 0 || first.status == 1, "\(first.stderr)")
        let before = try FileManager.default.contentsOfDirectory(atPath: reports).sorted()
        // Root, in daemon's folder: refused, nothing made or changed there.
        for arguments in [["report", "--out", reports], ["report", "--out", books + "/fresh"],
                          ["export", "--format", "hledger", "--out", books + "/books.journal"]] {
            let byRoot = try Executable.creditRecon(["--ledger", ledger] + arguments)
            #expect(byRoot.status == 73 && byRoot.stderr.contains(
                "run as root, credit-recon writes only through folders and links no other user may change, and \(books) is "
                    + "daemon's: run it as the user whose books these are (runuser -u USER -- credit-recon …)"), "\(byRoot.stderr)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: reports).sorted() == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: books).sorted() == ["ledger.sqlite", "reports"])
        // Root's own link, in root's folder, to a link of daemon's: refused, nothing written where it led.
        try #require(asDaemon(["/bin/ln", "-s", outside + "/victim", books + "/lure"]).status == 0)
        let rootFolder = scratch.path("root-out")
        try FileManager.default.createDirectory(atPath: rootFolder, withIntermediateDirectories: true)
        #expect(symlink(books + "/lure", rootFolder + "/periods.csv") == 0)
        let chained = try Executable.creditRecon(["--ledger", ledger, "report", "--out", rootFolder])
        #expect(chained.status == 73 && chained.stderr.contains("\(books) is daemon's"), "\(chained.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside).isEmpty)
        // Root's folder, reached through root's own link: written as before.
        let byLink = scratch.path("by-link")
        #expect(symlink(outside, byLink) == 0)
        let linked = try Executable.creditRecon(["--ledger", ledger, "export", "--format", "hledger", "--out", byLink + "/x.journal"])
        #expect(linked.status == 0, "\(linked.stderr)")
        #expect(FileManager.default.fileExists(atPath: outside + "/x.journal"))
        // In a sticky folder (as /tmp): a file or a FIFO daemon put there is not root's to
        // write (root's journal went into daemon's FIFO, or was given to daemon, probe 85); a
        // folder root makes there, and what goes in it, is root's.
        let sticky = scratch.path("sticky")
        try FileManager.default.createDirectory(atPath: sticky, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o1777], ofItemAtPath: sticky)
        try #require(asDaemon(["/bin/sh", "-c", "echo mine > \(sticky)/planted && mkfifo \(sticky)/fifo"]).status == 0)
        let planted = try Executable.creditRecon(["--ledger", ledger, "export", "--format", "hledger", "--out", sticky + "/planted"])
        #expect(planted.status == 73 && planted.stderr.contains("\(sticky)/planted is daemon's"), "\(planted.stderr)")
        #expect(try String(contentsOfFile: sticky + "/planted", encoding: .utf8) == "mine\n")
        // Refused before it is opened: no reader needed, and none waited for.
        let fifo = try Executable.creditRecon(["--ledger", ledger, "export", "--format", "hledger", "--out", sticky + "/fifo"])
        #expect(fifo.status == 73 && fifo.stderr.contains("it is daemon's device or pipe, and run as root, credit-recon writes into "
            + "root's only"), "\(fifo.stderr)")
        #expect(try Executable.creditRecon(["--ledger", ledger, "report", "--out", sticky + "/mine/month"]).status != 73)
        #expect(try FileManager.default.attributesOfItem(atPath: sticky + "/mine/month/periods.csv")[.ownerAccountName] as? String == "root")
        // A file root left in daemon's folder (an older build did): replaced by daemon's report.
        try FileManager.default.setAttributes([.ownerAccountName: "root"], ofItemAtPath: reports + "/periods.csv")
        let nightly = try asDaemon([tool.path, "--ledger", ledger, "report", "--out", reports])
        #expect(nightly.status == first.status, "\(nightly.stderr)")
        #expect(try FileManager.default.attributesOfItem(atPath: reports + "/periods.csv")[.ownerAccountName] as? String == "daemon")
        #expect(try FileManager.default.contentsOfDirectory(atPath: reports).allSatisfy { !$0.hasPrefix(".") })
    }

    /// A link another user planted in a folder this user writes reports to (under a report's
    /// name, or as a folder on the way) is refused (73): it could point the report at any
    /// file this user may write (probe 83). This user's own links are followed as before.
    @Test(.enabled(if: getuid() == 0)) func anotherUsersLinkIsNotWrittenThrough() throws {
        let scratch = try Scratch()
        let (shared, outside, ledger) = try Self.booksAndAnOutside(scratch, samples)
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: shared)
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: outside)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: ledger)
        let tool = Executable.binDirectory.appendingPathComponent("credit-recon")
        func asUser(_ user: String, _ arguments: [String]) throws -> Executable.Result {
            try Executable.run(tool: URL(fileURLWithPath: "/usr/bin/env"), ["runuser", "-u", user, "--"] + arguments)
        }
        try #require(asUser("daemon", ["/bin/ln", "-s", outside + "/crontab", shared + "/charges.csv"]).status == 0)
        let report = try asUser("nobody", [tool.path, "--ledger", ledger, "report", "--out", shared])
        #expect(report.status == 73 && report.stderr.contains(
            "\(shared)/charges.csv is a symbolic link made by another user (daemon); credit-recon follows only its own user's links and root's"),
            "\(report.stderr)")
        try #require(asUser("daemon", ["/bin/ln", "-s", outside, shared + "/books"]).status == 0)
        let export = try asUser("nobody", [tool.path, "--ledger", ledger, "export", "--format", "hledger", "--out", shared + "/books/x.journal"])
        #expect(export.status == 73 && export.stderr.contains("\(shared)/books is a symbolic link made by another user (daemon)"),
                "\(export.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside).isEmpty)
        // nobody's own link is followed.
        try #require(asUser("nobody", ["/bin/ln", "-s", outside + "/mine.journal", shared + "/mine.journal"]).status == 0)
        let own = try asUser("nobody", [tool.path, "--ledger", ledger, "export", "--format", "hledger", "--out", shared + "/mine.journal"])
        #expect(own.status == 0, "\(own.stderr)")
        #expect(FileManager.default.fileExists(atPath: outside + "/mine.journal"))
    }

    /// An auditor's copy where they cannot write (another user's folder, as here, or a
    /// read-only mount): the readers read it, leave it byte for byte, and make no file
    /// beside it; they gave 74, "attempt to write a readonly database". As root, the
    /// readers run as `nobody`, since root writes anywhere. An archive an earlier build
    /// wrote is read as it is (it was refused, 74, "needs migration … before this
    /// credit-recon can read it").
    @Test(arguments: [false, true])
    func aLedgerOnStorageTheReaderCannotWriteIsRead(earlierBuild: Bool) throws {
        let scratch = try Scratch()
        let folder = scratch.path("archive")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let ledger = folder + "/books.sqlite"
        #expect(try Executable.creditRecon(["--ledger", ledger, "import", "snapshots", samples]).status == 0)
        let head = try #require(headHash(try Executable.creditRecon(["--ledger", ledger, "verify"]).stdout))
        if earlierBuild { #expect(try Executable.sqlite3(ledger, Self.earlierBuildsSchema).status == 0) }
        // As its owner's writers left it, but for their lock file and head's witness.
        for beside in [".lock", ".head"] { try FileManager.default.removeItem(atPath: ledger + beside) }
        let out = scratch.path("out")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let asRoot = getuid() == 0
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: out)
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: ledger)
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: folder)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder) }
        let before = try Data(contentsOf: URL(fileURLWithPath: ledger))
        func reader(_ arguments: [String], named path: String = ledger) throws -> Executable.Result {
            let tool = Executable.binDirectory.appendingPathComponent("credit-recon")
            guard asRoot else { return try Executable.run(tool: tool, ["--ledger", path] + arguments) }
            return try Executable.run(tool: URL(fileURLWithPath: "/usr/bin/env"),
                                      ["runuser", "-u", "nobody", "--", tool.path, "--ledger", path] + arguments)
        }
        let verified = try reader(["verify"])
        #expect(verified.status == 0, "\(verified.stderr)")
        #expect(headHash(verified.stdout) == head)
        #expect(verified.stdout.contains("checked as an earlier credit-recon left it") == earlierBuild, "\(verified.stdout)")
        let status = try reader(["status"])
        #expect(status.status == 1 && status.stdout.contains("balance "), "\(status.stderr)")
        #expect(try reader(["report", "--out", out + "/report"]).status == 0)
        #expect(try reader(["export", "--format", "beancount", "--out", out + "/books.beancount"]).status == 0)
        let copied = try reader(["ledger", "copy", "--to", out + "/copy.sqlite"])
        #expect(copied.status == 0 && copied.stdout.contains(head), "\(copied.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: ledger)) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["books.sqlite"])
        // A writer there is refused, naming the folder.
        let refused = try reader(["import", "snapshots", samples])
        #expect(refused.status == 74, "\(refused.stderr)")
        // Named with a leading `//`, still the same file (the URI named a host: 70).
        let doubled = try reader(["verify"], named: "/" + ledger)
        #expect(doubled.status == 0 && headHash(doubled.stdout) == head, "\(doubled.stderr)")
        // An interrupted write's rollback journal beside it: refused, saying what to do (read
        // as immutable, the journal was not looked at).
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder)
        _ = try scratch.write("archive/books.sqlite-journal", "\u{D9}\u{D5}\u{05}\u{F9} interrupted")
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: folder)
        let interrupted = try reader(["verify"])
        #expect(interrupted.status == 74 && interrupted.stderr.contains("books.sqlite-journal beside it holds a write that was interrupted"),
                "\(interrupted.stderr)")
        // Archived with its write-ahead log: SQLite must make the log's index beside it, and
        // cannot; said so, with what to do (it was "unable to open database file: No such
        // file or directory", of a file that is there).
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder)
        try FileManager.default.removeItem(atPath: ledger + "-journal")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: ledger)
        let logged = try Executable.run(tool: URL(fileURLWithPath: "/usr/bin/env"), [
            "sqlite3", ledger, ".dbconfig no_ckpt_on_close on", "CREATE TABLE scratch_t (x); DROP TABLE scratch_t;"])
        #expect(logged.status == 0, "\(logged.stderr)")
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: ledger)
        try? FileManager.default.removeItem(atPath: ledger + "-shm")
        if asRoot { try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: ledger + "-wal") }
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: folder)
        let withLog = try reader(["verify"])
        #expect(withLog.status == 74 && withLog.stderr.contains("its write-ahead log \(ledger)-wal is beside it")
            && withLog.stderr.contains("copy \(ledger) and \(ledger)-wal together"), "\(withLog.stderr)")
    }

    /// A command's summary that cannot be written (stdout on a full disk, or closed) is a
    /// failure said on stderr, 73: `verify --json > v.json` on a full disk left an empty
    /// file and exited 0. A command that failed otherwise keeps its own code.
    @Test func aSummaryThatCannotBeWrittenIs73() throws {
        let scratch = try Scratch()
        let ledger = scratch.path("books.sqlite")
        #expect(try Executable.creditRecon(["--ledger", ledger, "import", "snapshots", samples]).status == 0)
        let tool = Executable.binDirectory.appendingPathComponent("credit-recon").path
        for (redirect, arguments, status) in [
            (">/dev/full", ["--ledger", ledger, "verify", "--json"], 73), (">&-", ["--ledger", ledger, "verify"], 73),
            (">/dev/full", ["--ledger", ledger, "status"], 73), (">/dev/full", ["--ledger", ledger, "report", "--out", scratch.path("r")], 73),
            (">/dev/full", ["--ledger", scratch.path("none.sqlite"), "status"], 66),
        ] {
            let result = try Executable.run(
                tool: URL(fileURLWithPath: "/bin/sh"), ["-c", #"t=$0; exec "$t" "$@" "# + redirect, tool] + arguments)
            #expect(Int(result.status) == status, "\(redirect) \(arguments): \(result.stderr)")
            if status == 73 {
                #expect(result.stderr.hasPrefix("credit-recon: cannot write standard output: "), "\(result.stderr)")
            }
        }
    }

    /// Holds the writer lock of `ledger` the way a running writer does: flock on
    /// <ledger>.lock, for a minute (one process: the shell takes the lock, says so with
    /// `.held`, then becomes `sleep`, so terminating it frees the lock). A writer that
    /// waited for it would take that minute.
    func holdWriterLock(_ ledger: String) throws -> Process {
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/bin/sh")
        holder.arguments = ["-c", #"exec 9>>"$0" && flock 9 && : > "$0.held" && exec sleep 60"#, ledger + ".lock"]
        try holder.run()
        #expect(waitUntil { FileManager.default.fileExists(atPath: ledger + ".lock.held") }, "the holder never took the lock")
        return holder
    }

    /// A new ledger named as another's lock file is refused (64) before anything is made:
    /// the other ledger's next writer wrote its pid over it (probe 74).
    @Test func aNewLedgerNamedAsALockFileIsRefused() throws {
        let scratch = try Scratch()
        let ledger = scratch.path("books.sqlite.lock")
        let refused = try Executable.creditRecon(["--ledger", ledger, "import", "snapshots", samples])
        #expect(refused.status == 64, "\(refused.stderr)")
        #expect(refused.stderr.contains("would be made as \(ledger), the name of the writer lock file of a ledger "
            + "\(scratch.path("books.sqlite")), were one made there, which that ledger's writers write their pid into"),
                "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: ledger))
        // Nor as another's witness of its head: its writers then kept none (probe 162).
        let witness = scratch.path("books.sqlite.head")
        let named = try Executable.creditRecon(["--ledger", witness, "import", "snapshots", samples])
        #expect(named.status == 64 && named.stderr.contains("the name of the witness of the newest entry of a ledger "
            + "\(scratch.path("books.sqlite")), were one made there"), "\(named.stderr)")
        #expect(!FileManager.default.fileExists(atPath: witness))
        // Nor through a link to such a name (probe 75).
        let link = scratch.path("link.sqlite")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: ledger)
        #expect(try Executable.creditRecon(["--ledger", link, "import", "snapshots", samples]).status == 64)
        #expect(!FileManager.default.fileExists(atPath: ledger))
        // Nor an empty file there, which is that lock file, not a truncated ledger (probe 75).
        _ = FileManager.default.createFile(atPath: ledger, contents: Data())
        let empty = try Executable.creditRecon(["--ledger", ledger, "import", "snapshots", samples])
        #expect(empty.status == 64, "\(empty.stderr)")
        #expect(!FileManager.default.fileExists(atPath: ledger + ".lock"))
    }

    /// A ledger named as a file SQLite keeps beside another ledger (`books.sqlite-wal`,
    /// `-journal`, `-shm`) or as that ledger's unfinished `.creating`: made, it was read as
    /// the other's log and removed, books and all, by that ledger's next command (probe 239).
    /// Refused (64) before anything is made, and one made earlier beside it is refused too;
    /// the other ledger is left as it was.
    @Test func aLedgerNamedAsSQLitesFileBesideAnotherIsRefused() throws {
        let scratch = try Scratch()
        let books = scratch.path("books.sqlite")
        #expect(try Executable.creditRecon(["--ledger", books, "import", "snapshots", samples]).status == 0)
        let head = try Executable.creditRecon(["--ledger", books, "verify"]).stdout
        for suffix in ["-wal", "-journal", "-shm", ".creating"] {
            let refused = try Executable.creditRecon(["--ledger", books + suffix, "import", "snapshots", samples])
            #expect(refused.status == 64 && refused.stderr.contains("would be made as \(books + suffix), the name of ")
                && refused.stderr.contains("of the ledger \(books) beside it"), "\(suffix): \(refused.stderr)")
            #expect(!FileManager.default.fileExists(atPath: books + suffix))
        }
        // One made before that ledger was (a copy of a ledger put there by hand).
        let other = scratch.path("other.sqlite")
        #expect(try Executable.creditRecon(["--ledger", other, "import", "snapshots", samples]).status == 0)
        try FileManager.default.copyItem(atPath: other, toPath: books + "-journal")
        let opened = try Executable.creditRecon(["--ledger", books + "-journal", "status"])
        #expect(opened.status == 64 && opened.stderr.contains("is the name of SQLite's rollback journal of the ledger \(books) beside "
            + "it, which SQLite reads as that ledger's pages, and removes, when it opens it; name \(books) to use those books"),
                "\(opened.stderr)")
        try FileManager.default.removeItem(atPath: books + "-journal")
        #expect(try Executable.creditRecon(["--ledger", books, "verify"]).stdout == head)
    }

    /// Ends the lock's holder: SIGKILL, which nothing ignores. A SIGTERM was ignored when
    /// a test of the signal trap, in this process, had SIGTERM ignored as the holder started
    /// (a child keeps what its parent ignores), and the copy's test waited the holder's
    /// minute (ci41).
    static func end(_ holder: Process) {
        if holder.isRunning { kill(holder.processIdentifier, SIGKILL) }
        holder.waitUntilExit()
    }

    @Test func aSecondWriterIsTurnedAwayWith75() throws {
        let scratch = try Scratch()
        let ledger = scratch.path("ledger.sqlite")
        let holder = try holdWriterLock(ledger)
        defer { Self.end(holder) }
        let started = Date()
        let result = try Executable.creditRecon(["--ledger", ledger, "import", "snapshots", samples])
        #expect(result.status == 75)
        #expect(result.stderr.contains("try again"))
        #expect(Date().timeIntervalSince(started) < 20, "turned away at once, not after the holder's minute")
    }

    /// `ledger copy` holds its source's writer lock: an entry a writer appended to the
    /// source during the copy was missing from the copy, which still exited 0 saying "the
    /// same chain". A copy while a writer runs is turned away at once, naming it, and makes
    /// no target; once the writer is done, the copy runs.
    @Test func aCopyTakesItsSourcesWriterLock() throws {
        let scratch = try Scratch()
        let ledger = scratch.path("books.sqlite"), target = scratch.path("copy.sqlite")
        #expect(try Executable.creditRecon(["--ledger", ledger, "import", "snapshots", samples]).status == 0)
        let holder = try holdWriterLock(ledger)
        let started = Date()
        let refused = try Executable.creditRecon(["--ledger", ledger, "ledger", "copy", "--to", target])
        Self.end(holder)
        #expect(refused.status == 75, "\(refused.stderr)")
        #expect(refused.stderr.contains("the ledger is being written by") && refused.stderr.contains(ledger + ".lock"),
                "\(refused.stderr)")
        #expect(Date().timeIntervalSince(started) < 20, "turned away at once, not after the holder's minute")
        #expect(!FileManager.default.fileExists(atPath: target) && !FileManager.default.fileExists(atPath: target + ".lock"))
        let copied = try Executable.creditRecon(["--ledger", ledger, "ledger", "copy", "--to", target])
        #expect(copied.status == 0, "\(copied.stderr)")
    }

    /// `--to` naming the source under another name (relative, through a link) is the same
    /// usage error as the same path (64): its own writer lock turned the copy away as
    /// "being written by" itself, 75, "try again", which never helps.
    @Test func aCopyToItsSourceUnderAnotherNameIs64() throws {
        let scratch = try Scratch()
        let ledger = scratch.path("books.sqlite"), link = scratch.path("link.sqlite")
        #expect(try Executable.creditRecon(["--ledger", ledger, "import", "snapshots", samples]).status == 0)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: ledger)
        for target in ["books.sqlite", "./books.sqlite", link] {
            let refused = try Executable.run("credit-recon", ["--ledger", ledger, "ledger", "copy", "--to", target], in: scratch.url)
            #expect(refused.status == 64 && refused.stderr.contains("--to names the ledger being copied"), "\(target): \(refused.stderr)")
        }
        #expect(try Executable.creditRecon(["--ledger", ledger, "verify"]).status == 0)
    }
}
