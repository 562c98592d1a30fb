import AsyncWait
import Foundation
import PostgresHarness
import Testing

/// `scripts/throwaway-postgres.sh`, which the tests, the bench and `make run` on PostgreSQL
/// stand on: `--stop` leaves no server and no folder behind, and removes nothing it did
/// not make.
@Suite("The throwaway PostgreSQL server's script", .threadOfItsOwn)
struct ThrowawayPostgresTests {
    private func bash(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try ThrowawayPostgres.run("/bin/bash", [ThrowawayPostgres.script] + arguments)
    }

    @Test func stopLeavesNoServerAndNoFolder() throws {
        let started = try bash([String(getpid())])
        try #require(started.status == 0, "\(started.stderr)")
        let fields = started.stdout.split(whereSeparator: \.isWhitespace).map(String.init)
        try #require(fields.count == 4)
        let (port, folder, bindir) = (fields[0], fields[2], fields[3])
        func ready() throws -> Int32 {
            try ThrowawayPostgres.run(bindir + "/pg_isready", ["-q", "-h", "127.0.0.1", "-p", port]).status
        }
        #expect(try ready() == 0)
        #expect(FileManager.default.fileExists(atPath: folder + "/data"))

        // It returns once both are done, not after a watchdog's next poll.
        let stopped = try bash(["--stop", folder])
        #expect(stopped.status == 0, "\(stopped.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder))
        #expect(try ready() == 2, "pg_isready: no answer from the stopped server")

        // A second stop (the watchdog's, after this process exits) finds nothing to do.
        #expect(try bash(["--stop", folder]).status == 0)
    }

    @Test func stopRefusesAFolderItDidNotMake() throws {
        let scratch = try Scratch()
        try scratch.write("keep.txt", "kept")
        for arguments in [[], ["--stop"]] {
            let usage = try bash(arguments)
            #expect(usage.status == 64 && usage.stderr.hasPrefix("usage: "), "\(arguments): \(usage.stderr)")
        }
        let refused = try bash(["--stop", scratch.url.path])
        #expect(refused.status == 64)
        #expect(refused.stderr.contains("is not a folder this script made"))
        #expect(FileManager.default.fileExists(atPath: scratch.path("keep.txt")))
    }
}
