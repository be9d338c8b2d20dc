import Foundation

/// INT-PARSE: every line is one canonical (RFC 8785) JSON event. The line reader
/// (`LineAnalysis`, on the workers) detects the problems; this file words them.
enum IntParse: RuleDefinition {
    static let rule = Rule(id: .intParse, severity: .critical, clause: "21 CFR 11.10(a)",
        what: "A line of the audit store that is not one canonical (RFC 8785) JSON event: not JSON, not an object, not UTF-8, a BOM, a CR, a blank line, a duplicate key, a missing or mistyped field, or any byte that differs from the canonical form; ids not in Unicode NFC, or holding an invisible character (control, format or default-ignorable, e.g. U+200B, U+2060, U+202E).",
        why: "The hash of an event is only reproducible from its canonical bytes; a record that cannot be read exactly cannot be shown to be accurate and complete.",
        remedy: "Write events with an RFC 8785 serializer (or `trailpack record`). Never edit segments by hand; if a line is damaged, restore the segment from backup and verify again.")

    static func tooLong(_ limit: Int) -> String { "line longer than \(limit) bytes; not read" }
    static let blankLine = "blank line"
    static let unterminated = "last line of the segment has no terminating newline (truncated?)"
    static let byteOrderMark = "byte order mark at the start of the line"
    static let carriageReturn = "CR before the newline (CRLF line ending)"
    static func notJSON(_ reason: String, column: Int) -> String { "not JSON: \(reason) at column \(column)" }
    static func notAnObject(_ typeName: String) -> String { "a JSON \(typeName), not an event object" }
    static func notCanonical(firstDifference at: Int) -> String { "not in RFC 8785 canonical form (first difference at byte \(at))" }

    /// Problems of a JSON object read as an event (pure; runs on the workers): its shape, and ids not in NFC.
    static func eventProblems(_ event: Event, into problems: inout [String]) {
        if !event.shapeProblems.isEmpty {
            problems.append("not a well-formed event: " + event.shapeProblems.joined(separator: "; "))
        }
        let notNFC = nonNFCIDs(event)
        if !notNFC.isEmpty {
            problems.append(notNFC.joined(separator: "; ") + " not in Unicode NFC (ids are compared byte for byte; write them normalized)")
        }
        let hidden = hiddenCharacterIDs(event)
        if !hidden.isEmpty {
            problems.append(hidden.joined(separator: "; ") + Self.hiddenReason)
        }
    }

    static let hiddenReason = " holds an invisible character (a control, format or default-ignorable character such as U+200B, U+2060 or U+202E): an id that looks like another would be another actor or version; remove it"

    /// True when `s` holds a character that shows as nothing or changes how text shows
    /// (``Escape/isHidden(_:)``): two such ids can look the same and differ.
    static func hasHiddenCharacter(_ s: JSONString) -> Bool {
        if s.isPrintableASCII { return false }
        return s.string.unicodeScalars.contains(where: Escape.isHidden)
    }

    /// The ids of an event that hold an invisible character: its id, actor id, subject id and
    /// version, signer, key name, a registration's owner.
    static func hiddenCharacterIDs(_ e: Event) -> [String] {
        var out: [String] = []
        if let id = e.id, hasHiddenCharacter(id) { out.append("id") }
        if hasHiddenCharacter(e.actor.id) { out.append("actor.id") }
        if hasHiddenCharacter(e.subject.id) { out.append("subject.id") }
        if let v = e.subject.version, hasHiddenCharacter(v) { out.append("subject.version") }
        if let s = e.signature?.signer, hasHiddenCharacter(s) { out.append("signature.signer") }
        if let k = e.signature?.key, hasHiddenCharacter(JSONString(k)) { out.append("signature.key") }
        if e.action == "key.registered", let o = e.data["owner"]?.jsonString, hasHiddenCharacter(o) { out.append("data.owner") }
        return out
    }

    /// True when `s` is in Unicode NFC (ASCII always is).
    static func isNFC(_ s: JSONString) -> Bool {
        if s.isPrintableASCII || s.utf8.allSatisfy({ $0 < 0x80 }) { return true }
        return s.string.precomposedStringWithCanonicalMapping.utf8.elementsEqual(s.utf8)
    }

    /// The ids of an event that are not NFC (contract section 4.4): actor id, subject id, signer,
    /// key name, a registration's owner.
    static func nonNFCIDs(_ e: Event) -> [String] {
        var out: [String] = []
        if !isNFC(e.actor.id) { out.append("actor.id") }
        if !isNFC(e.subject.id) { out.append("subject.id") }
        if let s = e.signature?.signer, !isNFC(s) { out.append("signature.signer") }
        if e.action == "key.registered", let o = e.data["owner"]?.jsonString, !isNFC(o) { out.append("data.owner") }
        return out
    }

    /// The one finding of a line's problems, in log order.
    static func finding(_ problems: [String], at place: FindingPlace) -> Finding {
        place.finding(.intParse, problems.joined(separator: "; "))
    }
}
