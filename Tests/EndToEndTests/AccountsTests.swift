import AsyncWait
import Foundation
import Testing

/// Several accounts in one ledger, as the built binary shows them: `report --all-accounts`
/// and `status` without `--account` (CONTRACT.md § Several accounts), and `status` per key
/// (issue 18).
@Suite("End to end: several accounts, keys in status", .threadOfItsOwn)
struct AccountsTests {
    static func json(_ text: String) throws -> [String: Any] {
        let value = try JSONSerialization.jsonObject(with: Data(text.utf8))
        return try #require(value as? [String: Any], "not a JSON object: \(text)")
    }

    /// A ledger with three accounts: `default`, `ops/eu` (a slash) and `..` (the parent
    /// folder), a day of readings each.
    func threeAccounts(_ scratch: Scratch) throws -> String {
        let ledger = scratch.path("ledger.sqlite")
        let csv = try scratch.write("snapshots.csv", """
            observed_at,total_credits,total_usage,account
            2026-10-01T00:00:00Z,100,10,default
            2026-10-02T00:00:00Z,100,14,default
            2026-10-01T00:00:00Z,50,5,ops/eu
            2026-10-02T00:00:00Z,80,7.5,ops/eu
            2026-10-01T12:00:00Z,10,1,..
            2026-10-02T00:00:00Z,10,1.000001,..

            """)
        let imported = try Executable.creditRecon(["--ledger", ledger, "import", "snapshots", csv])
        #expect(imported.status == 0, "\(imported.stderr)")
        return ledger
    }

    @Test func reportAllAccountsWritesAFolderPerAccountAndTheTotals() throws {
        let scratch = try Scratch()
        let ledger = try threeAccounts(scratch)
        let out = scratch.path("out")
        let result = try Executable.creditRecon(["--ledger", ledger, "report", "--all-accounts", "--out", out])
        #expect(result.status == 0, "\(result.stderr)")
        let entries = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        #expect(entries == ["%2E%2E", "accounts.csv", "accounts.md", "default", "ops%2Feu"])
        for folder in ["%2E%2E", "default", "ops%2Feu"] {
            #expect(FileManager.default.fileExists(atPath: "\(out)/\(folder)/reconciliation.md"), "\(folder)")
        }
        let csv = String(decoding: try Data(contentsOf: URL(fileURLWithPath: "\(out)/accounts.csv")), as: UTF8.self)
        #expect(csv == "account,opening_balance,purchased,used,closing_balance,warnings\r\n"
            + "..,9,0,0.000001,8.999999,0\r\n"
            + "default,90,0,4,86,0\r\n"
            + "ops/eu,45,30,2.5,72.5,0\r\n"
            + "total,144,30,6.500001,167.499999,0\r\n")
        let md = String(decoding: try Data(contentsOf: URL(fileURLWithPath: "\(out)/accounts.md")), as: UTF8.self)
        let head = try Executable.creditRecon(["--ledger", ledger, "verify"]).stdout
            .split(separator: "\n").first { $0.hasPrefix("head ") }.map { String($0.dropFirst(5)) }
        #expect(md.contains("| Ledger head hash | `\(try #require(head))` |"), "\(md)")
        #expect(md.contains("[ops%2Feu/](ops%252Feu/reconciliation.md)"))
        #expect(result.stdout.contains("wrote the reports of 3 accounts"), "\(result.stdout)")

        // The same ledger gives the same bytes, and each folder holds what `report` alone writes.
        let again = try Executable.creditRecon(["--ledger", ledger, "report", "--all-accounts", "--out", scratch.path("again")])
        #expect(again.status == 0)
        let alone = try Executable.creditRecon(
            ["--ledger", ledger, "--account", "ops/eu", "report", "--out", scratch.path("alone")])
        #expect(alone.status == 0, "\(alone.stderr)")
        for name in ["accounts.csv", "accounts.md", "ops%2Feu/periods.csv", "ops%2Feu/reconciliation.md"] {
            #expect(FileManager.default.contents(atPath: "\(out)/\(name)") == FileManager.default.contents(atPath: scratch.path("again/\(name)")), "\(name)")
        }
        for name in ["periods.csv", "findings.csv", "reconciliation.md", "balance.svg"] {
            #expect(FileManager.default.contents(atPath: "\(out)/ops%2Feu/\(name)") == FileManager.default.contents(atPath: scratch.path("alone/\(name)")), "\(name)")
        }
    }

    @Test func reportAllAccountsJSONHasEveryAccount() throws {
        let scratch = try Scratch()
        let ledger = try threeAccounts(scratch)
        let result = try Executable.creditRecon(["--ledger", ledger, "--json", "report", "--all-accounts", "--out", scratch.path("out")])
        #expect(result.status == 0, "\(result.stderr)")
        let summary = try Self.json(result.stdout)
        let accounts = try #require(summary["accounts"] as? [[String: Any]])
        #expect(accounts.map { $0["account"] as? String } == ["..", "default", "ops/eu"])
        #expect(accounts.map { $0["folder"] as? String } == ["%2E%2E", "default", "ops%2Feu"])
        let total = try #require(summary["total"] as? [String: Any])
        #expect(total["used"] as? String == "6.500001")
        #expect(summary["exit_code"] as? Int == 0)
    }

    /// A usage error on the command line (64); a configuration error (78) when the
    /// environment names the account (probe 284: 64, which the README gives the command line).
    @Test func allAccountsWithANamedAccountIsAUsageError() throws {
        let scratch = try Scratch()
        let ledger = try threeAccounts(scratch)
        let flag = try Executable.creditRecon(
            ["--ledger", ledger, "--account", "default", "report", "--all-accounts", "--out", scratch.path("a")])
        #expect(flag.status == 64)
        #expect(flag.stderr.contains("--all-accounts"), "\(flag.stderr)")
        let environment = try Executable.creditRecon(
            ["--ledger", ledger, "report", "--all-accounts", "--out", scratch.path("b")],
            environment: ["CREDIT_RECON_ACCOUNT": "default"])
        #expect(environment.status == 78)
        #expect(environment.stderr.contains("CREDIT_RECON_ACCOUNT"), "\(environment.stderr)")
        #expect(!FileManager.default.fileExists(atPath: scratch.path("a")) && !FileManager.default.fileExists(atPath: scratch.path("b")))
        let empty = try Executable.creditRecon(
            ["--ledger", scratch.path("none.sqlite"), "report", "--all-accounts", "--out", scratch.path("c")])
        #expect(empty.status == 66, "\(empty.stderr)")
    }

    @Test func statusWithoutAnAccountShowsEveryAccount() throws {
        let scratch = try Scratch()
        let ledger = try threeAccounts(scratch)
        let now = ["--now", "2026-10-02T01:00:00Z"]
        let every = try Executable.creditRecon(["--ledger", ledger] + now + ["status"])
        #expect(every.status == 0, "\(every.stderr)\(every.stdout)")
        #expect(every.stdout.contains("account ..,") && every.stdout.contains("account default,")
            && every.stdout.contains("account ops/eu,"), "\(every.stdout)")
        #expect(every.stdout.contains("keys: none read yet; `credit-recon fetch` reads them"), "\(every.stdout)")
        let json = try Self.json(try Executable.creditRecon(["--ledger", ledger, "--json"] + now + ["status"]).stdout)
        #expect((json["accounts"] as? [[String: Any]])?.count == 3)

        let one = try Executable.creditRecon(["--ledger", ledger, "--account", "ops/eu"] + now + ["status"])
        #expect(one.stdout.hasPrefix("account ops/eu,") && !one.stdout.contains("account default,"), "\(one.stdout)")
        let fromEnvironment = try Executable.creditRecon(
            ["--ledger", ledger] + now + ["--json", "status"], environment: ["CREDIT_RECON_ACCOUNT": "default"])
        #expect(try Self.json(fromEnvironment.stdout)["account"] as? String == "default")

        // Stale readings in one account make the whole status need a person.
        let later = try Executable.creditRecon(["--ledger", ledger, "--now", "2026-10-04T00:00:00Z", "status"])
        #expect(later.status == 1)
    }

    /// An account label from the command line or the environment is checked as the files'
    /// `account` column is: kept for good, it must be one line, without spaces at its ends.
    @Test func anAccountLabelMustBeOneLineOfText() throws {
        let scratch = try Scratch()
        let ledger = scratch.path("l.sqlite")
        let samples = try scratch.write("s.csv", "observed_at,total_credits,total_usage\n2026-10-01T00:00:00Z,10,1\n")
        for label in ["ev\"il\n2020-01-01 open Assets:X", "tab\there", " ops", "", "cafe\u{301}"] {
            let given = try Executable.creditRecon(["--ledger", ledger, "--account", label, "import", "snapshots", samples])
            #expect(given.status == 64, "\(label): \(given.stderr)")
            #expect(given.stderr.hasPrefix("credit-recon: --account: "), "\(given.stderr)")
            #expect(!given.stderr.contains("\n2020"), "no line break reaches the terminal: \(given.stderr)")
            let set = try Executable.creditRecon(["--ledger", ledger, "import", "snapshots", samples],
                                                 environment: ["CREDIT_RECON_ACCOUNT": label])
            // Set to nothing too (`CREDIT_RECON_ACCOUNT=$ACCOUNT` with ACCOUNT unset): not
            // taken for "default", which filed the readings under another account.
            #expect(set.status == 78 && set.stderr.hasPrefix("credit-recon: CREDIT_RECON_ACCOUNT"), "\(label): \(set.stderr)")
            try? FileManager.default.removeItem(atPath: ledger)
        }
    }

    /// `--batch`, part of the key of each row without a reference (and what `import
    /// charges` is given to resolve one), is checked the same way, before anything is read.
    @Test func aBatchNameMustBeOneLineOfText() throws {
        let scratch = try Scratch()
        let ledger = scratch.path("l.sqlite")
        let plan = try scratch.write("p.csv", "wallet,chain_id,amount\n0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb,base,1\n")
        for batch in ["a\nb", " x", "", "cafe\u{301}"] {
            let given = try Executable.creditRecon(["--ledger", ledger, "topup", plan, "--batch", batch, "--dry-run"])
            #expect(given.status == 64, "\(batch): \(given.stderr)")
            #expect(given.stderr.contains("--batch "), "\(given.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: ledger))
    }

    /// A dry run with no ledger where it looks says so, in its text and its `--json`: pasted in
    /// another folder, it showed rows bought already as new, and nothing more (probe 466).
    @Test func aDryRunWithNoLedgerSaysSo() throws {
        let scratch = try Scratch()
        let ledger = scratch.path("l.sqlite")
        let plan = try scratch.write("p.csv", "wallet,chain_id,amount\n0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb,base,1\n")
        let text = try Executable.creditRecon(["--ledger", ledger, "topup", plan, "--dry-run"])
        #expect(text.status == 0 && text.stdout.hasSuffix("no ledger at \(ledger): every row is new to it, and the top-up would "
            + "start new books there; for the books a plan was sent from before, give their --ledger\n"
            + "dry run: nothing was sent or written\n"), "\(text.stdout)")
        let json = try Executable.creditRecon(["--ledger", ledger, "--json", "topup", plan, "--dry-run"])
        #expect(json.status == 0 && json.stdout.contains(#""ledger_found":false"#), "\(json.stdout)")
        #expect(!FileManager.default.fileExists(atPath: ledger))
        let readings = try scratch.write("s.csv", "observed_at,total_credits,total_usage\n2026-10-01T00:00:00Z,10,1\n")
        #expect(try Executable.creditRecon(["--ledger", ledger, "import", "snapshots", readings]).status == 0)
        let found = try Executable.creditRecon(["--ledger", ledger, "--json", "topup", plan, "--dry-run"])
        #expect(found.stdout.contains(#""ledger_found":true"#) && !found.stdout.contains("no ledger"), "\(found.stdout)")
    }

    @Test func minKeyRemainingMustBeAPlainAmountThatIsNotNegative() throws {
        let scratch = try Scratch()
        let ledger = try threeAccounts(scratch)
        for (command, value) in [(["status"], "-1"), (["status"], "five"), (["report", "--out", scratch.path("r")], "1e3"),
                                 (["run", "--out", scratch.path("r")], "-0.5"), (["fetch"], "ten")] {
            let result = try Executable.creditRecon(
                ["--ledger", ledger, "--account", "default"] + command + ["--min-key-remaining=\(value)"])
            #expect(result.status == 64, "\(command) \(value): \(result.stderr)")
            #expect(result.stderr.contains("--min-key-remaining: \"\(value)\""), "\(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: scratch.path("r")))
        let zero = try Executable.creditRecon(
            ["--ledger", ledger, "--account", "default", "--now", "2026-10-02T01:00:00Z", "status", "--min-key-remaining", "0"])
        #expect(zero.status == 0, "\(zero.stderr)")
    }

    /// `status` after a real fetch: what each key can spend, the nearest to their limits,
    /// and a key under `--min-key-remaining` as a reason for attention; never a key.
    @Test func statusShowsWhatEachKeyCanStillSpend() throws {
        let scratch = try Scratch()
        let sim = try SimulatorProcess(["--initial-credits", "100"])
        let made = try JSONSerialization.jsonObject(with: try sim.admin("POST", "/_sim/keys", body: #"{"name":"batch","limit":"10"}"#))
        let batch = try #require(made as? [String: Any])
        let secret = try #require(batch["key"] as? String)
        try sim.admin("POST", "/_sim/keys", body: #"{"name":"chat"}"#)
        try sim.admin("POST", "/_sim/usage", body: #"{"amount":"8","key":"\#(secret)"}"#)
        let ledger = scratch.path("ledger.sqlite")
        let env = ["OPENROUTER_API_KEY": "sim-management-key"]
        let fetched = try Executable.creditRecon(["--ledger", ledger, "--base-url", sim.baseURL, "fetch", "--no-activity"], environment: env)
        // The fetch that reads the listing says the nearly spent key too (probe 378).
        #expect(fetched.status == 1, "\(fetched.stderr)")
        let hash = try #require(batch["hash"] as? String).prefix(8)
        #expect(fetched.stdout.contains(#"warning: key "batch" \#(hash) has 2 USD left of its 10 limit"#), "\(fetched.stdout)")
        #expect(!fetched.stdout.contains(secret))
        let status = try Executable.creditRecon(["--ledger", ledger, "status"])
        #expect(status.status == 1, "\(status.stdout)")
        #expect(status.stdout.contains("keys listed at "), "\(status.stdout)")
        #expect(status.stdout.contains(#""batch""#) && status.stdout.contains("can spend 2.00 USD (2.00 left of its 10.00 limit)"), "\(status.stdout)")
        #expect(status.stdout.contains("can spend 92.00 USD (no limit)"), "\(status.stdout)")
        #expect(status.stdout.contains(#"nearest their limits: "batch""#), "\(status.stdout)")
        #expect(status.stdout.contains(#"needs attention: key "batch" \#(hash) has 2 USD left of its 10 limit"#), "\(status.stdout)")
        #expect(!status.stdout.contains(secret))
        let relaxed = try Executable.creditRecon(["--ledger", ledger, "--json", "status", "--min-key-remaining", "1"])
        // 2 of 10 is 20 %: over 10 %, and over 1 USD.
        #expect(relaxed.status == 0, "\(relaxed.stdout)")
        let json = try Self.json(relaxed.stdout)
        let keys = try #require(json["keys"] as? [[String: Any]])
        #expect(keys.map { $0["name"] as? String } == ["batch", "chat"])
        #expect(keys.first?["spendable"] as? String == "2")
        #expect(!relaxed.stdout.contains(secret))
    }

    /// A label the ledger does not hold that looks like one it does (`DEFAULT` beside
    /// `default`) is refused before anything is sent or written: `import snapshots
    /// --account DEFAULT` opened a second account (probe 232). 64 for the option, 78 for
    /// the environment, 65 for a file's own cells; a ledger already holding both is left
    /// to work as it did.
    @Test func aLabelLookingLikeAHeldAccountIsRefused() throws {
        let scratch = try Scratch()
        let ledger = try threeAccounts(scratch)
        let sim = try SimulatorProcess(["--initial-credits", "100"])
        let csv = try scratch.write("more.csv", "observed_at,total_credits,total_usage\n2026-10-03T00:00:00Z,100,20\n")
        let plan = try scratch.write("plan.csv", "wallet,chain_id,amount,reference\n0x3A37DFe702393e0FA6c8Bbc2A299E490BBeD2cf3,base,25,ref-1\n")
        let env = ["OPENROUTER_API_KEY": "sim-management-key"]
        let head = try Executable.creditRecon(["--ledger", ledger, "verify"]).stdout
        let said = #""DEFAULT" looks like account "default", which the ledger holds, but is other text (character 1 is U+0044 "#
            + "LATIN CAPITAL LETTER D there, U+0064 LATIN SMALL LETTER D in the other): a label is matched byte for byte, and this "
            + "command would open a second account, what it writes out of default's books"
        for command in [["fetch"], ["run", "--out", scratch.path("r")], ["import", "snapshots", csv], ["import", "charges", csv],
                        ["plan", "check", plan], ["topup", plan, "--yes"]] {
            let refused = try Executable.creditRecon(["--ledger", ledger, "--base-url", sim.baseURL, "--account", "DEFAULT"] + command,
                                                     environment: env)
            #expect(refused.status == 64 && refused.stderr.contains("--account: " + said), "\(command): \(refused.stderr)")
        }
        let fromEnvironment = try Executable.creditRecon(["--ledger", ledger, "import", "snapshots", csv],
                                                         environment: ["CREDIT_RECON_ACCOUNT": "DEFAULT"])
        #expect(fromEnvironment.status == 78 && fromEnvironment.stderr.contains("CREDIT_RECON_ACCOUNT: " + said), "\(fromEnvironment.stderr)")
        let cells = try scratch.write("cells.csv", "observed_at,total_credits,total_usage,account\n2026-10-03T00:00:00Z,100,20,OPS/EU\n")
        let refusedCells = try Executable.creditRecon(["--ledger", ledger, "import", "snapshots", cells])
        #expect(refusedCells.status == 65 && refusedCells.stderr.contains(
            #"cells.csv:2: account: "OPS/EU" looks like account "ops/eu", which the ledger holds"#), "\(refusedCells.stderr)")
        #expect(try Executable.creditRecon(["--ledger", ledger, "verify"]).stdout == head)
        #expect(try sim.state().charges.isEmpty)  // nothing was bought
        #expect(try sim.state().apiRequests == 0)  // nor the key sent: `fetch` asked GET /key first (probe 305)
        // Nor may one file open two look-alike accounts in a new ledger (probe 239).
        let fresh = scratch.path("fresh.sqlite")
        let both = try scratch.write("both.csv", "observed_at,total_credits,total_usage,account\n"
            + "2026-10-01T00:00:00Z,100,10,default\n2026-10-02T00:00:00Z,100,20,Default\n")
        let refusedBoth = try Executable.creditRecon(["--ledger", fresh, "import", "snapshots", both])
        #expect(refusedBoth.status == 65 && refusedBoth.stderr.contains(
            #"both.csv:3: account: "Default" looks like account "default", which an earlier line of this file gives, but is other text"#),
                "\(refusedBoth.stderr)")
        let bothCharges = try scratch.write("both-charges.csv", "charge_id,amount,created_at,account\n"
            + "web-1,10,2026-10-01T00:00:00Z,ops\nweb-2,10,2026-10-01T00:00:00Z,OPS\n")
        let refusedCharges = try Executable.creditRecon(["--ledger", fresh, "import", "charges", bothCharges])
        #expect(refusedCharges.status == 65 && refusedCharges.stderr.contains(
            #"both-charges.csv:3: account: "OPS" looks like account "ops", which an earlier line of this file gives"#),
                "\(refusedCharges.stderr)")
        #expect(!FileManager.default.fileExists(atPath: fresh))
    }
}
