import Foundation
@testable import TrailpackCore

// JSON literals in tests (`["result": "pass"]`) come from PackBuilder.swift; `nil` is `null`.
extension JSONValue: ExpressibleByNilLiteral {
    public init(nilLiteral: ()) { self = .null }
}

/// A signing key of a fixture: its name in `keys/` and the private key (seeded from the name).
struct FixtureKey {
    var name: String
    var owner: String
    var privateKey: Ed25519PrivateKey
}

/// An event as recorded by a fixture.
struct RecordedEvent {
    var seq: Int64
    var id: String
    var hash: String
}

/// Writes a pack source into a temporary folder from a few lines of test code: events get their
/// `seq`, `id`, `time`, `prev` and `hash` filled in (canonical JCS lines), keys are seeded from
/// their names, signatures and checkpoints are real. Call ``write()`` when done (it may be
/// called again after more events; files are rewritten).
///
///     var f = try SourceFixture()
///     f.model("m", requirements: [("R1", "Accuracy", "AUROC ≥ 0.8")], versions: [("1", "none")])
///     f.release = ["m": "1"]
///     f.event(action: "model.trained", actor: "u:a", subject: SourceFixture.model("m", "1"))
///     try f.write()
struct SourceFixture {
    let dir: TempDir
    var url: URL { dir.url }

    var title = "Test pack"
    var organization: String? = "Example Pharma GmbH"
    var origin = "example.com/trailpack-test"
    var releaseName = "2026.1"
    /// Model id -> version in scope.
    var release: [String: String] = [:]
    /// Members of `policy` in trailpack.json.
    var policy: [(String, JSONValue)] = []
    /// Registry records by model id.
    var models: [(id: String, record: JSONValue)] = []
    /// Extra files (docs, artifacts, drift) by relative path.
    var files: [(path: String, bytes: [UInt8])] = []
    /// Events per segment file; nil keeps one segment.
    var eventsPerSegment: Int?
    /// Signed checkpoints by file name.
    var checkpoints: [(name: String, text: String)] = []

    private(set) var lines: [[UInt8]] = []
    private(set) var hashes: [SHA256.Digest] = []
    private var prev = EventHashing.zeroHash
    /// Seconds since 1970 of the next event (one minute apart by default).
    var clock: Int64 = 1_767_600_000  // 2026-01-05T08:00:00Z
    var step: Int64 = 60

    init() throws {
        dir = try TempDir()
    }

    // MARK: Subjects

    /// A model-version subject.
    static func model(_ id: String, _ version: String) -> JSONValue {
        ["type": "model", "id": .string(JSONString(id)), "version": .string(JSONString(version))]
    }

    /// A subject of any type.
    static func subject(_ type: String, _ id: String) -> JSONValue {
        ["type": .string(JSONString(type)), "id": .string(JSONString(id))]
    }

    // MARK: Events

    /// Appends one event and returns its seq, id and hash.
    @discardableResult
    mutating func event(
        action: String, actor: String, name: String? = nil, role: String? = nil, service: Bool = false,
        subject: JSONValue, reason: String? = nil, changes: JSONValue? = nil, refs: JSONValue? = nil, data: JSONValue? = nil,
        id: String? = nil, time: String? = nil, signedWith key: FixtureKey? = nil, meaning: String = "approval",
        signatureName: String? = nil
    ) -> RecordedEvent {
        let seq = Int64(lines.count + 1)
        let eventID = id ?? "ev-\(seq)"
        let timeText = time ?? Timestamp(seconds: clock).description
        clock += step
        var actorObject = JSONObject([JSONMember(key: "id", value: .string(JSONString(actor)))])
        if let name { actorObject["name"] = .string(JSONString(name)) }
        if let role { actorObject["role"] = .string(JSONString(role)) }
        if service { actorObject["kind"] = "service" }
        var o = JSONObject()
        o["seq"] = .integer(seq)
        o["id"] = .string(JSONString(eventID))
        o["time"] = .string(JSONString(timeText))
        o["actor"] = .object(actorObject)
        o["action"] = .string(JSONString(action))
        o["subject"] = subject
        if let reason { o["reason"] = .string(JSONString(reason)) }
        if let changes { o["changes"] = changes }
        if let refs { o["refs"] = refs }
        if let data { o["data"] = data }
        o["prev"] = .string(JSONString(prev))
        if let key {
            o["signature"] = [
                "signer": .string(JSONString(actor)), "name": .string(JSONString(signatureName ?? name ?? actor)),
                "meaning": .string(JSONString(meaning)), "time": .string(JSONString(timeText)),
                "key": .string(JSONString(key.name)), "alg": "ed25519",
            ]
            let sig = (try? key.privateKey.sign(message: EventHashing.signatureMessage(o))) ?? []
            var s = o["signature"]?.objectValue ?? JSONObject()
            s["sig"] = .string(JSONString(Base64.encode(sig)))
            o["signature"] = .object(s)
        }
        let digest = EventHashing.hash(o)
        o["hash"] = .string(JSONString(digest.hex))
        lines.append(JCS.serialize(.object(o)))
        hashes.append(digest)
        prev = digest.hex
        return RecordedEvent(seq: seq, id: eventID, hash: digest.hex)
    }

    /// Appends a line as it is (for broken logs).
    mutating func rawLine(_ text: String) {
        lines.append(Array(text.utf8))
    }

    // MARK: Keys and checkpoints

    /// A key seeded from its name, written to `keys/<name>.pem` and registered to `owner` by a
    /// `key.registered` event recorded now.
    mutating func key(_ name: String, owner: String, by registrar: String = "u:security") throws -> FixtureKey {
        let seed = SHA256.hash(Array("fixture key \(name)".utf8))
        let key = FixtureKey(name: name, owner: owner, privateKey: try Ed25519PrivateKey(rawSeed: seed))
        files.append(("keys/\(name).pem", Array(try key.privateKey.publicKey.pemString.utf8)))
        event(action: "key.registered", actor: registrar, name: "Security Officer", subject: Self.subject("key", name),
              data: ["owner": .string(JSONString(owner))])
        return key
    }

    /// A checkpoint of the log so far, signed with `key`.
    mutating func checkpoint(_ name: String, key: FixtureKey) throws {
        var acc = MerkleAccumulator()
        for h in hashes { acc.append(leafData: h.bytes) }
        let text = try Checkpoint.sign(origin: origin, size: UInt64(acc.size), root: acc.root, keyName: key.name,
                                       privateKey: key.privateKey)
        checkpoints.append((name, text))
    }

    // MARK: Records and files

    /// A registry model record. Requirements are `(id, title, text)`; versions `(version, stage)`.
    mutating func model(
        _ id: String, name: String? = nil, owner: String = "u:owner", intendedUse: String? = nil, risk: String = "high",
        requirements: [(String, String, String)], versions: [(String, String)], commit: String? = nil
    ) {
        var o: [(String, JSONValue)] = [
            ("id", .string(JSONString(id))), ("name", .string(JSONString(name ?? id))), ("owner", .string(JSONString(owner))),
            ("risk", .string(JSONString(risk))),
        ]
        if let intendedUse { o.append(("intendedUse", .string(JSONString(intendedUse)))) }
        o.append(("requirements", .array(requirements.map { r in
            ["id": .string(JSONString(r.0)), "title": .string(JSONString(r.1)), "text": .string(JSONString(r.2)), "category": "performance"]
        })))
        o.append(("versions", .array(versions.map { v in
            var m: [(String, JSONValue)] = [("version", .string(JSONString(v.0))), ("stage", .string(JSONString(v.1))),
                                            ("created", "2026-01-05T08:00:00Z")]
            if let commit { m.append(("commit", .string(JSONString(commit)))) }
            return .object(JSONObject(m.map { JSONMember(key: JSONString($0.0), value: $0.1) }))
        })))
        models.append((id, .object(JSONObject(o.map { JSONMember(key: JSONString($0.0), value: $0.1) }))))
    }

    /// A file of the source (docs, artifacts, drift); returns the SHA-256 hex of its bytes.
    @discardableResult
    mutating func file(_ path: String, _ text: String) -> String {
        files.append((path, Array(text.utf8)))
        return SHA256.digest(Array(text.utf8)).hex
    }

    /// Writes trailpack.json, the registry, the audit segments, keys, checkpoints and files.
    func write() throws {
        var cfg = JSONBuilder()
        cfg.set("title", title)
        if let organization { cfg.set("organization", organization) }
        cfg.set("origin", origin)
        var rel = JSONBuilder()
        rel.set("name", releaseName)
        rel.set("models", .object(JSONObject(release.sorted { $0.key < $1.key }.map {
            JSONMember(key: JSONString($0.key), value: .string(JSONString($0.value)))
        })))
        cfg.set("release", rel.value)
        if !policy.isEmpty { cfg.set("policy", .object(JSONObject(policy.map { JSONMember(key: JSONString($0.0), value: $0.1) }))) }
        try dir.write("trailpack.json", JSONWriter.pretty(cfg.value))
        for m in models { try dir.write("registry/models/\(m.id).json", JSONWriter.pretty(m.record)) }
        let per = eventsPerSegment ?? max(1, lines.count)
        let fm = FileManager.default
        try? fm.removeItem(at: dir.path("audit"))
        try fm.createDirectory(at: dir.path("audit"), withIntermediateDirectories: true)
        var segment = 0
        var start = 0
        repeat {
            segment += 1
            let chunk = lines[start..<min(lines.count, start + per)]
            var bytes: [UInt8] = []
            for l in chunk { bytes += l + [0x0A] }
            try dir.write(String(format: "audit/%04d.jsonl", segment), Data(bytes))
            start += per
        } while start < lines.count
        for c in checkpoints { try dir.write("checkpoints/\(c.name).checkpoint", c.text) }
        for f in files { try dir.write(f.path, Data(f.bytes)) }
    }
}
