import Foundation
import Testing

extension Reliability {
    /// A corpus of malformed plans, charge exports and snapshot files, generated here (no
    /// binary files in the repository). Each is refused with its exit code and a message
    /// naming the file and line; nothing is written and nothing is sent (issue 6, "Hostile input").
    @Suite("Hostile input: malformed files are refused")
    struct HostileInputTests {
        enum Kind: String { case plan, charges, snapshots }

        struct Case {
            let name: String
            let kind: Kind
            let bytes: [UInt8]
            /// The line the message must name.
            let line: Int

            init(_ name: String, _ kind: Kind, _ text: String, line: Int) {
                self.init(name, kind, Array(text.utf8), line: line)
            }

            init(_ name: String, _ kind: Kind, _ bytes: [UInt8], line: Int) {
                self.name = name
                self.kind = kind
                self.bytes = bytes
                self.line = line
            }
        }

        static let wallet = "0x52908400098527886e0f7030069857d2e4169ee7"
        static let planHeader = "wallet,chain_id,amount,reference,memo\n"
        static let chargesHeader = "charge_id,amount,wallet,chain_id,created_at,expires_at,reference,status,paid_at\n"
        static let snapshotsHeader = "observed_at,total_credits,total_usage\n"
        static let goodPlanRow = "\(wallet),8453,12.50,ok-1,fine\n"
        static let goodCharge = "ch_1,10,\(wallet),8453,2026-10-01T00:00:00Z,2026-10-01T01:00:00Z,,paid,2026-10-01T00:10:00Z\n"
        static let goodSnapshot = "2026-11-01T00:00:00Z,5,1\n"

        static var corpus: [Case] {
            var cases: [Case] = []
            // Shapes every CSV can get wrong, for each kind of file.
            for (kind, header, good) in [(Kind.plan, planHeader, goodPlanRow), (.charges, chargesHeader, goodCharge),
                                         (.snapshots, snapshotsHeader, goodSnapshot)] {
                let k = kind.rawValue
                let lastColumn = String(header.dropLast().split(separator: ",").last ?? "")
                let duplicated: String = String(header.dropLast()) + "," + lastColumn + "\n" + String(good.dropLast()) + ",1\n"
                cases += [
                    Case("\(k)-empty", kind, "", line: 1),
                    Case("\(k)-only-blank-lines", kind, "\n\n\r\n", line: 1),
                    Case("\(k)-binary", kind, [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0xFF], line: 1),
                    Case("\(k)-bad-utf8", kind, Array((header + good).utf8) + [0xC3, 0x28, 0x2C, 0xFF, 0x0A], line: 3),
                    Case("\(k)-nul-in-row", kind, Array((header + good).utf8) + Array("a".utf8) + [0] + Array(",b,c\n".utf8), line: 3),
                    Case("\(k)-unterminated-quote", kind, header + good + "\"never closed,1,2\n", line: 3),
                    Case("\(k)-ragged-row", kind, header + good + "a,b\n", line: 3),
                    Case("\(k)-no-header", kind, good + good, line: 1),
                    Case("\(k)-duplicate-header", kind, duplicated, line: 1),
                    Case("\(k)-quote-in-bare-field", kind, header + good + "ab\"c,1,2\n", line: 3),
                    Case("\(k)-megabyte-field", kind, header + good + String(repeating: "9", count: 1 << 20) + ",1,2\n", line: 3),
                ]
            }
            // Every invalid value class of a plan row (CONTRACT.md § Plan CSV).
            let w = wallet
            for (name, row) in [
                ("wallet-short", "0x1234,8453,5,a,"), ("wallet-no-0x", "52908400098527886e0f7030069857d2e4169ee7,8453,5,a,"),
                ("wallet-not-hex", "0xZZ908400098527886e0f7030069857d2e4169ee7,8453,5,a,"),
                ("wallet-bad-checksum", "0x52908400098527886E0F7030069857D2E4169Ee7,8453,5,a,"),
                ("wallet-zero", "0x0000000000000000000000000000000000000000,8453,5,a,"),
                ("chain-unknown", "\(w),56,5,a,"), ("chain-word", "\(w),solana,5,a,"), ("chain-empty", "\(w),,5,a,"),
                ("amount-zero", "\(w),1,0,a,"), ("amount-negative", "\(w),1,-5,a,"), ("amount-3-decimals", "\(w),1,12.345,a,"),
                ("amount-exponent", "\(w),1,1e3,a,"), ("amount-text", "\(w),1,ten,a,"), ("amount-over-max", "\(w),1,10000.01,a,"),
                ("amount-nan", "\(w),1,NaN,a,"), ("amount-huge", "\(w),1,99999999999999999999999999999,a,"),
                ("amount-comma", "\(w),1,\"1,5\",a,"), ("memo-control-char", "\(w),1,5,a,bell\u{07}"),
                ("wallet-terminal-escape", "\u{1B}]0;pwned\u{07}\u{1B}[2J,8453,5,a,"),
            ] {
                cases.append(Case("plan-\(name)", .plan, planHeader + goodPlanRow + row + "\n", line: 3))
            }
            cases.append(Case("plan-reference-reused", .plan, planHeader + goodPlanRow + "\(w),137,7,ok-1,\n", line: 3))
            // Invalid values in the other files.
            for (name, row) in [
                ("amount-text", "ch_2,ten,\(w),8453,2026-10-01T00:00:00Z,,,paid,"),
                ("created-not-a-time", "ch_2,10,\(w),8453,yesterday,,,paid,"),
                ("paid-in-the-future", "ch_2,10,\(w),8453,2026-10-01T00:00:00Z,,,paid,2126-10-01T00:00:00Z"),
                ("status-unknown", "ch_2,10,\(w),8453,2026-10-01T00:00:00Z,,,refunded,"),
                ("wallet-bad", "ch_2,10,0x12,8453,2026-10-01T00:00:00Z,,,paid,"),
                ("charge-id-empty", ",10,\(w),8453,2026-10-01T00:00:00Z,,,paid,"),
                ("amount-terminal-escape", "ch_2,\u{1B}[31m10,\(w),8453,2026-10-01T00:00:00Z,,,paid,"),
                ("charge-id-duplicate", "ch_1,10,\(w),8453,2026-10-01T00:00:00Z,2026-10-01T01:00:00Z,,paid,2026-10-01T00:10:00Z"),
            ] {
                cases.append(Case("charges-\(name)", .charges, chargesHeader + goodCharge + row + "\n", line: 3))
            }
            for (name, row) in [
                ("credits-text", "2026-11-02T00:00:00Z,five,1"), ("usage-negative", "2026-11-02T00:00:00Z,5,-1"),
                ("time-bad", "2026-13-45T99:00:00Z,5,1"), ("time-empty", ",5,1"),
                ("time-future", "2099-01-01T00:00:00Z,5,1"), ("time-year-one", "0001-01-01T00:00:00Z,5,1"),
                ("reading-changed", "2026-10-01T00:00:00Z,5,1"), ("credits-terminal-escape", "2026-11-02T00:00:00Z,\u{1B}[2J5,1"),
            ] {
                cases.append(Case("snapshots-\(name)", .snapshots, snapshotsHeader + goodSnapshot + row + "\n", line: 3))
            }
            return cases
        }

        func arguments(_ kind: Kind, path: String) -> [String] {
            switch kind {
            case .plan: return ["topup", path, "--yes"]
            case .charges: return ["import", "charges", path]
            case .snapshots: return ["import", "snapshots", path]
            }
        }

        func head(_ ledger: String) throws -> String {
            try Executable.query(ledger, "SELECT hash FROM journal ORDER BY seq DESC LIMIT 1").first?.first ?? ""
        }

        @Test func theCorpusIsRefusedWithTheLineAndNothingWrittenOrSent() throws {
            let scratch = try Scratch()
            let sim = try SimulatorProcess()
            let ledger = scratch.path("ledger.sqlite")
            let samples = Executable.sampleSnapshots
            #expect(try Executable.creditRecon(["--ledger", ledger, "import", "snapshots", samples]).status == 0)
            let before = try head(ledger)
            let corpus = Self.corpus
            #expect(corpus.count >= 30)
            let env = ["OPENROUTER_API_KEY": "sim-management-key"]
            var refused = 0
            for item in corpus {
                let path = scratch.path("\(item.name).csv")
                try Data(item.bytes).write(to: URL(fileURLWithPath: path))
                let result = try Executable.creditRecon(["--ledger", ledger, "--base-url", sim.baseURL] + arguments(item.kind, path: path),
                                                        environment: env)
                #expect(result.status == 65, "\(item.name): exit \(result.status): \(result.stdout)\(result.stderr)")
                #expect(result.stderr.contains("\(path):\(item.line):"), "\(item.name): \(result.stderr)")
                // What the file holds is quoted, not obeyed by the terminal, nor repeated at length.
                #expect(!Executable.holdsControlCharacters(result.stderr), "\(item.name): \(result.stderr.debugDescription)")
                #expect(result.stderr.utf8.count < 8192, "\(item.name): \(result.stderr.utf8.count) bytes on stderr")
                if item.kind == .plan {
                    let check = try Executable.creditRecon(["plan", "check", path])
                    #expect(check.status == 65 && check.stderr.contains("\(path):\(item.line):"), "\(item.name): \(check.stderr)")
                }
                if result.status == 65 { refused += 1 }
            }
            #expect(try head(ledger) == before, "a refused file wrote to the ledger")
            #expect(try sim.state().apiRequests == 0, "a refused plan sent a request")
            // Against no ledger at all: none is even created.
            let fresh = scratch.path("fresh.sqlite")
            for item in corpus.prefix(12) {
                let path = scratch.path("\(item.name).csv")
                _ = try Executable.creditRecon(["--ledger", fresh, "--base-url", sim.baseURL] + arguments(item.kind, path: path), environment: env)
            }
            #expect(!FileManager.default.fileExists(atPath: fresh))
            Executable.count("hostile_inputs_refused", refused)
        }

        @Test func missingOrUnreadableInputsAre66() throws {
            let scratch = try Scratch()
            let ledger = scratch.path("ledger.sqlite")
            let directory = scratch.path("a-directory.csv")
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            var refused = 0
            for path in [scratch.path("missing.csv"), directory] {
                for arguments in [["plan", "check", path], ["topup", path, "--yes", "--dry-run"], ["import", "charges", path],
                                  ["import", "snapshots", path]] {
                    let result = try Executable.creditRecon(["--ledger", ledger] + arguments, environment: ["OPENROUTER_API_KEY": "k"])
                    #expect(result.status == 66, "\(arguments): \(result.status) \(result.stderr)")
                    #expect(result.stderr.contains(path), "\(arguments): \(result.stderr)")
                    if result.status == 66 { refused += 1 }
                }
            }
            #expect(!FileManager.default.fileExists(atPath: ledger))
            Executable.count("hostile_inputs_refused", refused)
        }

        /// A relative `--out` in a working folder deleted under the shell is refused (73): the
        /// path was taken as under `/`, and root's reports and journals went there (probe 278).
        @Test func aRelativeOutInADeletedWorkingFolderIsRefused() throws {
            let scratch = try Scratch()
            let ledger = scratch.path("ledger.sqlite")
            let samples = Executable.sampleSnapshots
            #expect(try Executable.creditRecon(["--ledger", ledger, "import", "snapshots", samples]).status == 0)
            let gone = scratch.path("gone")
            try FileManager.default.createDirectory(atPath: gone, withIntermediateDirectories: true)
            let name = "credit-recon-gone-\(UUID().uuidString)"
            defer { try? FileManager.default.removeItem(atPath: "/" + name) }
            let binary = Executable.binDirectory.appendingPathComponent("credit-recon").path
            for command in [["report", "--out", name], ["export", "--format", "hledger", "--out", name]] {
                let result = try Executable.run(
                    tool: URL(fileURLWithPath: "/bin/bash"),
                    ["-c", "mkdir -p \"$1\" && cd \"$1\" && rm -rf \"$1\" && shift && exec \"$@\"", "sh", gone, binary,
                     "--ledger", ledger] + command)
                #expect(result.status == 73, "\(command): \(result.stdout)\(result.stderr)")
                #expect(result.stderr.contains("the folder this command runs in is gone"), "\(result.stderr)")
                #expect(!FileManager.default.fileExists(atPath: "/" + name), "\(command) wrote under /")
            }
            // A relative ledger there: said so (74), not blamed on the folder's filesystem.
            let importing = try Executable.run(
                tool: URL(fileURLWithPath: "/bin/bash"),
                ["-c", "mkdir -p \"$1\" && cd \"$1\" && rm -rf \"$1\" && shift && exec \"$@\"", "sh", gone, binary,
                 "import", "snapshots", samples])
            #expect(importing.status == 74 && importing.stderr.contains("the folder this command runs in is gone"),
                    "\(importing.stderr)")
        }

        /// A `--out` holding an escape sequence is printed with `?` in report's list of files,
        /// as in its first line (probe 278: the list cleared the screen).
        @Test func reportsListOfFilesShowsNoEscapeSequence() throws {
            let scratch = try Scratch()
            let ledger = scratch.path("ledger.sqlite")
            let samples = Executable.sampleSnapshots
            #expect(try Executable.creditRecon(["--ledger", ledger, "import", "snapshots", samples]).status == 0)
            let report = try Executable.creditRecon(["--ledger", ledger, "report", "--out", scratch.path("r\u{1B}[2J\nX")])
            #expect([0, 1].contains(report.status), "\(report.stderr)")
            #expect(!Executable.holdsControlCharacters(report.stdout) && report.stdout.contains("r?[2J?X/periods.csv"),
                    "\(report.stdout.debugDescription)")
        }

        /// Text from the files reaches the terminal with its direction overrides and isolates
        /// as `?`: the dry-run table, the screen a person approves charges from, and
        /// `report`'s and `export`'s summary lines printed them as they were. A new plan
        /// reference holding one is refused (65), its message quoting nothing raw, and so is
        /// an account label (probe 335: `acme\u{202E}evil` and `acme?evil` read as one).
        @Test func fileTextCannotRearrangeTheScreen() throws {
            let scratch = try Scratch()
            let ledger = scratch.path("ledger.sqlite")
            let wallet = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
            let plan = try scratch.write("plan.csv", "wallet,chain_id,amount,reference,memo\n"
                + "\(wallet),base,10,m1,x\u{202E}1\n\(wallet),base,11,m2,\"abc\u{2066}def\"\n")
            let dry = try Executable.creditRecon(["--ledger", ledger, "topup", plan, "--dry-run"])
            #expect(dry.status == 0, "\(dry.stderr)")
            #expect(dry.stdout.contains("m1 / x?1") && dry.stdout.contains("m2 / abc?def"), "\(dry.stdout.debugDescription)")
            let badPlan = try scratch.write("bad.csv", "wallet,chain_id,amount,reference\n\(wallet),base,10,m\u{202E}1\n")
            let refusedPlan = try Executable.creditRecon(["--ledger", ledger, "topup", badPlan, "--dry-run"])
            #expect(refusedPlan.status == 65 && refusedPlan.stderr.contains("(U+202E RIGHT-TO-LEFT OVERRIDE)"), "\(refusedPlan.stderr)")
            let account = "acme\u{202E}evil"
            let snapshots = try scratch.write("snapshots.csv", "observed_at,total_credits,total_usage,account\n"
                + "2026-11-01T00:00:00Z,100,10,\(account)\n2026-11-02T00:00:00Z,100,20,\(account)\n")
            let refusedImport = try Executable.creditRecon(["--ledger", ledger, "import", "snapshots", snapshots])
            #expect(refusedImport.status == 65 && refusedImport.stderr.contains("account: holds a format character (U+202E"),
                    "\(refusedImport.stderr)")
            let refusedOption = try Executable.creditRecon(["--ledger", ledger, "--account", account, "status"])
            #expect(refusedOption.status == 64, "\(refusedOption.stderr)")
            #expect(!FileManager.default.fileExists(atPath: ledger))
            for output in [dry.stdout, refusedPlan.stderr, refusedImport.stderr, refusedOption.stderr] {
                #expect(!output.unicodeScalars.contains { $0.value == 0x202E || $0.value == 0x2066 }, "\(output.debugDescription)")
            }
        }
    }
}
