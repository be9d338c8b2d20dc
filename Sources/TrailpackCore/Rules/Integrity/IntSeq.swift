/// INT-SEQ: `seq` counts the events from 1 without gap, and no `id` is used twice.
/// Holds the set of id digests (bounded memory, no id strings kept).
struct IntSeq: RuleDefinition {
    static let rule = Rule(id: .intSeq, severity: .critical, clause: "21 CFR 11.10(e)",
        what: "A `seq` gap, repeat or reordering, or an event `id` used twice.",
        why: "Sequence numbers and unique ids show that the trail is complete and that each record is referenced unambiguously.",
        remedy: "Restore the missing or duplicated events from a trusted copy; never renumber events by hand.")

    var ids = Set<IDKey>()

    init(expectedEvents: Int) { ids.reserveCapacity(expectedEvents) }

    /// Sizes the id set for `events` ids, before the first is noted.
    mutating func reserve(_ events: Int) {
        if ids.isEmpty && events > 0 { ids.reserveCapacity(events) }
    }

    /// In log order; `position` is the event's 1-based position in the log.
    mutating func observe(_ e: Event, idKey: IDKey?, position: Int64, at place: FindingPlace, into findings: inout [Finding]) {
        if let s = e.seq, s != position {
            findings.append(place.finding(.intSeq, s < position ? "seq \(s) repeats or goes back: event \(position) of the log expected seq \(position)"
                                                                : "seq \(s) skips ahead: event \(position) of the log expected seq \(position) (events missing?)"))
        }
        if let k = idKey, let id = e.id, !ids.insert(k).inserted {
            findings.append(place.finding(.intSeq, "id \"\(id.string)\" is used by an earlier event"))
        }
    }
}
