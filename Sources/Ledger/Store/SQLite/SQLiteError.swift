import CSQLite
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed SQLite call: the result codes, SQLite's message and the SQL that failed.
///
/// Bound values are never included, so an error can be logged without leaking data.
/// See https://www.sqlite.org/rescode.html.
struct SQLiteError: RowRefusal, Sendable, CustomStringConvertible {
    /// The primary result code (`SQLITE_FULL` is 13).
    let code: Int32
    /// The extended result code.
    let extendedCode: Int32
    /// SQLite's own message.
    let message: String
    /// The statement that failed, if any.
    let sql: String?
    /// The operating system's `errno` behind an I/O error (`sqlite3_system_errno`), 0 if none.
    let systemErrno: Int32

    init(code: Int32, extendedCode: Int32? = nil, message: String, sql: String? = nil, systemErrno: Int32 = 0) {
        self.code = code & 0xFF
        self.extendedCode = extendedCode ?? code
        self.message = message
        self.sql = sql
        self.systemErrno = systemErrno
    }

    init(connection: OpaquePointer?, code: Int32, sql: String? = nil) {
        let message = connection.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) }
            ?? String(cString: sqlite3_errstr(code))
        let extended = connection.map { sqlite3_extended_errcode($0) } ?? code
        let errno = connection.map { sqlite3_system_errno($0) } ?? 0
        self.init(code: code, extendedCode: extended, message: message, sql: sql, systemErrno: errno)
    }

    /// The disk (or the page limit, a quota or the process's file-size limit) is full.
    /// SQLite reports only `ENOSPC` as `SQLITE_FULL`; a write refused with `EFBIG` or
    /// `EDQUOT` comes back as a plain `SQLITE_IOERR` with that `errno` behind it.
    var isDiskFull: Bool {
        code == SQLITE_FULL || (code == SQLITE_IOERR && [ENOSPC, EFBIG, EDQUOT].contains(systemErrno))
    }
    /// The operating system refused a write (`SQLITE_IOERR_WRITE`): a full disk, a quota or
    /// file-size limit, or a failing device.
    var isWriteRefused: Bool { extendedCode == SQLITE_IOERR | (3 << 8) }  // SQLITE_IOERR_WRITE: Swift does not import the macro
    /// Another connection holds a lock that did not clear within the busy timeout.
    var isBusy: Bool { code == SQLITE_BUSY || code == SQLITE_LOCKED }
    /// A constraint (unique key, foreign key, trigger `RAISE`) refused the write.
    var isConstraint: Bool { code == SQLITE_CONSTRAINT }
    var isRefusal: Bool { isConstraint }
    var refusalText: String { message }
    /// The file cannot be written, opened, or is not a healthy database.
    var isIO: Bool {
        [SQLITE_IOERR, SQLITE_READONLY, SQLITE_CANTOPEN, SQLITE_CORRUPT, SQLITE_NOTADB, SQLITE_PERM]
            .contains(code)
    }

    /// How much of the failed statement a message quotes.
    static let sqlShown = 160

    var description: String {
        var text = "SQLite error \(code)"
        if extendedCode != code { text += " (extended \(extendedCode))" }
        text += ": \(message)"
        if let sql {
            // A batch's INSERT names thousands of placeholders: its start says which.
            text += " — in `\(sql.count > Self.sqlShown ? sql.prefix(Self.sqlShown) + "…" : sql)`"
        }
        return text
    }
}
