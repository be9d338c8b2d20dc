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

/// Writes a pack source into a temporary folder from a few lines of test code: events get
/// seq, prev, hash, times one minute apart, and signatures when a key is named.
struct PackBuilder {
    let dir: TempDir
    var origin = "test.example/log"
    var release: [(String, String)] = [("m", "1")]
    var policy: JSONValue = [:]
    var events: [JSONObject] = []
    var keys: [String: Ed25519PrivateKey] = [:]
    var models: [JSONValue] = []
    var drift: [(String, JSONValue)] = []
    var checkpointSizes: [Int] = []
    var time = Timestamp(seconds: 1_767_225_600) // 2026-01-01T00:00:00Z
    var step: Int64 = 60
    var nextID = 1

    init() throws { dir = try TempDir() }

    var url: URL { dir.url }

    /// A deterministic key, written to keys/<name>.pem.
    mutating func key(_ name: String) throws -> Ed25519PrivateKey {
        if let k = keys[name] { return k }
        let k = try Ed25519PrivateKey(rawSeed: SHA256.hash(Array("test-key/\(name)".utf8)))
        keys[name] = k
        return k
    }

    /// Appends an event; `sign` names the key to sign with (meaning defaults to approval).
    @discardableResult
    mutating func event(_ action: String, actor: String = "u:alice", name: String? = nil, service: Bool = false,
                        subject: JSONValue, refs: JSONValue? = nil, data: JSONValue? = nil, reason: String? = nil,
                        changes: JSONValue? = nil, sign key: String? = nil, meaning: String = "approval",
                        id: String? = nil, time: String? = nil) throws -> String {
        let eid = id ?? "ev-\(nextID)"
        nextID += 1
        let t: String
        if let time { t = time } else { self.time = self.time.adding(seconds: step); t = self.time.description }
        var actorObj: JSONValue = ["id": .string(JSONString(actor)), "kind": service ? "service" : "person"]
        if let name { actorObj = ["id": .string(JSONString(actor)), "kind": service ? "service" : "person", "name": .string(JSONString(name))] }
        var o = JSONObject([
            JSONMember(key: "id", value: .string(JSONString(eid))),
            JSONMember(key: "time", value: .string(JSONString(t))),
            JSONMember(key: "actor", value: actorObj),
            JSONMember(key: "action", value: .string(JSONString(action))),
            JSONMember(key: "subject", value: subject),
        ])
        if let refs { o["refs"] = refs }
        if let data { o["data"] = data }
        if let reason { o["reason"] = .string(JSONString(reason)) }
        if let changes { o["changes"] = changes }
        if let key {
            let k = try self.key(key)
            o["signature"] = ["signer": .string(JSONString(actor)), "name": .string(JSONString(name ?? actor)),
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

    /// Registers a key to its owner (key.registered), creating the key.
    mutating func registerKey(_ name: String, owner: String) throws {
        _ = try key(name)
        try event("key.registered", actor: "u:admin", subject: ["type": "key", "id": .string(JSONString(name))],
                  data: ["owner": .string(JSONString(owner))])
    }

    /// The canonical lines with seq, prev and hash filled.
    func lines() -> [[UInt8]] {
        var prev = EventHashing.zeroHash
        var out: [[UInt8]] = []
        for (i, e) in events.enumerated() {
            var o = e
            o["seq"] = .integer(Int64(i + 1))
            o["prev"] = .string(JSONString(prev))
            let h = EventHashing.hash(o).hex
            o["hash"] = .string(JSONString(h))
            prev = h
            out.append(JCS.serialize(.object(o)))
        }
        return out
    }

    /// Writes the whole pack source.
    func write() throws {
        var models: [(String, JSONValue)] = []
        for (m, v) in release { models.append((m, .string(JSONString(v)))) }
        let config: JSONValue = .object(JSONObject([
            JSONMember(key: "title", value: "Test pack"),
            JSONMember(key: "origin", value: .string(JSONString(origin))),
            JSONMember(key: "release", value: .object(JSONObject([
                JSONMember(key: "name", value: "r1"),
                JSONMember(key: "models", value: .object(JSONObject(models.map { JSONMember(key: JSONString($0.0), value: $0.1) }))),
            ]))),
            JSONMember(key: "policy", value: policy),
        ]))
        try dir.write("trailpack.json", JSONWriter.pretty(config))
        let ls = lines()
        var text: [UInt8] = []
        for l in ls { text += l + [0x0A] }
        try dir.write("audit/0001.jsonl", Data(text))
        for (name, k) in keys { try dir.write("keys/\(name).pem", try k.publicKey.pemString) }
        for m in self.models {
            try dir.write("registry/models/\(m["id"]?.stringValue ?? "x").json", JSONWriter.pretty(m))
        }
        for (name, w) in drift { try dir.write("drift/\(name).json", JSONWriter.pretty(w)) }
        if !checkpointSizes.isEmpty, let k = keys["log"] {
            var acc = MerkleAccumulator()
            var roots: [Int: SHA256.Digest] = [:]
            for (i, l) in ls.enumerated() {
                if let o = try? JSONReader().parse(l), let h = o["hash"]?.stringValue, let d = SHA256.Digest(hex: h) {
                    acc.append(leafData: d.bytes)
                }
                roots[i + 1] = acc.root
            }
            for s in checkpointSizes {
                let note = try Checkpoint.sign(origin: origin, size: UInt64(s), root: roots[s] ?? MerkleHash.emptyRoot, keyName: "log", privateKey: k)
                try dir.write("checkpoints/\(s).checkpoint", note)
            }
        }
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
