/// SIG-MANIFEST: a signature shows the printed name, time and meaning, and they are the
/// signer's own: the name the key's registration gives, a time near the event's.
enum SigManifest: RuleDefinition {
    static let rule = Rule(id: .sigManifest, severity: .major, clause: "21 CFR 11.50",
        what: "A signature without the signer's printed name, the time, or one of the meanings authorship, review, approval, responsibility; a printed name (`signature.name` or `actor.name`) other than the one the key's first `key.registered` gives its owner (`data.name`), or a signing time more than policy.clockSkewSeconds away from the event's time. Such a signature does not count.",
        why: "Signed records must show the printed name, date and time, and meaning of the signature, and those must be the signer's own: a name or time the signer can choose freely would let one person sign in another's name or at another time.",
        remedy: "Have the signing tool fill name, time and meaning from the key's registration and the event; re-sign the record.")

    /// Printed name, time and meaning present (such a signature may still count).
    static func checkFields(_ sig: Signature, at place: FindingPlace, into findings: inout [Finding]) {
        var missing: [String] = []
        if (sig.name ?? "").isEmpty { missing.append("printed name") }
        if let t = sig.timeText, case .valid = Timestamp.parse(t) {} else { missing.append("time") }
        if !Signature.meanings.contains(sig.meaning ?? "") { missing.append("meaning (one of \(Signature.meanings.joined(separator: ", ")))") }
        if !missing.isEmpty {
            findings.append(place.finding(.sigManifest, "signature lacks " + missing.joined(separator: ", ")))
        }
    }

    /// The printed names equal the one registered for the key.
    static func checkPrintedName(_ sig: Signature, _ e: Event, keyName: String, registration reg: KeyRegistration,
                                 status: inout [String], at place: FindingPlace, into findings: inout [Finding]) {
        guard let printed = reg.name else { return }
        var wrong: [String] = []
        if let n = sig.name, !n.utf8.elementsEqual(printed.utf8) { wrong.append("signature.name \"\(n)\"") }
        if let n = e.actor.name, !n.utf8.elementsEqual(printed.utf8) { wrong.append("actor.name \"\(n)\"") }
        if !wrong.isEmpty {
            status.append("printed name is not the key owner's")
            findings.append(place.finding(.sigManifest, wrong.joined(separator: " and ") + " differ from the printed name \"\(printed)\" registered for key \(keyName) (seq \(reg.seq))"))
        }
    }

    /// The signing time within the clock skew of the event's time.
    static func checkTime(_ sig: Signature, _ e: Event, skew: Int64, status: inout [String], at place: FindingPlace, into findings: inout [Finding]) {
        if let st = sig.timeText, case .valid(let signed) = Timestamp.parse(st),
           let et = e.timeText, case .valid(let recorded) = Timestamp.parse(et),
           signed.adding(seconds: skew) < recorded || recorded.adding(seconds: skew) < signed {
            status.append("signing time away from the event's time")
            findings.append(place.finding(.sigManifest, "signature time \(st) is more than \(skew) s away from the event's time \(et)"))
        }
    }
}
