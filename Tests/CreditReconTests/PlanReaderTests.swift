@testable import CreditRecon
import CreditTypes
import Foundation
import Testing

/// One test per plan rule (CONTRACT.md § Plan CSV); each checks the `file:line: column:` form.
struct PlanReaderTests {
    let dir: PlanTempDir

    init() throws { dir = try PlanTempDir() }

    private func check(_ text: String, maxAmount: Micros = PlanReader.defaultMaxAmount) throws -> (PlanReader.Summary, [PlanRow]) {
        let path = try dir.write("plan.csv", text)
        var rows: [PlanRow] = []
        let summary = try PlanReader(path: path, displayName: "plan.csv", defaultAccount: "acct", maxAmount: maxAmount)
            .read { rows.append($0) }
        return (summary, rows)
    }

    /// The problems reported for `text`, as printed.
    private func problems(_ text: String, maxAmount: Micros = PlanReader.defaultMaxAmount) throws -> [String] {
        do {
            _ = try check(text, maxAmount: maxAmount)
            Issue.record("expected the plan to be refused")
            return []
        } catch let error as InputErrors {
            #expect(error.exitStatus == .dataError)
            return error.errors.map(\.description)
        }
    }

    private func oneProblem(_ row: String, header: String = "wallet,chain_id,amount,reference,memo") throws -> String {
        let padding = String(repeating: ",", count: header.split(separator: ",").count - 4)
        let found = try problems("\(header)\n\(Wallets.a),1,10,ok-1\(padding)\n\(row)\n")
        #expect(found.count == 1)
        return found.first ?? ""
    }

    @Test func validPlanIsReadWithTotals() throws {
        let (summary, rows) = try check("""
            Wallet,CHAIN,Amount,Reference,Memo,Account\r
            \(Wallets.a),ethereum,100,2026-11-A-01,"Ops, November",\r
            \(Wallets.b.lowercased()),137,12.5,,"tab\there",other\r
            \(Wallets.c),Base,0.01,2026-11-A-03,,
            """)
        #expect(summary.rows == 3)
        #expect(rows.count == 3)
        #expect(summary.total == (try Micros(parsing: "112.51")))
        #expect(summary.totalsByChain[137] == (try Micros(parsing: "12.5")))
        #expect(rows[1].wallet.checksummed == Wallets.b)
        #expect(rows[1].account == "other")
        #expect(rows[0].account == "acct")
        #expect(rows[0].memo == "Ops, November")
        #expect(rows[1].reference == nil)
        #expect(rows[2].chain == .base)
    }

    /// A charges export has a plan's columns (wallet, chain_id, amount) and more: read as a
    /// plan, `topup` bought its rows, paid and expired ones, again (probe 140). Refused, naming
    /// the command that takes it; semicolons instead of commas are named too.
    /// Excel's first line naming the separator is said as that, not as every column
    /// missing (probe 448).
    @Test func aSpreadsheetsSeparatorLineIsNamed() throws {
        #expect(try problems("sep=,\nwallet,chain_id,amount\n\(Wallets.a),1,10\n")
            == ["plan.csv:1: is a spreadsheet's \"sep=,\" line, which names the separator and is no header: delete that line, "
                + "so that the header is the first"])
    }

    /// A currency column naming another currency than USD refuses its row: ignored, a plan
    /// of `25,EUR` bought 25 USD (probe 448). USD in any letter case, or nothing, is taken.
    @Test func aRowInAnotherCurrencyIsRefused() throws {
        let found = try problems("wallet,chain_id,amount,currency\n\(Wallets.a),1,25,EUR\n\(Wallets.b),1,10, usd \n\(Wallets.c),1,5,\n")
        #expect(found == ["plan.csv:2: currency: \"EUR\" is not USD, and every amount here is USD; write the row's amount in USD "
            + "(with USD or nothing here), or, if this column names something else (what a charge was paid in) and the amount "
            + "is USD already, rename the column"])
        let (summary, rows) = try check("wallet,chain_id,amount,Amount_Currency\n\(Wallets.b),1,10,USD\n\(Wallets.c),1,5,\n")
        #expect(summary.total == Micros(raw: 15_000_000) && rows.count == 2)
        #expect(try problems("wallet,chain_id,amount,currency,currency_code\n\(Wallets.b),1,10,USD,USD\n").first?
            .contains("columns \"currency\", \"currency_code\" all mean currency; keep one") == true)
        // A no-break space in the cell is named: `"USD "` read as the `USD ` that is taken (probe 454).
        #expect(try problems("wallet,chain_id,amount,currency\n\(Wallets.a),1,25,USD\u{A0}\n").first?
            .hasPrefix("plan.csv:2: currency: \"USD\u{A0}\" (it holds U+00A0 NO-BREAK SPACE) is not USD") == true)
    }

    @Test func aChargesFileIsNoPlan() throws {
        let found = try problems("""
            charge_id,amount,wallet,chain_id,created_at,status,paid_at
            ch_1,10,\(Wallets.a),8453,2026-11-01T00:00:00Z,paid,2026-11-01T00:10:00Z
            """)
        #expect(found == ["plan.csv:1: the header has charge_id and paid_at: it is a charges file (charges already made), not "
            + "a plan of top-ups to buy, and topup would buy its rows again; record it with `credit-recon import charges "
            + "FILE`, and give topup a plan of wallet,chain_id,amount,reference,memo"])
        // That alone, not after a "required column … is missing" for each (probe 189).
        #expect(try problems("Wallet;Chain_ID;Amount\n\(Wallets.a);1;10\n")
            == ["plan.csv:1: the header's columns are separated by semicolons; the file must use commas (save it as CSV with , "
                + "as the separator)"])
        // Tabs too: each column was said missing (probe 255).
        #expect(try problems("wallet\tchain_id\tamount\n\(Wallets.a)\t1\t10\n")
            == ["plan.csv:1: the header's columns are separated by tabs; the file must use commas (save it as CSV with , "
                + "as the separator)"])
        #expect(try problems("observed_at,total_credits,total_usage\n2026-11-01T00:00:00Z,1,0\n")
            == ["plan.csv:1: the header is a snapshots file's: `credit-recon import snapshots FILE` takes it"])
        // `id`, the charges file's other name for charge_id, beside a charge's columns (probe 148).
        #expect(try problems("id,amount,wallet,chain_id,created_at,expires_at,reference\nx,10,\(Wallets.a),1,2026-11-01,,r\n")
            .first?.hasPrefix("plan.csv:1: the header has id and created_at and expires_at: it is a charges file") == true)
        // A plan's own columns of those names alone are no other file's.
        #expect(try check("wallet,chain_id,amount,status\n\(Wallets.a),1,10,approved\n").0.rows == 1)
        #expect(try check("id,wallet,chain_id,amount\n7,\(Wallets.a),1,10\n").0.rows == 1)
    }

    /// A reference shaped like the key `topup` names a row without a reference by would
    /// make `import charges` resolve the wrong row: refused.
    @Test func aReferenceShapedLikeAKeyIsRefused() throws {
        let problem = try oneProblem("\(Wallets.b),1,10,row/default/topups/x,")
        #expect(problem.contains("reference: \"row/default/topups/x\" begins with \"row/\""), "\(problem)")
    }

    @Test func senderAndChainAliases() throws {
        let (_, rows) = try check("sender,chain,amount\n\(Wallets.a),8453,5\n")
        #expect(rows.first?.chain == .base)
    }

    @Test func missingRequiredColumnsAreNamed() throws {
        let found = try problems("wallet,memo\n\(Wallets.a),x\n")
        #expect(found.contains { $0.hasPrefix("plan.csv:1:") && $0.contains("\"chain_id\" (or chain)") })
        #expect(found.contains { $0.contains("\"amount\"") })
    }

    @Test func duplicateHeaderIsRefused() throws {
        let found = try problems("wallet,sender,chain_id,amount\n\(Wallets.a),\(Wallets.a),1,5\n")
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("plan.csv:1: columns \"wallet\", \"sender\" all mean wallet") == true)
    }

    @Test func emptyFileIsRefused() throws {
        let found = try problems("")
        #expect(found.first?.contains("is empty") == true)
    }

    @Test func unsupportedChainId() throws {
        let found = try oneProblem("\(Wallets.a),56,10,,")
        #expect(found == "plan.csv:3: chain_id: \"56\" is not a supported chain; use 1 (ethereum), 137 (polygon) or 8453 (base)")
    }

    /// A sign where none is written is a column mixed up, as for amounts: `+1` was read as
    /// ethereum (probe 210). Leading zeros are the same number.
    @Test func aChainIdWithASignIsRefused() throws {
        for chain in ["+1", "-1", "+8453"] {
            #expect(try oneProblem("\(Wallets.a),\(chain),10,,").hasPrefix("plan.csv:3: chain_id: \"\(chain)\" is not a supported chain"))
        }
        #expect(Chain(text: "08453") == .base && Chain(text: "BASE") == .base)
    }

    /// A character that cannot be seen is named, not shown as a `?` the file does not hold
    /// (probe 210: `contains "?", which is not a hex digit`).
    @Test func anInvisibleCharacterIsNamed() throws {
        let wallet = try oneProblem("\(Wallets.a)\u{200B},1,10,,")
        #expect(wallet.contains("contains U+200B ZERO WIDTH SPACE, which is not a hex digit"), "\(wallet)")
        let amount = try oneProblem("\(Wallets.a),1,1\u{200B}0,,")
        #expect(amount.contains("is not a plain decimal number; it holds U+200B ZERO WIDTH SPACE; write digits"), "\(amount)")
        let wide = try oneProblem("\(Wallets.a.dropLast())\u{FF46},1,10,,")
        #expect(wide.contains("contains \"\u{FF46}\" (U+FF46 FULLWIDTH LATIN SMALL LETTER F), which is not a hex digit"), "\(wide)")
    }

    @Test func unsupportedChainName() throws {
        #expect(try oneProblem("\(Wallets.a),solana,10,,").hasPrefix("plan.csv:3: chain_id: \"solana\" is not a supported chain"))
    }

    /// A reference is matched byte for byte in the ledger: "Café" written decomposed, or
    /// with a no-break space at its end, or a zero-width space among its ASCII characters,
    /// was a second top-up of the same row; a code point no text holds is refused anywhere.
    /// Composed accents are fine; what only looks like another name is the plan's
    /// (`TopUpEngineTests.aReferenceThatLooksLikeAnotherIsRefused`).
    @Test func aReferenceIsOneStringOfBytesHoweverItWasTyped() throws {
        #expect(try oneProblem("\(Wallets.a),1,10,Cafe\u{301}-Q4,").hasPrefix(
            "plan.csv:3: reference: \"Cafe\u{301}-Q4\" is written with decomposed accents; write it in composed form (Unicode NFC)"))
        #expect(try oneProblem("\(Wallets.a),1,10,Q4\u{A0},").hasPrefix(
            "plan.csv:3: reference: begins or ends with an invisible space (U+00A0 NO-BREAK SPACE)"))
        #expect(try oneProblem("\(Wallets.a),1,10,\u{202E}Q4,").hasPrefix(
            "plan.csv:3: reference: begins or ends with an invisible character (U+202E RIGHT-TO-LEFT OVERRIDE)"))
        // Inside the name as well (probe 88: "2026-11-A-0\u{200B}1" was a second charge of the paid "2026-11-A-01"), a
        // direction control anywhere (between Cyrillic letters it reordered what a viewer shows, probe 92), a code
        // point no text holds: problems of a new row, which the reader says in its summary (a done row is history).
        func newRowProblem(_ reference: String) throws -> String {
            let (summary, _) = try check("wallet,chain_id,amount,reference\n\(Wallets.a),1,10,\(reference)\n")
            return summary.newRowProblems(file: "plan.csv")?.errors.first?.description ?? "none"
        }
        #expect(try newRowProblem("2026-11-A-0\u{200B}1") ==
            "plan.csv:2: reference: holds an invisible character (U+200B ZERO WIDTH SPACE) as its character 12; remove it: "
            + "a reference is matched byte for byte, and what looks the same would be another top-up")
        for (reference, said) in [
            ("A\u{200D}BC", "holds an invisible character (U+200D ZERO WIDTH JOINER) as its character 2"),
            ("A\u{FE0F}BC", "holds an invisible character (U+FE0F VARIATION SELECTOR-16) as its character 2"),
            ("\u{416}\u{202E}\u{416}1-CBA", "holds a direction control (U+202E RIGHT-TO-LEFT OVERRIDE) as its character 2"),
            ("INV-2026-11\u{2800}", "begins or ends with an invisible character (U+2800 BRAILLE PATTERN BLANK)"),
            ("REF-9\u{E000}", "begins or ends with a character no text holds (U+E000)"),
            ("\u{4E00}\u{378}\u{4E8C}", "holds a character no text holds (U+0378) as its character 2"),
        ] {
            #expect(try newRowProblem(reference).hasPrefix("plan.csv:2: reference: \(said)"), "\(reference)")
        }
        let (_, others) = try check("wallet,chain_id,amount,reference\n\(Wallets.a),1,10,Счёт-7\n\(Wallets.a),1,10,Δέλτα 4\n"
            + "\(Wallets.a),1,10,請求書　11月\n\(Wallets.a),1,10,می\u{200C}خواهم\n\(Wallets.a),1,10,Q4 \u{2764}\u{FE0F}\n")
        #expect(others.map(\.reference) == ["Счёт-7", "Δέλτα 4", "請求書　11月", "می\u{200C}خواهم", "Q4 \u{2764}\u{FE0F}"])
        let (_, rocket) = try check("wallet,chain_id,amount,reference\n\(Wallets.a),1,10,Caf\u{E9}-Q4 \u{1F680}\n")
        #expect(rocket.map(\.reference) == ["Caf\u{E9}-Q4 \u{1F680}"])
    }

    /// Rows whose references look alike are refused by the reader itself, so `plan check`
    /// without a ledger says so too (it said "all valid", probe 93), in the same bounded
    /// memory as exact repeats; two of ASCII text alone are told apart as typed.
    @Test func lookAlikeReferencesOnOnePlanAreRefused() throws {
        // An exact repeat is the reader's own problem; a look-alike is said in the summary,
        // for the caller to refuse on a row not done yet (`plan check` with no ledger: all).
        let text = "wallet,chain_id,amount,reference\n\(Wallets.a),1,10,INV-2026-001\n"
            + "\(Wallets.a),1,10,INV\u{2013}2026-001\n\(Wallets.a),1,10,\u{FF29}NV-2026-001\n"
        let (summary, _) = try check(text)
        let found = summary.newRowProblems(file: "plan.csv")?.errors.map(\.description) ?? []
        #expect(found.count == 2, "\(found)")
        #expect(found.first?.hasPrefix("plan.csv:3: reference: \"INV\u{2013}2026-001\" looks like the reference \"INV-2026-001\" "
            + "on line 2, but is other text (character 4 is U+2013 EN DASH there, U+002D HYPHEN-MINUS in the other)") == true, "\(found)")
        // A file refused for a row of its own says its look-alikes with it, every problem in one
        // pass (probe 283: said only once the repeat was mended).
        let refused = try problems(text + "\(Wallets.a),1,10,INV-2026-001\n")
        #expect(refused.count == 3 && refused[0].hasPrefix("plan.csv:3: reference: \"INV\u{2013}2026-001\" looks like")
            && refused[1].hasPrefix("plan.csv:4: reference: ") && refused[2] == "plan.csv:5: reference: \"INV-2026-001\" is already "
            + "used on line 2; each reference names one top-up, so give this row its own", "\(refused)")
        let (ascii, rows) = try check("wallet,chain_id,amount,reference\n\(Wallets.a),1,10,ABC-1\n\(Wallets.a),1,10,ABC-l\n")
        #expect(rows.map(\.reference) == ["ABC-1", "ABC-l"] && ascii.newRowProblems.isEmpty)
        // Unless they differ only in letter case or spacing.
        let (typed, _) = try check("wallet,chain_id,amount,reference\n\(Wallets.a),1,10,INV 2026 001\n\(Wallets.a),1,10,inv 2026  001\n")
        #expect(typed.newRowProblems[3]?.hasPrefix("\"inv 2026  001\" looks like the reference \"INV 2026 001\" on line 2") == true,
                "\(typed.newRowProblems)")
    }

    @Test func amountWithMoreThanTwoDecimals() throws {
        #expect(try oneProblem("\(Wallets.a),1,12.345,,") == "plan.csv:3: amount: \"12.345\" has more than 2 decimals; write whole cents, e.g. 12.35")
    }

    @Test func amountZero() throws {
        #expect(try oneProblem("\(Wallets.a),1,0.00,,").hasPrefix("plan.csv:3: amount: \"0.00\" is not more than 0"))
    }

    @Test func amountNegative() throws {
        #expect(try oneProblem("\(Wallets.a),1,-5,,").hasPrefix("plan.csv:3: amount: \"-5\" has a minus sign"))
    }

    @Test func amountWithPlusSign() throws {
        #expect(try oneProblem("\(Wallets.a),1,+5,,").hasPrefix("plan.csv:3: amount: \"+5\" has a sign"))
    }

    @Test(arguments: ["1e3", "1 000", "$5", "1,000", "5.", ".5", "1.2.3", "abc"])
    func amountNotPlainDecimal(_ amount: String) throws {
        let found = try oneProblem("\(Wallets.a),1,\"\(amount)\",,")
        #expect(found.hasPrefix("plan.csv:3: amount: \"\(amount)\" is not a plain decimal number"))
    }

    @Test func amountEmpty() throws {
        #expect(try oneProblem("\(Wallets.a),1,,,").hasPrefix("plan.csv:3: amount: is empty"))
    }

    @Test func amountAboveMaxAmount() throws {
        #expect(try oneProblem("\(Wallets.a),1,10000.01,,").hasPrefix("plan.csv:3: amount: \"10000.01\" is more than the 10000 USD allowed per row"))
        // Past what any amount may be, the row's limit all the same (probe 314: "at most
        // 1000000000 USD", a limit no row may reach).
        #expect(try oneProblem("\(Wallets.a),1,99999999999999999999,,").hasPrefix(
            "plan.csv:3: amount: \"99999999999999999999\" is more than the 10000 USD allowed per row"))
        let found = try problems("wallet,chain_id,amount\n\(Wallets.a),1,51\n", maxAmount: Micros(raw: 50_000_000))
        #expect(found.first?.contains("more than the 50 USD allowed per row") == true)
        // At the largest charge, no higher --max-amount to suggest (probe 325).
        let ceiling = try problems("wallet,chain_id,amount\n\(Wallets.a),1,1000000.01\n", maxAmount: .largestCharge)
        #expect(ceiling.first?.hasSuffix("is more than the 1000000 USD allowed per row; split it into several rows, the largest "
            + "charge this tool takes") == true, "\(ceiling)")
        // Exactly the maximum is allowed.
        _ = try check("wallet,chain_id,amount\n\(Wallets.a),1,10000\n")
    }

    @Test func walletChecksumMismatch() throws {
        let found = try oneProblem("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeaEd,1,10,,")
        #expect(found.hasPrefix("plan.csv:3: wallet: \"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeaEd\" fails its EIP-55 checksum"))
        #expect(found.contains("copy the address again from the wallet"), "\(found)")
    }

    @Test func walletZeroAddress() throws {
        #expect(try oneProblem("0x0000000000000000000000000000000000000000,1,10,,").contains("wallet: \"0x0000000000000000000000000000000000000000\" is the zero address"))
    }

    @Test func walletMalformed() throws {
        #expect(try oneProblem("0x1234,1,10,,").hasPrefix("plan.csv:3: wallet: \"0x1234\" has 4 hex digits after 0x instead of 40"))
        #expect(try oneProblem(",1,10,,").hasPrefix("plan.csv:3: wallet: is empty"))
    }

    @Test func duplicateReference() throws {
        let found = try oneProblem("\(Wallets.b),1,10,ok-1,")
        #expect(found == "plan.csv:3: reference: \"ok-1\" is already used on line 2; each reference names one top-up, so give this row its own")
    }

    @Test func referenceUsedThreeTimesNamesTheFirstLineEachTime() throws {
        let found = try problems("reference,wallet,chain_id,amount\nx,\(Wallets.a),1,1\ny,\(Wallets.a),1,1\nx,\(Wallets.b),1,1\nx,\(Wallets.c),1,1\n")
        #expect(found.count == 2)
        #expect(found.allSatisfy { $0.contains("reference: \"x\" is already used on line 2") })
        #expect(found.first?.hasPrefix("plan.csv:4:") == true)
    }

    @Test func memoWithControlCharacter() throws {
        let found = try oneProblem("\(Wallets.b),1,10,,\"two\nlines\"")
        #expect(found.hasPrefix("plan.csv:3: memo: contains a line break"))
    }

    @Test func accountWithControlCharacter() throws {
        let found = try oneProblem("\(Wallets.b),1,10,,,\"a\u{7}b\"", header: "wallet,chain_id,amount,reference,memo,account")
        #expect(found.hasPrefix("plan.csv:3: account: contains a control character (U+0007)"))
    }

    @Test func raggedRowIsReportedAndOthersStillChecked() throws {
        let found = try problems("wallet,chain_id,amount\n\(Wallets.a),1\n\(Wallets.b),1,1.001\n")
        #expect(found.count == 2)
        #expect(found[0].hasPrefix("plan.csv:2: has 2 fields"))
        #expect(found[1].hasPrefix("plan.csv:3: amount:"))
    }

    @Test func everyErrorIsListedNotOnlyTheFirst() throws {
        let found = try problems("""
            wallet,chain_id,amount,reference
            \(Wallets.a),1,10,r1
            \(Wallets.a),2,10,r2
            \(Wallets.a),1,0,r3
            \(Wallets.a),1,10,r1
            0xabc,1,10,r5
            0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeaEd,1,10,r6
            """)
        #expect(found.map { $0.split(separator: ":").prefix(3).joined(separator: ":") } == [
            "plan.csv:3: chain_id", "plan.csv:4: amount", "plan.csv:5: reference", "plan.csv:6: wallet", "plan.csv:7: wallet",
        ])
    }

    @Test func missingFileIsNoInput() throws {
        #expect {
            try PlanReader(path: dir.path("nope.csv"), defaultAccount: "a").read()
        } throws: { error in
            (error as? CSVError)?.exitStatus == .noInput
        }
    }

    /// A folder, or a pipe (`/dev/stdin`, `<(…)`), is no input file (66), and the message
    /// says why a pipe cannot be one: input files are read twice. It said only "is not a
    /// regular file" (probe 67).
    @Test func aFolderOrAPipeIsNoInputAndSaysWhy() throws {
        let fifo = dir.path("pipe.csv")
        try #require(mkfifo(fifo, 0o600) == 0)
        for (path, said) in [(dir.path(""), "is a folder, not a file"),
                             (fifo, "is not a regular file (a pipe or a device), which can be read only once, and input files "
                                + "are read twice (checked whole, then stored): save it to a file and give that file")] {
            #expect {
                try PlanReader(path: path, defaultAccount: "a").read()
            } throws: { error in
                (error as? CSVError)?.exitStatus == .noInput && String(describing: error).hasSuffix(said)
            }
        }
    }

    /// Wallets are checked on another core a batch at a time: rows and problems must still
    /// come out in line order, each line's problems in column order, across batch edges.
    @Test func problemsAndRowsStayInLineOrderAcrossWalletBatches() throws {
        let batch = PlanReader.walletBatch
        let flipped = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"  // last letter's case flipped
        var lines = ["wallet,chain_id,amount,reference"]
        var expected: [String] = []
        for index in 1...(2 * batch + 10) {
            let line = index + 1
            switch line {
            case 2, batch + 1, 2 * batch + 2:
                // A bad wallet and a bad amount on one line: wallet first, as the columns go.
                lines.append("\(flipped),1,0,r\(index)")
                expected.append("plan.csv:\(line): wallet:")
                expected.append("plan.csv:\(line): amount:")
            case batch + 2:
                lines.append("\(Wallets.a),1,10,r\(index),extra")  // a ragged row, reported by the reader
                expected.append("plan.csv:\(line):")
            case 2 * batch + 1:
                lines.append(",1,10,r\(index)")
                expected.append("plan.csv:\(line): wallet:")
            default:
                lines.append("\(index % 2 == 0 ? Wallets.a : Wallets.b),8453,1,r\(index)")
            }
        }
        let found = try problems(lines.joined(separator: "\n") + "\n")
        #expect(found.count == expected.count, "\(found)")
        for (problem, prefix) in zip(found, expected) {
            #expect(problem.hasPrefix(prefix), "\(problem) should start with \(prefix)")
        }

        // A valid plan of the same size: every row handed over once, in line order.
        let valid = ["wallet,chain_id,amount"] + (1...(2 * batch + 10)).map { "\($0 % 2 == 0 ? Wallets.a : Wallets.b),1,1" }
        let (summary, rows) = try check(valid.joined(separator: "\n") + "\n")
        #expect(summary.rows == 2 * batch + 10)
        #expect(rows.map(\.line) == Array(2...(2 * batch + 11)))
        #expect(rows.allSatisfy { $0.wallet.checksummed == ($0.line % 2 == 0 ? Wallets.b : Wallets.a) })
    }
}
