import Foundation
@testable import TrailpackCore

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral, ExpressibleByFloatLiteral {
    public init(stringLiteral value: String) { self = .string(JSONString(value)) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .decimal(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(JSONObject(elements.map { JSONMember(key: JSONString($0.0), value: $0.1) }))
    }
}

extension JSONValue: ExpressibleByNilLiteral {
    public init(nilLiteral: ()) { self = .null }
}

/// Writes a pack source into a temporary folder from a few lines of test code: events get
/// seq, prev, hash, times `step` seconds apart, and signatures when a key is named. Events are
/// kept unchained (`events` may be edited) and chained when written; `rawLine` adds a broken line.
/// Keys are seeded from their names; checkpoints are real. ``write()`` may be called again.
struct PackBuilder {
    let dir: TempDir
    /// A folder outside the source: private key files and scratch input.
    let outside: TempDir
    var title = "Test pack"
    var organization: String? = nil
    /// `preparedBy` in trailpack.json, when set.
    var preparedBy: String? = nil
    var origin = "test.example/log"
    var releaseName = "r1"
    var release: [(String, String)] = [("m", "1")]
    var policy: JSONValue = [:]
    /// `identities` in trailpack.json, when set.
    var identities: JSONValue? = nil
    var events: [JSONObject] = []
    /// Lines written as they are, each after the first `after` events.
    var rawLines: [(after: Int, text: String)] = []
    var keys: [String: Ed25519PrivateKey] = [:]
    var models: [JSONValue] = []
    var drift: [(String, JSONValue)] = []
    /// Extra files (docs, artifacts, drift) by relative path.
    var files: [(path: String, bytes: [UInt8])] = []
    /// Sizes at which a checkpoint signed with `checkpointKey` is written as `checkpoints/<size>.checkpoint`.
    var checkpointSizes: [Int] = []
    /// Named checkpoints: `checkpoints/<name>.checkpoint` of the first `size` lines, signed with `key`.
    var checkpoints: [(name: String, size: Int, key: String)] = []
    /// Events per segment file (`audit/0001.jsonl`, `0002.jsonl`, …); nil keeps one segment.
    var eventsPerSegment: Int?
    /// Actor objects get `"kind": "person"` too (services always get `"kind": "service"`).
    var markPersons = true
    /// The time of the last event; the next is `step` seconds later.
    var time = Timestamp(seconds: 1_767_225_600) // 2026-01-01T00:00:00Z
    var step: Int64 = 60
    var nextID = 1
    /// Event ids are `<idPrefix><n>`.
    var idPrefix = "ev-"
    /// The key that signs `checkpointSizes`.
    var checkpointKey = "log"

    init() throws {
        dir = try TempDir()
        outside = try TempDir()
    }

    /// A builder whose first event is at `first` (seconds since 1970), `step` seconds apart.
    init(firstEvent first: Int64, step: Int64 = 60) throws {
        try self.init()
        self.step = step
        time = Timestamp(seconds: first - step)
    }

    var url: URL { dir.url }

    /// Lines in the log so far (events and raw lines); the seq of the last event.
    var count: Int { events.count + rawLines.count }

    // MARK: Subjects

    /// A model-version subject.
    static func modelSubject(_ id: String, _ version: String) -> JSONValue {
        ["type": "model", "id": .string(JSONString(id)), "version": .string(JSONString(version))]
    }

    /// A subject of any type.
    static func subject(_ type: String, _ id: String) -> JSONValue {
        ["type": .string(JSONString(type)), "id": .string(JSONString(id))]
    }

    // MARK: Keys and events

    /// A deterministic key, written to keys/<name>.pem.
    mutating func key(_ name: String) throws -> Ed25519PrivateKey {
        if let k = keys[name] { return k }
        let k = try Ed25519PrivateKey(rawSeed: SHA256.hash(Array("test-key/\(name)".utf8)))
        keys[name] = k
        return k
    }

    /// Appends an event; `sign` names the key to sign with (meaning defaults to approval).
    @discardableResult
    mutating func event(_ action: String, actor: String = "u:alice", name: String? = nil, role: String? = nil, service: Bool = false,
                        subject: JSONValue, refs: JSONValue? = nil, data: JSONValue? = nil, reason: String? = nil,
                        changes: JSONValue? = nil, sign key: String? = nil, meaning: String = "approval",
                        signatureName: String? = nil, id: String? = nil, time: String? = nil) throws -> String {
        let eid = id ?? "\(idPrefix)\(nextID)"
        nextID += 1
        let t: String
        if let time { t = time } else { self.time = self.time.adding(seconds: step); t = self.time.description }
        var actorObj = JSONObject([JSONMember(key: "id", value: .string(JSONString(actor)))])
        if service || markPersons { actorObj["kind"] = service ? "service" : "person" }
        if let name { actorObj["name"] = .string(JSONString(name)) }
        if let role { actorObj["role"] = .string(JSONString(role)) }
        var o = JSONObject([
            JSONMember(key: "id", value: .string(JSONString(eid))),
            JSONMember(key: "time", value: .string(JSONString(t))),
            JSONMember(key: "actor", value: .object(actorObj)),
            JSONMember(key: "action", value: .string(JSONString(action))),
            JSONMember(key: "subject", value: subject),
        ])
        if let refs { o["refs"] = refs }
        if let data { o["data"] = data }
        if let reason { o["reason"] = .string(JSONString(reason)) }
        if let changes { o["changes"] = changes }
        if let key {
            let k = try self.key(key)
            o["signature"] = ["signer": .string(JSONString(actor)), "name": .string(JSONString(signatureName ?? name ?? actor)),
                              "meaning": .string(JSONString(meaning)), "time": .string(JSONString(t)),
                              "key": .string(JSONString(key)), "alg": "ed25519"]
            let sig = try k.sign(message: EventHashing.signatureMessage(o))
            if var s = o["signature"]?.objectValue {
                s["sig"] = .string(JSONString(Base64.encode(sig)))
                o["signature"] = .object(s)
            }
        }
        events.append(o)
        return eid
    }

    /// Appends a line as it is (for broken logs); it takes a seq and an id number like an event.
    mutating func rawLine(_ text: String) {
        rawLines.append((events.count, text))
        nextID += 1
    }

    /// Registers a key to its owner (key.registered by `registrar`), creating the key.
    mutating func registerKey(_ name: String, owner: String, by registrar: String = "u:admin", registrarName: String? = nil) throws {
        _ = try key(name)
        try event("key.registered", actor: registrar, name: registrarName, subject: ["type": "key", "id": .string(JSONString(name))],
                  data: ["owner": .string(JSONString(owner))])
    }

    /// A checkpoint `checkpoints/<name>.checkpoint` of the log so far, signed with `key`.
    mutating func checkpoint(_ name: String, key: String) throws {
        _ = try self.key(key)
        checkpoints.append((name, count, key))
    }

    /// (Re-)computes `signature.sig` of a signed event with the key it names.
    mutating func resign(_ object: inout JSONObject) throws {
        guard var sig = object["signature"]?.objectValue, let name = sig["key"]?.stringValue else { return }
        sig["sig"] = nil
        object["signature"] = .object(sig)
        let raw = try key(name).sign(message: EventHashing.signatureMessage(object))
        sig["sig"] = .string(JSONString(Base64.encode(raw)))
        object["signature"] = .object(sig)
    }

    /// A JSON object from its text.
    static func parse(_ text: String) throws -> JSONObject {
        guard let o = try JSONReader().parse(Array(text.utf8)).objectValue else { throw FixtureError("not an object: \(text)") }
        return o
    }

    // MARK: Records and files

    /// A registry model record. Requirements are `(id, title, text)`; versions `(version, stage)`.
    mutating func model(
        _ id: String, name: String? = nil, owner: String = "u:owner", intendedUse: String? = nil, risk: String = "high",
        requirements: [(String, String, String)], versions: [(String, String)], commit: String? = nil
    ) {
        var o = JSONObject([
            JSONMember(key: "id", value: .string(JSONString(id))), JSONMember(key: "name", value: .string(JSONString(name ?? id))),
            JSONMember(key: "owner", value: .string(JSONString(owner))), JSONMember(key: "risk", value: .string(JSONString(risk))),
        ])
        if let intendedUse { o["intendedUse"] = .string(JSONString(intendedUse)) }
        o["requirements"] = .array(requirements.map { r in
            ["id": .string(JSONString(r.0)), "title": .string(JSONString(r.1)), "text": .string(JSONString(r.2)), "category": "performance"]
        })
        o["versions"] = .array(versions.map { v in
            var m = JSONObject([JSONMember(key: "version", value: .string(JSONString(v.0))),
                                JSONMember(key: "stage", value: .string(JSONString(v.1))),
                                JSONMember(key: "created", value: "2026-01-05T08:00:00Z")])
            if let commit { m["commit"] = .string(JSONString(commit)) }
            return .object(m)
        })
        models.append(.object(o))
    }

    /// A file of the source (docs, artifacts, drift); returns the SHA-256 hex of its bytes.
    @discardableResult
    mutating func file(_ path: String, _ text: String) -> String {
        files.append((path, Array(text.utf8)))
        return SHA256.digest(Array(text.utf8)).hex
    }

    // MARK: Writing

    /// The canonical lines with seq, prev and hash filled, raw lines in place.
    func lines() -> [[UInt8]] { chained().map(\.line) }

    /// Every line with the event's hash (nil for a raw line).
    func chained() -> [(line: [UInt8], hash: SHA256.Digest?)] {
        var prev = EventHashing.zeroHash
        var out: [(line: [UInt8], hash: SHA256.Digest?)] = []
        var raw = rawLines[...]
        func flushRaw(_ n: Int) {
            while let r = raw.first, r.after <= n { out.append((Array(r.text.utf8), nil)); raw = raw.dropFirst() }
        }
        for (i, e) in events.enumerated() {
            flushRaw(i)
            var o = e
            o["seq"] = .integer(Int64(out.count + 1))
            o["prev"] = .string(JSONString(prev))
            o["hash"] = nil
            let d = EventHashing.hash(o)
            o["hash"] = .string(JSONString(d.hex))
            prev = d.hex
            out.append((JCS.serialize(.object(o)), d))
        }
        flushRaw(events.count)
        return out
    }

    /// Writes the whole pack source into its folder, or into `target` (made afresh) with only the
    /// first `count` lines of the log and the checkpoints within them.
    func write(to target: URL? = nil, events count: Int? = nil) throws {
        let root = target ?? dir.url
        if let target { try? FileManager.default.removeItem(at: target) }
        func put(_ rel: String, _ bytes: Data) throws {
            let url = root.appendingPathComponent(rel)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try bytes.write(to: url)
        }
        func put(_ rel: String, _ text: String) throws { try put(rel, Data(text.utf8)) }
        var config = JSONObject([JSONMember(key: "title", value: .string(JSONString(title)))])
        if let organization { config["organization"] = .string(JSONString(organization)) }
        if let preparedBy { config["preparedBy"] = .string(JSONString(preparedBy)) }
        config["origin"] = .string(JSONString(origin))
        config["release"] = .object(JSONObject([
            JSONMember(key: "name", value: .string(JSONString(releaseName))),
            JSONMember(key: "models", value: .object(JSONObject(release.map { JSONMember(key: JSONString($0.0), value: .string(JSONString($0.1))) }))),
        ]))
        config["policy"] = policy
        if let identities { config["identities"] = identities }
        try put("trailpack.json", JSONWriter.pretty(.object(config)))
        let ls = Array(chained().prefix(count ?? Int.max))
        let fm = FileManager.default
        // An empty log is written only when asked for (`events: 0`); else `audit/` is left alone.
        if !ls.isEmpty || count != nil {
        try? fm.removeItem(at: root.appendingPathComponent("audit"))
        try fm.createDirectory(at: root.appendingPathComponent("audit"), withIntermediateDirectories: true)
        let per = eventsPerSegment ?? max(1, ls.count)
        var start = 0
        repeat {
            var text: [UInt8] = []
            for l in ls[start..<min(ls.count, start + per)] { text += l.line + [0x0A] }
            try put(String(format: "audit/%04d.jsonl", start / per + 1), Data(text))
            start += per
        } while start < ls.count
        }
        for (name, k) in keys { try put("keys/\(name).pem", try k.publicKey.pemString) }
        for m in self.models {
            try put("registry/models/\(m["id"]?.stringValue ?? "x").json", JSONWriter.pretty(m))
        }
        for (name, w) in drift { try put("drift/\(name).json", JSONWriter.pretty(w)) }
        var all = checkpoints
        if keys[checkpointKey] != nil { all += checkpointSizes.map { ("\($0)", $0, checkpointKey) } }
        if !all.isEmpty {
            var acc = MerkleAccumulator()
            var roots: [Int: SHA256.Digest] = [0: acc.root]
            for (i, l) in ls.enumerated() {
                if let h = l.hash { acc.append(leafData: h.bytes) }
                roots[i + 1] = acc.root
            }
            for c in all {
                guard let k = keys[c.key], count == nil || c.size <= ls.count else { continue }
                let note = try Checkpoint.sign(origin: origin, size: UInt64(c.size), root: roots[c.size] ?? MerkleHash.emptyRoot,
                                               keyName: c.key, privateKey: k)
                try put("checkpoints/\(c.name).checkpoint", note)
            }
        }
        for f in files { try put(f.path, Data(f.bytes)) }
    }

    func analyze(trust: TrustList? = nil) throws -> PackAnalysis {
        try write()
        return try Trailpack.analyze(source: url, trust: trust)
    }
}

extension PackBuilder {
    static let model: JSONValue = [
        "id": "m", "name": "Model M", "owner": "u:owner", "risk": "high",
        "requirements": [
            ["id": "R1", "title": "Discrimination", "text": "AUROC >= 0.8", "category": "performance"],
            ["id": "R2", "title": "Calibration", "text": "ECE <= 0.05", "category": "performance"],
        ],
        "versions": [["version": "1", "stage": "production", "created": "2026-01-01T00:00:00Z", "commit": "abcdef1234", "datasets": ["d@1"]]],
    ]

    static let versionSubject: JSONValue = ["type": "model", "id": "m", "version": "1"]

    /// A small pack that breaks no rule: one model version trained, tested, evaluated, approved,
    /// promoted and deployed, with two contiguous drift windows.
    static func compliant() throws -> PackBuilder {
        var p = try PackBuilder()
        p.models = [model]
        try p.registerKey("qa", owner: "u:qa")
        try p.event("dataset.registered", actor: "u:ds", subject: ["type": "dataset", "id": "d", "version": "1"])
        try p.event("code.changed", actor: "u:dev", subject: ["type": "repo", "id": "r"], refs: ["commit": "abcdef1234"])
        try p.event("model.trained", actor: "u:ds", subject: versionSubject,
                    refs: ["datasets": ["d@1"], "commit": "abcdef1234", "run": "mlflow:1"], data: ["metrics": ["auroc": 0.85]])
        try p.event("model.registered", actor: "u:ds", subject: versionSubject)
        try p.event("test.executed", actor: "svc:ci", service: true, subject: ["type": "test", "id": "T1"],
                    refs: ["model": "m@1", "requirements": ["R1"]], data: ["result": "pass"])
        try p.event("test.executed", actor: "svc:ci", service: true, subject: ["type": "test", "id": "T2"],
                    refs: ["model": "m@1", "requirements": ["R2"]], data: ["result": "pass"])
        try p.event("bias.evaluated", actor: "u:ds", subject: versionSubject, data: ["result": "pass"])
        try p.event("explanation.generated", actor: "u:ds", subject: versionSubject, data: ["method": "shap"])
        try p.event("model.approved", actor: "u:qa", name: "Quinn QA", subject: versionSubject, sign: "qa")
        try p.event("model.stage_changed", actor: "u:qa", subject: versionSubject, data: ["from": "none", "to": "production"],
                    reason: "approved for release")
        try p.event("model.deployed", actor: "svc:deploy", service: true, subject: versionSubject)
        p.drift = [
            ("w1", ["model": "m", "version": "1", "window": ["start": "2026-01-01T00:00:00Z", "end": "2026-01-01T00:10:00Z"],
                    "metrics": [["name": "psi", "feature": "age", "value": 0.1, "threshold": 0.2, "breach": false]], "drift": false]),
            ("w2", ["model": "m", "version": "1", "window": ["start": "2026-01-01T00:10:00Z", "end": "2026-01-01T00:20:00Z"],
                    "metrics": [["name": "psi", "feature": "age", "value": 0.1, "threshold": 0.2, "breach": false]], "drift": false]),
        ]
        return p
    }
}

extension PackBuilder {
    /// A builder for site tests: an organization, release 2026.1 with no models yet, events from
    /// 2026-01-05T08:00:00Z `step` seconds apart, `kind` only on service actors.
    static func source(step: Int64 = 60) throws -> PackBuilder {
        var p = try PackBuilder(firstEvent: 1_767_600_000, step: step)  // 2026-01-05T08:00:00Z
        p.organization = "Example Pharma GmbH"
        p.origin = "example.com/trailpack-test"
        p.releaseName = "2026.1"
        p.release = []
        p.markPersons = false
        return p
    }
}

struct FixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
