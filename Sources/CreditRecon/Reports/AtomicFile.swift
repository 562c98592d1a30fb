import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a file so that readers see the old content or the new, never half of it: the
/// bytes go to a temporary file in the same folder (same file system), are flushed to
/// disk, and the temporary file is renamed over the target.
public enum AtomicFile {
    /// The files no report or export may replace: the SQLite ledger's file and its
    /// companions (`-wal`, `-shm`, `-journal`, `.lock`), by their real paths.
    private static let ledgerFiles = Mutex<Set<String>>([])

    /// Marks the SQLite ledger at `path` and its companion files as never to be written
    /// over: an `--out` naming it, or a report file that is a link to it, would replace
    /// the books with a report.
    static func neverReplace(ledger path: String) {
        guard let real = realPath(ofFileAt: path) else { return }
        ledgerFiles.withLock { files in
            for suffix in ["", "-wal", "-shm", "-journal", ".lock", ".head"] { files.insert(real + suffix) }
        }
    }

    /// The real path of the file `path` names, or would name: its folder resolved, links
    /// and all, and its own name after it; `nil` when the folder is not there.
    private static func realPath(ofFileAt path: String) -> String? {
        if let resolved = realpath(path, nil) {
            defer { free(resolved) }
            return String(cString: resolved)
        }
        let parent = parentFolder(of: path)
        guard let folder = realpath(parent.isEmpty ? "." : parent, nil) else { return nil }
        defer { free(folder) }
        let name = path.split(separator: "/", omittingEmptySubsequences: true).last.map(String.init) ?? path
        let base = String(cString: folder)
        return (base == "/" ? "" : base) + "/" + name
    }

    /// Refuses to write `path` (as resolved) when it is one of the ledger's files.
    private static func refuseLedgerFile(_ path: String, given: String) throws(ReportError) {
        guard let real = realPath(ofFileAt: path), ledgerFiles.withLock({ $0.contains(real) }) else { return }
        throw .refused(given, "it is the ledger's own file (\(real)), which no report or export may replace; pass another --out")
    }

    /// Creates `directory` (and its parents) when missing, with `mkdir` so that a failure
    /// is said in the system's words (Foundation's is "error 512" when a parent is a file);
    /// each folder it made is added to `made`, outermost first.
    static func makeDirectory(_ directory: String, made folders: inout [String]) throws(ReportError) {
        try refuseOthersLinks(on: directory)
        var info = stat()
        if stat(directory, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFDIR else {
                throw .refused(directory, "it exists and is not a folder, where the --out path needs one: pass another --out, or move it away")
            }
            return
        }
        // A loop of links leads nowhere that mkdir could make (probe 359: "which is not there:
        // make that folder" of a link to a link back to it).
        if errno == ELOOP { throw .cannotCreate(directory, errnoText()) }
        // A link to nothing: mkdir finds the name taken, and the files then "No such file or
        // directory" (probe 232).
        if let leadsTo = linkText(directory) {
            throw .refused(directory, "it is a symbolic link to \(leadsTo), which is not there: make that folder "
                + "(mkdir -p), or pass another --out")
        }
        let parent = parentFolder(of: directory)
        if !parent.isEmpty, parent != directory { try makeDirectory(parent, made: &folders) }
        // Run as root, made in the parent's real folder, which only root may change; and one
        // found made by then (in a sticky folder, another user's) is checked as any other.
        let made = geteuid() == 0 ? try inFoldersOnlyRootChanges(directory) : directory
        if mkdir(made, 0o755) == 0 {
            folders.append(made)
        } else if errno != EEXIST {
            throw .cannotCreate(directory, errnoText())
        }
        if geteuid() == 0 { _ = try inFoldersOnlyRootChanges(made, folder: true) }
    }

    /// The folder the command runs in, which a relative `path` is in; refused (73) when it
    /// is gone (deleted while a shell stood in it): Foundation's answer was then "" and the
    /// reports went into `/` (probe 278).
    static func workingFolder(for path: String) throws(ReportError) -> String {
        var folder = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&folder, folder.count) != nil else {
            throw .refused(path, "the folder this command runs in is gone (\(errnoText())): it was deleted while the shell "
                + "stood in it, so a relative path has nowhere to go; cd to a folder that is there, or give an absolute path")
        }
        return String(cString: folder)
    }

    /// Run as root, where `path` is, resolved step by step as `realpath` would, refused (73)
    /// unless every folder it passes through is root's and writable by no one else (sticky
    /// ones, `/tmp`, aside: others may add names there, not change root's) and every link
    /// it follows is root's. Whoever may change a folder on the way, or a link, could swap a
    /// name for a link between any check and the write, or point root's own link at a link
    /// of theirs, and have root write a file of their choosing (a charge id is a line of a
    /// crontab; a device would be written into; probes 83, 84). Every step after uses the
    /// path returned, never the one given. Another user's reports are that user's to write.
    /// Only the last name may be missing (made by this command, below checked folders): a
    /// folder on the way that is not there was taken away meanwhile, and another user could
    /// make it again, theirs, in a sticky folder (probe 85). What is there at the last name
    /// must be root's; with `folder`, a folder no other user may change.
    static func inFoldersOnlyRootChanges(_ path: String, folder wanted: Bool = false) throws(ReportError) -> String {
        func refuse(_ place: String, _ what: String) -> ReportError {
            .refused(path, "run as root, credit-recon writes only through folders and links no other user may change, and "
                + "\(place) is \(what): run it as the user whose books these are (runuser -u USER -- credit-recon …), or "
                + "write elsewhere")
        }
        var pending = ArraySlice((path.hasPrefix("/") ? path : try workingFolder(for: path) + "/" + path)
            .split(separator: "/", omittingEmptySubsequences: true).map(String.init))
        var resolved = "/"
        var links = 0
        while let part = pending.first {
            pending = pending.dropFirst()
            if part == "." { continue }
            if part == ".." {
                resolved = resolved == "/" ? "/" : (parentFolder(of: resolved).isEmpty ? "/" : parentFolder(of: resolved))
                continue
            }
            var folder = stat()
            guard lstat(resolved, &folder) == 0 else { throw .cannotCreate(path, errnoText()) }
            let othersWrite = folder.st_mode & 0o022 != 0, sticky = folder.st_mode & mode_t(S_ISVTX) != 0
            // The folder this step is in: root's, and, when others may write it, sticky (they
            // may add names there, not change root's).
            if folder.st_uid != 0 { throw refuse(resolved, "\(userName(folder.st_uid))'s") }
            if othersWrite && !sticky { throw refuse(resolved, "root's, but others may write it") }
            let next = (resolved == "/" ? "" : resolved) + "/" + part
            var info = stat()
            guard lstat(next, &info) == 0 else {
                guard pending.isEmpty, !wanted else { throw .cannotCreate(path, errnoText()) }
                return next  // not there yet: made below checked folders
            }
            if (info.st_mode & S_IFMT) == S_IFLNK {
                if info.st_uid != 0 { throw refuse(next, "a link of \(userName(info.st_uid))'s") }
                links += 1
                guard links <= 40 else { throw .cannotCreate(path, String(cString: strerror(ELOOP))) }
                var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
                let count = readlink(next, &buffer, buffer.count - 1)
                guard count > 0 else { throw .cannotCreate(path, errnoText()) }
                let target = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
                if target.hasPrefix("/") { resolved = "/" }
                pending = ArraySlice(target.split(separator: "/", omittingEmptySubsequences: true).map(String.init)) + pending
                continue
            }
            resolved = next
        }
        var last = stat()
        guard lstat(resolved, &last) == 0 else { throw .cannotCreate(path, errnoText()) }
        if last.st_uid != 0 { throw refuse(resolved, "\(userName(last.st_uid))'s") }
        if wanted, last.st_mode & 0o022 != 0, last.st_mode & mode_t(S_ISVTX) == 0 { throw refuse(resolved, "root's, but others may write it") }
        return resolved
    }

    /// Refuses (73) a path through a symbolic link another user made (not this user, not
    /// root): whoever may write a folder could plant one under a report's name and have this
    /// user's report, or root's, written over any file this user may write, with text of
    /// theirs in it (a charge id is a line of a crontab; probe 83). A link of this user's
    /// own, or root's, is followed as before.
    static func refuseOthersLinks(on path: String) throws(ReportError) {
        var walked = path.hasPrefix("/") ? "" : try workingFolder(for: path)
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            walked += "/" + part
            var info = stat()
            guard lstat(walked, &info) == 0 else { return }  // not there (yet): nothing to follow below
            guard (info.st_mode & S_IFMT) == S_IFLNK, info.st_uid != geteuid(), info.st_uid != 0 else { continue }
            throw .refused(path, "\(walked) is a symbolic link made by another user (\(userName(info.st_uid))); credit-recon follows only its own "
                + "user's links and root's, since another's could point the output at any file this user may write: remove "
                + "the link, or write elsewhere")
        }
    }

    /// The folder holding `path`: the text before its last `/`, trailing and repeated
    /// slashes aside; `/` for a child of the root, "" for a bare name. By hand because
    /// Foundation's `deletingLastPathComponent` traps on a one-character name (`--out r`).
    static func parentFolder(of path: String) -> String {
        let slash = UInt8(ascii: "/")
        var bytes = Array(path.utf8)
        while bytes.count > 1, bytes.last == slash { bytes.removeLast() }
        guard var end = bytes.lastIndex(of: slash) else { return "" }
        while end > 0, bytes[end - 1] == slash { end -= 1 }
        return end == 0 ? "/" : String(decoding: bytes[..<end], as: UTF8.self)
    }

    /// Replaces `given` atomically with what `render` appends, written as it is appended,
    /// keeping the file's permissions. Through a symbolic link the file it names is replaced
    /// (or made, for a link to a file not there yet), not the link; a device or a pipe
    /// (`/dev/null`, `/dev/stdout`) is written into, never replaced by a file. A folder at
    /// `given` is refused, with `ifAFolder` as the advice.
    static func write(to given: String, ifAFolder advice: String, _ render: (inout ReportText) -> Void) throws(ReportError) {
        let staging = Staging()
        let folder = parentFolder(of: given)
        if !folder.isEmpty { try staging.makeFolder(folder) }
        try staging.stage(to: given, ifAFolder: advice, render)
        try staging.commit()
    }

    /// Files written together: each is written beside its place first, and none replaces
    /// its old self until every one is written (`commit`), so a folder of reports is never
    /// half from one ledger state and half from another. Released uncommitted, the written
    /// files are removed, and the folders made for them (`makeFolder`) when left empty.
    final class Staging {
        private struct Staged {
            let temporary: String
            let path: String
            let given: String
        }

        private var staged: [Staged] = []
        /// Folders `makeFolder` made, outermost first, removed again unless committed: a report
        /// that failed (a full disk) left an empty new folder behind.
        private var madeFolders: [String] = []

        /// Makes `directory` and its parents when missing (`AtomicFile.makeDirectory`).
        func makeFolder(_ directory: String) throws(ReportError) {
            let before = madeFolders.count
            defer { AtomicFile.madeFolders.withLock { $0 += madeFolders.dropFirst(before) } }
            try AtomicFile.makeDirectory(directory, made: &madeFolders)
        }

        /// Writes what `render` appends for `given` (see `write(to:ifAFolder:_:)`): into a
        /// device or a pipe, or into a file beside it, to be put in place by `commit()`.
        func stage(to given: String, ifAFolder advice: String, _ render: (inout ReportText) -> Void) throws(ReportError) {
            try openFile(given, ifAFolder: advice).write(render)
        }

        /// `stage(to:ifAFolder:_:)` for bytes already rendered.
        func stage(_ bytes: [UInt8], to given: String, ifAFolder advice: String) throws(ReportError) {
            try stage(to: given, ifAFolder: advice) { $0.append(bytes: bytes) }
        }

        /// Opens what `given`'s text is written into (see `write(to:ifAFolder:_:)`): the
        /// device or pipe itself, or a new file beside `given`, staged at once to be put in
        /// place by `commit()` (released uncommitted, it is removed). The text may be
        /// written on another thread (`StagedFile.write`), before `commit()`.
        func openFile(_ given: String, ifAFolder advice: String) throws(ReportError) -> StagedFile {
            try AtomicFile.refuseOthersLinks(on: given)
            let root = geteuid() == 0
            var found = stat()
            if stat(given, &found) == 0, ![S_IFREG, S_IFDIR].contains(found.st_mode & S_IFMT) {
                return StagedFile(given: given, descriptor: try AtomicFile.openDevice(given, found: found, asRoot: root), temporary: nil)
            }
            let named = root ? try AtomicFile.inFoldersOnlyRootChanges(given) : given
            var path = named
            var kept: mode_t?  // an existing file's permissions; a new file's come from the umask
            var info = stat()
            // Root's path has no link left to follow: one there now was put there since.
            if (root ? lstat(named, &info) : stat(named, &info)) == 0 {
                switch info.st_mode & S_IFMT {
                case S_IFLNK:
                    throw .refused(given, "a link took its place as it was written; run it again, as the user whose books these are")
                case S_IFREG:
                    kept = info.st_mode & 0o7777
                    // Resolved only through a link (this user's or root's, as checked): a file
                    // swapped for a link after that is replaced by the rename, not followed.
                    var link = stat()
                    if !root, lstat(named, &link) == 0, (link.st_mode & S_IFMT) == S_IFLNK, let resolved = realpath(named, nil) {
                        path = String(cString: resolved)  // root's is resolved, and checked, already
                        free(resolved)
                    }
                case S_IFDIR:
                    throw .refused(given, "it is a folder; \(advice)")
                default:
                    throw .refused(given, "it became a device or a pipe as it was written; run it again")
                }
            } else if !root, let target = danglingLinkTarget(named) {
                path = target
            }
            try AtomicFile.refuseLedgerFile(path, given: given)
            let url = URL(fileURLWithPath: path)
            let temporary = url.deletingLastPathComponent().path + "/" + temporaryPrefix(url.lastPathComponent) + "\(getpid())"
            // Made anew, never opened through a link: a link planted under the name (it is
            // foreseeable) would have the report written over the file it names.
            let flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC
            var descriptor = open(temporary, flags, 0o644)
            if descriptor < 0 && errno == EEXIST {
                // This process id's own leftover (an earlier process of that id), or a planted
                // link: the name is removed, not what a link names.
                unlink(temporary)
                descriptor = open(temporary, flags, 0o644)
            }
            guard descriptor >= 0 else { throw .cannotCreate(given, AtomicFile.errnoText()) }
            AtomicFile.temporaries.withLock { $0.append(temporary) }
            if let kept { fchmod(descriptor, kept) }
            staged.append(Staged(temporary: temporary, path: path, given: given))
            return StagedFile(given: given, descriptor: descriptor, temporary: temporary)
        }

        /// Puts every staged file in place, or none: each old file is first kept aside under
        /// a second name (a hard link, `.NAME.old-PID`), so that when one rename fails (a file
        /// another user owns in a shared folder, an immutable one) the files already renamed
        /// get their old selves back. Another user's file (the kernel's protected_hardlinks
        /// refuses a link to it) is kept aside as a copy, or, unreadable, not at all; one of
        /// this user's that cannot be kept aside for want of permission could not be
        /// replaced either: refused before anything is renamed.
        func commit() throws(ReportError) {
            var keptAside: [String?] = []
            var existed: [Bool] = []
            func undo(renamed count: Int) {
                for index in 0..<count {
                    let file = staged[index]
                    if let old = keptAside[index] {
                        rename(old, file.path)
                    } else if !existed[index] {
                        unlink(file.path)  // not there before: not there after
                    }
                }
                for old in keptAside.dropFirst(count) { if let old { unlink(old) } }
                for file in staged.dropFirst(count) { unlink(file.temporary) }
                staged.removeAll()
            }
            // A file of the name that this tool did not write is refused before anything is
            // renamed: an import's charges.csv in --out was replaced by the report's, and as
            // root a link to /etc had /etc/passwd replaced by an export (probe 455).
            for file in staged {
                var info = stat()
                guard lstat(file.path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG,
                      let foreign = AtomicFile.foreignBeginning(of: file.path, beside: file.temporary) else { continue }
                undo(renamed: 0)
                throw .refused(file.given, "it holds something credit-recon did not write (it begins \(foreign.held) where "
                    + "this file begins \(foreign.written)), which would be lost; move it aside, or write to another "
                    + "\(file.given.hasSuffix(".csv") || file.given.hasSuffix(".md") || file.given.hasSuffix(".svg") ? "folder" : "file")")
            }
            for file in staged {
                var info = stat()
                existed.append(lstat(file.path, &info) == 0)
                guard existed.last == true, (info.st_mode & S_IFMT) == S_IFREG else {
                    keptAside.append(nil)
                    continue
                }
                let url = URL(fileURLWithPath: file.path)
                let old = url.deletingLastPathComponent().path + "/" + oldPrefix(url.lastPathComponent) + "\(getpid())"
                unlink(old)
                if link(file.path, old) == 0 {
                    keptAside.append(old)
                } else if (errno == EPERM || errno == EACCES), info.st_uid != geteuid() {
                    // Renaming over it needs only the folder (unless it is sticky, which the
                    // rename then says): a report left by a run as root (probe 82).
                    // A name taken meanwhile (a link planted under it) fails the copy: not followed.
                    keptAside.append((try? FileManager.default.copyItem(atPath: file.path, toPath: old)) != nil ? old : nil)
                } else if errno == EPERM || errno == EACCES || errno == EROFS {
                    let failure = AtomicFile.errnoText()
                    undo(renamed: 0)
                    throw .cannotCreate(file.given, failure)
                } else {
                    keptAside.append(nil)  // no hard links on this file system: replaced as it is
                }
            }
            for (index, file) in staged.enumerated() {
                guard rename(file.temporary, file.path) != 0 else { continue }
                let failure = AtomicFile.errnoText()
                undo(renamed: index)
                throw .cannotCreate(file.given, failure)
            }
            for (file, old) in zip(staged, keptAside) {
                if let old { unlink(old) }
                let url = URL(fileURLWithPath: file.path)
                removeStaleTemporaries(of: url.lastPathComponent, in: url.deletingLastPathComponent().path)
            }
            staged.removeAll()
            AtomicFile.madeFolders.withLock { all in all.removeAll { madeFolders.contains($0) } }
            madeFolders.removeAll()
        }

        deinit {
            for file in staged { unlink(file.temporary) }
            // Only an empty folder is removed: one another process wrote into meanwhile stays.
            for folder in madeFolders.reversed() { rmdir(folder) }
            AtomicFile.madeFolders.withLock { all in all.removeAll { madeFolders.contains($0) } }
        }
    }

    /// A file `Staging.openFile` opened, written once (`write`), on any one thread.
    final class StagedFile: @unchecked Sendable {
        let given: String
        private let descriptor: Int32
        /// The file beside `given` that `commit()` renames over it; `nil` for a device or a pipe.
        private let temporary: String?
        private var written = false

        fileprivate init(given: String, descriptor: Int32, temporary: String?) {
            self.given = given
            self.descriptor = descriptor
            self.temporary = temporary
        }

        /// Writes what `render` appends, as it appends it (`ReportText.drainIfFull`); a file
        /// then goes to disk and is closed. A write that fails leaves no file behind.
        func write(_ render: (inout ReportText) -> Void) throws(ReportError) {
            precondition(!written, "a staged file is written once")
            written = true
            let sink = ReportSink(descriptor: descriptor)
            var text = ReportText(draining: sink)
            render(&text)
            text.drain()
            var failure = sink.failure
            if failure == nil, temporary != nil, fsync(descriptor) != 0 { failure = AtomicFile.errnoText() }
            if close(descriptor) != 0, failure == nil, temporary != nil { failure = AtomicFile.errnoText() }
            guard let failure else { return }
            if let temporary { unlink(temporary) }
            throw .cannotCreate(given, failure)
        }

        deinit {
            if !written { close(descriptor) }
        }
    }

    /// How long a named pipe may wait for its reader (`openDevice`).
    static let pipeReaderWait: Duration = .seconds(10)

    /// Opens the device or pipe `given` (`/dev/stdout`, `/dev/null`, a FIFO, as `stat` found
    /// it: `found`) to be written into, never replaced; a FIFO waits for its reader up to
    /// `pipeReaderWait`. Run as root, only root's: another user's FIFO in a sticky folder took
    /// root's journal, or held it waiting (probe 85). What was opened is what is written
    /// into: a regular file swapped in meanwhile is refused, not written over from its start.
    static func openDevice(_ given: String, found: stat, asRoot root: Bool) throws(ReportError) -> Int32 {
        func notRoots(_ uid: uid_t) -> ReportError {
            let owner = userName(uid)
            return .refused(given, "it is \(owner)'s device or pipe, and run as root, credit-recon writes into root's only: run it "
                + "as \(owner), or write elsewhere")
        }
        if root, found.st_uid != 0 { throw notRoots(found.st_uid) }
        // A named pipe nothing reads is refused once its reader is a while late, not waited on
        // for ever: a report whose folder held one hung, saying nothing (probe 455). A reader
        // started beside the command (`cat pipe & credit-recon export --out pipe`) may open
        // it a moment after.
        let pipe = (found.st_mode & S_IFMT) == S_IFIFO
        let readerDeadline = ContinuousClock.now + pipeReaderWait
        var descriptor = open(given, O_WRONLY | O_CLOEXEC | (pipe ? O_NONBLOCK : 0))
        while descriptor < 0, pipe, errno == ENXIO, ContinuousClock.now < readerDeadline {
            usleep(20_000)
            descriptor = open(given, O_WRONLY | O_CLOEXEC | O_NONBLOCK)
        }
        guard descriptor >= 0 else {
            if pipe && errno == ENXIO {
                throw .refused(given, "it is a named pipe (FIFO) that nothing read for \(pipeReaderWait.components.seconds) s: "
                    + "start what reads it first, or remove it")
            }
            throw .cannotCreate(given, errnoText())
        }
        if pipe { _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) & ~O_NONBLOCK) }
        var opened = stat()
        guard fstat(descriptor, &opened) == 0 else {
            let failure = errnoText()
            close(descriptor)
            throw .cannotCreate(given, failure)
        }
        let refusal: ReportError? = if [S_IFREG, S_IFDIR].contains(opened.st_mode & S_IFMT) {
            .refused(given, "it became a file as it was written; run it again")
        } else if root, opened.st_uid != 0 {
            notRoots(opened.st_uid)
        } else {
            nil
        }
        if let refusal {
            close(descriptor)
            throw refusal
        }
        return descriptor
    }

    /// The name of the user `uid`, or `uid N` when it has none.
    static func userName(_ uid: uid_t) -> String {
        getpwuid(uid).map { String(cString: $0.pointee.pw_name) } ?? "uid \(uid)"
    }

    /// What the symbolic link `path` holds, as written; `nil` when `path` is no link.
    static func linkText(_ path: String) -> String? {
        var info = stat()
        guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFLNK else { return nil }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Where the symbolic link `path` points when what it names is not there (yet): the
    /// file to make. `nil` when `path` is not such a link.
    static func danglingLinkTarget(_ path: String) -> String? {
        guard let target = linkText(path) else { return nil }
        if target.hasPrefix("/") { return target }
        let folder = parentFolder(of: path)
        return folder.isEmpty ? target : (folder == "/" ? "/" : folder + "/") + target
    }

    /// The temporary files this process made (`removeTemporaries()`); a few names.
    private static let temporaries = Mutex<[String]>([])
    /// The folders staged files were to go in that this process made and has not committed
    /// (`removeTemporaries()`), outermost first.
    private static let madeFolders = Mutex<[String]>([])

    /// Removes the temporary files this process made and has not put in place (a name put in
    /// place is gone already): for a command a signal ends, which left them behind (probe
    /// 212: a 33 MB `.charges.csv.tmp-PID` after `report` was stopped by SIGTERM). Only
    /// those in `folder`, when given: the tests, in one process, write reports side by side
    /// (a test's call removed another's staged files, whose rename then failed).
    /// The folders made for them and left empty go too (probe 332: `report --all-accounts`
    /// stopped by SIGTERM left 3,613 empty account folders).
    static func removeTemporaries(in folder: String? = nil) {
        let inFolder = folder.map { $0.hasSuffix("/") ? $0 : $0 + "/" }
        for path in temporaries.withLock({ $0 }) where inFolder.map(path.hasPrefix) ?? true { unlink(path) }
        for path in madeFolders.withLock({ $0 }).reversed() where inFolder.map(path.hasPrefix) ?? true { rmdir(path) }
    }

    /// Runs `body`, a command that writes files in place (`report`, `export`), so that
    /// SIGINT, SIGTERM or SIGHUP ends it at once, by the signal's own action, as before, but
    /// with its temporary files removed first.
    public static func removingTemporariesOnSignal<T>(_ body: () throws -> T) throws -> T {
        let interruption = Interruption()
        interruption.startTrapping()
        defer { interruption.stopTrapping() }
        return try interruption.endingAtOnce(tidy: { removeTemporaries() }) { () throws -> T in try body() }
    }

    /// The first lines of the file at `path` and of `written` (the file to take its place),
    /// when they begin otherwise: the first three fields of a CSV header, else the first 20
    /// bytes of the line; `nil` when they agree (a file this tool wrote, of
    /// another version, account or range), or when `path` is empty or cannot be read
    /// (nothing of it to lose, or nothing to tell it by).
    static func foreignBeginning(of path: String, beside written: String) -> (held: String, written: String)? {
        /// The first line, `nil` for a file that cannot be read or is empty (one whose first
        /// line is, with text after it, is not: probe 456's notes below an empty line were
        /// replaced).
        func firstLine(_ path: String) -> [UInt8]? {
            let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
            guard descriptor >= 0 else { return nil }
            defer { close(descriptor) }
            var bytes = [UInt8](repeating: 0, count: 256)
            let count = read(descriptor, &bytes, bytes.count)
            guard count > 0 else { return nil }
            return Array(bytes[..<count].prefix { $0 != UInt8(ascii: "\n") && $0 != UInt8(ascii: "\r") })
        }
        guard let new = firstLine(written), let held = firstLine(path) else { return nil }
        /// As a spreadsheet saves it back is the same: a byte-order mark, quotes and letter
        /// case are left out.
        func beginning(_ line: [UInt8]) -> [UInt8] {
            let plain = (line.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(line.dropFirst(3)) : line)
                .filter { $0 != UInt8(ascii: "\"") }
                .map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 }
            guard new.contains(UInt8(ascii: ",")) else { return Array(plain.prefix(20)) }
            var commas = 0
            return Array(plain.prefix { byte in
                if byte == UInt8(ascii: ",") { commas += 1 }
                return commas < 3
            })
        }
        guard beginning(new) != beginning(held) else { return nil }
        func shown(_ line: [UInt8]) -> String {
            let text = String(decoding: line, as: UTF8.self)
            return TerminalText.quoted(text.count > 40 ? String(text.prefix(40)) + "…" : text)
        }
        return (shown(held), shown(new))
    }

    /// The name of a temporary file for `name`, before the writer's process id.
    static func temporaryPrefix(_ name: String) -> String { "." + name + ".tmp-" }

    /// The name `name`'s old file is kept aside under while a set is renamed into place.
    static func oldPrefix(_ name: String) -> String { "." + name + ".old-" }

    /// Removes the temporary files for `name` that a process killed while writing it left
    /// behind: those whose process id names no running process. One of a running process
    /// (another report writing the same file, or a process id used again) stays.
    static func removeStaleTemporaries(of name: String, in directory: String) {
        let prefixes = [temporaryPrefix(name), oldPrefix(name)]
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for entry in entries {
            guard let prefix = prefixes.first(where: { entry.hasPrefix($0) }),
                  let pid = Int32(entry.dropFirst(prefix.count)), pid > 0, pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { unlink(directory + "/" + entry) }
        }
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }

    static func reason(_ error: any Error) -> String {
        let nsError = error as NSError
        // The POSIX cause ("No such file or directory") says more than Foundation's wrapper.
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        var text = nsError.localizedDescription
        while text.hasSuffix(".") { text.removeLast() }
        return text.isEmpty ? String(describing: error) : text
    }
}
