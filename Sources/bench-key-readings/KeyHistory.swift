import CreditTypes
import Ledger

/// The keys' running use at every listing, made from the account's readings so that the
/// books add up: between two listings the keys share 95 % of the account's rise, each by
/// a fixed weight (whole micro-USD, rounded down); the rest, and the share of the last key
/// once it is disabled half-way through, is use no key explains.
///
/// Every tenth key has a limit, twice its final use in whole dollars; key 3's is only 3 USD
/// above its final use, so one key ends near its limit.
struct KeyHistory: Sendable {
    struct Key: Sendable {
        let hash: String
        let name: String
        let label: String
        let limit: Micros?
    }

    let keys: [Key]
    let createdAt: Timestamp
    /// When each listing was read.
    let times: [Timestamp]
    /// Running use, listing after listing: `keys.count` micro-USD amounts per listing.
    let usage: [Int64]
    /// The listing from which the last key is disabled.
    let disabledFrom: Int

    init(readings: [(observedAt: Timestamp, usage: Micros)], keys count: Int, listings: Int) {
        let step = readings.count / listings
        let weights = (0..<count).map { Int64($0 % 7 + 1) }
        let weightSum = weights.reduce(0, +)
        let disabled = count - 1
        disabledFrom = listings / 2
        var running = [Int64](repeating: 0, count: count)
        var usage: [Int64] = []
        usage.reserveCapacity(count * listings)
        var times: [Timestamp] = []
        var previous = readings[0].usage.raw
        for listing in 0..<listings {
            let reading = readings[(listing + 1) * step - 1]
            let rise = max(reading.usage.raw - previous, 0)
            previous = reading.usage.raw
            for key in 0..<count where !(key == disabled && listing >= disabledFrom) {
                running[key] += rise * 95 * weights[key] / (100 * weightSum)
            }
            usage += running
            times.append(reading.observedAt.adding(seconds: 1))
        }
        var random = SeededRandom(seed: 0x6B65_7973)
        self.keys = (0..<count).map { index in
            let hash = random.hex(words: 4)
            let secret = random.hex(words: 1)
            let final = running[index]
            let dollars = (final + Micros.perDollar - 1) / Micros.perDollar * Micros.perDollar
            let limit: Micros? = index % 10 != 3 ? nil
                : index == 3 ? Micros(raw: dollars + 3 * Micros.perDollar) : Micros(raw: 2 * dollars)
            let number = String(index)
            return Key(hash: hash, name: "bench-key-" + String(repeating: "0", count: max(0, 3 - number.count)) + number,
                       label: "sk-or-v1-" + secret.prefix(3) + "..." + secret.suffix(3), limit: limit)
        }
        createdAt = readings[0].observedAt.adding(seconds: -86_400)
        self.times = times
        self.usage = usage
    }

    /// The `keys.read` fact of listing `index`, with the page bodies the API would have sent.
    func listing(_ index: Int) -> KeysRead {
        let readings = keys.indices.map { key in
            let used = Micros(raw: usage[index * keys.count + key])
            return KeyReading(
                hash: keys[key].hash, name: keys[key].name, label: keys[key].label,
                disabled: key == keys.count - 1 && index >= disabledFrom, usage: used, byokUsage: .zero,
                limit: keys[key].limit, limitRemaining: keys[key].limit.map { $0 - used }, limitReset: nil,
                createdAt: createdAt)
        }
        return KeysRead(observedAt: times[index], keys: readings,
                        rawBodies: [KeysPageBody.text(readings, updatedAt: index >= disabledFrom ? times[disabledFrom] : nil),
                                    KeysPageBody.empty])
    }
}
