import CreditRecon
import CreditTypes
import Foundation
import Testing

/// Random bytes and random mutations of a valid plan thrown at the CSV reader and the
/// plan validator: no crash, no endless loop, and every error names a line that exists
/// (issue 6, "Hostile input"). `CREDIT_RECON_SOAK=1` runs many more.
@Suite("Fuzz: CSV reader and plan validator")
struct FuzzCSVTests {
    /// The simulator's SplitMix64: reproducible from the printed seed.
    typealias Generator = SeededRandom

    static var soak: Bool { ProcessInfo.processInfo.environment["CREDIT_RECON_SOAK"] == "1" }

    /// Bytes a CSV parser finds interesting, plus anything at all now and then.
    static let alphabet: [UInt8] = Array(",,,\"\"\n\n\r\t a0x1.-e".utf8) + [0x00, 0xEF, 0xBB, 0xBF, 0xC3, 0xA9, 0xFF, 0x80]

    static func randomBytes(_ rng: inout Generator) -> [UInt8] {
        let count = Int.random(in: 0...300, using: &rng)
        return (0..<count).map { _ in
            Bool.random(using: &rng) ? alphabet.randomElement(using: &rng) ?? 0 : UInt8.random(in: 0...255, using: &rng)
        }
    }

    /// Reads every record, checking lines; returns how many errors were seen.
    static func drain(_ reader: CSVReader, bytes: [UInt8]) -> Int {
        let lastLine = bytes.filter { $0 == UInt8(ascii: "\n") }.count + 1
        var errors = 0
        var previousLine = 0
        // Every call consumes at least one record or ends: more calls than bytes is a loop.
        for _ in 0...(bytes.count + 2) {
            do {
                guard let record = try reader.next() else { return errors }
                #expect(record.line >= 1 && record.line <= lastLine && record.line >= previousLine)
                previousLine = record.line
            } catch {
                errors += 1
                #expect(error.line >= 1 && error.line <= lastLine, "\(error) (file has \(lastLine) lines)")
                #expect(error.description.hasPrefix("fuzz.csv:\(error.line): "))
                if error.exitStatus == .noInput { Issue.record("bytes in memory cannot be unreadable: \(error)") }
                if error.isFatal {
                    #expect((try? reader.next()) == nil, "a fatal error ends the file")
                    return errors
                }
            }
        }
        Issue.record("the reader did not reach the end of \(bytes.count) bytes")
        return errors
    }

    @Test func randomBytesNeverCrashTheReaderAndErrorsNameALine() throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        var rng = Generator(seed: seed)
        let directory = try TemporaryDirectory()
        let iterations = Self.soak ? 20000 : 1500
        var refused = 0
        for iteration in 0..<iterations {
            let bytes = Self.randomBytes(&rng)
            let inMemory = Self.drain(CSVReader(bytes: bytes, name: "fuzz.csv"), bytes: bytes)
            if inMemory > 0 { refused += 1 }
            // The same bytes through a file, in tiny chunks, so every refill boundary is crossed.
            if iteration % 5 == 0 {
                let path = try directory.write("fuzz.csv", bytes: bytes)
                let reader = try CSVReader(path: path, displayName: "fuzz.csv", chunkSize: Int.random(in: 1...7, using: &rng))
                let fromFile = Self.drain(reader, bytes: bytes)
                #expect(fromFile == inMemory, "chunked reading disagrees (seed \(seed), iteration \(iteration))")
            }
        }
        print("SOAK-COUNT fuzz_inputs_survived=\(iterations)")
        print("SOAK-COUNT hostile_inputs_refused=\(refused)")
    }

    @Test func mutatedPlansAreValidOrRefusedLineByLine() throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        var rng = Generator(seed: seed)
        let directory = try TemporaryDirectory()
        let valid = Array([
            "wallet,chain_id,amount,reference,memo,account",
            "0x52908400098527886E0F7030069857D2E4169EE7,base,12.50,a-1,\"rent, march\",ops",
            "0x8617e340b3d01fa5f11f306f4090fd50e238070d,137,0.01,a-2,\"say \"\"hi\"\"\",",
            "0xde709f2102306220921060314715629080e2fb77,1,10000,,\"two\r\nlines\",",
            "",
        ].joined(separator: "\r\n").utf8)
        let iterations = Self.soak ? 10000 : 400
        var refused = 0
        for iteration in 0..<iterations {
            var bytes = valid
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let index = Int.random(in: 0..<max(1, bytes.count), using: &rng)
                switch Int.random(in: 0..<5, using: &rng) {
                case 0 where !bytes.isEmpty: bytes[index] = Self.alphabet.randomElement(using: &rng) ?? 0
                case 1: bytes.insert(UInt8.random(in: 0...255, using: &rng), at: min(index, bytes.count))
                case 2 where !bytes.isEmpty: bytes.remove(at: index)
                case 3:
                    let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
                    if let line = lines.randomElement(using: &rng) { bytes += Array(line) + [UInt8(ascii: "\n")] }
                default: bytes = Array(bytes.prefix(index))
                }
            }
            let path = try directory.write("plan.csv", bytes: bytes)
            let lastLine = bytes.filter { $0 == UInt8(ascii: "\n") }.count + 1
            do {
                try PlanReader(path: path, displayName: "plan.csv", defaultAccount: "default").read()
            } catch let errors as InputErrors {
                refused += 1
                #expect(errors.exitStatus == .dataError)
                for error in errors.errors {
                    #expect(error.line >= 1 && error.line <= lastLine, "\(error) (seed \(seed), iteration \(iteration))")
                    #expect(error.description.hasPrefix("plan.csv:\(error.line): "))
                }
            } catch {
                Issue.record("unexpected \(type(of: error)): \(error) (seed \(seed), iteration \(iteration))")
            }
        }
        #expect(refused > iterations / 4, "most mutations should be refused")
        print("SOAK-COUNT hostile_inputs_refused=\(refused)")
    }
}
