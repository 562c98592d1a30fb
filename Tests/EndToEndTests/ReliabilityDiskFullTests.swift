import Foundation
import Testing

extension Reliability {
    /// The ledger's disk fills up during an import: exit 74 with a message saying so, the
    /// ledger still verifies, and the same command succeeds once there is room (issue 6,
    /// "Full disk").
    @Suite("Reliability: a full disk", .serialized)
    struct ReliabilityDiskFullTests {
        /// 6,000 hourly snapshots (~200 KB of CSV, several MB of ledger).
        static func bigSnapshots(_ scratch: Scratch) throws -> String {
            var text = "observed_at,total_credits,total_usage\n"
            let start = 1_577_836_800  // 2020-01-01T00:00:00Z
            let formatter = ISO8601DateFormatter()
            for hour in 0..<6000 {
                text += "\(formatter.string(from: Date(timeIntervalSince1970: TimeInterval(start + hour * 3600)))),\(1000 + hour),\(hour).5\n"
            }
            return try scratch.write("big.csv", text)
        }

        static func shell(_ command: String) throws -> Int32 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", command]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            return process.terminationStatus
        }

        /// A real full filesystem: a 1 MB tmpfs (room for a new ledger with 16 KB pages and the samples, not for 6000 more readings). Skipped (and says so) where mounting is not permitted.
        @Test func aFullTmpfsStopsTheImportWith74AndTheLedgerStillVerifies() throws {
            let scratch = try Scratch()
            let mountPoint = scratch.path("mnt")
            try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
            guard try Self.shell("mount -t tmpfs -o size=1m tmpfs '\(mountPoint)'") == 0 else {
                print("skipped: mounting a tmpfs is not permitted here; the RLIMIT_FSIZE variant still runs")
                return
            }
            defer { _ = try? Self.shell("umount '\(mountPoint)'") }
            let ledger = mountPoint + "/ledger.sqlite"
            let samples = Executable.sampleSnapshots
            #expect(try Executable.creditRecon(["--ledger", ledger, "import", "snapshots", samples]).status == 0)
            let head = try Executable.creditRecon(["--ledger", ledger, "verify"]).stdout
            let big = try Self.bigSnapshots(scratch)
            let full = try Executable.creditRecon(["--ledger", ledger, "import", "snapshots", big])
            #expect(full.status == 74, "\(full.stderr)")
            #expect(full.stderr.contains("is full"), "\(full.stderr)")
            let after = try Executable.creditRecon(["--ledger", ledger, "verify"])
            #expect(after.status == 0, "\(after.stdout)\(after.stderr)")
            #expect(after.stdout == head, "the failed import left nothing behind")
            #expect(try Self.shell("mount -o remount,size=64m '\(mountPoint)'") == 0)
            let again = try Executable.creditRecon(["--ledger", ledger, "import", "snapshots", big])
            #expect(again.status == 0, "\(again.stderr)")
            #expect(again.stdout.contains("imported 6000 snapshots"))
            #expect(try Executable.creditRecon(["--ledger", ledger, "verify"]).status == 0)
            Executable.count("faults_injected", 1)
        }

        /// Works everywhere, no mount: the process may not grow a file past 400 KB
        /// (RLIMIT_FSIZE, with SIGXFSZ ignored so the write fails instead of killing it).
        @Test func aFileSizeLimitStopsTheImportWith74AndTheLedgerStillVerifies() throws {
            let scratch = try Scratch()
            let ledger = scratch.path("ledger.sqlite")
            let samples = Executable.sampleSnapshots
            #expect(try Executable.creditRecon(["--ledger", ledger, "import", "snapshots", samples]).status == 0)
            let head = try Executable.creditRecon(["--ledger", ledger, "verify"]).stdout
            let big = try Self.bigSnapshots(scratch)
            let binary = Executable.binDirectory.appendingPathComponent("credit-recon").path
            let limited = try Executable.shell(
                "trap '' XFSZ; ulimit -f 800; exec \"$0\" --ledger \"$1\" import snapshots \"$2\"", binary, ledger, big)
            #expect(limited.status == 74, "\(limited.stderr)")
            // Said as the limit it is, though SQLite kept no errno at the commit it stopped
            // (probe 343: "disk I/O error while writing").
            #expect(limited.stderr.contains("is full, or a quota or this process's file-size limit (ulimit -f) is reached; "
                + "the write that needed the room was undone, and the ledger holds what it held before it"), "\(limited.stderr)")
            let after = try Executable.creditRecon(["--ledger", ledger, "verify"])
            #expect(after.status == 0, "\(after.stdout)\(after.stderr)")
            #expect(after.stdout == head)
            let again = try Executable.creditRecon(["--ledger", ledger, "import", "snapshots", big])
            #expect(again.status == 0, "\(again.stderr)")
            #expect(try Executable.creditRecon(["--ledger", ledger, "verify"]).status == 0)
            Executable.count("faults_injected", 1)
        }

        /// A report or an export that cannot be written (a file-size limit, as a full disk)
        /// exits 73 and leaves no folder it made: it left an empty new folder behind. (The
        /// limit, 32 KiB, lets SQLite make the ledger's `-shm`; `charges.csv` is past it.)
        @Test func aReportThatCannotBeWrittenLeavesNoFolderItMade() throws {
            let scratch = try Scratch()
            let ledger = scratch.path("ledger.sqlite")
            #expect(try Executable.creditRecon(["--ledger", ledger, "import", "snapshots", Executable.sampleSnapshots]).status == 0)
            let rows = (0..<800).map { "web-\($0),1.25,2026-10-02T00:00:00Z,pending,,reference-\($0)\n" }.joined()
            let charges = try scratch.write("charges.csv", "charge_id,amount,created_at,status,paid_at,reference\n" + rows)
            #expect(try Executable.creditRecon(["--ledger", ledger, "import", "charges", charges]).status == 0)
            let binary = Executable.binDirectory.appendingPathComponent("credit-recon").path
            let kept = scratch.path("kept")
            #expect(mkdir(kept, 0o755) == 0)
            // Long account names and a day's periods: a journal past the limit too.
            let long = String(repeating: "X", count: 240)
            let map = try scratch.write("map.csv", "role,account\ncredits,Assets:C\(long)\nusage,Expenses:U\(long)\n")
            for (out, command) in [("new/reports", "report --out"), ("kept/new", "report --out"), ("all/new", "report --all-accounts --out"),
                                   ("journal/books.beancount", "export --format beancount --period day --accounts-map \"$3\" --out")] {
                let limited = try Executable.shell(
                    "trap '' XFSZ; ulimit -f 64; exec \"$0\" --ledger \"$1\" \(command) \"$2\"", binary, ledger, scratch.path(out), map)
                #expect(limited.status == 73 && limited.stderr.contains("file-size limit"), "\(command): \(limited.stderr)")
                let top = String(out.split(separator: "/")[0])
                #expect(FileManager.default.fileExists(atPath: scratch.path(top)) == (top == "kept"), "\(command) \(out)")
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: kept).isEmpty)
            Executable.count("faults_injected", 1)
        }
    }
}
