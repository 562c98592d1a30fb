import Foundation
import PostgresHarness
import Testing

extension Reliability {
    /// Canary keys through every command at `--log-level debug`, successes and failures: no
    /// key ever shows in stdout, stderr, the ledger (with its WAL) or a report (issue 6, "Secrets").
    @Suite("Secrets: canary keys never leak")
    struct SecretsTests {
        @Test func canaryKeysNeverAppearAnywhere() throws {
            let scratch = try Scratch()
            let canary = "sk-or-v1-CANARY-\(UUID().uuidString)"
            let wrongCanary = "sk-or-v1-CANARY-WRONG-\(UUID().uuidString)"
            let bearerCanary = "sk-or-v1-CANARY-BEARER-\(UUID().uuidString)"
            var sim = try SimulatorProcess(["--management-key", canary, "--inference-key", bearerCanary])
            let ledger = scratch.path("ledger.sqlite")
            let reports = scratch.path("reports")
            let plan = try scratch.write("plan.csv", DistinctPlan.text(rows: 3))
            let plan2 = try scratch.write("plan2.csv", DistinctPlan.text(rows: 3, prefix: "s"))
            let charges = try scratch.write("charges.csv", """
                charge_id,amount,wallet,chain_id,created_at,reference,status
                web-1,20,0x52908400098527886e0f7030069857d2e4169ee7,8453,2026-10-01T00:00:00Z,,paid

                """)
            let snapshots = Executable.sampleSnapshots
            let keyFile = try scratch.write("key.txt", canary + "\n")
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: keyFile)
            let env = ["OPENROUTER_API_KEY": canary, "OPENROUTER_BEARER": bearerCanary, "CREDIT_RECON_LOG_LEVEL": "debug"]
            var outputs: [String] = []
            func run(_ arguments: [String], _ environment: [String: String] = env, base: String? = nil) throws -> Executable.Result {
                let result = try Executable.creditRecon(
                    ["--ledger", ledger, "--base-url", base ?? sim.baseURL, "--max-retry-time", "1", "--timeout", "1"] + arguments,
                    environment: environment)
                outputs.append("$ \(arguments.joined(separator: " ")) → \(result.status)\n\(result.stdout)\n\(result.stderr)")
                #expect(![70].contains(result.status) || arguments.first == "run", "\(arguments): \(result.stderr)")
                return result
            }

            // Successes.
            #expect(try run(["fetch"]).status == 0)
            #expect(try run(["import", "snapshots", snapshots]).status == 0)
            #expect(try run(["plan", "check", plan]).status == 0)
            #expect(try run(["topup", plan, "--yes"]).status == 0)
            #expect(try run(["import", "charges", charges]).status == 0)
            _ = try run(["report", "--out", reports])
            _ = try run(["status"])
            _ = try run(["verify"])
            _ = try run(["run", "--out", reports, "--yes"])
            // The key from a file readable by others: works, with a warning.
            let fromFile = try run(["--api-key-file", keyFile, "fetch"], ["CREDIT_RECON_LOG_LEVEL": "debug"])
            #expect([0, 1].contains(fromFile.status), "\(fromFile.stderr)")
            #expect(fromFile.stderr.contains("can be read by other users"), "\(fromFile.stderr)")
            // A second key below the first (an old one left in the file) is not read, and said
            // so, without showing it: a refused key alone left the reason to guess.
            let twoKeys = try scratch.write("two-keys.txt", canary + "\r\n\n" + canary + "-OLD\n")
            let fromTwoKeys = try run(["--api-key-file", twoKeys, "fetch"], ["CREDIT_RECON_LOG_LEVEL": "debug"])
            #expect([0, 1].contains(fromTwoKeys.status), "\(fromTwoKeys.stderr)")
            #expect(fromTwoKeys.stderr.contains("--api-key-file: only the first line of \(twoKeys) that is not empty is read; "
                + "the lines after it are ignored"), "\(fromTwoKeys.stderr)")
            #expect(!fromFile.stderr.contains("the lines after it are ignored"), "\(fromFile.stderr)")
            // A key with a character no key has never reaches a request (the HTTP client's
            // error quoted the header); one with white space around it is trimmed and works.
            for broken in [canary + "\rTAIL", canary + "\u{7F}", "x " + canary] {
                var bad = env
                bad["OPENROUTER_API_KEY"] = broken
                let refused = try run(["fetch"], bad)
                #expect(refused.status == 78 && refused.stderr.contains("OPENROUTER_API_KEY holds a character no key has"),
                        "\(refused.stderr)")
                bad["OPENROUTER_API_KEY"] = canary
                bad["OPENROUTER_BEARER"] = broken
                #expect(try run(["topup", plan2, "--yes", "--dry-run"], bad).status == 0, "a dry run sends nothing")
                #expect(try run(["topup", plan2, "--yes"], bad).status == 78)
            }
            // A key too short to be one, or to be told apart in an answer (probe 149).
            var short = env
            short["OPENROUTER_API_KEY"] = "7"
            let tooShort = try run(["fetch"], short)
            #expect(tooShort.status == 78 && tooShort.stderr.contains("OPENROUTER_API_KEY holds 1 character, fewer than any key"),
                    "\(tooShort.stderr)")
            // Short and with a space: the space is what no key has (probe 398: "holds 7 characters").
            short["OPENROUTER_API_KEY"] = "bad key"
            let spaced = try run(["fetch"], short)
            #expect(spaced.status == 78 && spaced.stderr.contains("OPENROUTER_API_KEY holds a character no key has (a space"),
                    "\(spaced.stderr)")
            // Its file named whole, though the file's name holds the short text (probe 263:
            // `--api-key-file k<redacted>`, a file that is not there).
            let shortFile = try scratch.write("kshort", "short\n")
            let fromShortFile = try run(["--api-key-file", shortFile, "fetch"], [:])
            #expect(fromShortFile.status == 78 && fromShortFile.stderr.contains(
                "--api-key-file \(shortFile) holds 5 characters, fewer than any key"), "\(fromShortFile.stderr)")
            // The key file's path put in the variable itself: said so (it was sent as the key, 401).
            var pathInVariable = env
            pathInVariable["OPENROUTER_API_KEY"] = keyFile
            let path = try run(["fetch"], pathInVariable)
            #expect(path.status == 78 && path.stderr.contains("OPENROUTER_API_KEY holds the path of a file"), "\(path.stderr)")
            let nulFile = try scratch.write("nul-key.txt", canary + "\u{0}x\n")
            #expect(try run(["--api-key-file", nulFile, "fetch"], ["CREDIT_RECON_LOG_LEVEL": "debug"]).status == 78)
            // A file far bigger than a secret (a mistyped path: a log) is refused before it is
            // read, the key on its first line or not; it was read whole and sent (probe 82).
            let huge = try scratch.write("app.log", canary + "\n" + String(repeating: "a log line\n", count: 7000))
            let tooBig = try run(["--api-key-file", huge, "fetch"], ["CREDIT_RECON_LOG_LEVEL": "debug"])
            let size = try FileManager.default.attributesOfItem(atPath: huge)[.size] as? Int ?? 0
            #expect(tooBig.status == 78 && tooBig.stderr.contains("--api-key-file: \(huge) holds \(size) bytes"), "\(tooBig.stderr)")
            #expect(tooBig.stderr.contains("(64 KiB at most); check the path"), "\(tooBig.stderr)")
            // A file whose size says nothing (/proc's say 0) is cut at the same bound as it is read.
            let sleeper = Process()
            sleeper.executableURL = URL(fileURLWithPath: "/bin/sleep")
            sleeper.arguments = ["600"]
            sleeper.environment = ["BIG": String(repeating: "a", count: 120_000)]
            try sleeper.run()
            let proc = try run(["--api-key-file", "/proc/\(sleeper.processIdentifier)/environ", "fetch"], ["CREDIT_RECON_LOG_LEVEL": "debug"])
            kill(sleeper.processIdentifier, SIGKILL)
            sleeper.waitUntilExit()
            #expect(proc.status == 78 && proc.stderr.contains("holds more than 64 KiB, more than a file holding a secret does"),
                    "\(proc.stderr)")
            var padded = env
            padded["OPENROUTER_API_KEY"] = " " + canary + "\r\n"
            let trimmed = try run(["fetch"], padded)
            #expect([0, 1].contains(trimmed.status), "\(trimmed.stderr)")
            // Failures: refused key, 500, dropped connection, timeout, garbled answer, server gone.
            var wrong = env
            wrong["OPENROUTER_API_KEY"] = wrongCanary
            wrong["OPENROUTER_BEARER"] = wrongCanary
            #expect(try run(["fetch"], wrong).status == 77)
            #expect(try run(["topup", plan2, "--yes"], wrong).status == 77)
            for fault in [#"{"fail_rate":1}"#, #"{"fail_rate":0,"drop_rate":1}"#, #"{"drop_rate":0,"latency_ms":1500}"#,
                          #"{"latency_ms":0,"garble":"html"}"#,
                          // A gateway that echoes the Authorization header in its refusal.
                          #"{"garble":"echo"}"#,
                          // An answer quoting both keys: each command holds both in its
                          // environment and sends one (`topup` wrote the other into the
                          // ledger and the reports, probe 147).
                          #"{"garble":null,"fail_rate":1,"fail_message":"mk=\#(canary) ik=\#(bearerCanary)"}"#] {
                try sim.faults(fault)
                _ = try run(["fetch"])
                _ = try run(["topup", plan2, "--yes", "--retry-unknown"])
                Executable.count("faults_injected", 1)
            }
            sim.vanish()
            // A port that refuses connections, held so that no other test's server takes it
            // (the vanished simulator's port could be, and would then answer).
            let (held, port) = FreezingProxy.boundSocket()
            defer { close(held) }
            let gone = "http://127.0.0.1:\(port)/api/v1"
            #expect(try run(["fetch"], base: gone).status == 69)
            _ = try run(["topup", plan2, "--yes", "--retry-unknown"], base: gone)
            sim = try SimulatorProcess()

            var leaks = 0
            for (index, output) in outputs.enumerated() where [canary, wrongCanary, bearerCanary].contains(where: output.contains) {
                leaks += 1
                Issue.record("a key leaked in command output \(index): \(output)")
            }
            var files = [ledger, ledger + "-wal", ledger + "-shm", ledger + ".lock"]
            if let listed = FileManager.default.enumerator(atPath: reports) {
                files += listed.compactMap { $0 as? String }.map { reports + "/" + $0 }
            }
            var scanned = 0
            for file in files {
                guard let data = FileManager.default.contents(atPath: file) else { continue }
                scanned += 1
                for key in [canary, wrongCanary, bearerCanary] where data.range(of: Data(key.utf8)) != nil {
                    leaks += 1
                    Issue.record("a key leaked into \(file)")
                }
            }
            #expect(scanned >= 3, "the ledger and the reports were scanned")
            Executable.count("leaks_found", leaks)
        }
    }
}
