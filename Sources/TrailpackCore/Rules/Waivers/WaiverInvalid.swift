/// WAIVER-INVALID: a `finding.waived` event waives something only when signed with meaning
/// approval by an independent approver, with a reason, a rule that may be waived and a location.
enum WaiverInvalid: RuleDefinition {
    static let rule = Rule(id: .waiverInvalid, severity: .major, clause: "21 CFR 11.10(e), 11.50",
        what: "A finding.waived event that waives nothing: unsigned, signature invalid, meaning not approval, by a service, by someone not in policy.approvers (when listed), without a reason, without data.rule and data.location, of a finding that is never waived (INT-PARSE, INT-HASH, INT-CHAIN, INT-SEQ, INT-CHECKPOINT, INT-CHECKPOINT-SIG, SIG-INVALID, SIG-KEY, SIG-SIGNER, SIG-REQUIRED, WAIVER-INVALID), or signed by the actor of the event its finding names (for a finding located in the registry, the event it stands on: a TRC-FAILED's failing test); a reason of only blanks, line breaks or invisible characters is no reason. A valid waiver that matches no finding is listed on the findings page as unused; it is not a finding.",
        why: "Only a signed, attributable decision by an independent approver may accept a finding, and tampering or a broken signature is never accepted: it is undone, not explained.",
        remedy: "Record the waiver again, signed by a person with meaning approval, with the rule and location exactly as printed in the finding.")

    /// Findings that no waiver accepts (contract section 4.4).
    static let neverWaived: Set<RuleID> = [
        .intParse, .intHash, .intChain, .intSeq, .intCheckpoint, .intCheckpointSig, .sigInvalid, .sigKey, .sigSigner, .sigRequired, .waiverInvalid,
    ]

    /// In log order, at a counted `finding.waived`: true when it passes the checks made at its event.
    static func check(_ c: CheckedEvent, approvers: Set<JSONString>, _ add: (RuleID, String) -> Void) -> Bool {
        let e = c.event
        var problems: [String] = []
        if e.signature == nil { problems.append("it is not signed") }
        else {
            if !c.signatureValid { problems.append("its signature is not valid (\(c.signatureStatus ?? ""))") }
            if e.signature?.meaning != "approval" { problems.append("its signature's meaning is not approval") }
        }
        if e.actor.isService { problems.append("it is by a service, not a person") }
        if !approvers.isEmpty && !approvers.contains(e.actor.id) {
            problems.append("\(e.actor.id.string) is not one of policy.approvers")
        }
        if Event.isBlankReason(e.reason) { problems.append("it gives no reason") }
        let rule = e.data["rule"]?.stringValue ?? ""
        let location = e.data["location"]?.stringValue ?? ""
        if let r = RuleID(rawValue: rule) {
            if neverWaived.contains(r) { problems.append("\(rule) findings are never waived (tampering and broken signatures are undone, not explained)") }
        } else { problems.append("data.rule \"\(rule)\" is not a rule id") }
        if location.isEmpty { problems.append("data.location is missing") }
        if !problems.isEmpty {
            add(.waiverInvalid, "finding.waived waives nothing: " + problems.joined(separator: "; "))
            return false
        }
        return true
    }

    /// At the end of the log: marks findings covered by a valid waiver (same rule and location);
    /// returns the unused waivers. A waiver signed by the actor of the event its finding names
    /// waives nothing: it becomes a finding (appended, findings stay sorted).
    /// `person` maps an actor id to the person it names (`identities`), for the self-waiver test.
    static func apply(_ findings: inout [Finding], _ waivers: [PendingWaiver], person: (JSONString) -> JSONString = { $0 },
                      actorAt: (Int64) -> JSONString? = { _ in nil }) -> [Waiver] {
        var used = Set<Int64>()
        var selfWaived = Set<Int64>()
        var invalid: [Finding] = []
        for i in findings.indices where findings[i].omitted == 0 {
            // A finding that stands for others not listed (``FindingCap``) is never waived.
            // A waiver names the finding's printed location or, for an event, `seq N` (contract
            // section 10), compared as bytes (two spellings of one text are two locations).
            let rule = findings[i].rule.rawValue.utf8, location = findings[i].location.utf8
            let seqText = findings[i].seq.map { "seq \($0)" }
            // A waiver accepts what existed when it was signed (``Finding/evidenceSeq``).
            let evidence = findings[i].evidenceSeq
            guard let w = waivers.first(where: { p in
                p.rule.utf8.elementsEqual(rule)
                    && (p.location.utf8.elementsEqual(location) || seqText.map { p.location.utf8.elementsEqual($0.utf8) } ?? false)
                    && evidence.map { $0 < p.waiver.seq } ?? true
            }) else { continue }
            // The event a finding names, or else the event it stands on (the failing test of a
            // TRC-FAILED, located in the registry): its actor cannot waive it.
            if let seq = findings[i].seq ?? findings[i].evidenceSeq, let actor = actorAt(seq), person(actor).bytes == person(w.signer).bytes {
                if selfWaived.insert(w.waiver.seq).inserted {
                    invalid.append(Finding(.waiverInvalid, "finding.waived waives nothing: it is signed by \(w.signer.string), the actor of the event (seq \(seq)) whose \(w.rule) finding it names; a waiver needs someone independent",
                                           file: w.file, line: w.line, seq: w.waiver.seq))
                }
                continue
            }
            findings[i].waiver = w.waiver
            used.insert(w.waiver.seq)
        }
        if !invalid.isEmpty {
            findings += invalid
            findings.sort(by: Finding.ordered)
        }
        return waivers.map(\.waiver).filter { !used.contains($0.seq) && !selfWaived.contains($0.seq) }
    }
}
