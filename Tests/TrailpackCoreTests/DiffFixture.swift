import Foundation
@testable import TrailpackCore

/// Writes a small pack source for diff tests: trailpack.json, one registry model, audit segments
/// of canonical events chained with seq/prev/hash, an Ed25519 key and signed checkpoints.
/// Events are added unchained (`add`, or the helpers below) and chained when written, so a test
/// can edit an early event and write a log that is re-chained and re-signed throughout.
struct DiffFixture {
    static let origin = "example.com/ml/diff-test"
    static let keyName = "qa"

    /// A fixed key, so runs are reproducible.
    static func key() throws -> Ed25519PrivateKey { try Ed25519PrivateKey(rawSeed: [UInt8](repeating: 7, count: 32)) }

    var release = "2026.1"
    var releaseModels: [(model: String, version: String)] = [("risk", "1")]
    var modelName = "Risk classifier"
    var requirements = ["URS-01", "URS-02"]
    /// Registry versions of model `risk`: (version, stage).
    var versions: [(version: String, stage: String)] = [("1", "production")]
    /// Unchained events: no seq, prev or hash.
    var events: [JSONObject] = []
    /// `drift/<name>` -> JSON text.
    var drift: [String: String] = [:]
    /// Sizes at which a signed checkpoint is written (only those within the written log).
    var checkpointSizes: [Int] = []
    /// Events per segment file (`audit/0001.jsonl`, `0002.jsonl`, …).
    var segmentSize = 5

    // MARK: Events

    /// The time of the n-th event (1-based): one hour apart from 2026-01-01T00:00:00Z.
    static func time(_ n: Int) -> String {
        Timestamp(seconds: 1_767_225_600 + Int64(n) * 3600).description
    }

    static func parse(_ text: String) throws -> JSONObject {
        guard let o = try JSONReader().parse(Array(text.utf8)).objectValue else { throw FixtureError("not an object: \(text)") }
        return o
    }

    /// Adds an event; `rest` is extra members as JSON text (`"data":{...},"refs":{...}`).
    /// With `meaning`, the event is signed by its actor with the fixture key.
    mutating func add(_ action: String, actor: String = "u:dev", name: String? = nil, subject: String,
                      _ rest: String = "", meaning: String? = nil, time: String? = nil) throws {
        let n = events.count + 1
        let actorName = name ?? actor
        let time = time ?? Self.time(n)
        var text = #"{"action":"\#(action)","actor":{"id":"\#(actor)","name":"\#(actorName)"},"id":"e-\#(n)","#
            + #""subject":\#(subject),"time":"\#(time)""#
        if !rest.isEmpty { text += "," + rest }
        text += "}"
        var object = try Self.parse(text)
        if let meaning {
            object["signature"] = .object(try Self.parse(
                #"{"alg":"ed25519","key":"\#(Self.keyName)","meaning":"\#(meaning)","name":"\#(actorName)","signer":"\#(actor)","time":"\#(time)"}"#))
            try Self.sign(&object)
        }
        events.append(object)
    }

    /// (Re-)computes `signature.sig` of a signed event.
    static func sign(_ object: inout JSONObject) throws {
        guard var sig = object["signature"]?.objectValue else { return }
        sig["sig"] = nil
        object["signature"] = .object(sig)
        let raw = try key().sign(message: EventHashing.signatureMessage(object))
        sig["sig"] = JSONValue(Data(raw).base64EncodedString())
        object["signature"] = .object(sig)
    }

    static func model(_ version: String) -> String { #"{"id":"risk","type":"model","version":"\#(version)"}"# }

    mutating func registerKey() throws {
        try add("key.registered", actor: "u:admin", subject: #"{"id":"\#(Self.keyName)","type":"key"}"#, #""data":{"owner":"u:qa"}"#)
    }

    mutating func trained(_ v: String, actor: String = "u:dev") throws {
        try add("model.trained", actor: actor, subject: Self.model(v), #""refs":{"commit":"abcdef1\#(v)","datasets":["train@1"]}"#)
    }

    mutating func test(_ id: String, _ v: String, _ requirements: [String], pass: Bool, actor: String = "u:ci") throws {
        let reqs = requirements.map { "\"\($0)\"" }.joined(separator: ",")
        try add("test.executed", actor: actor, subject: #"{"id":"\#(id)","type":"test"}"#,
                #""data":{"result":"\#(pass ? "pass" : "fail")"},"refs":{"model":"risk@\#(v)","requirements":[\#(reqs)]}"#)
    }

    mutating func evaluated(_ v: String) throws {
        try add("bias.evaluated", subject: Self.model(v), #""data":{"result":"pass"}"#)
        try add("explanation.generated", subject: Self.model(v), #""data":{"method":"shap"}"#)
    }

    mutating func approve(_ v: String) throws {
        try add("model.approved", actor: "u:qa", name: "Dr. Q. A.", subject: Self.model(v), meaning: "approval")
    }

    mutating func stage(_ v: String, from: String, to: String) throws {
        try add("model.stage_changed", actor: "u:ops", subject: Self.model(v),
                #""data":{"from":"\#(from)","to":"\#(to)"},"reason":"release \#(v)""#)
    }

    /// The baseline: a key, version 1 trained, both requirements tested and passed, evaluated,
    /// approved by QA and moved to production (8 events).
    static func baseline() throws -> DiffFixture {
        var f = DiffFixture()
        try f.registerKey()
        try f.trained("1")
        try f.test("T-1", "1", ["URS-01"], pass: true)
        try f.test("T-2", "1", ["URS-02"], pass: true)
        try f.evaluated("1")
        try f.approve("1")
        try f.stage("1", from: "none", to: "production")
        return f
    }

    /// Appends `count` routine events (`config.changed` by u:ops) for volume.
    mutating func routine(_ count: Int) throws {
        for _ in 0..<count { try add("config.changed", actor: "u:ops", subject: Self.model("1"), #""reason":"tuning""#) }
    }

    // MARK: Writing

    /// The events with seq, prev and hash filled in, in order.
    static func chain(_ events: [JSONObject]) -> [JSONObject] {
        var prev = EventHashing.zeroHash
        return events.enumerated().map { i, e in
            var o = e
            o["seq"] = .integer(Int64(i + 1))
            o["prev"] = JSONValue(prev)
            o["hash"] = nil
            let h = EventHashing.hash(o).hex
            o["hash"] = JSONValue(h)
            prev = h
            return o
        }
    }

    /// The Merkle root of the first `size` chained events.
    static func root(_ chained: [JSONObject], size: Int) throws -> SHA256.Digest {
        var acc = MerkleAccumulator()
        for o in chained.prefix(size) {
            guard let h = o["hash"]?.stringValue, let d = SHA256.Digest(hex: h) else { throw FixtureError("no hash") }
            acc.append(leafData: d.bytes)
        }
        return acc.root
    }

    /// Writes the pack source into `dir` with the first `count` events (all by default).
    @discardableResult
    func write(to dir: URL, events count: Int? = nil) throws -> [JSONObject] {
        let fm = FileManager.default
        try? fm.removeItem(at: dir)
        let chained = Self.chain(Array(events.prefix(count ?? events.count)))
        func put(_ rel: String, _ text: String) throws {
            let url = dir.appendingPathComponent(rel)
            try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        let models = releaseModels.map { "\"\($0.model)\":\"\($0.version)\"" }.joined(separator: ",")
        try put("trailpack.json", #"{"title":"Diff test","origin":"\#(Self.origin)","release":{"name":"\#(release)","models":{\#(models)}}}"#)
        let reqs = requirements.map { #"{"id":"\#($0)","title":"Requirement \#($0)","text":"must hold"}"# }.joined(separator: ",")
        let vers = versions.map { #"{"version":"\#($0.version)","stage":"\#($0.stage)","commit":"abcdef1\#($0.version)"}"# }
            .joined(separator: ",")
        try put("registry/models/risk.json", #"{"id":"risk","name":"\#(modelName)","requirements":[\#(reqs)],"versions":[\#(vers)]}"#)
        for (name, text) in drift { try put("drift/\(name)", text) }
        try put("keys/\(Self.keyName).pem", try Self.key().publicKey.pemString)
        try fm.createDirectory(at: dir.appendingPathComponent("audit"), withIntermediateDirectories: true)
        for start in stride(from: 0, to: max(chained.count, 1), by: segmentSize) {
            let lines = chained[start..<min(chained.count, start + segmentSize)]
                .map { String(decoding: JCS.serialize(.object($0)), as: UTF8.self) + "\n" }.joined()
            try put(String(format: "audit/%04d.jsonl", start / segmentSize + 1), lines)
        }
        for size in checkpointSizes where size <= chained.count {
            let note = try Checkpoint.sign(origin: Self.origin, size: UInt64(size), root: try Self.root(chained, size: size),
                                           keyName: Self.keyName, privateKey: try Self.key())
            try put(String(format: "checkpoints/%06d.checkpoint", size), note)
        }
        return chained
    }

    /// A native drift window of `risk@version`, the `day`-th week of March 2026.
    static func driftWindow(_ version: String, week: Int, drift: Bool) -> String {
        let start = 1_772_323_200 + Int64(week) * 7 * 86400  // 2026-03-01T00:00:00Z
        let s = Timestamp(seconds: start).description, e = Timestamp(seconds: start + 7 * 86400).description
        return #"{"model":"risk","version":"\#(version)","window":{"start":"\#(s)","end":"\#(e)"},"#
            + #""metrics":[{"name":"psi","value":\#(drift ? "0.3" : "0.1"),"threshold":0.2}],"drift":\#(drift)}"#
    }
}

struct FixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
