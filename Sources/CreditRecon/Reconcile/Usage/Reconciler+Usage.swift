import CreditTypes
import Ledger

/// The attribution steps (DESIGN.md § Where the usage went): each period's use by key,
/// what no key explains, the bounds the days' activity sets on the account's use, the
/// days lost to the API's window, and the keys near their limits.
extension Reconciler {
    /// The key rows of every period in the grid, and a `usage_unattributed` finding for each
    /// period after the keys were first read whose use the keys do not wholly explain.
    ///
    /// A key's use is the rise of its `usage` between two of its readings, in the period of
    /// the later one (of the snapshot the same fetch took, when there is one: the two are
    /// read milliseconds apart, and a period's edge between them would give one period the
    /// keys' use and the next the account's); a key first read with a `created_at` after the
    /// account's previous trusted reading brings its whole `usage` (CONTRACT.md § Usage
    /// attribution: it was all spent since, in the use that reading's step measures).
    /// Everything else — use before a key's first reading, on keys deleted between
    /// readings, on no key — is the period's `used` less the keys' use: unattributed. A
    /// key's usage that goes down is a `usage_decreased` warning, like the account's.
    ///
    /// The keys a fetch read are left out with its account reading when that was left out of
    /// the books (`untrusted`, a zero reading): the account's use is measured across that
    /// night, and the keys' use is too. Kept, the keys' use of that night went in its period,
    /// the account's in the next: a negative unattributed use there, said to straddle a
    /// period's edge, and as much unattributed the next night (probe 80).
    ///
    /// `lostDays`: the UTC days (since the epoch) whose activity left the API's window
    /// unstored (`activity_lost`), which a finding of use on no key names among the days its
    /// period's readings measure.
    func attributeUsage(
        _ input: Input, listings rangesByListing: [Int64: Range<Int>], trusted: [SnapshotRow], untrusted: [SnapshotRow],
        grid: PeriodGrid, lostDays: Set<Int64>, findings: inout [Finding]
    ) -> [KeyPeriodUsage] {
        guard !grid.periods.isEmpty else { return [] }
        // Per period, per key hash: the key's use and its latest reading in the period.
        var perPeriod = [[String: (used: Micros, latest: KeyReading)]](repeating: [:], count: grid.periods.count)
        // Per period: how far keys' usage went down in it (a `usage_decreased` each).
        var fallen = [Micros](repeating: .zero, count: grid.periods.count)
        // Each key's last reading: its usage, and the anchor of its listing; and its highest
        // usage read, and the listing that last read it lower.
        var last: [String: (usage: Micros, seen: Timestamp, high: Micros, fellAt: Timestamp?)] = [:]
        // Per period: keys whose usage rose back through levels read before a fall.
        var regained = [[RegainedKey]](repeating: [], count: grid.periods.count)
        let readings = input.keyReadings
        var snapshotOfRun: [Int64: Timestamp] = [:]
        if !input.keyListings.isEmpty {
            for snapshot in input.snapshots where snapshot.source == "api" {
                if let run = snapshot.runID { snapshotOfRun[run] = snapshot.observedAt }
            }
        }
        // The trusted readings' times, oldest first (the store reads them in time order).
        let readingTimes = trusted.map(\.observedAt)
        // Listings whose keys' use reaches back past an account reading since the listing
        // before: all of it, when a night's `GET /keys` failed, or the use of keys back after
        // missing from one or more listings since their last reading (a key the API left out
        // of a night's listing, which paging by offset does when a key is deleted as it is
        // read). That use spans those nights too, whose use was counted unattributed then, so
        // this period's may go below zero without the keys using more than the account. Per
        // period: such listings whose keys used no more than the account over the span from
        // the earliest reading their use goes back to (every key's use in the listings of that
        // span against the account's; `stretched`), or more (`overspent`).
        var stretched = [[ReturnSpan]](repeating: [], count: grid.periods.count)
        var overspent = [Bool](repeating: false, count: grid.periods.count)
        // After each listing, its anchor, and the keys' use and readings of all listings so far.
        var sofar: [(anchor: Timestamp, use: Micros, readings: Int64)] = []
        var previousAnchor: Timestamp?
        // The periods a listing is anchored in.
        var listed = Set<Int>()
        let leftOutRuns = Set(untrusted.compactMap { $0.source == "api" ? $0.runID : nil })
        for listing in input.keyListings where !(listing.runID.map(leftOutRuns.contains) ?? false) {
            let anchor = listing.runID.flatMap { snapshotOfRun[$0] } ?? listing.observedAt
            let period = grid.index(of: anchor)
            if let period { listed.insert(period) }
            // The account's reading before the one this listing goes with: a key made after it
            // spent its whole usage in the step that ends here. (After the previous listing
            // instead, a night whose listing failed gave that night's new keys' use twice:
            // unattributed then, on the key at its first listing.)
            let low = readingTimes.partitioningIndex { $0 >= anchor }  // the first reading at or after `anchor`
            let previousReadingAt = low > 0 ? readingTimes[low - 1] : nil
            var listingUse = Micros.zero
            var back: [ReturningKey] = []
            let keyCount = (rangesByListing[listing.id] ?? 0..<0).count
            defer { previousAnchor = anchor }
            for index in rangesByListing[listing.id] ?? 0..<0 {
                let key = readings[index].key
                let use: Micros
                let earlier = last[key.hash]
                let high = max(earlier?.high ?? key.usage, key.usage)
                var fellAt = earlier?.fellAt
                if let before = earlier?.usage {
                    use = key.usage - before
                    if use < .zero, let period {
                        findings.append(.keyUsageDecreased(key, by: use, at: listing.observedAt, account: options.account))
                        fallen[period] += use
                        fellAt = listing.observedAt
                    }
                    // Back up through use read before its fall: counted then, taken back by the fall.
                    if use > .zero, let fell = fellAt, let earlierHigh = earlier?.high, before < earlierHigh, let period {
                        regained[period].append(RegainedKey(
                            key: key, use: min(key.usage, earlierHigh) - before, high: earlierHigh, fellAt: fell))
                    }
                } else if let previous = previousReadingAt, let created = key.createdAt, created > previous {
                    use = key.usage
                } else {
                    use = .zero
                }
                last[key.hash] = (key.usage, anchor, high, fellAt)
                if use > .zero, period != nil, let from = previousAnchor, let seen = earlier?.seen, seen < from {
                    back.append(ReturningKey(key: key, from: seen, use: use))
                }
                listingUse += use
                guard let period else { continue }
                let sofar = perPeriod[period][key.hash]?.used ?? .zero
                perPeriod[period][key.hash] = (sofar + use, key)
            }
            sofar.append((anchor, (sofar.last?.use ?? .zero) + listingUse, (sofar.last?.readings ?? 0) + Int64(keyCount)))
            let missed = previousAnchor.flatMap { from in previousReadingAt.map { from < $0 } } ?? false
            if let period, missed || !back.isEmpty, let from = (back.map(\.from) + [previousAnchor].compactMap { $0 }).min(),
               let accountUse = Self.accountUse(trusted, from: from, to: anchor) {
                // The listings after `from` up to this one: `from` is an earlier listing's anchor.
                let low = sofar.partitioningIndex { $0.anchor > from }  // the first listing after `from`
                let start = low > 0 ? sofar[low - 1] : (anchor: from, use: Micros.zero, readings: Int64(0))
                let keysUse = sofar[sofar.count - 1].use - start.use
                // Each amount is rounded to the micro-dollar: a key's use is two of them, the
                // account's too. The keys read at the listing before, over the step since it,
                // on their own: one of them using more than the account in it is no key back.
                let backUse = back.reduce(Micros.zero) { $0 + $1.use }
                let stepOverspent = !missed && previousAnchor.flatMap { Self.accountUse(trusted, from: $0, to: anchor) }
                    .map { listingUse - backUse > $0 + Micros(raw: Int64(keyCount) + 1) } == true
                if stepOverspent || keysUse > accountUse + Micros(raw: sofar[sofar.count - 1].readings - start.readings + 1) {
                    overspent[period] = true
                } else {
                    stretched[period].append(ReturnSpan(
                        check: SpanCheck(from: from, keys: keysUse, account: accountUse), to: anchor, keys: back))
                }
            }
        }

        var rows: [KeyPeriodUsage] = []
        let firstListing = input.keyListings.first?.observedAt
        let activity = ActivityOfDays(
            stored: Set(input.activity.days.map(\.date.daysSinceEpoch)),
            withUse: Set(input.activity.lines.map(\.date.daysSinceEpoch)), lost: lostDays,
            rangeFrom: grid.periods[0].start)
        for (index, period) in grid.periods.enumerated() {
            let keys = perPeriod[index].values.sorted { KeyPeriodUsage.keyOrder($0.latest, $1.latest) }
            var attributed = Micros.zero
            for entry in keys {
                rows.append(KeyPeriodUsage(start: period.start, end: period.end, key: entry.latest, used: entry.used))
                attributed += entry.used
            }
            let unattributed = period.used - attributed
            rows.append(KeyPeriodUsage(start: period.start, end: period.end, key: nil, used: unattributed))
            // Before the keys were ever read, all use is unattributed and says nothing.
            guard unattributed != .zero, let firstListing, firstListing < period.endInstant else { continue }
            // Use in a period no listing read the keys in: the next one counts theirs.
            let unlisted: Unlisted? = listed.contains(index)
                ? nil : Unlisted(nextListing: sofar.first { $0.anchor >= period.endInstant }?.anchor)
            let spans = unattributed < .zero && !overspent[index] ? stretched[index] : []
            let back = spans.flatMap(\.keys)
            let models = activity.note(measured: Self.measuredDays(period, readingTimes: readingTimes))
            let backUp = regained[index].reduce(Micros.zero) { $0 + $1.use }
            if back.isEmpty, unattributed < .zero, backUp >= unattributed.magnitude {
                findings.append(regainedFinding(unattributed, period: period, keys: regained[index]))
            } else if back.isEmpty {
                findings.append(unattributedFinding(
                    unattributed, period: period, used: period.used, span: spans.last?.check, fallen: fallen[index],
                    unlisted: unlisted, models: models))
            } else if back.reduce(Micros.zero, { $0 + $1.use }) >= unattributed.magnitude {
                findings.append(returningFinding(unattributed, period: period, spans: spans))
            } else {  // more than the keys back can explain
                findings.append(unattributedFinding(
                    unattributed, period: period, used: period.used, span: nil, fallen: fallen[index], unlisted: nil,
                    models: models))
            }
        }
        return rows
    }

    /// A period with use and no listing of the keys anchored in it, and the next listing
    /// after it, if one was read.
    struct Unlisted {
        var nextListing: Timestamp?
    }

    /// A key back in a listing after missing from the ones since its last reading (at the
    /// listing anchored `from`), and its use over that span.
    struct ReturningKey {
        var key: KeyReading
        var from: Timestamp
        var use: Micros
    }

    /// A key whose usage rose back after it went down (`usage_decreased`): `use` of its rise
    /// is back through levels it read before, up to `high`, counted as use then and taken
    /// back by the fall, read at the listing of `fellAt`.
    struct RegainedKey {
        var key: KeyReading
        var use: Micros
        var high: Micros
        var fellAt: Timestamp
    }

    /// The keys using more than the account in `period` because their usage rose back after
    /// going down: it was said to straddle the period's edge (probe 425), with no word of the
    /// fall it undoes.
    private func regainedFinding(_ amount: Micros, period: PeriodSummary, keys: [RegainedKey]) -> Finding {
        let named = keys.prefix(5).map { entry in
            "key \(entry.key.shown) rose back to \(entry.key.usage.decimalText) after it went down by the "
                + "listing of \(entry.fellAt.iso8601), from \(entry.high.decimalText) (\(entry.use.decimalText) of it read before)"
        }.joined(separator: "; ") + (keys.count > 5 ? "; and \(keys.count - 5) more" : "")
        return Finding(
            .info, .usageUnattributed, at: period.startInstant, account: options.account, amount: amount,
            message: "the keys' readings show \(amount.magnitude.decimalText) USD more use in \(period.start)–\(period.end) "
                + "than the account's own totals (used \(period.used.decimalText)) because \(keys.count == 1 ? "a key's" : "keys'") "
                + "running usage rose back through what \(keys.count == 1 ? "it" : "they") had read before going down "
                + "(usage_decreased): \(named). That use was counted when first read and taken back by the fall, so over "
                + "both periods it adds up; if OpenRouter corrected the usage, the fall was the wrong reading.")
    }

    /// A listing whose keys' use reaches back past an account reading since the listing
    /// before, the keys back in it (`keys`; none after a night whose listing failed), and the
    /// check of every key's use against the account's, from the earliest reading their use
    /// goes back to, to the listing (`to`).
    struct ReturnSpan {
        var check: SpanCheck
        var to: Timestamp
        var keys: [ReturningKey]
    }

    private func returningFinding(_ amount: Micros, period: PeriodSummary, spans: [ReturnSpan]) -> Finding {
        let keys = spans.flatMap(\.keys)
        let named = keys.prefix(5).map { key in
            "\(key.key.shown) (\(key.use.decimalText) since it was last read, at \(key.from.iso8601))"
        }.joined(separator: ", ") + (keys.count > 5 ? " and \(keys.count - 5) more" : "")
        let totals = spans.map { span in
            "from \(span.check.from.iso8601) to \(span.to.iso8601) the keys used \(span.check.keys.decimalText) of the "
                + "account's \(span.check.account.decimalText)"
        }.joined(separator: "; ")
        return Finding(
            .info, .usageUnattributed, at: period.startInstant, account: options.account, amount: amount,
            message: "the keys' readings show \(amount.magnitude.decimalText) USD more use in \(period.start)–\(period.end) "
                + "than the account's own totals (used \(period.used.decimalText)) because \(keys.count == 1 ? "a key" : "keys") "
                + "missing from the listings in between came back: \(named). Their use since spans earlier days, whose use "
                + "was counted unattributed then (a key the API leaves out of a listing, as paging by offset does when a key "
                + "is deleted while it is read). Over that span \(totals).")
    }

    /// A listing's keys' use, and the account's, from the listing before it to it.
    struct SpanCheck {
        var from: Timestamp
        var keys: Micros
        var account: Micros
    }

    /// The account's use between its trusted readings at or before `from` and at or before
    /// `to`; `nil` without a reading at or before `from`.
    static func accountUse(_ trusted: [SnapshotRow], from: Timestamp, to: Timestamp) -> Micros? {
        func usage(at time: Timestamp) -> Micros? {
            let low = trusted.partitioningIndex { $0.observedAt > time }  // the first reading after `time`
            return low > 0 ? trusted[low - 1].totalUsage : nil
        }
        guard let start = usage(at: from), let end = usage(at: to) else { return nil }
        return end - start
    }

    /// The UTC days (since the epoch) whose use `period`'s readings measure: those whose
    /// ending midnight comes after the reading before the period (or its first reading) and
    /// by its last, as *Top model* counts a day in the period holding that midnight; with no
    /// such midnight, the day of its last reading, not over yet. `nil` without a reading in it.
    static func measuredDays(_ period: PeriodSummary, readingTimes: [Timestamp]) -> ClosedRange<Int64>? {
        let inside = readingTimes.partitioningIndex { $0 >= period.startInstant }
        let after = readingTimes.partitioningIndex { $0 >= period.endInstant }
        guard after > inside else { return nil }
        let opening = readingTimes[inside > 0 ? inside - 1 : inside], closing = readingTimes[after - 1]
        let first = opening.utcDate.daysSinceEpoch
        let last = closing.utcDate.daysSinceEpoch - 1
        return last >= first ? first...last : (last + 1)...(last + 1)
    }

    /// What the ledger holds of the activity of the days a period's readings measure, said
    /// after use on no key: the days whose activity was lost, or is not stored yet, or where
    /// usage_by_model.csv shows it. It said "holds no use by model" of a period whose days'
    /// activity the report's own table showed, and sent to usage_by_model.csv for use of days
    /// whose activity was lost (probe 450): it looked at the period's own dates, a day after
    /// those its readings measure.
    struct ActivityOfDays {
        let stored: Set<Int64>
        let withUse: Set<Int64>
        let lost: Set<Int64>
        /// The report's first day: days before it are in another report's usage_by_model.csv.
        let rangeFrom: CivilDate

        func note(measured: ClosedRange<Int64>?) -> String {
            guard let measured else { return "" }
            func day(_ days: Int64) -> String { CivilDate(daysSinceEpoch: days).isoText }
            func days(_ list: [Int64]) -> String {
                guard let first = list.first, let last = list.last else { return "" }
                return list.count == 1 ? day(first) : "\(list.count) days from \(day(first)) to \(day(last))"
            }
            let measuring = measured.count == 1 ? "the UTC day \(day(measured.lowerBound))"
                : "the UTC days \(day(measured.lowerBound)) to \(day(measured.upperBound))"
            let lostOnes = measured.filter(lost.contains)
            if !lostOnes.isEmpty {
                return " Its readings measure \(measuring), and the activity of "
                    + (lostOnes.count == measured.count ? (measured.count == 1 ? "that day" : "all of them") : days(lostOnes))
                    + " left GET /activity's 30-day window before a fetch stored it (activity_lost): what that use went to is "
                    + "not in the books."
            }
            let missing = measured.filter { !stored.contains($0) }
            if !missing.isEmpty {
                return " Its readings measure \(measuring); the ledger holds no use by model of \(days(missing)) yet: the "
                    + "first fetch after a UTC day ends stores its activity (while the API keeps it, 30 days), and a report "
                    + "then shows it in usage_by_model.csv."
            }
            guard measured.contains(where: withUse.contains) else {
                return " The activity stored of \(measuring), which its readings measure, shows no use; activity_mismatch "
                    + "says where the two disagree."
            }
            let elsewhere = measured.lowerBound < rangeFrom.daysSinceEpoch
            return " usage_by_model.csv shows the models of \(measuring), which its readings measure"
                + (elsewhere ? " (of a report whose range begins by \(day(measured.lowerBound)))." : ".")
        }
    }

    /// `fallen`: how far keys' usage went down in the period (negative, or zero);
    /// `models`: what the ledger holds of the activity of the days the period's readings
    /// measure (`ActivityOfDays.note(measured:)`).
    private func unattributedFinding(
        _ amount: Micros, period: PeriodSummary, used: Micros, span check: SpanCheck?, fallen: Micros,
        unlisted: Unlisted?, models: String
    ) -> Finding {
        let span = "\(period.start)–\(period.end)"
        func finding(_ severity: Severity, _ message: String) -> Finding {
            Finding(severity, .usageUnattributed, at: period.startInstant, account: options.account, amount: amount, message: message)
        }
        if amount > .zero, fallen < .zero {
            // Not use on no key: what the account used less the keys' use, a fall among them.
            // It read "0.75 USD of the 0 used … is on no key" (probe 127).
            let all = amount <= fallen.magnitude
            return finding(.warning, "the account's totals show \(used.decimalText) USD used in \(span), and keys' running usage went "
                + "down by \(fallen.magnitude.decimalText) USD in it (usage_decreased), which counts as their negative "
                + "use: the account's use less the keys' leaves \(amount.decimalText) USD unexplained, "
                // Not said to be use on no key: a key that used more than its reading fell by
                // hides that use behind the fall, and the readings cannot tell (probe 450).
                + (all ? "no more than that fall" : "\(fallen.magnitude.decimalText) of it that fall and "
                    + "\((amount + fallen).decimalText) more that the keys' readings do not show (use on no key, or a key's "
                    + "use hidden by its fall)")
                + ". Ask OpenRouter whether the key's usage was corrected; usage_by_key.csv shows its negative use.")
        }
        let keysReadMore = "the keys' readings show \(amount.magnitude.decimalText) USD more use in \(span) than the account's own "
            + "totals (used \(used.decimalText))"
        if amount < .zero, let check {
            // Not a key using more than the account: the keys were not read in between.
            return finding(.info, keysReadMore + " because they were last read before, at \(check.from.iso8601) (a night's "
                + "GET /keys is missing): their use since spans earlier days, whose use was counted unattributed then. Over "
                + "that whole span the keys used \(check.keys.decimalText) of the account's \(check.account.decimalText).")
        }
        if amount < .zero, period.usageFell < .zero {
            // Not a key's reading straddling the edge: the account's own total went down
            // (probe 462: its keys used nothing, and the edge was blamed).
            let all = amount.magnitude <= period.usageFell.magnitude
            return finding(.warning, keysReadMore + ", whose total_usage went down by \(period.usageFell.magnitude.decimalText) "
                + "USD in it (usage_decreased), which counts as negative use"
                + (all ? "" : ", and \((amount - period.usageFell).magnitude.decimalText) more than that fall, which a key's "
                    + "reading and the account's straddling the period's edge may explain")
                + ". Ask OpenRouter whether the account's usage was corrected; the keys' own readings did not go down with it.")
        }
        if amount < .zero {
            return finding(.warning, keysReadMore + "; a key's reading and the account's may straddle the period's edge. If it "
                + "persists, compare usage_by_key.csv with GET /keys.")
        }
        if let unlisted {
            // Not said to be on keys deleted or on no key: no listing read the keys (probe 462).
            return finding(.info, "\(amount.decimalText) USD of the \(used.decimalText) used in \(span) is on no key the ledger "
                + "read in it: no listing of the keys was read in it (a fetch with --no-keys, or a night whose GET /keys "
                + "failed), so the next listing" + (unlisted.nextListing.map { ", at \($0.iso8601)," } ?? " read")
                + " counts the use of the keys read before in its own period (a key it lists first brings its use only if "
                + "made after the account's reading before it)." + models)
        }
        return finding(.info, "\(amount.decimalText) USD of the \(used.decimalText) used in \(span) is on no key the ledger "
            + "read: keys deleted between readings, use before a key's first reading, or use on no key (chat "
            + "in the browser)." + models)
    }

    /// An `activity_mismatch` finding for each span between trusted readings whose use lies
    /// outside the bounds the stored days set: at least the activity of the UTC days wholly
    /// inside `[t₀, t₁)`, at most that of the days overlapping it. A span is checked only when
    /// every day overlapping it is stored. The only tolerance is the rounding to micro-USD of
    /// amounts the API sends with more decimals: half a micro-dollar for each row of the days
    /// and for each of the two readings (a quiet night puts the use on a bound, and a
    /// thousand rounded rows would put it a fraction of a cent past it).
    ///
    /// The spans are the steps between consecutive readings, and, for every stored day with
    /// readings inside it, the span from the last reading at or before its start to the first
    /// at or after its end (two readings a day bound each half by the whole day only; the
    /// enclosing span bounds the day exactly). An enclosing span is not checked again when
    /// one of its steps already broke a bound.
    func activityBoundFindings(_ trusted: [SnapshotRow], dayTotals: [Int64: DayTotal]) -> [Finding] {
        guard !dayTotals.isEmpty, trusted.count > 1 else { return [] }
        var findings: [Finding] = []
        var broken: [Int] = []  // indices of the steps (i, i + 1) that broke a bound, ascending
        for index in trusted.indices.dropLast() {
            if let finding = boundFinding(from: trusted[index], to: trusted[index + 1], dayTotals: dayTotals) {
                findings.append(finding)
                broken.append(index)
            }
        }
        var checked = Set<Int>()  // enclosing spans, by their first reading
        for day in dayTotals.keys.sorted() {
            let start = Timestamp(millisecondsSinceEpoch: day * Self.dayMilliseconds)
            let end = Timestamp(millisecondsSinceEpoch: (day + 1) * Self.dayMilliseconds)
            // The last reading at or before the day's start, the first at or after its end.
            let after = trusted.partitioningIndex { $0.observedAt > start }
            let last = trusted.partitioningIndex { $0.observedAt >= end }
            guard after > 0, last < trusted.count, last > after, !checked.contains(after - 1) else { continue }
            let first = after - 1
            checked.insert(first)
            let brokenInside = broken.partitioningIndex { $0 >= first }
            guard brokenInside == broken.count || broken[brokenInside] >= last else { continue }
            if let finding = boundFinding(from: trusted[first], to: trusted[last], dayTotals: dayTotals) {
                findings.append(finding)
            }
        }
        return findings
    }

    static let dayMilliseconds: Int64 = 86_400_000

    /// The finding for the use between `earlier` and `later` when it lies outside the
    /// activity's bounds; `nil` when it lies inside or a day overlapping the span is missing.
    private func boundFinding(from earlier: SnapshotRow, to later: SnapshotRow, dayTotals: [Int64: DayTotal]) -> Finding? {
        let fromAt = earlier.observedAt.millisecondsSinceEpoch
        let toAt = later.observedAt.millisecondsSinceEpoch
        guard toAt > fromAt else { return nil }
        let usage = later.totalUsage - earlier.totalUsage
        let firstDay = earlier.observedAt.utcDate.daysSinceEpoch
        let lastDay = later.observedAt.adding(milliseconds: -1).utcDate.daysSinceEpoch
        var lower = Micros.zero
        var upper = Micros.zero
        var rows = 2  // the two readings' own rounding
        var day = firstDay
        while day <= lastDay {
            guard let total = dayTotals[day] else { return nil }
            upper += total.usage
            rows += total.lines
            if day * Self.dayMilliseconds >= fromAt && (day + 1) * Self.dayMilliseconds <= toAt { lower += total.usage }
            day += 1
        }
        let rounding = Micros(raw: Int64((rows + 1) / 2))
        let outside: Micros
        if usage < lower - rounding {
            outside = usage - lower
        } else if usage > upper + rounding {
            outside = usage - upper
        } else {
            return nil
        }
        let days = firstDay == lastDay ? CivilDate(daysSinceEpoch: firstDay).isoText
            : "\(CivilDate(daysSinceEpoch: firstDay).isoText) to \(CivilDate(daysSinceEpoch: lastDay).isoText)"
        return Finding(
            .warning, .activityMismatch, at: later.observedAt, account: options.account, amount: outside,
            message: "the account used \(usage.decimalText) USD between \(earlier.observedAt.iso8601) and "
                + "\(later.observedAt.iso8601), but the stored activity of \(days) (UTC) allows at least "
                + "\(lower.decimalText) and at most \(upper.decimalText); it is \(outside.magnitude.decimalText) "
                + (outside < .zero ? "under" : "over") + " the bound. Compare usage_by_model.csv with the "
                + "account's activity page, and ask OpenRouter if they disagree.")
    }

    /// An `activity_revised` note for each day of activity read again: the API came to
    /// answer the day otherwise, and the report uses the newer reading. Dated at the start
    /// of the day it revises (UTC), where `usage_by_model.csv` lists the day: a report of
    /// a month closed before the re-read showed its new figures without a word (probe 139).
    func activityRevisedFindings(_ readAgain: [ActivityReadAgain]) -> [Finding] {
        readAgain.map { again in
            let date = again.reading.date.isoText
            func total(_ usage: Micros?) -> String { usage.map { "\($0) USD" } ?? "more than the ledger can hold" }
            return Finding(
                .info, .activityRevised, at: Timestamp(millisecondsSinceEpoch: again.reading.date.daysSinceEpoch * 86_400_000),
                account: options.account,
                amount: again.usage.flatMap { now in again.earlierUsage.flatMap { now.subtracting($0) } }, reference: date,
                message: "the activity of \(date) (UTC) was read again at \(again.reading.observedAt.iso8601): GET /activity "
                    + "answered \(again.reading.lineCount) row\(again.reading.lineCount == 1 ? "" : "s") totalling "
                    + "\(total(again.usage)), where the reading of \(again.earlier.observedAt.iso8601) held "
                    + "\(again.earlier.lineCount) row\(again.earlier.lineCount == 1 ? "" : "s") totalling "
                    + "\(total(again.earlierUsage)). The report uses the newer reading for the day's use by model; the "
                    + "ledger keeps both.")
        }
    }

    /// The completed UTC days (since the epoch) from the account's first reading that left
    /// the API's window (`windowDays` days before `asOf`'s day) without being stored.
    static func daysLostToWindow(
        firstReading: Timestamp?, storedDays: Set<Int64>, asOf: Timestamp, windowDays: Int64 = activityWindowDays
    ) -> [Int64] {
        guard let firstReading else { return [] }
        let first = firstReading.utcDate.daysSinceEpoch
        let lastGone = asOf.utcDate.daysSinceEpoch - windowDays - 1
        guard first <= lastGone else { return [] }
        return (first...lastGone).filter { !storedDays.contains($0) }
    }

    /// How many completed days GET /activity answers for.
    static let activityWindowDays: Int64 = 30

    /// An `activity_lost` finding for each of `lostDays` (`daysLostToWindow`), observed when
    /// it left the window. A warning once the ledger holds any activity of the account (a
    /// nightly job stopped); worth knowing only, when it never read any.
    ///
    /// A day the account's trusted readings show no use across (one at or before its start,
    /// one at or after its end, the same `total_usage`) lost no use by model: a note, not a
    /// warning (a nightly job stopped over an idle week was warned of every idle day).
    ///
    /// A day that left the window before `firstRead`, the ledger's first reading of activity,
    /// was never within its reach (readings imported from before the tool was used): a note,
    /// where every night's report warned of each such day for good, and exited 1.
    func activityLostFindings(
        _ lostDays: [Int64], storedDays: Set<Int64>, trusted: [SnapshotRow], firstRead: Timestamp?
    ) -> [Finding] {
        let windowDays = Self.activityWindowDays
        let severity: Severity = storedDays.isEmpty ? .info : .warning
        let advice = storedDays.isEmpty
            ? "The ledger holds no activity of this account: `fetch` reads it unless --no-activity is given."
            : "Check that the nightly fetch runs: the API keeps the last 30 completed days only."
        var findings: [Finding] = []
        for day in lostDays {
            let date = CivilDate(daysSinceEpoch: day)
            let at = Timestamp(millisecondsSinceEpoch: (day + windowDays + 1) * 86_400_000)
            if let firstRead, at <= firstRead {
                findings.append(Finding(
                    .info, .activityLost, at: at, account: options.account, reference: date.isoText,
                    message: "the activity of \(date.isoText) (UTC) left GET /activity's 30-day window before this ledger "
                        + "first read activity (\(firstRead.iso8601)): no fetch stored it (its readings were imported, or "
                        + "fetched with --no-activity), so what was used on which model that day is not in the books."))
                continue
            }
            if !storedDays.isEmpty, let idle = Self.idleAcross(day: day, trusted) {
                findings.append(Finding(
                    .info, .activityLost, at: at, account: options.account, reference: date.isoText,
                    message: "the activity of \(date.isoText) (UTC) left GET /activity's 30-day window before it was "
                        + "stored, but the account's total_usage did not move across the day ("
                        + (idle.before.map { "\($0.iso8601) to \(idle.after.iso8601)" } ?? "still 0 at \(idle.after.iso8601)")
                        + "): no use by model was lost, only a count of requests made with the "
                        + "account's own provider keys, if any."))
                continue
            }
            findings.append(Finding(
                severity, .activityLost, at: at,
                account: options.account, reference: date.isoText,
                message: "the activity of \(date.isoText) (UTC) left GET /activity's 30-day window before it was "
                    + "stored; what was used on which model that day is lost for good. " + advice))
        }
        return findings
    }

    /// The trusted readings at or before the start of `day` (days since the epoch, UTC) and
    /// at or after its end, when there are both and `total_usage` is the same at each; or,
    /// before the first reading, none (`before` `nil`) when `total_usage` is still 0 after
    /// the day: nothing was ever used by then (probe 430: an idle account's first day was
    /// said lost for good, exit 1).
    static func idleAcross(day: Int64, _ trusted: [SnapshotRow]) -> (before: Timestamp?, after: Timestamp)? {
        let start = Timestamp(millisecondsSinceEpoch: day * 86_400_000)
        let end = Timestamp(millisecondsSinceEpoch: (day + 1) * 86_400_000)
        let afterStart = trusted.partitioningIndex { $0.observedAt > start }
        let atEnd = trusted.partitioningIndex { $0.observedAt >= end }
        guard atEnd < trusted.count else { return nil }
        let after = trusted[atEnd]
        guard afterStart > 0 else { return after.totalUsage == .zero ? (nil, after.observedAt) : nil }
        let before = trusted[afterStart - 1]
        return before.totalUsage == after.totalUsage ? (before.observedAt, after.observedAt) : nil
    }

    /// A `key_limit_low` warning for every enabled key with a limit whose `limit_remaining`
    /// is under 10 % of the limit or under `minKeyRemaining`.
    func keyLimitFindings(_ keys: [KeyReading], readAt: Timestamp?) -> [Finding] {
        guard let readAt else { return [] }
        return Self.keyLimitFindings(keys, readAt: readAt, account: options.account, minKeyRemaining: options.minKeyRemaining)
    }

    /// The `key_limit_low` rule, for the keys of a listing read at `readAt`: of the report,
    /// of `status` and of the `fetch` that reads the listing.
    static func keyLimitFindings(
        _ keys: [KeyReading], readAt: Timestamp, account: String, minKeyRemaining: Micros
    ) -> [Finding] {
        var findings: [Finding] = []
        for key in keys {
            guard key.disabled != true, let limit = key.limit, let remaining = key.limitRemaining else { continue }
            let tenPercent = remaining.raw.multipliedReportingOverflow(by: 10)
            guard remaining < minKeyRemaining || (!tenPercent.overflow && tenPercent.partialValue < limit.raw)
            else { continue }
            // Shown with its hash, control characters as `?`: two keys of one name were two
            // alike lines, and a name's line break wrote a line of its own (probe 380).
            findings.append(Finding(
                .warning, .keyLimitLow, at: readAt, account: account, amount: remaining, reference: key.name ?? key.hash,
                message: "key \(key.shown) has \(remaining.decimalText) USD left of its \(limit.decimalText) limit"
                    + (key.limitReset.map { " (resets \($0))" } ?? "")
                    // Of a key already spent, said as now (probe 222: "once it is spent" of one the API refused).
                    + (remaining.raw <= 0 ? "; it is spent, and requests on it are refused. " : "; requests on it fail once it is spent. ")
                    + "Raise the limit in OpenRouter's key settings, or move the work to another key."))
        }
        return findings
    }

    /// The keys of the latest listing in the grid's range, with the balance of the latest
    /// trusted reading before the range ends.
    func keyStanding(
        _ input: Input, listings rangesByListing: [Int64: Range<Int>], trusted: [SnapshotRow], grid: PeriodGrid
    ) -> (keys: [KeyLimitStanding], readAt: Timestamp?) {
        guard let listing = input.keyListings.last(where: { grid.contains($0.observedAt) }) else { return ([], nil) }
        let balance = trusted.last(where: { $0.observedAt < grid.rangeEnd }).map { $0.totalCredits - $0.totalUsage }
        let range = rangesByListing[listing.id] ?? 0..<0
        let keys = input.keyReadings[range].map(\.key).sorted(by: KeyPeriodUsage.keyOrder)
        return (keys.map { KeyLimitStanding(key: $0, balance: balance) }, listing.observedAt)
    }

    /// The UTC midnight that ends `day`, where the nightly reading shows its use: the
    /// instant whose period *Top model* counts the day's activity in.
    static func dayEnd(_ day: CivilDate) -> Timestamp {
        Timestamp(millisecondsSinceEpoch: (day.daysSinceEpoch + 1) * dayMilliseconds)
    }

    /// The stored activity lines of the UTC days from `from` up to `to`.
    func scopedActivity(_ lines: [ActivityLineRow], from: CivilDate, to: CivilDate) -> [ActivityLineRow] {
        lines.filter { $0.date >= from && $0.date < to }
    }

    /// Where each listing's readings lie in `readings` (read grouped by listing).
    static func rangesByListing(_ readings: [KeyReadingRow]) -> [Int64: Range<Int>] {
        var ranges: [Int64: Range<Int>] = [:]
        var start = 0
        for index in readings.indices where index + 1 == readings.count || readings[index + 1].listingID != readings[index].listingID {
            ranges[readings[index].listingID] = start..<(index + 1)
            start = index + 1
        }
        return ranges
    }
}

extension KeyPeriodUsage {
    /// Keys by name (unnamed last), then hash.
    static func keyOrder(_ a: KeyReading, _ b: KeyReading) -> Bool {
        switch (a.name, b.name) {
        case let (x?, y?) where x != y: return x < y
        case (_?, nil): return true
        case (nil, _?): return false
        default: return a.hash < b.hash
        }
    }
}

extension Finding {
    /// A key whose running usage went down (`use` is negative) by the listing at `at`:
    /// raised by `fetch` as it stores the listing and by the report, in the same words.
    static func keyUsageDecreased(_ key: KeyReading, by use: Micros, at: Timestamp, account: String) -> Finding {
        Finding(
            .warning, .usageDecreased, at: at, account: account, amount: use, reference: key.hash,
            message: "key \(key.shown)'s usage went down by \(use.magnitude.decimalText) USD, to "
                + "\(key.usage.decimalText), by the listing of \(at.iso8601); a key's running usage "
                + "should only rise. Ask OpenRouter about a usage correction.")
    }
}
