import CreditTypes

/// What the simulator answers to one request, before it becomes an HTTP response.
struct SimAnswer: Sendable {
    var status: Int
    var body: String
    var retryAfter: Int64?
    /// Close the connection instead of answering (the `--drop-rate` fault).
    var drop = false
    /// The `Content-Type` header; JSON unless a fault says otherwise.
    var contentType = "application/json"

    static func json(_ status: Int, _ value: ExactJSON) -> SimAnswer { SimAnswer(status: status, body: value.text) }

    /// The API's error shape: `{"error":{"code":N,"message":"…"}}`.
    static func error(_ status: Int, _ message: String) -> SimAnswer {
        json(status, .object(["error": .object(["code": .number(Int64(status)), "message": .string(message)])]))
    }
}
