import Foundation
import Ledger

extension CommandContext {
    /// The ledger's path as its messages name it: a line break or a terminal's control
    /// character in it shown as `?`, so that the message stays one line (probe 398).
    var shownPath: String { TerminalText.printable(ledgerPath) }

    /// What is at the ledger's location before anything opens it.
    public enum LedgerFile: Sendable, Equatable {
        /// No file (or a PostgreSQL database without the ledger's tables): a writer creates
        /// a new ledger, a reader has nothing to read.
        case missing
        /// A 0-byte file with no write-ahead log behind it. The tool writes the schema in the
        /// transaction that creates the file, so this is a truncated ledger; opening it would
        /// quietly start new, empty books in its place.
        case truncated
        /// A file with content.
        case present
        /// Something that is not a file: "a folder", "a pipe", "a device"; `instead`, the
        /// name to give in its place.
        case notAFile(String, instead: String)
    }

    /// The writer at work on the ledger now, seen without taking or waiting for its lock
    /// (`Ledger.runningWriter(at:)`): `writer` is `nil` when none is; `unseen` says why that
    /// cannot be told, when it cannot.
    public func runningWriter() -> (writer: RunningWriter?, unseen: WriterUnseen?) {
        guard let location = try? ledgerLocation() else { return (nil, nil) }
        do throws(WriterUnseen) {
            return (try Ledger.runningWriter(at: location), nil)
        } catch {
            return (nil, error)
        }
    }

    /// The state of the file at `ledgerPath`.
    public var ledgerFile: LedgerFile {
        var info = stat()
        guard stat(ledgerPath, &info) == 0 else {
            // Links that lead back to themselves name no file, nor one to make.
            if errno == ELOOP { return .notAFile("a loop of symbolic links", instead: "books.sqlite") }
            // A file named as a folder (`books.sqlite/`) read as no books at all (probe 232).
            if errno == ENOTDIR, let file = Self.fileOnTheWay(to: ledgerPath) {
                return .notAFile("a path through the file \(file), as if that file were a folder", instead: file)
            }
            return .missing
        }
        let folder = ledgerPath + "/"
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: return .notAFile("a folder", instead: folder + "ledger.sqlite")
        case S_IFIFO: return .notAFile("a pipe", instead: "books.sqlite")
        default: return .notAFile("a device or a socket", instead: "books.sqlite")
        }
        var log = stat()
        if info.st_size == 0, stat(ledgerPath + "-wal", &log) != 0 || log.st_size == 0 { return .truncated }
        return .present
    }

    /// The first leading part of `path` that is a file, not a folder (`books.sqlite` of
    /// `books.sqlite/` or `books.sqlite/x`), when one is.
    private static func fileOnTheWay(to path: String) -> String? {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for part in path.split(separator: "/") {
            prefix += part
            var info = stat()
            guard stat(prefix, &info) == 0 else { return nil }
            if info.st_mode & S_IFMT != S_IFDIR { return prefix }
            prefix += "/"
        }
        return nil
    }

    /// What `verify` and the refusals below say about a truncated ledger.
    public var truncatedLedgerProblem: String {
        "the file \(shownPath) is empty (0 bytes): the ledger was truncated; restore it from a backup "
            + "(or delete it to start new books)"
    }

    /// What readers (`report`, `status`, `verify`) say when there is no ledger at the path:
    /// what to do, and what a `.creating` file beside it is, so nobody mistakes an
    /// unfinished import's file for the books (or deletes the books looking for them).
    public var missingLedgerProblem: String {
        if case .postgres(let database)? = try? ledgerLocation() {
            return "no ledger in the database \(database): run `credit-recon fetch` or `credit-recon import snapshots FILE` first, "
                + "or copy existing books there with `credit-recon ledger copy --to URL`"
        }
        if ledgerFile == .present {
            return "\(shownPath) is a SQLite database holding no tables, not a ledger; nothing was changed in it. Run "
                + "`credit-recon fetch` or `credit-recon import snapshots FILE` to start the books in it, or pass --ledger PATH"
        }
        // Not "run fetch first" where a ledger may well be, out of this user's reach, or the
        // command's own folder gone (probe 336: the writers said so, the readers did not).
        var info = stat()
        if stat(ledgerPath, &info) != 0, errno == EACCES {
            return "cannot reach \(shownPath): \(String(cString: strerror(EACCES))): a folder on its path may not be searched "
                + "by this user, so whether a ledger is there cannot be told; check the folders' permissions (ls -ld each), "
                + "or run the command as the ledger's owner"
        }
        var cwd = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        if !ledgerPath.hasPrefix("/"), getcwd(&cwd, cwd.count) == nil {
            return "cannot reach \(shownPath): the folder this command runs in is gone (deleted while the shell stood in it): "
                + "cd to a folder that is there, or give the ledger's absolute path"
        }
        var message = "no ledger at \(shownPath): run `credit-recon fetch` or `credit-recon import snapshots FILE` first, or pass --ledger PATH"
        // Beside the file a link names, where a new ledger is built (`Ledger.create`).
        let staging = Ledger.followingLinks(ledgerPath) + ".creating"
        if FileManager.default.fileExists(atPath: staging) {
            message += "; \(staging) is not a ledger but the unfinished one of an import or a ledger copy "
                + "into a new ledger that is still running or was stopped (the next import, copy, fetch or topup replaces it)"
        }
        return message
    }

    /// Refuses a SQLite ledger that is missing where this host wrote one (its witness says
    /// so): deleted or moved, said as that (74) by every command, not as "no ledger, run
    /// fetch first", and never made again empty (probes 417, 418, 420: `plan check` said the
    /// file alone was checked).
    public func refuseGoneLedger() throws {
        // By the path's shape: parsing a URL reads the password file again.
        guard !PostgresLocation.isURL(ledgerPath), ledgerFile == .missing else { return }
        if let gone = try Ledger.goneLedger(at: ledgerPath) { throw gone }
    }

    /// The ledger this command's account is written to or previewed in, or `nil` when there
    /// is none yet (`existingLedger()`), refused as every writer refuses it: with an account
    /// label looking like one it holds (`refuseLookAlikeAccount`), or, when there is none,
    /// gone from where this host wrote it (`refuseGoneLedger`).
    /// `opened` hears the ledger as it is opened, before the check (which reads it).
    public func existingLedgerForAccount(opened: (Ledger) -> Void = { _ in }) throws -> Ledger? {
        guard let ledger = try existingLedger() else {
            try refuseGoneLedger()
            return nil
        }
        opened(ledger)
        try refuseLookAlikeAccount(in: ledger)
        return ledger
    }

    /// Refuses this command's account label when the ledger does not hold it but holds one
    /// it looks like (`DEFAULT` beside `default`, a full-width `ｄefault`): a writer would
    /// open a second account, its readings or charges out of the books read (`import
    /// snapshots --account DEFAULT` made one). 64 for `--account`, 78 for
    /// `CREDIT_RECON_ACCOUNT`, 64 when none was named (the `default` label).
    public func refuseLookAlikeAccount(in ledger: Ledger) throws {
        guard let like = LookAlikeName.heldAccount(like: account, in: try ledger.read { try $0.accounts() }) else { return }
        let named: String
        switch accountOrigin {
        case .option: named = "--account"
        case .environment: named = "CREDIT_RECON_ACCOUNT"
        case .defaulted: named = "the account (none was named, so \"default\")"
        }
        let problem = "\(named): "
            + LookAlikeName.accountCollision(account, looksLike: like, writer: "this command", written: "what it writes")
            + (accountOrigin == .defaulted ? " (pass --account \(TerminalText.printable(like)))" : "")
        throw accountOrigin == .environment ? UsageError.config(problem) : UsageError.usage(problem)
    }

    /// Opens the ledger, creating it when it is missing unless `mustExist` (readers: `report`,
    /// `status`, which exit 66 instead). A truncated ledger is never opened: exit 74.
    ///
    /// Writers call this under the writer lock, so only one of them ever creates a ledger.
    public func openLedger(mustExist: Bool = false) throws -> Ledger {
        if let ledger = try existingLedger() { return ledger }
        let location = try ledgerLocation()
        try refuseGoneLedger()
        if mustExist { throw UsageError(message: missingLedgerProblem, exitStatus: .noInput) }
        if case .file = location, ledgerFile == .missing { try createLedger() }
        return try Ledger(location)
    }

    /// The ledger for `verify`, opened to be checked (`Ledger(checking:)`): nothing is
    /// written to it. No ledger there exits 66, a truncated file 74.
    public func ledgerToCheck() throws -> Ledger {
        guard let ledger = try existingLedger(checking: true) else {
            try refuseGoneLedger()
            throw UsageError(message: missingLedgerProblem, exitStatus: .noInput)
        }
        return ledger
    }

    /// The ledger, or `nil` when there is none yet (no file; a database without the
    /// ledger's tables, left as it is). Opening is what tells, on the one connection the
    /// ledger then uses. A truncated file is refused: exit 74; a database another process's
    /// writer is filling (a `ledger copy`, a first import) too: 75, naming it. `checking`:
    /// opened to be checked (`ledgerToCheck()`).
    public func existingLedger(checking: Bool = false) throws -> Ledger? {
        let location = try ledgerLocation()
        func open() throws -> Ledger? {
            do {
                return try checking ? Ledger(checking: location) : Ledger(location, create: false)
            } catch LedgerError.noLedger(_, nil) {
                return nil
            }
        }
        guard case .file = location else { return try open() }
        switch ledgerFile {
        case .missing: return nil
        case .truncated: throw UsageError(message: truncatedLedgerProblem, exitStatus: .ioError)
        case .notAFile(let kind, let instead):
            throw UsageError.usage("the ledger \(shownPath) is \(kind), not a ledger file; name the ledger's file, e.g. \(instead)")
        case .present:
            try refuseCompanionFile()
            return try open()
        }
    }

    /// The files kept beside a ledger, by the suffix of their names, and what is written
    /// into them: the writer's, and SQLite's own, which SQLite reads as that ledger's and
    /// removes or rolls back when the ledger is opened.
    private static let companions = [
        (suffix: ".lock", file: "the writer lock file", content: "that ledger's writers write their pid into"),
        (suffix: ".head", file: "the witness of the newest entry", content: "that ledger's writers write that entry into"),
        (suffix: "-wal", file: "SQLite's write-ahead log", content: "SQLite reads as that ledger's pages, and removes, when it opens it"),
        (suffix: "-shm", file: "SQLite's index of the write-ahead log", content: "SQLite writes over when it opens that ledger"),
        (suffix: "-journal", file: "SQLite's rollback journal", content: "SQLite reads as that ledger's pages, and removes, when it opens it"),
        (suffix: ".creating", file: "the new ledger an import or a copy builds", content: "an import or a copy into it writes over"),
    ]

    /// Whether a regular file is at `path`.
    private static func isFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFREG
    }

    /// Refuses (64) a file named as the ledger that is a file kept beside a ledger there (its
    /// lock file or head witness read as "not a SQLite database … restore it from a backup",
    /// 66; a ledger made as another's `-wal` was removed, books and all, by that ledger's next
    /// command, probe 239). A ledger of such a name with no ledger beside it is opened.
    private func refuseCompanionFile() throws {
        let named = Ledger.followingLinks(ledgerPath)
        for companion in Self.companions where named.hasSuffix(companion.suffix) {
            let ledger = String(named.dropLast(companion.suffix.count))
            guard Self.isFile(ledger) else { continue }
            throw UsageError.usage("the ledger \(shownPath) is the name of \(companion.file) of the ledger \(ledger) beside it, "
                + "which \(companion.content); name \(ledger) to use those books, or move this file to a name of its own "
                + "(e.g. books.sqlite) if it is a ledger")
        }
    }

    /// Takes the ledger's writer lock (see `Ledger.lockWriter(at:)`), after making sure a
    /// file at the ledger's path is a ledger (or a database holding no tables, which the
    /// writer makes one): a folder, a device, another application's database or a damaged
    /// file is refused first, so no `.lock` file is left beside it (`/dev/null.lock`).
    public func lockWriter() throws -> LedgerWriterLock {
        let location = try ledgerLocation()
        if case .file(let path) = location {
            switch ledgerFile {
            case .present, .notAFile: _ = try existingLedger()
            case .missing, .truncated: break  // made by the writer; refused by it (`ledger copy` fills an empty file)
            }
            // A new ledger named as the lock file of another (`books.sqlite.lock`) was written
            // over by that ledger's next writer (probe 74); one made so earlier is still opened.
            // An empty file there is that lock file, not a truncated ledger to delete (probe 75).
            // So is one named as the witness of another's head (`books.sqlite.head`): that
            // ledger's writers then kept none, without a word (probe 162).
            for companion in Self.companions where ledgerFile == .missing || ledgerFile == .truncated {
                guard path.hasSuffix(companion.suffix) || Ledger.followingLinks(path).hasSuffix(companion.suffix) else { continue }
                let named = Ledger.followingLinks(path)
                let ledger = String(named.dropLast(companion.suffix.count))
                throw UsageError.usage("the ledger \(shownPath) would be made as \(named), the name of \(companion.file) of "
                    + (Self.isFile(ledger) ? "the ledger \(ledger) beside it" : "a ledger \(ledger), were one made there")
                    + ", which \(companion.content); name it otherwise, e.g. books.sqlite")
            }
        }
        return try Ledger.lockWriter(at: location)
    }

    /// Runs `body` on the ledger for an import (or a `ledger copy`), which writes everything in one transaction
    /// and sends nothing out. A missing SQLite ledger is created and filled by
    /// `Ledger.create`: built beside its path with each page written once, and put in place
    /// only if `body` succeeds, so a failed or killed import leaves no ledger, as it leaves
    /// an existing one unchanged. A PostgreSQL database holding no ledger gets its tables in
    /// the import's transaction, rolled back with it (`Ledger(creatingWithFirstWrite:)`).
    /// Otherwise the same as `openLedger()`.
    /// `copying`: a copy of books, which may be the books this host wrote there (back from
    /// PostgreSQL, say), and checks that itself; an import into a ledger this host wrote and
    /// that is gone is refused as that (probe 418: said as a backup put in its place).
    public func withLedgerForImport<T>(
        copying: Bool = false, opened: (Ledger) -> Void = { _ in }, _ body: (Ledger) throws -> T
    ) throws -> T {
        switch try ledgerLocation() {
        case .file(let path) where ledgerFile == .missing:
            if !copying { try refuseGoneLedger() }
            return try Ledger.create(at: path) { ledger in
                opened(ledger)
                return try body(ledger)
            }
        case .postgres(let database):
            // A database holding the ledger already: its label checked as a file's is, on
            // the one login that opens it.
            let ledger = try Ledger(creatingWithFirstWrite: database)
            opened(ledger)
            if !ledger.tablesPending { try refuseLookAlikeAccount(in: ledger) }
            return try body(ledger)
        case .file:
            // The label once, before a row of it is read (the rows' own labels are the
            // import's to check): said of every row, it blamed a file cell that was not there
            // (probe 243).
            let ledger = try openLedger()
            opened(ledger)
            try refuseLookAlikeAccount(in: ledger)
            return try body(ledger)
        }
    }

    /// Creates a new, empty ledger (see `Ledger.create`), so that a process killed while
    /// creating it leaves no ledger rather than a half-made one that would look truncated.
    private func createLedger() throws {
        try Ledger.create(at: ledgerPath) { _ in }
    }
}

extension CommandContext {
    /// What a write of one transaction (an import, a `ledger copy`) stopped before its
    /// commit leaves at the ledger's location, in words; read before the write starts.
    public func leftByAStoppedWrite() throws -> String {
        switch (try ledgerLocation(), ledgerFile) {
        case (.file(let path), .missing): "no ledger was made at \(path)"
        // `ledger copy` makes an empty file's tables before its transaction.
        case (.file(let path), .truncated): "\(path) holds an empty ledger (the tables, no entry), which a copy run again fills"
        case (let location, _): "the ledger \(location) is as it was"
        }
    }

    /// Runs the import of `file` (`body`, one transaction) into the ledger
    /// (`withLedgerForImport`), as `import` and `record` do: `body` tells the closure it is
    /// given the rows done after each batch, which draws them on `progress` and, once
    /// SIGINT or SIGTERM came, throws `StoppedBySignal` (75), so the transaction rolls back
    /// and a new ledger is never put in place; and the second closure once its last batch
    /// is handed over, after which a signal is said as coming while it finishes
    /// (`Interruption.finishing()`). A signal that comes as the import waits for another
    /// session's lock on the ledger stops it there (`givingUpLockWaits`).
    public func importing<T>(
        _ file: String, progress: ProgressLine,
        _ body: (Ledger, @escaping (Int) throws -> Void, @escaping () -> Void) throws -> T
    ) throws -> T {
        let left = try leftByAStoppedWrite()
        return try Interruption.stoppingBetweenBatches(
            "the import of \(file)", then: "nothing of it is written", logger: logger
        ) { interruption in
            let stopped = "the import of \(file) wrote nothing, and \(left); run it again to import the file"
            return try interruption.givingUpLockWaits(outcome: stopped) { opened in
                try withLedgerForImport(opened: opened) { ledger in
                    try progress.during {
                        try body(ledger, { rows in
                            try interruption.stopIfSignalled(stopped)
                            progress.update(rows)
                        }, { interruption.finishing() })
                    }
                }
            }
        }
    }
}
