/// The one gate every call of a client passes before sending: a shared token bucket for
/// `rateLimit`, and a shared pause when the API answers `429`, so one worker's `429`
/// holds back all of them instead of each hammering the API on its own schedule.
actor RequestGate {
    /// What the caller must do before sending.
    enum Ticket: Sendable {
        /// Send now.
        case go
        /// Wait until this instant; `rateLimited` when the wait is a `429` pause.
        case wait(until: ContinuousClock.Instant, rateLimited: Bool)
    }

    private let interval: Duration?
    private var nextSlot: ContinuousClock.Instant
    private var pausedUntil: ContinuousClock.Instant
    private let clock = ContinuousClock()

    init(rateLimit: Double?) {
        if let rateLimit, rateLimit > 0 {
            interval = .microseconds(Int64((1_000_000 / rateLimit).rounded(.up)))
        } else {
            interval = nil
        }
        nextSlot = clock.now
        pausedUntil = clock.now
    }

    /// Asks to send. A `.wait` for the rate limit reserves a slot: after waiting, the
    /// caller asks again with `holdingSlot: true` and is only held by a `429` pause.
    func ticket(holdingSlot: Bool) -> Ticket {
        let now = clock.now
        if pausedUntil > now { return .wait(until: pausedUntil, rateLimited: true) }
        guard let interval, !holdingSlot else { return .go }
        if nextSlot <= now {
            nextSlot = now + interval
            return .go
        }
        let slot = nextSlot
        nextSlot = slot + interval
        return .wait(until: slot, rateLimited: false)
    }

    /// Holds every call back until `until` (a `429`'s `Retry-After`).
    func pause(until: ContinuousClock.Instant) {
        if until > pausedUntil { pausedUntil = until }
    }
}
