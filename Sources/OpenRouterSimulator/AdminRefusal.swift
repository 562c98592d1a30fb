import CreditTypes

/// An admin route refused its body: the answer says why.
struct AdminRefusal: Error {
    let answer: SimAnswer

    init(_ status: Int, _ message: String) { answer = .error(status, message) }
}
