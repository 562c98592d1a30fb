import CreditTypes

/// A stored day's use over all its rows, and how many rows it has (each rounded once).
struct DayTotal {
    var usage = Micros.zero
    var lines = 0

    mutating func add(_ amount: Micros) {
        usage += amount
        lines += 1
    }
}
