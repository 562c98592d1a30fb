import NIOCore
import PostgresNIO

/// One column of a batch of rows, bound as one PostgreSQL array parameter (binary
/// format), for `INSERT … SELECT * FROM unnest($1::bigint[], $2::text[], …)`: a batch of a
/// thousand rows is one statement with a handful of parameters.
///
/// postgres-nio encodes `[String]` and `[Int64]` but not arrays with NULL elements, which
/// optional columns need; this writes PostgreSQL's array format (`array_recv`): dimension
/// count, NULL flag, element type, length and lower bound, then each element's length
/// (-1 for NULL) and bytes. Texts can be written straight from a byte buffer.
struct ArrayColumn: PostgresDynamicTypeEncodable {
    let psqlType: PostgresDataType
    var psqlFormat: PostgresFormat { .binary }
    private let elementType: PostgresDataType
    private var elements = ByteBuffer()
    private var count: Int32 = 0
    private var hasNull = false

    private init(array: PostgresDataType, element: PostgresDataType, bytes: Int) {
        psqlType = array
        elementType = element
        elements.reserveCapacity(bytes)
    }

    /// A `text[]` column, with room for about `bytes` bytes of text.
    static func texts(bytes: Int = 0) -> ArrayColumn { ArrayColumn(array: .textArray, element: .text, bytes: bytes + bytes / 8) }
    /// A `bigint[]` column, with room for `count` numbers.
    static func integers(count: Int = 0) -> ArrayColumn { ArrayColumn(array: .int8Array, element: .int8, bytes: count * 12) }

    mutating func append(_ text: String?) {
        guard let text = text?.upToNUL else { return appendNull() }
        count += 1
        elements.writeInteger(Int32(text.utf8.count))
        elements.writeString(text)
    }

    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        count += 1
        elements.writeInteger(Int32(bytes.count))
        elements.writeBytes(UnsafeRawBufferPointer(bytes))
    }

    mutating func append(_ number: Int64?) {
        guard let number else { return appendNull() }
        count += 1
        elements.writeInteger(Int32(8))
        elements.writeInteger(number)
    }

    mutating func appendNull() {
        count += 1
        hasNull = true
        elements.writeInteger(Int32(-1))
    }

    func encode<JSONEncoder: PostgresJSONEncoder>(into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        buffer.writeInteger(Int32(count == 0 ? 0 : 1))  // dimensions
        buffer.writeInteger(Int32(hasNull ? 1 : 0))
        buffer.writeInteger(elementType.rawValue)
        guard count > 0 else { return }
        buffer.writeInteger(count)  // the one dimension's length
        buffer.writeInteger(Int32(1))  // and lower bound
        var elements = elements
        buffer.writeBuffer(&elements)
    }
}

extension String {
    /// The text up to its first NUL, if any: PostgreSQL's text cannot hold one, and SQLite
    /// stores a bound text that way, so both stores hold the same rows.
    var upToNUL: String {
        guard let nul = utf8.firstIndex(of: 0) else { return self }
        return String(self[..<nul])
    }
}
