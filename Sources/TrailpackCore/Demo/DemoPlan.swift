import Foundation

/// A story event ready to be written: its members sorted by key, without `seq`, `prev`, `hash`.
struct DemoDraft: Sendable {
    var ms: Int64
    var action: String
    var members: [JSONMember]
    var signed: Bool
    /// Recorded by a service (its signatures do not count toward the demo's minimum size).
    var byService = false
}

/// What the registry records of a model version (contract section 5).
struct DemoRegistryVersion: Sendable {
    var model: String
    var version: String
    var created: String
    var run: String
    var commit: String
    var datasets: [String]
    /// Time and target of the latest `model.stage_changed`.
    var stageMs: Int64 = 0
    var stage = "none"
}

/// When a version served in production: from deployment to archival (nil while still serving).
struct DemoProductionInterval: Sendable {
    var model: String
    var version: String
    var from: Int64
    var to: Int64?
}

/// JSON helpers for the demo's events and files.
enum DJ {
    static func s(_ text: String) -> JSONValue { .string(JSONString(text)) }
    static func n(_ value: Double) -> JSONValue { .decimal(value) }
    static func i(_ value: Int) -> JSONValue { .integer(Int64(value)) }
    static func strings(_ items: [String]) -> JSONValue { .array(items.map { s($0) }) }
    static func obj(_ pairs: [(String, JSONValue)]) -> JSONValue {
        .object(JSONObject(pairs.map { JSONMember(key: JSONString($0.0), value: $0.1) }))
    }
    static func model(_ id: String, _ version: String) -> JSONValue {
        obj([("type", s("model")), ("id", s(id)), ("version", s(version))])
    }
    static func subject(_ type: String, _ id: String) -> JSONValue { obj([("type", s(type)), ("id", s(id))]) }
    static func pretty(_ value: JSONValue) -> [UInt8] { Array(JSONWriter.pretty(value).utf8) }
}

/// The story's events, built in memory (they are few and fixed in count), plus the registry
/// state they imply. Evidence files are written as events name them, so digests are real.
struct DemoPlan {
    var rng: DemoRandom
    let hostile: Bool
    /// Where the evidence files go (listed only, in a dry run).
    var sink: DemoSink
    let keys: [String: Ed25519PrivateKey]
    /// mkrause's first key is revoked at this instant; later signatures use the next key.
    var rotationMs: Int64 = DemoTime.at(day: 73, hour: 8)
    /// The next exception/CAPA number.
    var nextNumber = 1
    private(set) var drafts: [DemoDraft] = []
    private var usedTimes = Set<Int64>()
    var registry: [DemoRegistryVersion] = []
    var production: [DemoProductionInterval] = []
    var driftWindows = 0

    init(seed: UInt64, hostile: Bool, sink: DemoSink, keys: [String: Ed25519PrivateKey]) {
        self.rng = DemoRandom(seed: seed, stream: 1)
        self.hostile = hostile
        self.sink = sink
        self.keys = keys
    }

    /// Free text, carrying the injection payload in hostile mode.
    func text(_ s: String) -> String { hostile ? s + " " + DemoCatalog.hostilePayload : s }

    /// A 40-digit git commit id.
    mutating func commit() -> String { rng.hex(40) }

    /// Writes a file under the pack source root.
    mutating func write(_ path: String, _ bytes: [UInt8], mode: Int? = nil) throws {
        try sink.write(path, bytes, mode: mode)
    }

    /// Writes an evidence file and returns its `{"path", "sha256"}` reference.
    mutating func artifact(_ path: String, _ bytes: [UInt8]) throws -> JSONValue {
        try write(path, bytes)
        return DJ.obj([("path", DJ.s(path)), ("sha256", DJ.s(SHA256.digest(bytes).hex))])
    }

    /// The key a person signs with at an instant (key rotation honoured).
    func key(for actor: DemoActor, at ms: Int64) -> String? {
        guard let first = actor.keys.first else { return nil }
        if actor.keys.count > 1 && ms >= rotationMs { return actor.keys[1] }
        return first
    }

    /// Records one story event at (about) `ms` and returns its id. Times are unique across the
    /// story; a signed event is signed here, over its final content.
    @discardableResult
    mutating func add(_ ms: Int64, _ actorID: String, _ action: String, subject: JSONValue,
                      reason: String? = nil, refs: [(String, JSONValue)] = [], data: [(String, JSONValue)] = [],
                      changes: [(field: String, old: JSONValue, new: JSONValue)] = [], sign meaning: String? = nil) throws -> String {
        var t = ms
        while usedTimes.contains(t) { t += 1 }
        usedTimes.insert(t)
        let actor = DemoCatalog.actor(actorID)
        let offset = actor.isService ? 0 : DemoTime.berlinOffset(t)
        let timeText = DemoTime.text(t, offsetMinutes: offset)
        let id = DemoTime.uuid7(t, &rng)
        var o = JSONObject()
        o["action"] = DJ.s(action)
        o["actor"] = DJ.obj([("id", DJ.s(actor.id)), ("name", DJ.s(text(actor.name))), ("role", DJ.s(text(actor.role))),
                             ("kind", DJ.s(actor.isService ? "service" : "person"))])
        o["id"] = DJ.s(id)
        o["time"] = DJ.s(timeText)
        o["subject"] = subject
        if let reason { o["reason"] = DJ.s(text(reason)) }
        if !refs.isEmpty { o["refs"] = DJ.obj(refs) }
        if !data.isEmpty { o["data"] = DJ.obj(data) }
        if !changes.isEmpty {
            o["changes"] = .array(changes.map { DJ.obj([("field", DJ.s($0.field)), ("old", $0.old), ("new", $0.new)]) })
        }
        if let meaning {
            guard let keyName = key(for: actor, at: t), let privateKey = keys[keyName] else {
                throw DemoError.cannotWrite("signature", "\(actor.id) holds no demo key")
            }
            o["signature"] = DJ.obj([("signer", DJ.s(actor.id)), ("name", DJ.s(text(actor.name))), ("meaning", DJ.s(meaning)),
                                    ("time", DJ.s(timeText)), ("key", DJ.s(keyName)), ("alg", DJ.s("ed25519"))])
            let sig = try privateKey.sign(message: EventHashing.signatureMessage(o))
            if var block = o["signature"]?.objectValue {
                block["sig"] = DJ.s(Base64.encode(sig))
                o["signature"] = .object(block)
            }
        }
        if action == "model.stage_changed", let m = subject["id"]?.stringValue, let v = subject["version"]?.stringValue,
           let to = o["data"]?["to"]?.stringValue, let i = registry.firstIndex(where: { $0.model == m && $0.version == v }),
           t >= registry[i].stageMs {
            registry[i].stageMs = t
            registry[i].stage = to
        }
        let members = o.members.sorted { JSONString.utf16Precedes($0.key, $1.key) }
        drafts.append(DemoDraft(ms: t, action: action, members: members, signed: meaning != nil, byService: actor.isService))
        return id
    }

    /// The story's events in time order.
    func sortedDrafts() -> [DemoDraft] { drafts.sorted { $0.ms < $1.ms } }

    /// A time on a working day (Monday to Friday) at `hour` UTC plus up to 40 random minutes.
    mutating func workday(_ day: Int, hour: Int) -> Int64 {
        var d = day
        while d % 7 >= 5 { d += 1 }
        return DemoTime.at(day: d, hour: hour) + Int64(rng.int(0...2400)) * 1000 + Int64(rng.int(0...999))
    }

    /// `ms` plus a random gap of `minutes`, with random seconds and milliseconds.
    mutating func later(_ ms: Int64, _ minutes: ClosedRange<Int>) -> Int64 {
        ms + Int64(rng.int(minutes)) * DemoTime.msPerMinute + Int64(rng.int(0...59_999))
    }
}

/// Where the demo's files go: written under `root` (folders created as needed), or, in a dry
/// run, only listed. Either way ``paths`` lists every file, in the order written.
struct DemoSink {
    let root: URL
    let dryRun: Bool
    private(set) var paths: [String] = []

    init(root: URL, dryRun: Bool) {
        self.root = root
        self.dryRun = dryRun
    }

    mutating func write(_ path: String, _ bytes: [UInt8], mode: Int? = nil) throws {
        paths.append(path)
        if !dryRun { try DemoFiles.write(root, path, bytes, mode: mode) }
    }

    mutating func write(_ path: String, _ text: String, mode: Int? = nil) throws {
        try write(path, Array(text.utf8), mode: mode)
    }
}

/// File writing of the demo (folders created as needed).
enum DemoFiles {
    static func write(_ root: URL, _ path: String, _ bytes: [UInt8], mode: Int? = nil) throws {
        let url = root.appendingPathComponent(path)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw DemoError.cannotWrite(url.deletingLastPathComponent().path, error.localizedDescription)
        }
        var attributes: [FileAttributeKey: Any]?
        if let mode { attributes = [.posixPermissions: mode] }
        guard FileManager.default.createFile(atPath: url.path, contents: Data(bytes), attributes: attributes) else {
            throw DemoError.cannotWrite(url.path, "file creation failed")
        }
    }

    static func write(_ root: URL, _ path: String, _ text: String, mode: Int? = nil) throws {
        try write(root, path, Array(text.utf8), mode: mode)
    }
}
