/// INT-TIME: event times are RFC 3339 with an offset and do not go back by more than the
/// clock skew; (v1.1) `occurred` is RFC 3339 with an offset and not after the event's time.
enum IntTime: RuleDefinition {
    static let rule = Rule(id: .intTime, severity: .major, clause: "21 CFR 11.10(e); ALCOA+ (contemporaneous)",
        what: "An event time without a UTC offset, not RFC 3339, or earlier than the latest time seen so far by more than policy.clockSkewSeconds; (v1.1) an `occurred` that is not RFC 3339 with an offset, or later than the event's time by more than policy.clockSkewSeconds.",
        why: "Audit trails must be time-stamped unambiguously and contemporaneously.",
        remedy: "Fix the recording pipeline's clock and time format (RFC 3339 with Z or +hh:mm); record a wrong time's correction as a record.modified (old and new value, reason) and waive the finding with it (docs/format.md).")

    /// In log order; `time` was parsed on the workers. Moves `maxTime` and `lastTime` (shared: the as-of time).
    static func observe(_ e: Event, time: Timestamp.ParseResult?, skew: Int64, maxTime: inout Timestamp?, lastTime: inout Timestamp?,
                        at place: FindingPlace, into findings: inout [Finding]) {
        if let t = e.timeText, let parsed = time {
            switch parsed {
            case .missingOffset: findings.append(place.finding(.intTime, "time \"\(t)\" has no UTC offset (add Z or +hh:mm)"))
            case .invalid: findings.append(place.finding(.intTime, "time \"\(t)\" is not an RFC 3339 date-time"))
            case .valid(let ts):
                if let m = maxTime, ts.adding(seconds: skew) < m {
                    findings.append(place.finding(.intTime, "time \(t) is earlier than the latest time seen so far (\(m)) by more than \(skew) s"))
                }
                if maxTime.map({ ts > $0 }) ?? true { maxTime = ts }
                lastTime = ts
            }
        }
        // (v1.1) When the recorded fact happened: RFC 3339 with an offset, not after the recording.
        if let o = e.occurredText {
            switch Timestamp.parse(o) {
            case .missingOffset: findings.append(place.finding(.intTime, "occurred \"\(o)\" has no UTC offset (add Z or +hh:mm)"))
            case .invalid: findings.append(place.finding(.intTime, "occurred \"\(o)\" is not an RFC 3339 date-time"))
            case .valid(let oc):
                if let ts = e.time, oc > ts.adding(seconds: skew) {
                    findings.append(place.finding(.intTime, "occurred \(o) is later than the event's time \(ts) by more than \(skew) s: a fact is recorded after it happens"))
                }
            }
        }
    }
}
