/// INT-HASH: the recorded `hash` is SHA-256 of the event's canonical form without it.
enum IntHash: RuleDefinition {
    static let rule = Rule(id: .intHash, severity: .critical, clause: "21 CFR 11.10(e); EU GMP Annex 11 §9",
        what: "An event whose recorded `hash` differs from SHA-256 of its canonical form without `hash`.",
        why: "A hash mismatch means the event's content changed after it was recorded.",
        remedy: "Treat as tampering or corruption: restore the segment from a trusted copy, investigate who changed it, and record the investigation as an exception with CAPA.")

    /// In log order; `computed` was computed on the workers.
    static func check(_ e: Event, computed: SHA256.Digest, at place: FindingPlace, into findings: inout [Finding]) {
        if let recorded = e.hashDigest {
            if recorded != computed {
                findings.append(place.finding(.intHash, "recorded hash \(recorded.hex) differs from the computed \(computed.hex)"))
            }
        } else if let text = e.hash {
            findings.append(place.finding(.intHash, "hash \"\(text.prefix(80))\" is not 64 lowercase hex digits"))
        }
    }
}
