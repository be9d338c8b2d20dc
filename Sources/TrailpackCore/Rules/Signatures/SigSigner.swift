/// SIG-SIGNER: the signer is the event's actor.
enum SigSigner: RuleDefinition {
    static let rule = Rule(id: .sigSigner, severity: .critical, clause: "21 CFR 11.100",
        what: "A signature whose `signer` differs from the event's `actor.id`.",
        why: "The person who signs must be the person who acts.",
        remedy: "Sign events as their actor; record a new, correctly signed event.")

    static func check(_ sig: Signature, _ e: Event, status: inout [String], at place: FindingPlace, into findings: inout [Finding]) {
        if sig.signer?.bytes != e.actor.id.bytes {
            status.append("signer differs from actor")
            findings.append(place.finding(.sigSigner, "signature signer \"\(sig.signer?.string ?? "")\" differs from actor \"\(e.actor.id.string)\""))
        }
    }
}
