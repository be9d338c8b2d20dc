#if canImport(Glibc)
import Glibc
#endif
/// Reading events: from a parsed object, or lazily from a scanned canonical line.
extension Event {
    /// The top-level fields an event may carry.
    enum Field: Int { case seq, id, time, actor, action, subject, reason, changes, refs, data, signature, prev, hash, occurred }

    /// The values of the top-level fields, without a dictionary.
    struct FieldValues {
        /// Inline, not on the heap: one of these is filled for every event read.
        var values = InlineArray<14, JSONValue?>(repeating: nil)
        subscript(_ f: Field) -> JSONValue? {
            get { values[f.rawValue] }
            set { values[f.rawValue] = newValue }
        }
    }

    /// Maps a key to its field by its bytes (length and first byte, then an exact comparison).
    static func field(_ key: JSONString) -> Field? { field(bytes: key.utf8) }

    /// Maps key bytes to a field.
    static func field<C: Collection>(bytes u: C) -> Field? where C.Element == UInt8 {
        let candidate: (StaticString, Field)
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
        case (8, UInt8(ascii: "o")): candidate = ("occurred", .occurred)
        case (9, UInt8(ascii: "s")): candidate = ("signature", .signature)
        default: return nil
        }
        // Compared as bytes, with memcmp where they are contiguous (the lengths are equal).
        let name = candidate.0
        let same = u.withContiguousStorageIfAvailable { b in
            b.baseAddress.map { memcmp($0, name.utf8Start, name.utf8CodeUnitCount) == 0 } ?? false
        }
            ?? u.elementsEqual(UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        return same ? candidate.1 : nil
    }

    /// An empty event, for a slot that is filled right after.
    static let placeholder = Event(JSONObject())

    /// An event from a parsed object.
    public init(_ object: JSONObject) {
        var s = Fields()
        s.storedObject = object
        var f = FieldValues()
        for m in object.members {
            if let field = Event.field(m.key) { f[field] = m.value }
        }
        Event.fill(f, into: &s)
        self.init(fields: s)
    }

    /// The problems of an event object that `record` is about to chain, read as the verifier
    /// will read its line (with `seq`, `prev` and `hash`, which the chain adds, present): its
    /// shape, and ids not in NFC.
    static func problemsBeforeChaining(_ object: JSONObject) -> [String] {
        var f = FieldValues()
        for m in object.members {
            if let field = Event.field(m.key) { f[field] = m.value }
        }
        f[.seq] = .integer(1)
        f[.prev] = JSONValue(EventHashing.zeroHash)
        f[.hash] = JSONValue(EventHashing.zeroHash)
        var s = Fields()
        Event.fill(f, into: &s)
        let e = Event(fields: consume s)
        // Ids not in NFC are INT-PARSE as well (``IntParse/eventProblems(_:into:)``).
        return e.shapeProblems + IntParse.nonNFCIDs(e).map { "\"\($0)\" is not in Unicode NFC (ids are compared byte for byte; write it normalized)" }
            + IntParse.hiddenCharacterIDs(e).map { "\"\($0)\"" + IntParse.hiddenReason }
    }

    /// An event from a canonical line and its scanned top-level members: strings and small
    /// objects are read now, `data` and `changes` only when asked for.
    init(line: ArraySlice<UInt8>, members: [MemberRange]) {
        var s = Fields()
        s.raw = line
        var f = FieldValues()
        let base = line.startIndex
        var problems: [String] = []
        for m in members {
            guard let field = Event.field(bytes: line[(base + m.key.lowerBound)..<(base + m.key.upperBound)]) else { continue }
            let v = (base + m.value.lowerBound)..<(base + m.value.upperBound)
            switch field {
            case .data:
                s.dataRange = v
                if line[v.lowerBound] != UInt8(ascii: "{") { problems.append("\"data\" must be an object") }
            case .prev, .hash:
                // The usual 64 hex digits become a digest without an intermediate string.
                let inner = line[v].dropFirst().dropLast()
                if line[v].first == UInt8(ascii: "\""), let d = SHA256.Digest(hexUTF8: inner) {
                    if field == .prev { s.prevDigest = d } else { s.hashDigest = d }
                } else {
                    f[field] = Event.quickValue(line[v])
                }
            case .changes:
                s.changesRange = v
                if line[v.lowerBound] != UInt8(ascii: "[") { problems.append("\"changes\" must be an array") }
            default:
                f[field] = Event.quickValue(line[v])
            }
        }
        Event.fill(f, into: &s)
        s.shapeProblems += problems
        self.init(fields: s)
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
        // A canonical object (actor, subject, refs, signature): its members read the same way,
        // without the full reader (a scan per level, so only a few levels deep).
        if first == UInt8(ascii: "{"), let object = quickObject(bytes) { return .object(object) }
        return try? JSONReader().parse(bytes)
    }

    /// A canonical object's members read by ``quickValue(_:)``; nil (the full reader decides) when
    /// it is not canonical, nests deeper than a few levels, or a member cannot be read so.
    private static func quickObject(_ bytes: ArraySlice<UInt8>) -> JSONObject? {
        guard let members = bytes.withUnsafeBufferPointer({ CanonicalScanner.scan($0, maxDepth: 4) }) else { return nil }
        var out: [JSONMember] = []
        out.reserveCapacity(members.count)
        let base = bytes.startIndex
        for m in members {
            guard let value = quickValue(bytes[(base + m.value.lowerBound)..<(base + m.value.upperBound)]) else { return nil }
            // Canonical keys carry no escapes (the scanner refuses them).
            let key = bytes[(base + m.key.lowerBound)..<(base + m.key.upperBound)].withUnsafeBufferPointer { JSONString(validatedUTF8: $0) }
            out.append(JSONMember(key: key, value: value))
        }
        return JSONObject(out)
    }

    /// Reads the top-level fields' values into `s` (their shape problems into `s.shapeProblems`).
    static func fill(_ f: FieldValues, into s: inout Fields) {
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
        if let v = f[.seq] {
            if case .integer(let i) = v { s.seq = i } else { problems.append("\"seq\" must be an integer, found \(v.typeName)") }
        } else {
            problems.append("missing \"seq\"")
        }
        s.id = str(f[.id], "id", required: true)
        s.timeText = str(f[.time], "time", required: true)?.string
        if let t = s.timeText, case .valid(let ts) = Timestamp.parse(t) { s.time = ts }
        s.occurredText = str(f[.occurred], "occurred", required: false)?.string
        let actorObj = f[.actor]?.objectValue
        if actorObj == nil { problems.append("missing \"actor\" object") }
        let kind = str(actorObj?["kind"], "actor.kind", required: false)?.string
        if let kind, kind != "person" && kind != "service" { problems.append("\"actor.kind\" must be person or service") }
        s.actor = Actor(
            id: str(actorObj?["id"], "actor.id", required: actorObj != nil) ?? JSONString(bytes: []),
            name: str(actorObj?["name"], "actor.name", required: false)?.string,
            role: str(actorObj?["role"], "actor.role", required: false)?.string,
            isService: kind == "service")
        s.action = str(f[.action], "action", required: true)?.string ?? ""
        let subj = f[.subject]?.objectValue
        if subj == nil { problems.append("missing \"subject\" object") }
        s.subject = Subject(
            type: str(subj?["type"], "subject.type", required: subj != nil)?.string ?? "",
            id: str(subj?["id"], "subject.id", required: subj != nil) ?? JSONString(bytes: []),
            version: str(subj?["version"], "subject.version", required: false))
        s.reason = str(f[.reason], "reason", required: false)?.string
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
                if let src = ro["source"] {
                    let so = src.objectValue
                    let parts = ["system", "uri", "id", "sha256"].map { so?[$0]?.jsonString }
                    if let system = parts[0], let uri = parts[1], let sid = parts[2], let digest = parts[3],
                       !system.isEmpty, !sid.isEmpty {
                        refs.source = SourceRef(system: system.string, uri: uri.string, id: sid, sha256: digest.string)
                        if !(digest.utf8.count == 64 && digest.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) })) {
                            problems.append("\"refs.source.sha256\" must be 64 lowercase hex digits")
                        }
                    } else {
                        problems.append("\"refs.source\" must be an object with non-empty string \"system\" and \"id\" and string \"uri\" and \"sha256\"")
                    }
                }
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
        s.refs = refs
        if let v = f[.signature] {
            if let so = v.objectValue {
                s.signature = Signature(
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
        if s.prevDigest == nil, let p = str(f[.prev], "prev", required: true) {
            if let d = SHA256.Digest(hexUTF8: p.utf8) { s.prevDigest = d } else { s.prevOther = p.string }
        }
        if s.hashDigest == nil, let h = str(f[.hash], "hash", required: true) {
            if let d = SHA256.Digest(hexUTF8: h.utf8) { s.hashDigest = d } else { s.hashOther = h.string }
        }
        if let c = f[.changes], c.arrayValue == nil { problems.append("\"changes\" must be an array") }
        if let d = f[.data], d.objectValue == nil { problems.append("\"data\" must be an object") }
        s.shapeProblems = problems
    }
}
