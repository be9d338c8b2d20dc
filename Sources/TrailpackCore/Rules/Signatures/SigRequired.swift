/// SIG-REQUIRED: actions listed in policy.requireSigned carry a valid signature by a key of
/// their actor; without one the event counts for no other rule.
enum SigRequired: RuleDefinition {
    static let rule = Rule(id: .sigRequired, severity: .critical, clause: "21 CFR 11.10(e), 11.70",
        what: "An event whose action policy.requireSigned lists, without a valid signature by a key registered to its actor (services may own keys). It counts for no other rule.",
        why: "Records that anyone who can write the log could add (a passing test, a training, a deployment) are evidence only when their author signed them.",
        remedy: "Give the pipeline that records these actions its own key, register it to the pipeline's service id, and sign its events (`trailpack record --key`).")

    static func check(_ e: Event, requireSigned: Set<JSONString>, checked: inout CheckedEvent, at place: FindingPlace, into findings: inout [Finding]) {
        if requireSigned.contains(JSONString(e.action)) && !checked.signatureValid {
            checked.counts = false
            findings.append(place.finding(.sigRequired, "\(e.action) is listed in policy.requireSigned but carries no valid signature by a key registered to its actor \(e.actor.id.string): it counts for no other rule"))
        }
    }
}
