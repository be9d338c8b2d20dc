/// A typed view of one audit event. Reading is lenient: fields of the wrong shape are noted in
/// `shapeProblems` (an INT-PARSE finding) and the remaining checks still run.
public struct Event: Sendable {
    /// The fields of an event, as read.
    struct Fields: Sendable {
        var storedObject: JSONObject? = nil
        var raw: ArraySlice<UInt8> = []
        var dataRange: Range<Int>? = nil
        var changesRange: Range<Int>? = nil
        var seq: Int64? = nil
        var id: JSONString? = nil
        var timeText: String? = nil
        var time: Timestamp? = nil
        var occurredText: String? = nil
        var actor: Actor = Actor(id: JSONString(""), name: nil, role: nil, isService: false)
        var action: String = ""
        var subject: Subject = Subject(type: "", id: JSONString(""), version: nil)
        var reason: String? = nil
        var refs: Refs = Refs()
        var signature: Signature? = nil
        var prevDigest: SHA256.Digest? = nil
        var hashDigest: SHA256.Digest? = nil
        var prevOther: String? = nil
        var hashOther: String? = nil
        var shapeProblems: [String] = []
    }

    /// The fields, immutable once read and shared between copies: handing an event from stage to
    /// stage costs one reference count, and reading a field borrows it (no copy of the field's
    /// parts, no run-time exclusivity check, as a `let` needs none). A change makes a new box.
    private final class Storage: Sendable {
        let fields: Fields
        init(_ fields: consuming Fields) { self.fields = fields }
    }

    private var box: Storage

    /// An event of the given fields.
    init(fields: consuming Fields) { box = Storage(fields) }

    /// Changes a field (rare: events are read, not edited): the fields are copied into a new box.
    private mutating func update(_ change: (inout Fields) -> Void) {
        var f = box.fields
        change(&f)
        box = Storage(f)
    }

    /// Set when the event was built from an object; else `raw` holds its canonical line.
    var storedObject: JSONObject? {
        _read { yield box.fields.storedObject }
    }
    /// The canonical line of the fast path.
    var raw: ArraySlice<UInt8> {
        _read { yield box.fields.raw }
    }
    /// Where `data` lies in `raw`, read on demand.
    var dataRange: Range<Int>? {
        _read { yield box.fields.dataRange }
    }
    /// Where `changes` lies in `raw`, read on demand.
    var changesRange: Range<Int>? {
        _read { yield box.fields.changesRange }
    }
    /// `seq`, when an integer.
    public var seq: Int64? {
        _read { yield box.fields.seq }
        set { update { $0.seq = newValue } }
    }
    /// `id`, compared as bytes.
    public var id: JSONString? {
        _read { yield box.fields.id }
        set { update { $0.id = newValue } }
    }
    /// `time` as written.
    public var timeText: String? {
        _read { yield box.fields.timeText }
        set { update { $0.timeText = newValue } }
    }
    /// `time`, when a valid RFC 3339 date-time with offset.
    public var time: Timestamp? {
        _read { yield box.fields.time }
        set { update { $0.time = newValue } }
    }
    /// (v1.1) `occurred` as written: when the recorded fact happened, for an entry recorded after it.
    public var occurredText: String? {
        _read { yield box.fields.occurredText }
        set { update { $0.occurredText = newValue } }
    }
    /// `actor`.
    public var actor: Actor {
        _read { yield box.fields.actor }
        set { update { $0.actor = newValue } }
    }
    /// `action`.
    public var action: String {
        _read { yield box.fields.action }
        set { update { $0.action = newValue } }
    }
    /// `subject`.
    public var subject: Subject {
        _read { yield box.fields.subject }
        set { update { $0.subject = newValue } }
    }
    /// `reason`.
    public var reason: String? {
        _read { yield box.fields.reason }
        set { update { $0.reason = newValue } }
    }
    /// `refs`.
    public var refs: Refs {
        _read { yield box.fields.refs }
        set { update { $0.refs = newValue } }
    }
    /// `signature`.
    public var signature: Signature? {
        _read { yield box.fields.signature }
        set { update { $0.signature = newValue } }
    }
    /// `prev` as a digest, when it is 64 lowercase hex digits (the usual case).
    public var prevDigest: SHA256.Digest? {
        _read { yield box.fields.prevDigest }
        set { update { $0.prevDigest = newValue } }
    }
    /// `hash` as a digest, when it is 64 lowercase hex digits.
    public var hashDigest: SHA256.Digest? {
        _read { yield box.fields.hashDigest }
        set { update { $0.hashDigest = newValue } }
    }
    /// `prev` as found when it is not a digest, for messages.
    var prevOther: String? {
        _read { yield box.fields.prevOther }
    }
    /// `hash` as found when it is not a digest, for messages.
    var hashOther: String? {
        _read { yield box.fields.hashOther }
    }
    /// Fields of the wrong shape (an INT-PARSE finding).
    public var shapeProblems: [String] {
        _read { yield box.fields.shapeProblems }
        set { update { $0.shapeProblems = newValue } }
    }
    /// `prev` as written.
    public var prev: String? { prevDigest?.hex ?? prevOther }
    /// `hash` as written.
    public var hash: String? { hashDigest?.hex ?? hashOther }

    /// The whole event object (parsed from the line on demand on the fast path).
    public var object: JSONObject {
        if let storedObject { return storedObject }
        return (try? JSONReader().parse(raw))?.objectValue ?? JSONObject()
    }

    private func member(_ range: Range<Int>?) -> JSONValue? {
        guard let range else { return nil }
        return try? JSONReader().parse(raw[range])
    }

    /// `data` of the event, or an empty object.
    public var data: JSONObject {
        if let storedObject { return storedObject["data"]?.objectValue ?? JSONObject() }
        return member(dataRange)?.objectValue ?? JSONObject()
    }

    /// `data` of the event as written, whatever its type (nil when absent).
    var dataValue: JSONValue? {
        if let storedObject { return storedObject["data"] }
        return member(dataRange)
    }

    /// `changes` of the event, if it is an array.
    public var changes: [JSONValue]? {
        if let storedObject { return storedObject["changes"]?.arrayValue }
        return member(changesRange)?.arrayValue
    }

    /// The model version a governance/monitoring event is about (subject type `model` with a version).
    public var subjectVersion: VersionRef? {
        guard subject.type == "model", let v = subject.version else { return nil }
        return VersionRef(model: subject.id, version: v)
    }

    /// The action's verb after the last dot (`modified` in `record.modified`).
    public var verb: Substring { Event.verb(of: action) }

    /// The verb of an action after its last dot.
    static func verb(of action: String) -> Substring {
        guard let dot = action.utf8.lastIndex(of: UInt8(ascii: ".")) else { return Substring(action) }
        return action[action.utf8.index(after: dot)...]
    }

    /// Verbs whose events need a non-empty `reason` (contract 3.1), besides `finding.waived`.
    static let reasonVerbs: Set<Substring> = ["modified", "deleted", "stage_changed", "alias_changed", "overridden"]

    /// True when the contract requires a `reason` for this action.
    static func requiresReason(_ action: String) -> Bool {
        reasonVerbs.contains(verb(of: action)) || action == "finding.waived"
    }

    /// True when a `reason` says nothing: absent, or only white space, line breaks and the
    /// invisible characters pages show as `U+XXXX` (``Escape/isHidden(_:)``: a zero-width space, a
    /// word joiner…). The one test of AT-REASON, of a waiver's reason and of `record`.
    static func isBlankReason(_ reason: String?) -> Bool {
        guard let reason else { return true }
        return reason.unicodeScalars.allSatisfy { $0.properties.isWhitespace || Escape.isHidden($0) }
    }

    /// True when the contract requires `changes` with old and new values for this action.
    static func requiresChanges(_ action: String) -> Bool { verb(of: action) == "modified" }

    /// A `changes` entry with a string `field` and both `old` and `new` (null allowed).
    static func isCompleteChange(_ entry: JSONValue) -> Bool {
        let o = entry.objectValue
        return o?["field"]?.stringValue != nil && o?["old"] != nil && o?["new"] != nil
    }
}
