import AsyncWait
import Foundation
import Testing

/// How the command line reads what it is given: commands, where global options may stand,
/// and what a bad value is blamed on (README § Commands, § Exit codes).
@Suite("End to end: the command line", .threadOfItsOwn)
struct CommandLineTests {
    let samples = Executable.sampleSnapshots
    let plan = Executable.repositoryRoot.appendingPathComponent("samples/topups.csv").path

    /// A script whose command is empty or cut short must not "succeed" by printing help.
    /// The same sentence with `--json` or without, and no usage line (it was the root's).
    @Test(arguments: [
        ([], "credit-recon: no command given; the commands are fetch, plan, topup, import"),
        (["import"], "credit-recon: `import` needs a command; its commands are charges, snapshots"),
        (["plan"], "credit-recon: `plan` needs a command; its commands are check"),
        (["ledger"], "credit-recon: `ledger` needs a command; its commands are copy"),
        (["frob"], "credit-recon: \"frob\" is not a command; the commands are fetch, plan"),
        (["import", "snapshot", "f.csv"],
         "credit-recon: \"snapshot\" is not a command of `import` (did you mean snapshots?); its commands are charges, snapshots"),
        // A typo is given the nearest command; a global option missing its value, the word it
        // took (probe 194: "no command given", and no suggestion).
        (["reprot"], "credit-recon: \"reprot\" is not a command (did you mean report?); the commands are"),
        // As near two, both: the one named alone was `record`, which writes (probe 198).
        (["recort"], "credit-recon: \"recort\" is not a command (did you mean record or report?); the commands are"),
        (["--ledger", "status"], "credit-recon: no command given (`status` was taken as the value of --ledger, which needs one "
            + "before the command: credit-recon --ledger VALUE status)"),
    ])
    func aMissingCommandIs64NamingTheCommands(arguments: [String], words: String) throws {
        let result = try Executable.creditRecon(arguments)
        #expect(result.status == 64, "\(arguments): \(result.stderr)")
        #expect(result.stderr.contains(words) && !result.stderr.contains("Usage:"), "\(result.stderr)")
        #expect(result.stderr.hasPrefix("credit-recon: "), "as every error's first line: \(result.stderr)")
        let json = try Executable.creditRecon(arguments + ["--json"])
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let sentence = words.hasPrefix("credit-recon: ") ? String(words.dropFirst("credit-recon: ".count)) : words
        #expect(json.status == 64 && (object?["error"] as? String)?.contains(sentence) == true, "\(json.stdout)")
        #expect(result.stdout.isEmpty)
        // Help for a word that is no command is the same refusal, not the nearest help (probe 90).
        let help = try Executable.creditRecon(arguments + ["--help"])
        let unknown = words.contains("is not a command")
        #expect(help.status == (unknown ? 64 : 0) && (!unknown || help.stderr.contains(sentence)), "\(help.stderr)")
    }

    /// A command's own option before the command (a cron line's options moved around) is
    /// said to go after it, naming the command: it was "\"fetch\" is not a command" (with a
    /// global option before it: the option's value or the command blamed), or "Unknown
    /// option" (probe 80 F5). The same sentence under --json; nothing is done.
    @Test(arguments: [
        (["--now", "2026-12-01T00:00:00Z", "--no-activity", "fetch"], "--no-activity", "fetch"),
        (["--no-activity", "fetch"], "--no-activity", "fetch"),
        (["--period", "month", "report"], "--period", "report"),
        (["--max-amount", "5", "plan", "check", "x.csv"], "--max-amount", "plan check"),
        (["--batch=b", "plan", "check", "x.csv"], "--batch", "plan check"),
    ])
    func aCommandsOptionBeforeItIsSaidToGoAfterIt(arguments: [String], option: String, command: String) throws {
        let scratch = try Scratch()
        let sentence = "\(option) stands before the command (\(command)), and is no option of credit-recon's own: a command's "
            + "options go after it (credit-recon \(command) \(option) …)"
        for json in [false, true] {
            let result = try Executable.creditRecon(["--ledger", scratch.path("l.sqlite")] + (json ? ["--json"] : []) + arguments)
            #expect(result.status == 64, "\(arguments): \(result.stderr)")
            #expect(result.stderr.hasPrefix("credit-recon: " + sentence), "\(result.stderr)")
            if json {
                let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
                #expect((object?["error"] as? String)?.hasPrefix(sentence) == true, "\(result.stdout)")
            }
        }
        #expect(!FileManager.default.fileExists(atPath: scratch.path("l.sqlite")))
    }

    /// The command named is the first after the option that takes it (the option's value
    /// may be a command's name); an option no command there takes is said so, naming the
    /// command and its help: ArgumentParser blamed the first global option ("Unknown option
    /// '--ledger'"). A flag given a value is said so too (probe 83).
    @Test(arguments: [
        (["--batch", "fetch", "topup", "p.csv", "--dry-run"], "--batch stands before the command (topup), and is no option of "
            + "credit-recon's own: a command's options go after it (credit-recon topup --batch …)"),
        (["--bogus", "status"], "--bogus is no option of credit-recon's own, nor of `status`: see credit-recon status --help"),
        // With the commands that take it, as after the command (probe 198).
        (["--dry-run", "plan", "check", "x.csv"], "--dry-run is no option of credit-recon's own, nor of `plan check`; `topup` "
            + "takes it: see credit-recon plan check --help"),
        (["import", "--max-total=5", "snapshots", "x.csv"], "--max-total is no option of credit-recon's own, nor of "
            + "`import snapshots`; `topup` and `run` take it: see credit-recon import snapshots --help"),
        (["--json=yes", "status"], "--json takes no value: give --json alone"),
        (["--all-accounts=yes", "report"], "--all-accounts takes no value: give --all-accounts alone, after the command "
            + "(credit-recon report --all-accounts …)"),
        // Named in verify's description (`ledger copy --to`), not one of its options.
        (["--to", "2026-01-01", "verify"], "--to is no option of credit-recon's own, nor of `verify`; `report`, `run`, `export` and "
            + "`ledger copy` take it: see credit-recon verify --help"),
    ])
    func anOptionBeforeTheCommandIsSaidForTheCommandThatTakesIt(arguments: [String], words: String) throws {
        let scratch = try Scratch()
        let result = try Executable.creditRecon(["--ledger", scratch.path("l.sqlite")] + arguments)
        #expect(result.status == 64 && result.stderr.hasPrefix("credit-recon: " + words), "\(arguments): \(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: scratch.path("l.sqlite")))
    }

    /// An error the option parser finds starts `credit-recon: ` as every other error does
    /// (probe 67: ArgumentParser's `Error: `), and keeps its usage lines after it.
    @Test(arguments: [
        (["report", "--bogus"], "credit-recon: Unknown option '--bogus'"),
        (["status", "--min-runway-days", "5", "--min-runway-days", "6"], "credit-recon: --min-runway-days is given twice"),
        (["status", "--max-gap", "0"], "credit-recon: --max-gap must be a whole number of hours"),
        (["help", "frob"], "credit-recon: \"frob\" is not a command; the commands are"),
        // Shown the top help with exit 0, as if asked for it (probe 90).
        (["frob", "--help"], "credit-recon: \"frob\" is not a command; the commands are"),
        (["--ledger", "x.sqlite", "import", "snapshot", "-h"], "credit-recon: \"snapshot\" is not a command of `import`"),
        // Another command's option: those commands named, not "did you mean '--now'" (probe 194).
        (["status", "--out", "r"], "credit-recon: --out is no option of `status`; `report`, `run` and `export` take it: see "
            + "credit-recon status --help"),
        (["fetch", "--plan", "p.csv"], "credit-recon: --plan is no option of `fetch`; `run` takes it"),
    ])
    func aParsingErrorStartsAsEveryError(arguments: [String], start: String) throws {
        let result = try Executable.creditRecon(arguments)
        #expect(result.status == 64 && result.stderr.hasPrefix(start), "\(arguments): \(result.stderr)")
        #expect(!result.stderr.contains("Error: "), "\(result.stderr)")
        // The usage lines too (probe 68).
        #expect(result.stderr.split(separator: "\n").allSatisfy { $0.hasPrefix("credit-recon: ") }, "\(result.stderr)")
    }

    /// With `--json`, a command that fails prints an object on stdout too (the sentence and
    /// the exit code): a script reading stdout got nothing for a plan it could not read.
    @Test func aFailureWithJSONIsAnObjectOnStdout() throws {
        let scratch = try Scratch()
        for (arguments, status) in [
            (["topup", scratch.path("missing.csv"), "--yes"], 66),
            (["import", "charges", scratch.path("missing.csv")], 66),
            (["fetch"], 78),
        ] {
            let result = try Executable.creditRecon(["--ledger", scratch.path("l.sqlite"), "--json"] + arguments, environment: [:])
            #expect(result.status == Int32(status), "\(arguments): \(result.stderr)")
            let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
            #expect(object?["exit_code"] as? Int == status, "\(result.stdout)")
            #expect((object?["error"] as? String)?.isEmpty == false, "\(result.stdout)")
            #expect(object?["errors"] == nil, "\(result.stdout)")
        }
        // Bad rows (65): each problem is its own string too, as plan check gives them.
        let bad = try scratch.write("bad.csv", "wallet,chain,amount\n0x12,base,10\n0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed,base,-1\n")
        for arguments in [["topup", bad, "--yes"], ["import", "charges", try scratch.write("c.csv", "charge_id,amount,created_at\nw1,x,2026-11-01\n")]] {
            let result = try Executable.creditRecon(
                ["--ledger", scratch.path("l.sqlite"), "--base-url", "http://127.0.0.1:9/api/v1", "--json"] + arguments,
                environment: ["OPENROUTER_API_KEY": "sk-or-v1-test"])
            #expect(result.status == 65, "\(arguments): \(result.stderr)")
            let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
            let errors = try #require(object?["errors"] as? [String], "\(result.stdout)")
            #expect(object?["error_count"] as? Int == errors.count && !errors.isEmpty, "\(result.stdout)")
            #expect(errors.allSatisfy { result.stderr.contains($0) && !$0.contains("\n") }, "\(errors) / \(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: scratch.path("l.sqlite")))
    }

    /// `run --plan` reads its bearer file before its first fetch: one that cannot be read
    /// is 78 with nothing fetched or made (it was found by the top-up stage, after the fetch
    /// had stored a reading). The API is never asked: nothing listens at its address.
    @Test func runWithAPlanReadsItsBearerFileFirst() throws {
        let scratch = try Scratch()
        let ledger = scratch.path("l.sqlite")
        let result = try Executable.creditRecon(
            ["--ledger", ledger, "--base-url", "http://127.0.0.1:9/api/v1", "run", "--plan", plan, "--yes",
             "--bearer-file", scratch.path("no-such-bearer"), "--out", scratch.path("r")],
            environment: ["OPENROUTER_API_KEY": "sk-or-v1-test"])
        #expect(result.status == 78, "\(result.stderr)")
        #expect(result.stderr.contains("--bearer-file: cannot read \(scratch.path("no-such-bearer"))"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: ledger) && !FileManager.default.fileExists(atPath: scratch.path("r")))
    }

    /// A top-up with nothing to send (every row another account's) still reads the key it was
    /// given, so a short one fails the first night, as a bearer file that cannot be read
    /// does (probe 368: exit 0 until a plan had rows to send). Without any key it goes on.
    /// `--retry-unknown` where there is no ledger is refused (66) before anything is sent or
    /// made: no top-up wrote there, so the books meant are elsewhere (probe 447: an advice's
    /// command pasted without its `--ledger` made new books, every row of the plan new).
    @Test func retryUnknownWhereThereIsNoLedgerIsRefused() throws {
        let scratch = try Scratch()
        let ledger = scratch.path("elsewhere.sqlite")
        for extra in [["--yes"], ["--dry-run"]] {
            let refused = try Executable.creditRecon(
                ["--ledger", ledger, "--base-url", "http://127.0.0.1:9/api/v1", "topup", plan, "--retry-unknown"] + extra,
                environment: ["OPENROUTER_API_KEY": "sim-management-key"])
            #expect(refused.status == 66 && refused.stderr.contains("there is no ledger at \(ledger): --retry-unknown sends again "
                + "the rows an earlier top-up left unknown, and none wrote here; name the ledger it wrote with --ledger (or "
                + "CREDIT_RECON_LEDGER). Nothing was sent or written"), "\(extra): \(refused.status) \(refused.stderr)")
            #expect(!FileManager.default.fileExists(atPath: ledger), "\(extra)")
        }
    }

    @Test func aTopUpWithNothingToSendStillChecksTheKeyGiven() throws {
        let scratch = try Scratch()
        let others = try scratch.write("others.csv", "wallet,chain_id,amount,reference,account\n"
            + "0x52908400098527886E0F7030069857D2E4169EE7,8453,10.00,R-1,other\n")
        let arguments = ["--ledger", scratch.path("l.sqlite"), "--base-url", "http://127.0.0.1:9/api/v1", "topup", others, "--yes"]
        let short = try Executable.creditRecon(arguments, environment: ["OPENROUTER_BEARER": "short"])
        #expect(short.status == 78 && short.stderr.contains("OPENROUTER_BEARER holds 5 characters"), "\(short.stderr)")
        let none = try Executable.creditRecon(arguments, environment: [:])
        #expect(none.status == 0, "\(none.stderr)")
    }

    /// A usage error found while the options are parsed (their own checks) is an object on
    /// stdout too under `--json`: stdout was empty for these, and held the object for the
    /// usage errors found later (`--from 2026-02-30`). `--help` prints none.
    @Test func aUsageErrorOfTheOptionsWithJSONIsAnObject() throws {
        let scratch = try Scratch()
        let ledger = scratch.path("l.sqlite")
        for arguments in [
            ["export", "--format", "beancount", "--json"],
            ["export", "--format", "ledger", "--json", "--out", scratch.path("q")],
            ["--json", "report", "--period", "year"],
            ["report", "--max-gap", "0", "--json"],
        ] {
            let result = try Executable.creditRecon(["--ledger", ledger] + arguments)
            #expect(result.status == 64, "\(arguments): \(result.stderr)")
            let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
            #expect(object?["exit_code"] as? Int == 64, "\(arguments): \(result.stdout)")
            let error = try #require(object?["error"] as? String)
            #expect(!error.isEmpty && result.stderr.contains(error), "\(arguments): \(error) / \(result.stderr)")
        }
        let help = try Executable.creditRecon(["report", "--json", "--help"])
        #expect(help.status == 0 && !help.stdout.contains("exit_code"), "\(help.stdout)")
        // The parser takes `--json` for a flag, not for the account: the value is missing,
        // said as the one document.
        let valued = try Executable.creditRecon(["--ledger", ledger, "--account", "--json", "report", "--period", "year"])
        #expect(valued.status == 64 && valued.stdout.contains(#""error":"Missing value for '--account <name>'""#), "\(valued.stdout)")
    }

    /// A negative number given to a numeric option is that option's value, refused for
    /// what it is: it was taken for an option, and the user told the value was missing.
    @Test func aNegativeNumberIsTheOptionsValue() throws {
        let scratch = try Scratch()
        let ledger = scratch.path("l.sqlite")
        let plan = try scratch.write("plan.csv", "wallet,chain_id,amount\n0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed,base,10\n")
        for (arguments, words) in [
            (["report", "--min-key-remaining", "-1"], "\"-1\" is negative"),
            (["report", "--min-runway-days", "-1"], "--min-runway-days must be a whole number of days from 0 to 36500"),
            (["status", "--max-gap", "-3"], "--max-gap must be a whole number of hours from 1 to 87600"),
            (["topup", plan, "--dry-run", "--max-total", "-5"], "--max-total must be more than 0"),
            (["plan", "check", plan, "--max-amount", "-5"], "--max-amount must be more than 0"),
            // A limit between two cents, where the plan's amounts are whole cents.
            (["plan", "check", plan, "--max-amount", "12.345"], "--max-amount: \"12.345\" has more than 2 decimals; a plan's amounts are whole cents, so write the limit in whole cents, e.g. 12.34"),
            (["plan", "check", plan, "--max-amount", "0.001"], "write the limit in whole cents, e.g. 0.01"),
            (["topup", plan, "--dry-run", "--max-total", "100.001"], "--max-total: \"100.001\" has more than 2 decimals"),
            (["--timeout", "-1", "status"], "--timeout"),
        ] {
            let result = try Executable.creditRecon(["--ledger", ledger] + arguments)
            #expect(result.status == 64, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(words) && !result.stderr.contains("Missing value"), "\(arguments): \(result.stderr)")
        }
    }

    /// With books to check against, `plan check` refuses what `topup` would refuse and says
    /// what it would send; without, it says it checked the file alone and creates nothing.
    /// It said "all valid" of a plan `topup` then refused (65).
    @Test func planCheckChecksTheRowsAgainstTheLedger() throws {
        let scratch = try Scratch()
        let ledger = scratch.path("books.sqlite")
        let samples = Executable.repositoryRoot.appendingPathComponent("samples")
        let topups = samples.appendingPathComponent("topups.csv").path
        let alone = try Executable.creditRecon(["--ledger", ledger, "plan", "check", topups])
        #expect(alone.status == 0, "\(alone.stderr)")
        #expect(alone.stdout.contains("no ledger at \(ledger): the file alone was checked"), "\(alone.stdout)")
        #expect(!FileManager.default.fileExists(atPath: ledger))
        // A charge recorded with a row's reference: topup would buy it again.
        #expect(try Executable.creditRecon(["--ledger", ledger, "import", "charges", samples.appendingPathComponent("charges.csv").path])
            .status == 0)
        let refused = try Executable.creditRecon(["--ledger", ledger, "plan", "check", topups])
        #expect(refused.status == 65, "\(refused.stdout)")
        #expect(refused.stderr.contains("topups.csv:2: reference: \"2026-11-A-01\" is already the reference of charge web-8f3c21d0"),
                "\(refused.stderr)")
        #expect(try Executable.creditRecon(["--ledger", ledger, "topup", topups, "--dry-run"]).status == 65)
        // Rows carried out are counted as done.
        let sim = try SimulatorProcess()
        let plan = try scratch.write("plan.csv", DistinctPlan.text(rows: 3))
        let env = ["OPENROUTER_API_KEY": "sim-management-key"]
        #expect(try Executable.creditRecon(["--ledger", ledger, "--base-url", sim.baseURL, "topup", plan, "--yes"], environment: env)
            .status == 0)
        // Nothing left to send needs no key, but a key file named must be one (it was 0).
        let noKeyFile = try Executable.creditRecon(
            ["--ledger", ledger, "--base-url", sim.baseURL, "--api-key-file", scratch.path("no-such-key"), "topup", plan, "--yes"],
            environment: [:])
        #expect(noKeyFile.status == 78 && noKeyFile.stderr.contains("--api-key-file: cannot read"), "\(noKeyFile.stderr)")
        // A pipe (`<(pass show key)`) is refused saying to give a file, which may be read more
        // than once (it said "cannot read … check the path and its permissions"); a byte
        // order mark before the key is no part of it (it was "a character no key has").
        let fifo = scratch.path("key.fifo")
        #expect(mkfifo(fifo, 0o600) == 0)
        let piped = try Executable.creditRecon(
            ["--ledger", ledger, "--base-url", sim.baseURL, "--api-key-file", fifo, "topup", plan, "--yes"], environment: [:])
        #expect(piped.status == 78 && piped.stderr.contains("--api-key-file: \(fifo) is a pipe; give a file"), "\(piped.stderr)")
        let marked = try scratch.write("bom.key", "\u{FEFF}sim-management-key\r\n")
        let fetched = try Executable.creditRecon(
            ["--ledger", scratch.path("bom.sqlite"), "--base-url", sim.baseURL, "--api-key-file", marked, "fetch"], environment: [:])
        #expect(fetched.status == 0, "\(fetched.stderr)")
        #expect(try Executable.creditRecon(["--ledger", ledger, "--base-url", sim.baseURL, "topup", plan, "--yes"], environment: [:])
            .status == 0)
        let more = try scratch.write("more.csv", DistinctPlan.text(rows: 4))
        let checked = try Executable.creditRecon(["--ledger", ledger, "plan", "check", more, "--batch", "plan"])
        #expect(checked.status == 0, "\(checked.stderr)")
        #expect(checked.stdout.contains("against the ledger \(ledger): 1 row to send ("), "\(checked.stdout)")
        #expect(checked.stdout.contains("3 already done, 0 blocked, 0 unknown, 0 rejected"), "\(checked.stdout)")
        let json = try Executable.creditRecon(["--ledger", ledger, "--json", "plan", "check", more, "--batch", "plan"])
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let books = object?["ledger"] as? [String: Any]
        #expect(books?["to_send"] as? Int == 1 && books?["done"] as? Int == 3, "\(json.stdout)")
        #expect(object?["checked_against_ledger"] as? Bool == true, "\(json.stdout)")
        // A row of another account is left for that account's top-up, said in the line and
        // in --json's `ledger` by account (probe 200: bought with this account's key).
        let theirs = try scratch.write("theirs.csv", "wallet,chain_id,amount,account\n\(DistinctPlan.wallet(9)),8453,2.50,ops\n")
        let other = try Executable.creditRecon(["--ledger", ledger, "plan", "check", theirs])
        #expect(other.status == 0 && other.stdout.contains("0 rows to send (0.00 USD)") && other.stdout.contains(
            "; 1 row of other accounts (ops: 1) left for their own top-ups"), "\(other.stdout)")
        let otherJSON = try Executable.creditRecon(["--ledger", ledger, "--json", "plan", "check", theirs])
        let otherBooks = (try JSONSerialization.jsonObject(with: Data(otherJSON.stdout.utf8)) as? [String: Any])?["ledger"] as? [String: Any]
        #expect(otherBooks?["to_send"] as? Int == 0 && (otherBooks?["other_accounts"] as? [String: Int]) == ["ops": 1],
                "\(otherJSON.stdout)")
        // The same purchases without their references repeat them: refused, with the file's
        // rows and total still in --json (they were null: the file was read all the same).
        let lost = try scratch.write("lost.csv", "wallet,chain_id,amount\n" + (0..<3).map { "\(DistinctPlan.wallet($0)),8453,1.0\($0 + 1)\n" }.joined())
        let repeated = try Executable.creditRecon(["--ledger", ledger, "--json", "plan", "check", lost])
        #expect(repeated.status == 65, "\(repeated.stderr)")
        let refusal = try JSONSerialization.jsonObject(with: Data(repeated.stdout.utf8)) as? [String: Any]
        #expect(refusal?["valid"] as? Bool == false && refusal?["rows"] as? Int == 3 && refusal?["total"] as? String == "3.06",
                "\(repeated.stdout)")
        #expect((refusal?["errors"] as? [String])?.first?.contains("give it its reference, r0 (it is then that top-up)") == true, "\(repeated.stdout)")
        // Refused against the ledger: `ledger` is null, and it was checked against it all the
        // same (probe 165 read the null as "no ledger").
        #expect(refusal?["ledger"] is NSNull && refusal?["checked_against_ledger"] as? Bool == true, "\(repeated.stdout)")
        // A row of its own refused (a third decimal): the file's other rows are checked against
        // the ledger all the same, every problem said at once (the repeat was said only once the
        // amount was mended); `rows` and `total` stay null beside a bad row.
        let badAmount = try scratch.write(
            "bad-amount.csv", "wallet,chain_id,amount\n\(DistinctPlan.wallet(0)),8453,1.01\n\(DistinctPlan.wallet(1)),8453,1.005\n")
        let rowRefused = try Executable.creditRecon(["--ledger", ledger, "--json", "plan", "check", badAmount])
        let rowRefusal = try JSONSerialization.jsonObject(with: Data(rowRefused.stdout.utf8)) as? [String: Any]
        #expect(rowRefused.status == 65 && rowRefusal?["checked_against_ledger"] as? Bool == true, "\(rowRefused.stdout)")
        let rowErrors = rowRefusal?["errors"] as? [String] ?? []
        #expect(rowRefusal?["error_count"] as? Int == 2 && rowRefusal?["rows"] is NSNull, "\(rowRefused.stdout)")
        #expect(rowErrors.count == 2 && rowErrors[0].contains("bad-amount.csv:2: wallet:")
                    && rowErrors[0].contains("give it its reference, r0") && rowErrors[1].contains("bad-amount.csv:3: amount:"),
                "\(rowErrors)")
        let rowText = try Executable.creditRecon(["--ledger", ledger, "plan", "check", badAmount])
        #expect(rowText.status == 65 && rowText.stderr.contains("2 problems found"), "\(rowText.stderr)")
        #expect(try Executable.creditRecon(["--ledger", ledger, "plan", "check", lost, "--allow-repeat"]).status == 0)
        // `--batch` is checked as `topup` checks it.
        let emptyBatch = try Executable.creditRecon(["--ledger", ledger, "plan", "check", more, "--batch", ""])
        #expect(emptyBatch.status == 64 && emptyBatch.stderr.contains("--batch is empty"), "\(emptyBatch.stderr)")
    }

    /// A ledger named through a symbolic link to a file not made yet is made where the link
    /// points (and `ledger copy` to such a link too), its lock beside it, where every later
    /// command through the link or the file takes it: it failed with 74, "a file appeared
    /// there while a new ledger was being created".
    @Test func aLinkToALedgerNotMadeYetMakesItWhereItPoints() throws {
        let scratch = try Scratch()
        try FileManager.default.createDirectory(atPath: scratch.path("data"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: scratch.path("books.sqlite"), withDestinationPath: "data/books.sqlite")
        let imported = try Executable.creditRecon(["--ledger", scratch.path("books.sqlite"), "import", "snapshots", samples])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(FileManager.default.fileExists(atPath: scratch.path("data/books.sqlite")))
        #expect(FileManager.default.fileExists(atPath: scratch.path("data/books.sqlite.lock")))
        #expect(!FileManager.default.fileExists(atPath: scratch.path("books.sqlite.lock")))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: scratch.path("books.sqlite")) == "data/books.sqlite")
        try FileManager.default.createSymbolicLink(atPath: scratch.path("copy.sqlite"), withDestinationPath: scratch.path("data/copy.sqlite"))
        let copied = try Executable.creditRecon(["--ledger", scratch.path("data/books.sqlite"), "ledger", "copy", "--to", scratch.path("copy.sqlite")])
        #expect(copied.status == 0, "\(copied.stderr)")
        // The copy mends tables edited behind the journal's back without a word: it says so.
        #expect(copied.stdout.hasSuffix("its tables were built from the journal alone: `verify` of the source tells "
            + "whether the source's own tables agreed with its journal\n"), "\(copied.stdout)")
        #expect(try Executable.creditRecon(["--ledger", scratch.path("copy.sqlite"), "verify"]).status == 0)
        #expect(FileManager.default.fileExists(atPath: scratch.path("data/copy.sqlite")))
    }

    /// Help at a width narrower than ArgumentParser's indent is wrapped at 40 columns: it
    /// stopped with a fatal error, a backtrace and exit 132 (probe 278: COLUMNS=20).
    @Test(arguments: ["20", "0", "-5", "27"]) func helpAtANarrowWidthIsReadable(columns: String) throws {
        for arguments in [["--help"], ["topup", "--help"], ["help", "report"]] {
            let help = try Executable.creditRecon(arguments, environment: ["COLUMNS": columns])
            #expect(help.status == 0 && help.stdout.contains("USAGE:") && !help.stderr.contains("Fatal error"),
                    "\(arguments): \(help.status) \(help.stderr.prefix(300))")
        }
    }

    /// `import snapshots` says where the file's running totals go down, in words and in
    /// `--json`, and keeps the readings (exit 0).
    @Test func anImportSaysWhereRunningTotalsGoDown() throws {
        let scratch = try Scratch()
        let file = scratch.path("s.csv")
        try """
            observed_at,total_credits,total_usage
            2026-10-01T00:00:00Z,100,1
            2026-10-02T00:00:00Z,100,2.5
            2026-10-03T00:00:00Z,100,1.25
            """.write(toFile: file, atomically: true, encoding: .utf8)
        let ledger = scratch.path("l.sqlite")
        let imported = try Executable.creditRecon(["--ledger", ledger, "--now", "2026-11-01T00:00:00Z", "import", "snapshots", file])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("note: the file has a running total going down once"))
        #expect(imported.stdout.contains("  line 4 (default at 2026-10-03T00:00:00.000Z): total_usage 1.25, below 2.5 at line 3"))
        let json = try Executable.creditRecon(
            ["--ledger", ledger, "--now", "2026-11-01T00:00:00Z", "import", "snapshots", file, "--json"])
        #expect(json.status == 0)
        #expect(json.stdout.contains(#""decrease_count":1,"decreases":[{"account":"default","column":"total_usage","#
            + #""earlier_line":3,"from":"2.5","line":4,"observed_at":"2026-10-03T00:00:00.000Z","to":"1.25"}]"#))
        // Against the ledger's readings too (probe 260), and a reading dated after now.
        let more = try scratch.write("more.csv", "observed_at,total_credits,total_usage\n2026-10-01T12:00:00Z,200,2\n"
            + "2026-11-01T06:00:00Z,100,3\n")
        let against = try Executable.creditRecon(["--ledger", ledger, "--now", "2026-11-01T00:00:00Z", "import", "snapshots", more])
        #expect(against.status == 0, "\(against.stderr)")
        #expect(against.stdout.contains("note: the file's readings and the ledger's have a running total going down between "
            + "them once; running totals only rise"), "\(against.stdout)")
        #expect(against.stdout.contains("  line 2 (default at 2026-10-01T12:00:00.000Z): total_credits 200, above 100 at the "
            + "ledger's later reading of 2026-10-02T00:00:00.000Z\n"), "\(against.stdout)")
        #expect(against.stdout.contains("note: 1 reading is dated after now (2026-11-01T00:00:00.000Z), the latest at line 3, "
            + "2026-11-01T06:00:00.000Z, 6.0 hours ahead"), "\(against.stdout)")
        let again = try scratch.write("again.csv", "observed_at,total_credits,total_usage\n2026-10-01T13:00:00Z,200,2\n")
        let againJSON = try Executable.creditRecon(
            ["--ledger", ledger, "--now", "2026-11-01T00:00:00Z", "import", "snapshots", again, "--json"])
        #expect(againJSON.stdout.contains(#""ledger_decrease_count":1,"ledger_decreases":[{"account":"default","#
            + #""column":"total_credits","ledger_observed_at":"2026-10-02T00:00:00.000Z","ledger_value":"100","line":2,"#
            + #""observed_at":"2026-10-01T13:00:00.000Z","value":"200"}]"#), "\(againJSON.stdout)")
        #expect(againJSON.stdout.contains(#""after_now_count":0"#), "\(againJSON.stdout)")
    }

    /// `plan check --json` of a bad plan prints its own object, with the exit code, and no
    /// other: it printed the generic failure's object after it, two documents a JSON
    /// reader refuses.
    @Test func aBadPlanWithJSONIsOneObject() throws {
        let scratch = try Scratch()
        let wallet = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
        let plan = try scratch.write("plan.csv", "wallet,chain_id,amount,reference\n\(wallet),base,10,r1\n\(wallet),base,11,r1\n")
        let result = try Executable.creditRecon(["plan", "check", plan, "--json"])
        #expect(result.status == 65, "\(result.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(object?["valid"] as? Bool == false, "\(result.stdout)")
        #expect(object?["exit_code"] as? Int == 65, "\(result.stdout)")
        #expect((object?["errors"] as? [String])?.count == 1, "\(result.stdout)")
        #expect(result.stderr.contains("plan.csv:3: reference"), "\(result.stderr)")
        let good = try Executable.creditRecon(["plan", "check", try scratch.write("good.csv", "wallet,chain_id,amount\n\(wallet),base,10\n"), "--json"])
        #expect(good.status == 0, "\(good.stderr)")
        let valid = try JSONSerialization.jsonObject(with: Data(good.stdout.utf8)) as? [String: Any]
        #expect(valid?["valid"] as? Bool == true && valid?["exit_code"] as? Int == 0, "\(good.stdout)")
        #expect(valid?["checked_against_ledger"] as? Bool == false && object?["checked_against_ledger"] as? Bool == false, "\(good.stdout)")
        // Totals per chain as `topup --dry-run` gives them: a list, each with its chain_id (an
        // object keyed by the chain id here, a list there; probe 197).
        let chains = valid?["totals_by_chain"] as? [[String: Any]]
        #expect(chains?.count == 1 && chains?.first?["chain_id"] as? Int == 8453 && chains?.first?["chain"] as? String == "base"
            && chains?.first?["rows"] as? Int == 1 && chains?.first?["total"] as? String == "10", "\(good.stdout)")
    }

    @Test func globalOptionsMayStandBeforeBetweenOrAfterTheCommandsWords() throws {
        let scratch = try Scratch()
        for (index, arguments) in [
            ["--ledger", scratch.path("0.sqlite"), "import", "snapshots", samples],
            ["import", "--ledger", scratch.path("1.sqlite"), "snapshots", samples],
            ["import", "snapshots", samples, "--ledger", scratch.path("2.sqlite")],
            ["import", "--ledger=\(scratch.path("3.sqlite"))", "--json", "snapshots", samples],
        ].enumerated() {
            let result = try Executable.creditRecon(arguments)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            if arguments.contains("--json") { #expect(result.stdout.hasPrefix("{"), "\(result.stdout)") }
            // Each went into the ledger named, whichever place --ledger stood in.
            let again = try Executable.creditRecon(["--ledger", scratch.path("\(index).sqlite"), "import", "snapshots", samples])
            #expect(again.stdout.contains("imported 0 snapshots") && again.stdout.contains("(120 already in the ledger)"),
                    "\(arguments): \(again.stdout)")
        }
        let checked = try Executable.creditRecon(["plan", "--json", "check", plan])
        #expect(checked.status == 0 && checked.stdout.hasPrefix("{"), "\(checked.stderr)")
        // One reading is one snapshot (probe 322: "imported 1 snapshots").
        let one = try scratch.write("one.csv", "observed_at,total_credits,total_usage\n2026-12-01T00:00:00Z,10,4\n")
        let single = try Executable.creditRecon(["--ledger", scratch.path("0.sqlite"), "import", "snapshots", one])
        #expect(single.stdout.hasPrefix("imported 1 snapshot from "), "\(single.stdout)")
    }

    /// Output folders are named relative to where the command runs, however short the
    /// name: a one-letter folder once made `report` trap (132) in Foundation.
    @Test func aShortRelativeOutputFolderIsCreated() throws {
        let scratch = try Scratch()
        #expect(try Executable.creditRecon(["--ledger", scratch.path("l"), "import", "snapshots", samples]).status == 0)
        for (arguments, file) in [
            (["report", "--out", "r"], "r/periods.csv"),
            (["report", "--out", "p/q/"], "p/q/periods.csv"),
            (["report", "--all-accounts", "--out", "a/b"], "a/b/accounts.csv"),
        ] {
            let result = try Executable.run("credit-recon", ["--ledger", "l"] + arguments, in: scratch.url)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            #expect(FileManager.default.fileExists(atPath: scratch.path(file)), "\(arguments)")
        }
    }

    /// `--ledger` is a SQLite path or a PostgreSQL URL in any case of its scheme; another
    /// URL, an empty name or a URL without a host is a usage error (64), and none of them
    /// prints a password (an upper-case scheme was taken for a file and named, password and
    /// all). `:memory:` is a file, not SQLite's in-memory database.
    @Test func aLedgerIsAPathOrAPostgreSQLURLAndItsPasswordIsNeverShown() throws {
        let scratch = try Scratch()
        for (ledger, status) in [
            ("POSTGRESQL://books:Sup3rSecret@127.0.0.1:1/books", 74), (" postgres://books:Sup3rSecret@127.0.0.1:1/books", 74),
            ("mysql://books:Sup3rSecret@127.0.0.1/books", 64), ("", 64), ("postgresql://books:Sup3rSecret@[]:5432/books", 64),
        ] {
            for command in [["status"], ["import", "snapshots", samples]] {
                let result = try Executable.run("credit-recon", ["--ledger", ledger, "--timeout", "5"] + command, in: scratch.url)
                #expect(result.status == Int32(status), "\(ledger) \(command): \(result.stderr)")
                #expect(!result.stderr.contains("Sup3rSecret") && !result.stdout.contains("Sup3rSecret"), "\(result.stderr)")
                if status == 64 { #expect(result.stderr.contains("--ledger: "), "\(result.stderr)") }
            }
        }
        // The same values from the environment are a configuration error (78) naming the
        // variable, as every other setting's; as `ledger copy --to`, a usage error naming it.
        for ledger in ["mysql://books:Sup3rSecret@127.0.0.1/books", "postgresql://books:Sup3rSecret@h/books?sslmode=x"] {
            let result = try Executable.run("credit-recon", ["status"], environment: ["CREDIT_RECON_LEDGER": ledger], in: scratch.url)
            #expect(result.status == 78 && result.stderr.contains("CREDIT_RECON_LEDGER: "), "\(ledger): \(result.stderr)")
            #expect(!result.stderr.contains("Sup3rSecret"))
            let copy = try Executable.run("credit-recon", ["--ledger", "absent.sqlite", "ledger", "copy", "--to", ledger], in: scratch.url)
            #expect(copy.status == 64 && copy.stderr.contains("--to: "), "\(ledger): \(copy.stderr)")
            #expect(!copy.stderr.contains("Sup3rSecret"))
        }
        // Set to nothing, or with a line break (`CREDIT_RECON_LEDGER=$BOOKS` with BOOKS unset):
        // refused, not taken for the default ledger in this folder (new books beside the old,
        // whose plan rows a top-up would send again) nor the production API.
        for (variable, value) in [("CREDIT_RECON_LEDGER", ""), ("CREDIT_RECON_LEDGER", "E.sqlite\n"), ("OPENROUTER_BASE_URL", ""),
                                  ("CREDIT_RECON_NOW", "2026-01-01\nT00:00:00Z")] {
            // The API's root, by a command that calls the API, which reads it.
            let command = variable == "OPENROUTER_BASE_URL" ? ["fetch"] : ["import", "snapshots", samples]
            let result = try Executable.run("credit-recon", command, environment: [variable: value], in: scratch.url)
            #expect(result.status == 78 && result.stderr.hasPrefix("credit-recon: \(variable)"), "\(variable): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "one line: \(result.stderr)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).isEmpty, "nothing made")
        let imported = try Executable.run("credit-recon", ["--ledger", ":memory:", "import", "snapshots", samples], in: scratch.url)
        #expect(imported.status == 0, "\(imported.stderr)")
        let verified = try Executable.run("credit-recon", ["--ledger", ":memory:", "verify"], in: scratch.url)
        #expect(verified.status == 0 && imported.stdout.hasSuffix(verified.stdout.split(separator: " ").last.map(String.init) ?? "?"),
                "\(verified.stdout) \(verified.stderr)")
        #expect(FileManager.default.fileExists(atPath: scratch.path(":memory:")))
    }

    /// Output into a pipe nobody reads any more (`| head`, a log reader that died) does not
    /// trap: NIO ignores SIGPIPE, and Foundation's FileHandle.write(_:) trapped (132) on the
    /// failed write of the error message. The exit status still says what happened.
    @Test func aClosedOutputPipeLeavesTheExitStatusToTell() throws {
        let scratch = try Scratch()
        let process = Process()
        process.executableURL = Executable.binDirectory.appendingPathComponent("credit-recon")
        process.arguments = ["--ledger", scratch.path("l.sqlite"), "--base-url", "http://127.0.0.1:1/api/v1",
                             "--max-retry-time", "1", "fetch"]
        process.environment = ["OPENROUTER_API_KEY": "sim-management-key", "PATH": "/usr/bin:/bin"]
        let closed = Pipe()
        try closed.fileHandleForReading.close()
        process.standardOutput = closed
        process.standardError = closed
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 69, "\(process.terminationStatus)")
    }

    /// A command that never loads NIO (which ignores SIGPIPE) writing its summary into a
    /// pipe whose reader has gone: 73 with its sentence, as `fetch`; it died by SIGPIPE
    /// (141) with no word, after the import had committed.
    @Test func aClosedPipeOnStandardOutputIs73ForEveryCommand() throws {
        let scratch = try Scratch()
        let ledger = scratch.path("l.sqlite")
        for command in [["import", "snapshots", samples], ["verify"], ["status", "--json"], ["export", "--format", "hledger"]] {
            let process = Process()
            process.executableURL = Executable.binDirectory.appendingPathComponent("credit-recon")
            process.arguments = ["--ledger", ledger] + command
            process.environment = ["PATH": "/usr/bin:/bin"]
            let closed = Pipe()
            try closed.fileHandleForReading.close()
            process.standardOutput = closed
            let errors = scratch.path("err")
            _ = FileManager.default.createFile(atPath: errors, contents: nil)
            process.standardError = FileHandle(forWritingAtPath: errors)
            process.standardInput = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            let said = (try? String(contentsOfFile: errors, encoding: .utf8)) ?? ""
            #expect(process.terminationReason == .exit && process.terminationStatus == 73, "\(command): \(process.terminationStatus) \(said)")
            #expect(said.contains("cannot write standard output: Broken pipe"), "\(command): \(said)")
            if command.first == "export" {
                // The journal itself: cut short, and no folder to check (it said to check one).
                #expect(said.contains("what it got is cut short") && said.contains("Write the file with --out FILE instead")
                    && !said.contains("folder"), "\(said)")
            }
        }
    }

    /// A command started with standard output closed (`>&-`, as a cron line may) says so,
    /// 73, and what it printed goes into no file it opened meanwhile: the descriptor was
    /// taken by the next file opened (an event loop's, a lock file, a temporary report),
    /// and `run` said "cannot write standard output: Invalid argument" (probe 82 F8).
    @Test func aClosedStandardOutputIsSaidSoAndWritesIntoNoFile() throws {
        let scratch = try Scratch()
        let ledger = scratch.path("l.sqlite")
        let tool = Executable.binDirectory.appendingPathComponent("credit-recon").path
        for command in [["import", "snapshots", samples], ["report", "--out", scratch.path("r")], ["verify"]] {
            let result = try Executable.run(
                tool: URL(fileURLWithPath: "/bin/sh"), ["-c", "exec \"$0\" \"$@\" >&-", tool, "--ledger", ledger] + command)
            #expect(result.status == 73, "\(command): \(result.stderr)")
            #expect(result.stderr.contains(
                "cannot write standard output: it was closed when the command started (>&-); what the command printed there was "
                    + "lost, not what it did: a writer's work is in the ledger, and running it again repeats none of it"),
                "\(command): \(result.stderr)")
        }
        // The journal itself to a closed standard output: nothing reached anyone (it said the
        // journal was "cut short (the command reading it stopped, or the disk is full)").
        let export = try Executable.run(
            tool: URL(fileURLWithPath: "/bin/sh"), ["-c", "exec \"$0\" \"$@\" >&-", tool, "--ledger", ledger, "export", "--format", "hledger"])
        #expect(export.status == 73 && export.stderr.contains(
            "cannot write standard output: it was closed when the command started (>&-); nothing was written. Write the file with "
                + "--out FILE"), "\(export.stderr)")
        let lock = try String(contentsOfFile: ledger + ".lock", encoding: .utf8)
        #expect(!lock.contains("imported") && !lock.contains("ledger sound"), "\(lock)")
        for name in try FileManager.default.contentsOfDirectory(atPath: scratch.path("r")) {
            let text = try String(contentsOfFile: scratch.path("r/" + name), encoding: .utf8)
            #expect(!text.contains("ledger head") && !text.contains("files in"), "\(name): \(text.suffix(200))")
        }
        let verified = try Executable.creditRecon(["--ledger", ledger, "verify"])
        #expect(verified.status == 0 && verified.stdout.hasPrefix("ledger sound: 122 journal entries"), "\(verified.stdout)")
        // Help printed to a closed standard output was lost with exit 0; a full one too.
        for (redirect, said) in [(">&-", "it was closed when the command started (>&-)"), (">/dev/full", "No space left on device")] {
            for help in [["--help"], ["report", "--help"], ["help", "import", "snapshots"]] {
                let result = try Executable.run(tool: URL(fileURLWithPath: "/bin/sh"), ["-c", "exec \"$0\" \"$@\" \(redirect)", tool] + help)
                #expect(result.status == 73 && result.stderr.contains("cannot write standard output: \(said)"), "\(help): \(result.stderr)")
            }
        }
        #expect(try Executable.creditRecon(["report", "--help"]).stdout.contains("USAGE: credit-recon report"))
        // Help read by a reader that stopped before it (`| head -1`) lost nothing: exit 0, not
        // "Broken pipe" (probe 94). A pipe whose reading end is closed gives each write EPIPE.
        for help in [["topup", "--help"], ["help", "topup"], ["--help"]] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: tool)
            process.arguments = help
            let output = Pipe(), errors = Pipe()
            try output.fileHandleForReading.close()
            process.standardOutput = output
            process.standardError = errors
            try process.run()
            process.waitUntilExit()
            let said = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(process.terminationStatus == 0 && said.isEmpty, "\(help): \(process.terminationStatus) \(said)")
        }
        // A command's own arguments before --help are no command to look for.
        for help in [["topup", "plan.csv", "--help"], ["import", "snapshots", "f.csv", "-h"], ["ledger", "copy", "--help"],
                     ["--ledger", "x.sqlite", "report", "--help"], ["-h"]] {
            let result = try Executable.creditRecon(help)
            #expect(result.status == 0 && result.stdout.contains("USAGE: credit-recon"), "\(help): \(result.stderr)")
        }
    }

    /// A folder or a pipe named as the ledger is a usage error (64) that says what to name;
    /// it was "cannot create adir: Is a directory" (74), and a pipe "the ledger was
    /// truncated".
    @Test func aLedgerThatIsNotAFileIsAUsageError() throws {
        let scratch = try Scratch()
        let folder = scratch.path("books")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        let pipe = scratch.path("pipe")
        #expect(mkfifo(pipe, 0o600) == 0)
        // A ledger's file named as a folder read as no books at all (66, "run fetch first"),
        // and a name too long for its -wal as a matter of permissions (74) (probe 232); its
        // lock file or head witness as a ledger whose first page was overwritten (66).
        let books = scratch.path("books.sqlite")
        _ = try Executable.creditRecon(["--ledger", books, "import", "snapshots", samples])
        let before = try Data(contentsOf: URL(fileURLWithPath: books))
        let long = scratch.path(String(repeating: "c", count: 247))
        for (ledger, words) in [(folder, "the ledger \(folder) is a folder, not a ledger file; name the ledger's file, e.g. \(folder)/ledger.sqlite"),
                                (pipe, "the ledger \(pipe) is a pipe, not a ledger file"),
                                (folder + "/", "--ledger: the ledger \(folder)/ ends with a slash, so it names a folder, not a file; "
                                    + "name the ledger's file, e.g. \(folder)/ledger.sqlite"),
                                (books + "/", "--ledger: the ledger \(books)/ ends with a slash, so it names a folder, not a file; "
                                    + "name the ledger's file, e.g. \(books) (a file that is there)"),
                                (scratch.path("new") + "/", "e.g. \(scratch.path("new"))/ledger.sqlite"),
                                (books + "/x.sqlite", "is a path through the file \(books)"),
                                (long, "--ledger: the ledger's file name is 247 bytes long; with the names kept beside it"),
                                // Read as "not a SQLite database … restore it from a backup" (66).
                                (books + ".head", "the ledger \(books).head is the name of the witness of the newest entry of the "
                                    + "ledger \(books) beside it, which that ledger's writers write that entry into; name \(books) "
                                    + "to use those books"),
                                (books + ".lock", "is the name of the writer lock file of the ledger \(books) beside it")] {
            for command in [["status"], ["verify"], ["import", "snapshots", samples]] {
                let result = try Executable.creditRecon(["--ledger", ledger] + command)
                #expect(result.status == 64 && result.stderr.contains(words), "\(command): \(result.stderr)")
            }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
        #expect(try Data(contentsOf: URL(fileURLWithPath: books)) == before)
        #expect(!FileManager.default.fileExists(atPath: long))
    }

    /// `verify` and `ledger copy` work on every account's entries, one chain: `--account`
    /// on their command line is refused, where `verify --account nobody` said "ledger
    /// sound" as if it had checked that account (probe 235); a cron job's
    /// CREDIT_RECON_ACCOUNT is left alone.
    @Test func verifyAndLedgerCopyRefuseAnAccountOption() throws {
        let scratch = try Scratch()
        let books = scratch.path("books.sqlite")
        #expect(try Executable.creditRecon(["--ledger", books, "import", "snapshots", samples]).status == 0)
        for (command, does) in [(["verify"], "verify checks the entries"),
                                (["ledger", "copy", "--to", scratch.path("copy.sqlite")], "ledger copy copies the entries")] {
            let refused = try Executable.creditRecon(["--ledger", books, "--account", "nobody"] + command)
            #expect(refused.status == 64 && refused.stderr.contains(
                "\(does) of every account the ledger holds, whose entries are one chain: --account does not apply to it; leave it out"),
                "\(refused.stderr)")
            let fromEnvironment = try Executable.creditRecon(["--ledger", books] + command, environment: ["CREDIT_RECON_ACCOUNT": "nobody"])
            #expect(fromEnvironment.status == 0, "\(fromEnvironment.stderr)")
        }
    }

    /// A base URL that is not the API's root answers 404 to every call: that is the
    /// configuration (78) and the message says which setting to check (it was exit 1, "fix
    /// the request").
    @Test func aBaseURLThatIsNotTheAPIsRootIsConfiguration() throws {
        let scratch = try Scratch()
        let sim = try SimulatorProcess()
        let wrong = sim.baseURL.replacingOccurrences(of: "/api/v1", with: "/v1")
        let result = try Executable.creditRecon(
            ["--ledger", scratch.path("l.sqlite"), "--base-url", wrong, "fetch"], environment: ["OPENROUTER_API_KEY": "sim-management-key"])
        #expect(result.status == 78, "\(result.stderr)")
        #expect(result.stderr.contains("HTTP 404") && result.stderr.contains("check that --base-url (OPENROUTER_BASE_URL) is the API root"),
                "\(result.stderr)")
    }

    /// A base URL with a query or a fragment: each call's path went after it ("/api/v1?x=1/key"),
    /// and the API's 404 read as "not the API root" (78) (probe 61). Refused as given: 64 for
    /// the option, 78 for the variable, by the commands that call the API: one that never
    /// does goes on (probe 340: `verify` and `plan check` were refused, 78).
    @Test(arguments: ["http://127.0.0.1:1/api/v1?x=1", "http://127.0.0.1:1/api/v1#top"])
    func aBaseURLWithAQueryOrFragmentIsRefusedAsGiven(url: String) throws {
        let scratch = try Scratch()
        let env = ["OPENROUTER_API_KEY": "sim-management-key"]
        let option = try Executable.creditRecon(["--ledger", scratch.path("l.sqlite"), "--base-url", url, "fetch"], environment: env)
        #expect(option.status == 64 && option.stderr.contains("has a ?query or a #fragment; write the API root alone"),
                "\(option.stderr)")
        let variable = try Executable.creditRecon(
            ["--ledger", scratch.path("l.sqlite"), "fetch"], environment: env.merging(["OPENROUTER_BASE_URL": url]) { $1 })
        #expect(variable.status == 78 && variable.stderr.contains("OPENROUTER_BASE_URL"), "\(variable.stderr)")
        #expect(!FileManager.default.fileExists(atPath: scratch.path("l.sqlite")))
        for offline in [["plan", "check", plan], ["status"]] {
            let result = try Executable.creditRecon(
                ["--ledger", scratch.path("l.sqlite")] + offline, environment: env.merging(["OPENROUTER_BASE_URL": url]) { $1 })
            #expect(!result.stderr.contains("OPENROUTER_BASE_URL") && result.status != 78, "\(offline): \(result.stderr)")
        }
    }

    /// Plain HTTP to another machine: the key would cross the network in the clear. Refused
    /// by the commands that send it (64 for the option, 78 for the variable), not by those
    /// that never call the API, which a variable set for every job must not stop.
    @Test(arguments: ["http://openrouter.ai/api/v1", "http://10.0.0.7:8080/api/v1", "HTTP://127.0.0.1.nip.io/api/v1"])
    func plainHTTPToAnotherMachineIsRefusedWhereTheKeyIsSent(url: String) throws {
        let scratch = try Scratch()
        let ledger = scratch.path("books.sqlite")
        let env = ["OPENROUTER_API_KEY": "sim-management-key"]
        let option = try Executable.creditRecon(["--ledger", ledger, "--base-url", url, "fetch"], environment: env)
        #expect(option.status == 64 && option.stderr.contains("would send the key unencrypted"), "\(option.stderr)")
        let variable = try Executable.creditRecon(
            ["--ledger", ledger, "run", "--out", scratch.path("r")], environment: env.merging(["OPENROUTER_BASE_URL": url]) { $1 })
        #expect(variable.status == 78 && variable.stderr.contains("OPENROUTER_BASE_URL: \"\(url)\" would send the key"),
                "\(variable.stderr)")
        #expect(!FileManager.default.fileExists(atPath: ledger))
        let local = try Executable.creditRecon(["--ledger", ledger, "import", "snapshots", samples], environment: ["OPENROUTER_BASE_URL": url])
        #expect(local.status == 0, "\(local.stderr)")
    }

    /// A value from the environment is configuration (78) and is named as such; the same
    /// value given as an option is a usage error (64) naming the option. The API's root is
    /// said by the commands that call the API (`fetch`), which read it.
    @Test(arguments: [
        ("CREDIT_RECON_NOW", "--now", "yesterday"), ("CREDIT_RECON_LOG_LEVEL", "--log-level", "loud"),
        ("OPENROUTER_BASE_URL", "--base-url", "ftp://example"), ("CREDIT_RECON_TIMEOUT", "--timeout", "0"),
        ("CREDIT_RECON_MAX_RETRY_TIME", "--max-retry-time", "86401"),
        // Past a day is a typo, and far past it would overflow the deadlines.
        ("CREDIT_RECON_TIMEOUT", "--timeout", "9223372037"),
        // Its 30 days of activity would fall before the year 0000, which no ledger can hold.
        ("CREDIT_RECON_NOW", "--now", "0000-01-15T00:00:00Z"),
        // Not a TCP port: the HTTP client trapped (132) on it.
        ("OPENROUTER_BASE_URL", "--base-url", "http://127.0.0.1:99999/api/v1"),
        ("OPENROUTER_BASE_URL", "--base-url", "http://127.0.0.1:4294967296/api/v1"),
        // Its reason quotes the value too: it was said twice (probe 67).
        ("CREDIT_RECON_ACCOUNT", "--account", "cafe\u{301}"),
    ])
    func aBadValueNamesWhereItCameFrom(variable: String, option: String, value: String) throws {
        let scratch = try Scratch()
        let ledger = scratch.path("books.sqlite")
        let command = variable == "OPENROUTER_BASE_URL" ? "fetch" : "status"
        let fromEnvironment = try Executable.creditRecon(["--ledger", ledger, command], environment: [variable: value])
        #expect(fromEnvironment.status == 78, "\(fromEnvironment.stderr)")
        #expect(fromEnvironment.stderr.contains("\(variable): \"\(value)\""), "\(fromEnvironment.stderr)")
        #expect(fromEnvironment.stderr.components(separatedBy: "\"\(value)\"").count == 2, "said once: \(fromEnvironment.stderr)")
        #expect(!fromEnvironment.stderr.contains(option), "\(fromEnvironment.stderr)")
        let fromOption = try Executable.creditRecon(["--ledger", ledger, option, value, command])
        #expect(fromOption.status == 64, "\(fromOption.stderr)")
        #expect(fromOption.stderr.contains(option), "\(fromOption.stderr)")
        #expect(!FileManager.default.fileExists(atPath: ledger))
    }

    /// A ledger path holding a line break is named on one line, the break shown as `?`: the
    /// rest of the message read as a second error (probe 398).
    @Test func aPathWithALineBreakIsNamedOnOneLine() throws {
        let scratch = try Scratch()
        let missing = try Executable.creditRecon(["--ledger", scratch.path("new\nline.sqlite"), "status"])
        #expect(missing.status == 66 && missing.stderr.contains("no ledger at \(scratch.path("new?line.sqlite")): run"),
                "\(missing.stderr)")
        let text = try scratch.write("not\na ledger.sqlite", String(repeating: "not a database, ", count: 20))
        let notLedger = try Executable.creditRecon(["--ledger", text, "status"])
        #expect(notLedger.status == 66 && notLedger.stderr.contains("not?a ledger.sqlite is not a SQLite database"), "\(notLedger.stderr)")
        for result in [missing, notLedger] {
            #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        }
    }

    /// A variable set to nothing (`CREDIT_RECON_NOW=$T` with `T` unset) is refused (78), as
    /// the ledger's and the account's are: it was taken for unset, and a backfill's reading
    /// was dated now (probe 398).
    @Test(arguments: ["CREDIT_RECON_NOW", "CREDIT_RECON_LOG_LEVEL", "CREDIT_RECON_TIMEOUT", "CREDIT_RECON_MAX_RETRY_TIME"])
    func aVariableSetToNothingIs78(variable: String) throws {
        let scratch = try Scratch()
        let ledger = scratch.path("books.sqlite")
        let result = try Executable.creditRecon(["--ledger", ledger, "import", "snapshots", samples], environment: [variable: ""])
        #expect(result.status == 78 && result.stderr.contains("\(variable) is set but empty; set it, or unset it for the default"),
                "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: ledger))
    }

    /// Thresholds are bounded where they are read: past the bounds they overflowed the
    /// seconds and tenths they become (exit 132). Each option is named.
    @Test(arguments: [
        ["report", "--max-gap", "9223372036854775807"], ["status", "--max-gap", "2562047788015215"],
        ["report", "--min-runway-days", "1000000000000000000"], ["status", "--min-runway-days", "-1"],
        ["topup", "PLAN", "--yes", "--rate-limit", "1e-20"], ["topup", "PLAN", "--yes", "--rate-limit", "inf"],
        // An empty --out named no file (73, "cannot write").
        ["report", "--out", ""], ["run", "--yes", "--out", ""], ["export", "--format", "hledger", "--out", ""],
    ])
    func aThresholdOutOfItsRangeIs64(arguments: [String]) throws {
        let scratch = try Scratch()
        let result = try Executable.creditRecon(
            ["--ledger", scratch.path("books.sqlite")] + arguments.map { $0 == "PLAN" ? plan : $0 },
            environment: ["OPENROUTER_API_KEY": "sim-management-key"])
        #expect(result.status == 64, "\(arguments): \(result.stderr)")
        #expect(result.stderr.contains(arguments[arguments.count - 2]), "\(result.stderr)")
    }

    /// The PostgreSQL password file is read for a PostgreSQL ledger only, and a bad one is
    /// named by where it was given.
    @Test func aSQLiteLedgerReadsNoPasswordFile() throws {
        let scratch = try Scratch()
        let ledger = scratch.path("books.sqlite")
        #expect(try Executable.creditRecon(["--ledger", ledger, "import", "snapshots", samples]).status == 0)
        let missing = ["CREDIT_RECON_LEDGER_PASSWORD_FILE": scratch.path("absent")]
        let verified = try Executable.creditRecon(["--ledger", ledger, "verify"], environment: missing)
        #expect(verified.status == 0, "\(verified.stderr)")
        // Port 1 is never reached: the password file is read first.
        let shared = try Executable.creditRecon(["--ledger", "postgresql://books@127.0.0.1:1/books", "verify"], environment: missing)
        #expect(shared.status == 78, "\(shared.stderr)")
        #expect(shared.stderr.contains("CREDIT_RECON_LEDGER_PASSWORD_FILE: cannot read \(scratch.path("absent"))"), "\(shared.stderr)")
        // Set to nothing, for a PostgreSQL ledger: said, not passed over to PGPASSWORD (26e4a0c).
        let empty = try Executable.creditRecon(["--ledger", "postgresql://books@127.0.0.1:1/books", "verify"],
                                               environment: ["CREDIT_RECON_LEDGER_PASSWORD_FILE": "", "PGPASSWORD": "pw-not-used"])
        #expect(empty.status == 78 && empty.stderr.contains("CREDIT_RECON_LEDGER_PASSWORD_FILE is set but empty"), "\(empty.stderr)")
    }

    @Test func anSSLRootCertificateThatCannotBeUsedIsNamed() throws {
        let scratch = try Scratch()
        let absent = scratch.path("absent.pem")
        let junk = try scratch.write("junk.pem", "not a certificate\n")
        for (file, words) in [(absent, "cannot be read (No such file or directory)"), (junk, "holds no certificate")] {
            let url = "postgresql://books@127.0.0.1:1/books?sslmode=verify-full&sslrootcert=\(file)"
            let result = try Executable.creditRecon(["--ledger", url, "verify"])
            #expect(result.status == 64, "\(result.stderr)")
            #expect(result.stderr.contains("sslrootcert=\(file)") && result.stderr.contains(words), "\(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        }
        // PGSSLROOTCERT naming a file that holds none: a configuration error naming the variable,
        // found before the connection (it was 64, said as the URL's sslrootcert, probe 259).
        let fromVariable = try Executable.creditRecon(
            ["--ledger", "postgresql://books@127.0.0.1:1/books", "verify"], environment: ["PGSSLMODE": "verify-full", "PGSSLROOTCERT": junk])
        #expect(fromVariable.status == 78 && fromVariable.stderr.contains("PGSSLROOTCERT=\(junk) holds no certificate"),
                "\(fromVariable.stderr)")
        // From the environment, a setting that cannot work is a configuration error naming it.
        let url = "postgresql://books@127.0.0.1:1/books?sslmode=verify-full&sslrootcert=\(absent)"
        let fromEnvironment = try Executable.creditRecon(["verify"], environment: ["CREDIT_RECON_LEDGER": url])
        #expect(fromEnvironment.status == 78, "\(fromEnvironment.stderr)")
        #expect(fromEnvironment.stderr.contains("CREDIT_RECON_LEDGER: the ledger URL's sslrootcert=\(absent) cannot be read"),
                "\(fromEnvironment.stderr)")
    }

    /// `topup` with rows to send and no key is a configuration error (78) that leaves no
    /// ledger behind (an empty one was created before the key was looked for).
    @Test func aTopUpWithoutAKeyLeavesNoLedger() throws {
        let scratch = try Scratch()
        let ledger = scratch.path("books.sqlite")
        let result = try Executable.creditRecon(
            ["--ledger", ledger, "--base-url", "http://127.0.0.1:1/api/v1", "topup", plan, "--yes"], environment: [:])
        #expect(result.status == 78, "\(result.stderr)")
        // Named as the key charges go with (it said to set a management key, probe 248).
        #expect(result.stderr.contains("no key for charges: set OPENROUTER_BEARER to the key charges are created with (else "
            + "OPENROUTER_API_KEY, the management key, is used), or pass --bearer-file PATH"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: ledger))
        // Set to nothing (a crontab's NAME=$UNSET): said as such (probe 252).
        let empty = try Executable.creditRecon(
            ["--ledger", ledger, "--base-url", "http://127.0.0.1:1/api/v1", "topup", plan, "--yes"],
            environment: ["OPENROUTER_BEARER": "", "OPENROUTER_API_KEY": " "])
        #expect(empty.status == 78 && empty.stderr.contains("OPENROUTER_BEARER is set but empty; set it to the key charges are "
            + "made with, or unset it to make them with the management key (OPENROUTER_API_KEY)"), "\(empty.stderr)")
        // Blank beside a management key: refused, not charges made with that key (probe 398:
        // a real charge went out). Nothing is sent: the API's address is no server.
        let blank = try Executable.creditRecon(
            ["--ledger", ledger, "--base-url", "http://127.0.0.1:1/api/v1", "topup", plan, "--yes"],
            environment: ["OPENROUTER_BEARER": "   ", "OPENROUTER_API_KEY": "sim-management-key"])
        #expect(blank.status == 78 && blank.stderr.contains("OPENROUTER_BEARER is set but empty"), "\(blank.stderr)")
        #expect(!FileManager.default.fileExists(atPath: ledger))
    }

    /// A plan with a bad row, or none at all, stops `run` before it starts (65, 66): it was
    /// found after the first fetch had stored a reading, and the message said nothing was written.
    @Test func aNightlyRunWithABadPlanStopsBeforeItStarts() throws {
        let scratch = try Scratch()
        let ledger = scratch.path("books.sqlite")
        let bad = try scratch.write("bad.csv", "wallet,chain_id,amount\n0x0000000000000000000000000000000000000000,1,10\n")
        // With --yes or without it (which cron forgets): the plan's own problem first, not
        // "the plan creates real charges" of a file that does not exist.
        for (plan, status, yes) in [(bad, Int32(65), ["--yes"]), (scratch.path("absent.csv"), 66, ["--yes"]), (bad, 65, []),
                                    (scratch.path("absent.csv"), 66, [])] {
            let result = try Executable.creditRecon(
                ["--ledger", ledger, "--base-url", "http://127.0.0.1:1/api/v1", "--max-retry-time", "1",
                 "run", "--plan", plan, "--out", scratch.path("reports")] + yes,
                environment: ["OPENROUTER_API_KEY": "sim-management-key"])
            #expect(result.status == status, "\(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: ledger))
            #expect(!FileManager.default.fileExists(atPath: scratch.path("reports")))
        }
    }

    /// What depends on the ledger is judged with it: rows already sent do not count towards
    /// `--max-total`, in `run` as in `topup`, although the plan is read before the first fetch.
    @Test func aNightlyRunCountsOnlyTheRowsToSendTowardsTheMaxTotal() throws {
        let scratch = try Scratch()
        let sim = try SimulatorProcess()
        let ledger = scratch.path("books.sqlite")
        let env = ["OPENROUTER_API_KEY": "sim-management-key"]
        let row1 = "\(DistinctPlan.wallet(1)),1,10,R-1"
        let first = try scratch.write("first.csv", "wallet,chain_id,amount,reference\n\(row1)\n")
        let both = try scratch.write("both.csv", "wallet,chain_id,amount,reference\n\(row1)\n\(DistinctPlan.wallet(2)),1,10,R-2\n")
        let sent = try Executable.creditRecon(["--ledger", ledger, "--base-url", sim.baseURL, "topup", first, "--yes"], environment: env)
        #expect(sent.status == 0, "\(sent.stderr)")
        let result = try Executable.creditRecon(
            ["--ledger", ledger, "--base-url", sim.baseURL, "run", "--plan", both, "--yes", "--max-total", "15",
             "--no-keys", "--no-activity", "--out", scratch.path("reports")], environment: env)
        #expect(result.stdout.contains("topup: ") && !result.stderr.contains("--max-total"), "\(result.stdout)\(result.stderr)")
        #expect(try sim.state().charges.count == 2, "R-2 sent, R-1 not again")
    }

    /// A plan the ledger refuses (here: done for another account, run under a mistyped
    /// --account) stops the job before the first fetch: the fetch had stored readings under
    /// the mistyped account, for good, before the top-up refused the plan.
    @Test func aNightlyRunWithAPlanTheLedgerRefusesStopsBeforeTheFetch() throws {
        let scratch = try Scratch()
        let sim = try SimulatorProcess()
        let ledger = scratch.path("books.sqlite")
        let env = ["OPENROUTER_API_KEY": "sim-management-key"]
        let planned = try scratch.write("plan.csv", "wallet,chain_id,amount,reference\n\(DistinctPlan.wallet(1)),1,10,R-1\n")
        #expect(try Executable.creditRecon(["--ledger", ledger, "--base-url", sim.baseURL, "topup", planned, "--yes"], environment: env)
            .status == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: ledger))
        let result = try Executable.creditRecon(
            ["--ledger", ledger, "--base-url", sim.baseURL, "--account", "typo", "run", "--plan", planned, "--yes",
             "--no-keys", "--no-activity", "--out", scratch.path("reports")], environment: env)
        #expect(result.status == 65 && result.stderr.contains("already planned for account \"default\""), "\(result.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: ledger)) == before)
        #expect(!FileManager.default.fileExists(atPath: scratch.path("reports")))
    }

    /// Cron has no terminal: `run --plan` without `--yes` stops before the lock, the fetch
    /// or the ledger, not after the first fetch.
    @Test func aNightlyRunWithAPlanButNoYesStopsBeforeItStarts() throws {
        let scratch = try Scratch()
        let ledger = scratch.path("books.sqlite")
        let result = try Executable.creditRecon(
            ["--ledger", ledger, "--base-url", "http://127.0.0.1:1/api/v1", "--max-retry-time", "1",
             "run", "--plan", plan, "--out", scratch.path("reports")],
            environment: ["OPENROUTER_API_KEY": "sim-management-key"])
        #expect(result.status == 64, "\(result.stderr)")
        // The advice names the plan given, not a placeholder the person must replace.
        #expect(result.stderr.contains("check the plan with `credit-recon topup \(plan) --dry-run`, then run again with --yes"),
                "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: ledger))
        #expect(!FileManager.default.fileExists(atPath: ledger + ".lock"))
        #expect(!FileManager.default.fileExists(atPath: scratch.path("reports")))
    }

    /// Bytes that are not UTF-8 in an argument or a variable (a Latin-1 file name): refused,
    /// 64 or 78, naming which; they were read with U+FFFD in their place, so the file named
    /// was "missing" and a ledger was made under a name nobody typed.
    @Test func anArgumentOrVariableThatIsNotUTF8IsRefused() throws {
        let scratch = try Scratch()
        let tool = Executable.binDirectory.appendingPathComponent("credit-recon").path
        // Process takes Swift strings: the shell makes the bytes.
        func shell(_ script: String) throws -> Executable.Result {
            try Executable.run(tool: URL(fileURLWithPath: "/bin/sh"), ["-c", script, tool], in: scratch.url)
        }
        let latin = #""$(printf 'led\351.sqlite')""#
        let argument = try shell(#"exec "$0" --json --ledger "# + latin + " import snapshots " + samples)
        #expect(argument.status == 64, "\(argument.stderr)")
        #expect(argument.stderr.contains("argument 3 (\"led\u{FFFD}.sqlite\") is not UTF-8 text"), "\(argument.stderr)")
        #expect(argument.stdout.hasPrefix("{\"error\":") && argument.stdout.contains("\"exit_code\":64"), "\(argument.stdout)")
        let variable = try shell("CREDIT_RECON_LEDGER=" + latin + #" exec "$0" verify"#)
        #expect(variable.status == 78 && variable.stderr.contains("CREDIT_RECON_LEDGER"), "\(variable.stderr)")
        let secret = try shell(#"OPENROUTER_API_KEY="$(printf 'sk-or-\351secret')" exec "$0" status"#)
        #expect(secret.status == 78 && secret.stderr.contains("OPENROUTER_API_KEY is not UTF-8") && !secret.stderr.contains("secret"),
                "\(secret.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).isEmpty)
    }

    /// The parser's own errors quote the arguments: an escape sequence in one is shown as
    /// `?`, as in every other message (it reached the terminal raw).
    @Test func theParsersErrorsDoNotDriveTheTerminal() throws {
        for arguments in [["status", "--bogus\u{1B}[2J"], ["status", "--min-runway-days", "x\u{1B}]0;T\u{07}"], ["verify", "x\u{1B}[2J"]] {
            let result = try Executable.creditRecon(arguments)
            #expect(result.status == 64, "\(arguments): \(result.stderr)")
            #expect(!Executable.holdsControlCharacters(result.stderr) && result.stderr.contains("?"), "\(result.stderr.debugDescription)")
        }
    }

    /// `topup --json` asked on a terminal and not answered yes: one object still (stdout
    /// was empty), nothing sent and no ledger made. `script` gives it the terminal; its
    /// stdin ends at once, as a "no".
    @Test func aTopUpDeclinedAtThePromptIsStillAnObject() throws {
        let scratch = try Scratch()
        let ledger = scratch.path("l.sqlite"), out = scratch.path("out.json")
        let tool = Executable.binDirectory.appendingPathComponent("credit-recon").path
        let result = try Executable.run(tool: URL(fileURLWithPath: "/usr/bin/env"),
                                        ["script", "-eqc", "'\(tool)' --ledger '\(ledger)' --json topup '\(plan)' > '\(out)'", "/dev/null"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("[y/N]"), "the question was not asked on a terminal: \(result.stdout)")
        let json = try String(contentsOfFile: out, encoding: .utf8)
        #expect(json == #"{"declined":true,"detail":"declined at the prompt; nothing was sent","exit_code":0,"sent":0}"# + "\n")
        #expect(!FileManager.default.fileExists(atPath: ledger))
    }

    /// The simulator's numeric options take a negative value as theirs, refused for what it
    /// is ("Missing value for '--initial-credits'" before).
    @Test func theSimulatorRefusesANegativeNumberForWhatItIs() throws {
        for (arguments, words) in [
            (["--initial-credits", "-1"], "--initial-credits must be at least 0"),
            (["--drop-rate", "-0.1"], "are probabilities between 0 and 1"),
            (["--charge-ttl", "-5"], "--charge-ttl must be positive"),
            // An empty path named no file (probe 394: exit 1 and a Foundation error).
            (["--state", ""], "--state must name a file (it was empty)"),
        ] {
            let result = try Executable.run("openrouter-sim", arguments)
            #expect(result.status == 64 && result.stderr.contains(words), "\(arguments): \(result.stderr)")
        }
    }

    /// Global options with no command after them, a word that is none, or a group without
    /// one of its commands: said so, 64 (the first global option was blamed: "Unknown
    /// option '--ledger'", although global options may stand before the command).
    @Test func globalOptionsWithoutACommandSayTheCommandIsMissing() throws {
        for (arguments, words) in [
            (["--ledger", "b.sqlite", "nosuch"], "\"nosuch\" is not a command; the commands are fetch, plan"),
            (["--ledger", "b.sqlite"], "no command given; the commands are fetch"),
            (["--json", "plan"], "`plan` needs a command; its commands are check"),
            (["--json", "import", "--", "snapshots", "f.csv"], "`import` needs a command before `--`"),
        ] {
            let result = try Executable.creditRecon(arguments)
            #expect(result.status == 64 && result.stderr.contains(words) && !result.stderr.contains("Unknown option"),
                    "\(arguments): \(result.stderr)")
            if arguments.contains("--json") {
                #expect(result.stdout.contains(words) && result.stdout.contains("\"exit_code\":64"), "\(result.stdout)")
            }
        }
    }

    /// `--json` before the command and an option of its own missing its value at the end:
    /// the error as a JSON document, 64 (the option took `--json` for its value, so stdout
    /// was empty, or `"--json" is not a decimal number`).
    /// An option given twice is refused (64) naming it, never its values (a URL may hold a
    /// password): the parser kept the last one, so a cap given twice was the larger one.
    @Test func anOptionGivenTwiceIsRefused() throws {
        for (arguments, option) in [
            (["topup", "p.csv", "--max-total", "100", "--max-total=1000"], "--max-total"),
            (["--ledger", "postgresql://u:hunter2@127.0.0.1:1/a", "status", "--ledger", "b.sqlite"], "--ledger"),
            (["--json", "report", "--period", "month", "--period=week"], "--period"),
        ] {
            let result = try Executable.creditRecon(arguments)
            #expect(result.status == 64, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains("\(option) is given twice: which one counts would be a guess; give it once"), "\(result.stderr)")
            #expect(!result.stderr.contains("hunter2") && !result.stdout.contains("hunter2"))
            if arguments.contains("--json") {
                let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
                #expect(object?["exit_code"] as? Int == 64, "\(result.stdout)")
            }
        }
        // A flag given twice says one thing: `--help --help` printed "--help is given twice …"
        // and exited 64.
        let help = try Executable.creditRecon(["report", "--help", "--help"])
        #expect(help.status == 0 && help.stdout.contains("USAGE: credit-recon report"), "\(help.stderr)")
        let twice = try Executable.creditRecon(["--json", "--ledger", "nowhere/none.sqlite", "status", "--json"])
        #expect(!twice.stderr.contains("given twice"), "\(twice.stderr)")
        #expect((try JSONSerialization.jsonObject(with: Data(twice.stdout.utf8)) as? [String: Any])?["exit_code"] != nil, "\(twice.stdout)")
        // A key as an argument of its own, a base URL with a password, a password typed as its
        // file's path: refused without repeating it (each was echoed whole, probe 145).
        // A held key typed where another value goes is scrubbed from the error that quotes it,
        // in words and in --json (`--now "…" is not a time` echoed it, probe 149).
        let held = ["OPENROUTER_API_KEY": "hunter2hunter2key"]
        for arguments in [["--now", "hunter2hunter2key", "status"], ["--json", "--account", "x", "--now", "hunter2hunter2key", "status"]] {
            let result = try Executable.creditRecon(arguments, environment: held)
            #expect(result.status == 64 && (result.stderr + result.stdout).contains(#"--now: \"<redacted>\" is not a time"#)
                || result.stderr.contains(#"--now: "<redacted>" is not a time"#), "\(result.stderr)\(result.stdout)")
            #expect(!result.stderr.contains("hunter2") && !result.stdout.contains("hunter2"), "\(result.stderr)\(result.stdout)")
        }
        for (arguments, status, said) in [
            (["fetch", "sk-or-v1-hunter2"], 64, "an argument is an OpenRouter key (sk-or-…), not shown"),
            (["--json", "fetch", "--base-url", "http://u:hunter2@127.0.0.1/api/v1"], 64,
             #"--base-url: \"http://<redacted>@127.0.0.1/api/v1\" holds a user name or password"#),
            (["fetch", "--base-url", "ftp://u:hunter2@127.0.0.1/x"], 64, #"--base-url: "ftp://<redacted>@127.0.0.1/x" is not an"#),
            (["fetch", "--base-url", "u:hunter2@127.0.0.1/x"], 64, #"--base-url: "u:<redacted>@127.0.0.1/x" is not an"#),
            (["fetch", "--base-url", "http://hunter2@127.0.0.1/api/v1"], 64, #"--base-url: "http://<redacted>@127.0.0.1/api/v1" holds"#),
            // By a command that never calls the API too: it is in the process list all the same (probe 368).
            (["--ledger", "nowhere/none.sqlite", "status", "--base-url", "http://u:hunter2@127.0.0.1/api/v1"], 64,
             #"--base-url: "http://<redacted>@127.0.0.1/api/v1" holds a user name or password"#),
            (["--ledger", "postgresql://u@127.0.0.1:1/db", "--ledger-password-file", "hunter2hunter2hunter2", "status"], 78,
             "--ledger-password-file: cannot read the path given (not shown: it looks like a key or a password"),
        ] {
            let result = try Executable.creditRecon(arguments)
            #expect(result.status == Int32(status), "\(arguments): \(result.stderr)")
            #expect((result.stderr + result.stdout).contains(said), "\(result.stderr)\(result.stdout)")
            #expect(!result.stderr.contains("hunter2") && !result.stdout.contains("hunter2"), "\(result.stderr)\(result.stdout)")
        }
    }

    /// A key or password given as an option is refused saying where it goes, its value never
    /// repeated: it was `Unknown option '--api-key'`, then `Did you mean '--now'?` (probe 140).
    @Test func aKeyGivenAsAnOptionIsToldWhereKeysGo() throws {
        for arguments in [["fetch", "--api-key", "sk-or-v1-hunter2"], ["--json", "--api-key=sk-or-v1-hunter2", "status"],
                          ["status", "--ledger-password", "hunter2"]] {
            let result = try Executable.creditRecon(arguments)
            #expect(result.status == 64, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains("is no option: credit-recon never takes a key or a password on the command line")
                && result.stderr.contains("OPENROUTER_API_KEY") && !result.stderr.contains("Did you mean"), "\(result.stderr)")
            #expect(!result.stderr.contains("hunter2") && !result.stdout.contains("hunter2"))
            if arguments.contains("--json") {
                let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
                #expect(object?["exit_code"] as? Int == 64, "\(result.stdout)")
            }
        }
    }

    /// A password in a `--ledger` URL is in the process list while the command runs: a
    /// warning says so (naming no password); in the variable, or without one, none is said.
    @Test func aPasswordInTheLedgerURLOnTheCommandLineIsWarnedOf() throws {
        let url = "postgresql://u:hunter2@127.0.0.1:1/a?sslmode=disable"
        let given = try Executable.creditRecon(["--ledger", url, "--timeout", "2", "status"])
        #expect(given.status == 74, "\(given.stderr)")
        #expect(given.stderr.contains("--ledger's URL holds a password, which every user of this machine can read in the "
            + "process list (ps)") && !given.stderr.contains("hunter2"), "\(given.stderr)")
        for (arguments, environment) in [(["--timeout", "2", "status"], ["CREDIT_RECON_LEDGER": url]),
                                         (["--ledger", "postgresql://u@127.0.0.1:1/a?sslmode=disable", "--timeout", "2", "status"], [:])] {
            let quiet = try Executable.creditRecon(arguments, environment: environment)
            #expect(quiet.status == 74 && !quiet.stderr.contains("process list"), "\(quiet.stderr)")
        }
        // `ledger copy --to` the same (probe 130: said of --ledger only).
        let scratch = try Scratch()
        let source = scratch.path("source.sqlite")
        #expect(try Executable.creditRecon(["--ledger", source, "import", "snapshots", samples]).status == 0)
        let copy = try Executable.creditRecon(["--ledger", source, "--timeout", "2", "ledger", "copy", "--to", url])
        #expect(copy.status == 74, "\(copy.stderr)")
        #expect(copy.stderr.contains("--to's URL holds a password, which every user of this machine can read in the "
            + "process list (ps)") && !copy.stderr.contains("hunter2"), "\(copy.stderr)")
    }

    /// `plan check` with no ledger refuses rows whose references look alike (it said "all
    /// valid", and `topup` then refused the same plan; probe 93).
    @Test func planCheckWithoutALedgerRefusesLookAlikeReferences() throws {
        let scratch = try Scratch()
        let wallet = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
        let plan = try scratch.write("plan.csv", "wallet,chain_id,amount,reference\n\(wallet),base,10,INV-2026-001\n"
            + "\(wallet),base,10,INV\u{2013}2026-001\n")
        let result = try Executable.creditRecon(["--ledger", scratch.path("none.sqlite"), "plan", "check", plan])
        #expect(result.status == 65 && result.stderr.contains("plan.csv:3: reference: \"INV\u{2013}2026-001\" looks like the "
            + "reference \"INV-2026-001\" on line 2"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: scratch.path("none.sqlite")))
    }

    @Test func anOptionMissingItsValueAfterAGlobalJSONIsAJSONError() throws {
        for (arguments, option) in [
            (["--json", "plan", "check", "p.csv", "--ledger"], "--ledger"), (["--json", "topup", "p.csv", "--max-total"], "--max-total"),
            // `--json` right after the option missing its value (no document was printed).
            (["--ledger", "--json", "status"], "--ledger"), (["status", "--now", "--json"], "--now"),
        ] {
            let result = try Executable.creditRecon(arguments)
            #expect(result.status == 64, "\(arguments): \(result.stderr)")
            let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
            #expect((object?["error"] as? String)?.contains("Missing value for '\(option)") == true
                && object?["exit_code"] as? Int == 64, "\(arguments): \(result.stdout)")
        }
        // `help` of no command under --json (`help` drops it).
        let nosuch = try Executable.creditRecon(["--json", "help", "nosuch"])
        let object = try JSONSerialization.jsonObject(with: Data(nosuch.stdout.utf8)) as? [String: Any]
        #expect(nosuch.status == 64 && object?["exit_code"] as? Int == 64, "\(nosuch.stdout)")
        // Help takes command words only: an option after them is dropped, and the command's
        // help shown (it was "\"help\" is not a command" for any option of the command's own).
        let bogus = try Executable.creditRecon(["--json", "help", "status", "--bogus"])
        #expect(bogus.status == 0 && bogus.stdout.contains("OVERVIEW: Balance, burn rate"), "\(bogus.stderr)")
    }

    /// A ledger that holds no books yet (an import of a file without rows made it) has
    /// nothing to report or export: 66, as no ledger (it was 64, though no argument was wrong).
    @Test func aLedgerWithNoBooksYetHasNothingToRead() throws {
        let scratch = try Scratch()
        let ledger = scratch.path("l.sqlite")
        let empty = try scratch.write("empty.csv", "observed_at,total_credits,total_usage\n")
        #expect(try Executable.creditRecon(["--ledger", ledger, "import", "snapshots", empty]).status == 0)
        for arguments in [["report", "--out", scratch.path("r")], ["export", "--format", "hledger", "--out", scratch.path("x.journal")]] {
            let result = try Executable.creditRecon(["--ledger", ledger] + arguments)
            #expect(result.status == 66 && result.stderr.contains("the ledger holds no books yet"), "\(arguments): \(result.stderr)")
        }
    }

    /// Every command's `--json` document has `exit_code`, as every failure's does (import,
    /// verify, ledger copy and topup --dry-run had none).
    @Test func everyJSONDocumentHasItsExitCode() throws {
        let scratch = try Scratch()
        let ledger = scratch.path("l.sqlite")
        let charges = Executable.repositoryRoot.appendingPathComponent("samples/charges.csv").path
        for (arguments, code) in [
            // The dry run first: the sample charges carry references of the sample plan.
            (["import", "snapshots", samples], 0), (["topup", plan, "--dry-run"], 0), (["import", "charges", charges], 0),
            (["verify"], 0), (["ledger", "copy", "--to", scratch.path("copy.sqlite")], 0),
        ] {
            let result = try Executable.creditRecon(["--ledger", ledger, "--json"] + arguments)
            #expect(result.status == Int32(code), "\(arguments): \(result.stderr)")
            let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
            #expect(object?["exit_code"] as? Int == code, "\(arguments): \(result.stdout)")
        }
    }

    /// `help` of a word that is no command is 64 naming it (the root help was printed, exit
    /// 0); of a command, its help, 0.
    @Test func helpOfNoCommandIsAUsageError() throws {
        let typo = try Executable.creditRecon(["help", "import", "snapshot"])
        #expect(typo.status == 64 && typo.stderr.contains("\"snapshot\" is not a command of `import`"), "\(typo.stderr)")
        let known = try Executable.creditRecon(["help", "import", "snapshots"])
        #expect(known.status == 0 && known.stdout.contains("OVERVIEW: Backfills snapshot history"), "\(known.stdout)")
        let again = try Executable.creditRecon(["help", "help"])
        #expect(again.status == 0 && again.stdout.contains("OVERVIEW: Keeps the books for OpenRouter credits"), "\(again.stderr)")
        // Global options around `help` do not change what it shows (they were read as
        // command words: "\"help\" is not a command", 64).
        for arguments in [
            ["--ledger", "b.sqlite", "help", "status"], ["--json", "help", "status"], ["help", "status", "--json"],
            ["help", "--ledger=b.sqlite", "status"],
            // A command's own option after it, `help` again, the flag first: "\"help\" is not a
            // command" (64), or the top help (probe 198).
            ["help", "status", "--min-runway-days"], ["help", "status", "--out", "r"], ["--help", "status"], ["-h", "status"],
        ] {
            let result = try Executable.creditRecon(arguments)
            #expect(result.status == 0 && result.stdout.contains("OVERVIEW: Balance, burn rate"), "\(arguments): \(result.stderr)")
        }
    }

    /// A file limit (`ulimit -n`) under what a command needs is refused before anything is
    /// done (78, saying how to raise it), where the runtime trapped (132) or SQLite said
    /// "unable to open database file"; a low soft limit under a higher hard one is raised.
    @Test func aTooLowFileLimitIsRefusedAndALowSoftLimitRaised() throws {
        let scratch = try Scratch()
        let ledger = scratch.path("ledger.sqlite")
        #expect(try Executable.creditRecon(["--ledger", ledger, "import", "snapshots", samples]).status == 0)
        let binary = Executable.binDirectory.appendingPathComponent("credit-recon").path
        func verify(_ limit: String) throws -> Executable.Result {
            try Executable.run(tool: URL(fileURLWithPath: "/bin/sh"),
                               ["-c", "ulimit \(limit) && exec \"$0\" --ledger \"$1\" verify", binary, ledger])
        }
        let refused = try verify("-n 20")
        #expect(refused.status == 78, "\(refused.stderr)")
        #expect(refused.stderr.contains("this process may have only 20 files open (ulimit -n), and credit-recon needs 64: "
            + "raise the limit (ulimit -n 1024)"), "\(refused.stderr)")
        let raised = try verify("-S -n 20")
        #expect(raised.status == 0, "\(raised.stderr)")
    }
}
