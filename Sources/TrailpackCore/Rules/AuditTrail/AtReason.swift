import Foundation

/// AT-REASON: modifications, deletions, stage changes, overrides and waivers give a reason.
enum AtReason: RuleDefinition {
    static let rule = Rule(id: .atReason, severity: .major, clause: "EU GMP Annex 11 §9",
        what: "A modification, deletion, stage change, override or waiver without a `reason` that says something (blanks, line breaks and invisible characters alone are no reason).",
        why: "Annex 11 requires the reason for a change or deletion of GMP-relevant data to be documented.",
        remedy: "Record a follow-up `record.modified` event that documents the reason, referencing the original event in refs.event.")

    /// Per event, on the workers (pure).
    static func check(_ e: Event, into out: inout [(rule: RuleID, message: String)]) {
        if Event.requiresReason(e.action) && Event.isBlankReason(e.reason) {
            out.append((.atReason, "\(e.action) without a reason"))
        }
    }
}
