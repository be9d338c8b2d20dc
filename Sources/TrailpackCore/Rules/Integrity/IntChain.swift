/// INT-CHAIN: each event's `prev` is the `hash` of the event before it. Holds the chain's state.
struct IntChain: RuleDefinition {
    static let rule = Rule(id: .intChain, severity: .critical, clause: "21 CFR 11.10(e)",
        what: "An event whose `prev` is not the `hash` of the event before it (64 zeros for the first).",
        why: "The chain makes deletion, insertion and reordering of events evident.",
        remedy: "Find where the chain breaks (the finding names the line); restore the missing or altered events from a trusted copy.")

    var prevLink = SHA256.Digest.zero
    var prevLinkText: String?

    /// Checks `prev`, then makes this event's `leaf` (its recorded or computed hash) the link.
    mutating func observe(_ e: Event, leaf: SHA256.Digest, at place: FindingPlace, into findings: inout [Finding]) {
        if let p = e.prevDigest {
            if p != prevLink || prevLinkText != nil {
                findings.append(place.finding(.intChain, "prev \(p.hex) is not the hash of the previous event (\(prevLinkText ?? prevLink.hex))"))
            }
        } else if let p = e.prev {
            findings.append(place.finding(.intChain, "prev \"\(p.prefix(80))\" is not the hash of the previous event (\(prevLinkText ?? prevLink.hex))"))
        }
        prevLink = leaf
        prevLinkText = e.hashDigest == nil ? e.hash : nil
    }
}
