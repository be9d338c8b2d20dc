import Foundation

/// An input event that passed the checks that need no log: required fields, shapes, and its
/// signature (made with `--sign-key` or verified). `seq`, `prev` and `hash` are not yet set.
struct PreparedEvent: Sendable {
    /// Where the event starts in the input.
    var location: SourceLocation { input.location }

    var object: JSONObject
    /// The input it came from (for the places of its fields in messages).
    var input: InputEvent
    var id: JSONString
    var idKey: IDKey
    var timeText: String
    var time: Timestamp
    /// (v1.1) `occurred`, when given.
    var occurred: (time: Timestamp, text: String)?
    /// The key name and signer of its signature, when it carries one.
    var signature: (key: String, signer: JSONString, location: SourceLocation)?
    /// True when `record` made the signature.
    var signedHere: Bool
    var action: String
    var subjectID: JSONString
    /// `data.owner` of a `key.registered` event.
    var keyOwner: JSONString?
    /// `data.name` of a `key.registered` event: the owner's printed name.
    var keyOwnerName: String? = nil
    /// The printed names (`signature.name`, `actor.name`) and signing time, when signed.
    var signatureName: String? = nil
    var actorName: String? = nil
    var signatureTime: Timestamp? = nil
    /// Set for an event made ahead of the lock (an import's, see `ImportRunner.prepare`): its
    /// canonical bytes without `time`, `seq`, `prev` and `hash`, `time` spliced in from `timeText`
    /// by the chain; `object` is then left empty.
    var ahead: Recorder.SplicePlan? = nil
}

/// Checks input events one by one and signs them (contract sections 3.1 and 4.2).
struct EventPreparer {
    let source: URL
    /// The `--sign-key` private key and the path it was read from.
    let signKey: (key: Ed25519PrivateKey, path: String)?
    private var publicKeys: [String: Result<Ed25519PublicKey, RecordError>] = [:]
    /// Set by imports: a stage or alias change observed in another system (`data.observed` true,
    /// with `refs.source`) is written without a reason, since none was recorded (contract section 9).
    var allowsObservedChanges = false

    init(source: URL, signKey: (key: Ed25519PrivateKey, path: String)?) {
        self.source = source
        self.signKey = signKey
    }

    /// Checks one event's fields and makes or verifies its signature.
    mutating func prepare(_ input: InputEvent) throws(RecordError) -> PreparedEvent {
        var object = input.object
        for f in ["seq", "prev", "hash"] where object[f] != nil {
            throw .reservedField(f, input.field(f))
        }
        let id = try Self.string(object, ["id"], input, rule: "every event needs a unique id")
        let timeText = try Self.string(object, ["time"], input, rule: "every event needs an RFC 3339 time with an offset").string
        let time: Timestamp
        switch Timestamp.parse(timeText) {
        case .valid(let t): time = t
        case .missingOffset:
            throw .invalidField("time", input.field("time"), problem: "\"\(timeText)\" has no UTC offset; add Z or +hh:mm")
        case .invalid:
            throw .invalidField("time", input.field("time"), problem: "\"\(timeText)\" is not an RFC 3339 date-time such as 2026-02-03T10:15:00Z")
        }
        var occurred: (time: Timestamp, text: String)?
        if object["occurred"] != nil {
            let text = try Self.string(object, ["occurred"], input, rule: "when the recorded fact happened, RFC 3339 with an offset").string
            switch Timestamp.parse(text) {
            case .valid(let t): occurred = (t, text)
            case .missingOffset:
                throw .invalidField("occurred", input.field("occurred"), problem: "\"\(text)\" has no UTC offset; add Z or +hh:mm")
            case .invalid:
                throw .invalidField("occurred", input.field("occurred"), problem: "\"\(text)\" is not an RFC 3339 date-time such as 2026-02-03T10:15:00Z")
            }
        }
        let actorID = try Self.string(object, ["actor", "id"], input, rule: "every event names who did it")
        let action = try Self.string(object, ["action"], input, rule: "every event names what was done, e.g. model.approved").string
        _ = try Self.string(object, ["subject", "type"], input, rule: "every event names what it is about")
        let subjectID = try Self.string(object, ["subject", "id"], input, rule: "every event names what it is about")
        let observed = allowsObservedChanges && object["data"]?["observed"] == .bool(true) && object["refs"]?["source"] != nil
        if Event.requiresReason(action) && !observed {
            if Event.isBlankReason(object["reason"]?.stringValue) {
                throw .missingField("reason", input.field("reason"), rule: "\(action) needs a non-empty reason (EU GMP Annex 11 §9)")
            }
        }
        if Event.requiresChanges(action) { try Self.checkChanges(object, input, action: action) }
        var keyOwner: JSONString?
        if action == "key.registered" {
            keyOwner = try Self.string(object, ["data", "owner"], input, rule: "key.registered names the actor id the key belongs to")
        }
        // Whatever the verifier would call a malformed event (INT-PARSE) is refused too.
        if let problem = Event.problemsBeforeChaining(object).first { throw Self.shapeError(problem, input) }
        // An artifact path that leaves the pack would be INT-ARTIFACT for good (the log is
        // append-only): refused before it is written.
        if let artifacts = object["refs"]?["artifacts"]?.arrayValue {
            for (k, a) in artifacts.enumerated() {
                if let path = a["path"]?.stringValue, !ArtifactChecker.isSafeRelativePath(path) {
                    throw .invalidField("refs.artifacts[\(k)].path", input.field("refs", "artifacts"),
                                        problem: "\"\(path)\" is not a path inside the pack source (relative, without .., an empty part or a backslash): "
                                            + "copy the artifact into the pack, e.g. artifacts/, and name it from there")
                }
            }
        }

        var signature: (key: String, signer: JSONString, location: SourceLocation)?
        var signedHere = false
        if object["signature"] != nil {
            let (sig, key, signer, made) = try sign(object, input, actorID: actorID)
            object["signature"] = .object(sig)
            signature = (key, signer, input.field("signature"))
            signedHere = made
        }
        var prepared = PreparedEvent(object: object, input: input, id: id, idKey: IDKey(id), timeText: timeText, time: time,
                                     occurred: occurred, signature: signature, signedHere: signedHere, action: action, subjectID: subjectID,
                                     keyOwner: keyOwner)
        if action == "key.registered" { prepared.keyOwnerName = object["data"]?["name"]?.stringValue }
        if signature != nil {
            prepared.signatureName = object["signature"]?["name"]?.stringValue
            prepared.actorName = object["actor"]?["name"]?.stringValue
            if let t = object["signature"]?["time"]?.stringValue, case .valid(let st) = Timestamp.parse(t) { prepared.signatureTime = st }
        }
        return prepared
    }

    /// Completes and checks the signature block; signs it when it has no `sig`.
    private mutating func sign(_ object: JSONObject, _ input: InputEvent, actorID: JSONString)
    throws(RecordError) -> (JSONObject, String, JSONString, Bool) {
        guard var sig = object["signature"]?.objectValue else {
            throw .invalidField("signature", input.field("signature"), problem: "must be an object (contract section 4.2)")
        }
        let signer = try Self.string(object, ["signature", "signer"], input, rule: "a signature names its signer, equal to actor.id")
        guard signer.bytes == actorID.bytes else {
            throw .signerNotActor(input.field("signature", "signer"), signer: signer.string, actor: actorID.string)
        }
        _ = try Self.string(object, ["signature", "name"], input, rule: "21 CFR 11.50: the signer's printed name")
        let meaning = try Self.string(object, ["signature", "meaning"], input, rule: "21 CFR 11.50: the meaning of the signature").string
        guard Signature.meanings.contains(meaning) else {
            throw .invalidField("signature.meaning", input.field("signature", "meaning"),
                                problem: "\"\(meaning)\" must be one of \(Signature.meanings.joined(separator: ", "))")
        }
        let time = try Self.string(object, ["signature", "time"], input, rule: "21 CFR 11.50: when it was signed").string
        guard case .valid = Timestamp.parse(time) else {
            throw .invalidField("signature.time", input.field("signature", "time"),
                                problem: "\"\(time)\" is not an RFC 3339 date-time with an offset such as 2026-02-03T10:15:00Z")
        }
        let key = try Self.string(object, ["signature", "key"], input, rule: "the name of keys/<key>.pem").string
        guard Keyring.isValidName(key) else {
            throw .invalidField("signature.key", input.field("signature", "key"), problem: "\"\(key)\" is not a key name ([A-Za-z0-9._-]{1,64})")
        }
        switch sig["alg"] {
        case nil: sig["alg"] = JSONValue("ed25519")
        case .string(let a)? where a.equals("ed25519"): break
        case let other?:
            throw .invalidField("signature.alg", input.field("signature", "alg"),
                                problem: "is \(other.stringValue.map { "\"\($0)\"" } ?? other.typeName); only \"ed25519\" is supported (or leave it out)")
        }
        let at = input.field("signature")
        let publicKey = try publicKey(named: key, at: at)
        var completed = object
        completed["signature"] = .object(sig)
        if let given = sig["sig"] {
            guard let text = given.stringValue, let raw = Base64.decodeCanonical(text), raw.count == Ed25519PublicKey.signatureByteCount else {
                throw .invalidField("signature.sig", input.field("signature", "sig"), problem: "is not a base64 64-byte Ed25519 signature")
            }
            guard publicKey.verify(signature: raw, message: EventHashing.signatureMessage(completed)) else {
                throw .signatureDoesNotVerify(input.field("signature", "sig"), key: key)
            }
            return (sig, key, signer, false)
        }
        guard let signKey else { throw .signatureNeedsKey(at, key: key) }
        guard signKey.key.publicKey == publicKey else { throw .signingKeyMismatch(at, key: key, keyFile: signKey.path) }
        let raw: [UInt8]
        do { raw = try signKey.key.sign(message: EventHashing.signatureMessage(completed)) } catch {
            throw .privateKeyUnusable(signKey.path, reason: error.localizedDescription)
        }
        sig["sig"] = JSONValue(Base64.encode(raw))
        return (sig, key, signer, true)
    }

    /// `keys/<name>.pem`, read once.
    private mutating func publicKey(named name: String, at location: SourceLocation) throws(RecordError) -> Ed25519PublicKey {
        if publicKeys[name] == nil {
            let path = "keys/\(name).pem"
            do {
                let text = try String(contentsOf: source.appendingPathComponent(path), encoding: .utf8)
                publicKeys[name] = .success(try Ed25519PublicKey(pem: text, source: path))
            } catch let e as IntegrityError {
                publicKeys[name] = .failure(.unknownKey(location, key: name, reason: e.localizedDescription))
            } catch {
                publicKeys[name] = .failure(.unknownKey(location, key: name, reason: "no such file"))
            }
        }
        switch publicKeys[name] {
        case .success(let k)?: return k
        case .failure(let e)?: throw e
        case nil: throw .unknownKey(location, key: name, reason: "not loaded")
        }
    }

    /// A required non-empty string at `path`.
    static func string(_ object: JSONObject, _ path: [String], _ input: InputEvent, rule: String) throws(RecordError) -> JSONString {
        // The names for messages are made only when there is something to say.
        var value: JSONValue = .object(object)
        for (i, key) in path.enumerated() {
            guard case .object(let o) = value else {
                throw .invalidField(path[..<i].joined(separator: "."), input.field(Array(path[..<i])),
                                    problem: "must be an object, found \(value.typeName)")
            }
            guard let next = o[key] else { throw .missingField(path[...i].joined(separator: "."), input.field(Array(path[..<i])), rule: rule) }
            value = next
        }
        guard case .string(let s) = value else {
            throw .invalidField(path.joined(separator: "."), input.field(path), problem: "must be a string, found \(value.typeName)")
        }
        if s.isEmpty { throw .missingField(path.joined(separator: "."), input.field(path), rule: rule + "; it is empty") }
        return s
    }

    /// `changes` of a `*.modified` event: a non-empty array of `{"field", "old", "new"}`.
    static func checkChanges(_ object: JSONObject, _ input: InputEvent, action: String) throws(RecordError) {
        let rule = "\(action) lists each changed field as {\"field\", \"old\", \"new\"} (21 CFR 11.10(e))"
        guard let value = object["changes"] else { throw .missingField("changes", input.location, rule: rule) }
        guard case .array(let items) = value, !items.isEmpty else {
            throw .invalidField("changes", input.field("changes"), problem: "must be a non-empty array; \(rule)")
        }
        for (i, item) in items.enumerated() {
            guard Event.isCompleteChange(item) else {
                throw .invalidField("changes[\(i)]", input.field("changes", String(i)),
                                    problem: "needs \"field\" (a string), \"old\" and \"new\" (use null for none)")
            }
        }
    }

    /// Turns one of `Event.shapeProblems` (`"refs.model" must be …`) into an error at that field.
    static func shapeError(_ problem: String, _ input: InputEvent) -> RecordError {
        let parts = problem.split(separator: "\"", maxSplits: 2, omittingEmptySubsequences: false)
        guard problem.hasPrefix("\""), parts.count == 3 else {
            return .invalidField("event", input.location, problem: "is malformed: \(problem)")
        }
        let name = String(parts[1])
        let path = name.split(separator: ".").map(String.init)
        return .invalidField(name, input.field(path), problem: parts[2].trimmingCharacters(in: .whitespaces))
    }
}
