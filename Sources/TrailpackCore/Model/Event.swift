/// Who did something: `actor` of an event.
public struct Actor: Sendable, Hashable {
    public var id: JSONString
    public var name: String?
    public var role: String?
    /// `person` (default) or `service`.
    public var isService: Bool
}

/// What an event is about: `subject` of an event.
public struct Subject: Sendable, Hashable {
    public var type: String
    public var id: JSONString
    public var version: JSONString?
}

/// A reference to a model version, written `model-id@version`.
public struct VersionRef: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var model: JSONString
    public var version: JSONString

    public init(model: JSONString, version: JSONString) {
        self.model = model
        self.version = version
    }

    /// Splits `id@version` at the last `@`.
    public init?(_ s: JSONString) {
        guard let at = s.bytes.lastIndex(of: UInt8(ascii: "@")), at > 0, at < s.bytes.count - 1 else { return nil }
        model = JSONString(bytes: Array(s.bytes[..<at]))
        version = JSONString(bytes: Array(s.bytes[(at + 1)...]))
    }

    public static func < (a: VersionRef, b: VersionRef) -> Bool { (a.model, a.version) < (b.model, b.version) }
    public var description: String { "\(model.string)@\(version.string)" }
}

/// An evidence file named by an event, with its expected digest.
public struct ArtifactRef: Sendable, Hashable {
    public var path: String
    public var sha256: String
}

/// `refs` of an event: links to requirements, tests, models, datasets, commits, runs and events.
public struct Refs: Sendable, Hashable {
    public var requirements: [JSONString] = []
    public var tests: [JSONString] = []
    public var model: VersionRef?
    public var datasets: [JSONString] = []
    public var commit: String?
    public var run: String?
    public var capa: JSONString?
    public var event: JSONString?
    public var artifacts: [ArtifactRef] = []
}

/// An electronic signature block (contract section 4.2).
public struct Signature: Sendable, Hashable {
    public var signer: JSONString?
    public var name: String?
    public var meaning: String?
    public var timeText: String?
    public var key: String?
    public var alg: String?
    public var sig: String?

    /// The four meanings the contract allows.
    public static let meanings = ["authorship", "review", "approval", "responsibility"]
}

/// A typed view of one audit event. Reading is lenient: fields of the wrong shape are noted in
/// `shapeProblems` (an INT-PARSE finding) and the remaining checks still run.
public struct Event: Sendable {
    /// The fields, shared between copies until one is changed (copy on write), so that handing an
    /// event from stage to stage costs one reference count instead of one per field.
    private final class Storage: @unchecked Sendable {
        var storedObject: JSONObject? = nil
        var raw: ArraySlice<UInt8> = []
        var dataRange: Range<Int>? = nil
        var changesRange: Range<Int>? = nil
        var seq: Int64? = nil
        var id: JSONString? = nil
        var timeText: String? = nil
        var time: Timestamp? = nil
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

        init() {}

        func copy() -> Storage {
            let c = Storage()
            c.storedObject = storedObject
            c.raw = raw
            c.dataRange = dataRange
            c.changesRange = changesRange
            c.seq = seq
            c.id = id
            c.timeText = timeText
            c.time = time
            c.actor = actor
            c.action = action
            c.subject = subject
            c.reason = reason
            c.refs = refs
            c.signature = signature
            c.prevDigest = prevDigest
            c.hashDigest = hashDigest
            c.prevOther = prevOther
            c.hashOther = hashOther
            c.shapeProblems = shapeProblems
            return c
        }
    }

    private var box = Storage()

    /// The storage, copied first when shared (value semantics).
    private var unique: Storage {
        mutating get {
            if !isKnownUniquelyReferenced(&box) { box = box.copy() }
            return box
        }
    }

    /// Set when the event was built from an object; else `raw` holds its canonical line.
    private var storedObject: JSONObject? {
        get { box.storedObject }
        set { unique.storedObject = newValue }
    }
    /// The canonical line of the fast path.
    private var raw: ArraySlice<UInt8> {
        get { box.raw }
        set { unique.raw = newValue }
    }
    /// Where `data` lies in `raw`, read on demand.
    private var dataRange: Range<Int>? {
        get { box.dataRange }
        set { unique.dataRange = newValue }
    }
    /// Where `changes` lies in `raw`, read on demand.
    private var changesRange: Range<Int>? {
        get { box.changesRange }
        set { unique.changesRange = newValue }
    }
    /// `seq`, when an integer.
    public var seq: Int64? {
        get { box.seq }
        set { unique.seq = newValue }
    }
    /// `id`, compared as bytes.
    public var id: JSONString? {
        get { box.id }
        set { unique.id = newValue }
    }
    /// `time` as written.
    public var timeText: String? {
        get { box.timeText }
        set { unique.timeText = newValue }
    }
    /// `time`, when a valid RFC 3339 date-time with offset.
    public var time: Timestamp? {
        get { box.time }
        set { unique.time = newValue }
    }
    /// `actor`.
    public var actor: Actor {
        get { box.actor }
        set { unique.actor = newValue }
    }
    /// `action`.
    public var action: String {
        get { box.action }
        set { unique.action = newValue }
    }
    /// `subject`.
    public var subject: Subject {
        get { box.subject }
        set { unique.subject = newValue }
    }
    /// `reason`.
    public var reason: String? {
        get { box.reason }
        set { unique.reason = newValue }
    }
    /// `refs`.
    public var refs: Refs {
        get { box.refs }
        set { unique.refs = newValue }
    }
    /// `signature`.
    public var signature: Signature? {
        get { box.signature }
        set { unique.signature = newValue }
    }
    /// `prev` as a digest, when it is 64 lowercase hex digits (the usual case).
    public var prevDigest: SHA256.Digest? {
        get { box.prevDigest }
        set { unique.prevDigest = newValue }
    }
    /// `hash` as a digest, when it is 64 lowercase hex digits.
    public var hashDigest: SHA256.Digest? {
        get { box.hashDigest }
        set { unique.hashDigest = newValue }
    }
    /// `prev` as found when it is not a digest, for messages.
    var prevOther: String? {
        get { box.prevOther }
        set { unique.prevOther = newValue }
    }
    /// `hash` as found when it is not a digest, for messages.
    var hashOther: String? {
        get { box.hashOther }
        set { unique.hashOther = newValue }
    }
    /// Fields of the wrong shape (an INT-PARSE finding).
    public var shapeProblems: [String] {
        get { box.shapeProblems }
        set { unique.shapeProblems = newValue }
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
    public var verb: Substring {
        guard let dot = action.utf8.lastIndex(of: UInt8(ascii: ".")) else { return Substring(action) }
        return action[action.utf8.index(after: dot)...]
    }

    /// The top-level fields an event may carry.
    enum Field: Int { case seq, id, time, actor, action, subject, reason, changes, refs, data, signature, prev, hash }

    /// The values of the top-level fields, without a dictionary.
    struct FieldValues {
        var values = [JSONValue?](repeating: nil, count: 13)
        subscript(_ f: Field) -> JSONValue? {
            get { values[f.rawValue] }
            set { values[f.rawValue] = newValue }
        }
    }

    /// Maps a key to its field by its bytes (length and first byte, then an exact comparison).
    static func field(_ key: JSONString) -> Field? { field(bytes: key.utf8) }

    /// Maps key bytes to a field.
    static func field<C: Collection>(bytes u: C) -> Field? where C.Element == UInt8 {
        let candidate: (String, Field)
        switch (u.count, u.first ?? 0) {
        case (2, UInt8(ascii: "i")): candidate = ("id", .id)
        case (3, UInt8(ascii: "s")): candidate = ("seq", .seq)
        case (4, UInt8(ascii: "t")): candidate = ("time", .time)
        case (4, UInt8(ascii: "r")): candidate = ("refs", .refs)
        case (4, UInt8(ascii: "d")): candidate = ("data", .data)
        case (4, UInt8(ascii: "p")): candidate = ("prev", .prev)
        case (4, UInt8(ascii: "h")): candidate = ("hash", .hash)
        case (5, UInt8(ascii: "a")): candidate = ("actor", .actor)
        case (6, UInt8(ascii: "a")): candidate = ("action", .action)
        case (6, UInt8(ascii: "r")): candidate = ("reason", .reason)
        case (7, UInt8(ascii: "s")): candidate = ("subject", .subject)
        case (7, UInt8(ascii: "c")): candidate = ("changes", .changes)
        case (9, UInt8(ascii: "s")): candidate = ("signature", .signature)
        default: return nil
        }
        return u.elementsEqual(candidate.0.utf8) ? candidate.1 : nil
    }

    /// An empty event, for a slot that is filled right after.
    static let placeholder = Event(JSONObject())

    /// An event from a parsed object.
    public init(_ object: JSONObject) {
        storedObject = object
        var f = FieldValues()
        for m in object.members {
            if let field = Event.field(m.key) { f[field] = m.value }
        }
        fill(f)
    }

    /// An event from a canonical line and its scanned top-level members: strings and small
    /// objects are read now, `data` and `changes` only when asked for.
    init(line: ArraySlice<UInt8>, members: [MemberRange]) {
        raw = line
        var f = FieldValues()
        let base = line.startIndex
        var problems: [String] = []
        for m in members {
            guard let field = Event.field(bytes: line[(base + m.key.lowerBound)..<(base + m.key.upperBound)]) else { continue }
            let v = (base + m.value.lowerBound)..<(base + m.value.upperBound)
            switch field {
            case .data:
                dataRange = v
                if line[v.lowerBound] != UInt8(ascii: "{") { problems.append("\"data\" must be an object") }
            case .prev, .hash:
                // The usual 64 hex digits become a digest without an intermediate string.
                let inner = line[v].dropFirst().dropLast()
                if line[v].first == UInt8(ascii: "\""), let d = SHA256.Digest(hexUTF8: inner) {
                    if field == .prev { prevDigest = d } else { hashDigest = d }
                } else {
                    f[field] = Event.quickValue(line[v])
                }
            case .changes:
                changesRange = v
                if line[v.lowerBound] != UInt8(ascii: "[") { problems.append("\"changes\" must be an array") }
            default:
                f[field] = Event.quickValue(line[v])
            }
        }
        fill(f)
        shapeProblems += problems
    }

    /// Reads a member value: plain strings and small integers without the full reader.
    static func quickValue(_ bytes: ArraySlice<UInt8>) -> JSONValue? {
        guard let first = bytes.first else { return nil }
        if first == UInt8(ascii: "\""), !bytes.contains(UInt8(ascii: "\\")) {
            return bytes.withUnsafeBufferPointer { .string(JSONString(validatedUTF8: UnsafeBufferPointer(rebasing: $0.dropFirst().dropLast()))) }
        }
        if first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9") && bytes.count < 16 && bytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            var v: Int64 = 0
            for b in bytes { v = v * 10 + Int64(b - 0x30) }
            return .integer(v)
        }
        return try? JSONReader().parse(bytes)
    }

    private mutating func fill(_ f: FieldValues) {
        var problems: [String] = []
        func str(_ v: JSONValue?, _ name: String, required: Bool) -> JSONString? {
            guard let v else {
                if required { problems.append("missing \"\(name)\"") }
                return nil
            }
            guard case .string(let s) = v else {
                problems.append("\"\(name)\" must be a string, found \(v.typeName)")
                return nil
            }
            if required && s.isEmpty { problems.append("\"\(name)\" is empty") }
            return s
        }
        func strings(_ v: JSONValue?, _ name: String) -> [JSONString] {
            guard let v else { return [] }
            guard case .array(let a) = v else { problems.append("\"\(name)\" must be an array"); return [] }
            return a.compactMap { e in
                if case .string(let s) = e { return s }
                problems.append("\"\(name)\" must hold strings")
                return nil
            }
        }
        if let s = f[.seq] {
            if case .integer(let i) = s { seq = i } else { problems.append("\"seq\" must be an integer, found \(s.typeName)") }
        } else {
            problems.append("missing \"seq\"")
        }
        id = str(f[.id], "id", required: true)
        timeText = str(f[.time], "time", required: true)?.string
        if let t = timeText, case .valid(let ts) = Timestamp.parse(t) { time = ts }
        let actorObj = f[.actor]?.objectValue
        if actorObj == nil { problems.append("missing \"actor\" object") }
        let kind = str(actorObj?["kind"], "actor.kind", required: false)?.string
        if let kind, kind != "person" && kind != "service" { problems.append("\"actor.kind\" must be person or service") }
        actor = Actor(
            id: str(actorObj?["id"], "actor.id", required: actorObj != nil) ?? JSONString(bytes: []),
            name: str(actorObj?["name"], "actor.name", required: false)?.string,
            role: str(actorObj?["role"], "actor.role", required: false)?.string,
            isService: kind == "service")
        action = str(f[.action], "action", required: true)?.string ?? ""
        let subj = f[.subject]?.objectValue
        if subj == nil { problems.append("missing \"subject\" object") }
        subject = Subject(
            type: str(subj?["type"], "subject.type", required: subj != nil)?.string ?? "",
            id: str(subj?["id"], "subject.id", required: subj != nil) ?? JSONString(bytes: []),
            version: str(subj?["version"], "subject.version", required: false))
        reason = str(f[.reason], "reason", required: false)?.string
        var refs = Refs()
        if let r = f[.refs] {
            if let ro = r.objectValue {
                refs.requirements = strings(ro["requirements"], "refs.requirements")
                refs.tests = strings(ro["tests"], "refs.tests")
                if let m = str(ro["model"], "refs.model", required: false) {
                    refs.model = VersionRef(m)
                    if refs.model == nil { problems.append("\"refs.model\" must be model-id@version") }
                }
                refs.datasets = strings(ro["datasets"], "refs.datasets")
                refs.commit = str(ro["commit"], "refs.commit", required: false)?.string
                refs.run = str(ro["run"], "refs.run", required: false)?.string
                refs.capa = str(ro["capa"], "refs.capa", required: false)
                refs.event = str(ro["event"], "refs.event", required: false)
                if let arts = ro["artifacts"] {
                    if let a = arts.arrayValue {
                        for e in a {
                            if let p = e["path"]?.stringValue, let d = e["sha256"]?.stringValue {
                                refs.artifacts.append(ArtifactRef(path: p, sha256: d))
                            } else {
                                problems.append("\"refs.artifacts\" entries need string \"path\" and \"sha256\"")
                            }
                        }
                    } else {
                        problems.append("\"refs.artifacts\" must be an array")
                    }
                }
            } else {
                problems.append("\"refs\" must be an object")
            }
        }
        self.refs = refs
        if let s = f[.signature] {
            if let so = s.objectValue {
                signature = Signature(
                    signer: str(so["signer"], "signature.signer", required: false),
                    name: str(so["name"], "signature.name", required: false)?.string,
                    meaning: str(so["meaning"], "signature.meaning", required: false)?.string,
                    timeText: str(so["time"], "signature.time", required: false)?.string,
                    key: str(so["key"], "signature.key", required: false)?.string,
                    alg: str(so["alg"], "signature.alg", required: false)?.string,
                    sig: str(so["sig"], "signature.sig", required: false)?.string)
            } else {
                problems.append("\"signature\" must be an object")
            }
        }
        if prevDigest == nil, let p = str(f[.prev], "prev", required: true) {
            if let d = SHA256.Digest(hexUTF8: p.utf8) { prevDigest = d } else { prevOther = p.string }
        }
        if hashDigest == nil, let h = str(f[.hash], "hash", required: true) {
            if let d = SHA256.Digest(hexUTF8: h.utf8) { hashDigest = d } else { hashOther = h.string }
        }
        if let c = f[.changes], c.arrayValue == nil { problems.append("\"changes\" must be an array") }
        if let d = f[.data], d.objectValue == nil { problems.append("\"data\" must be an object") }
        shapeProblems = problems
    }
}
