/// The automated records that fill the log between story events: batch scoring, heartbeats,
/// feature statistics, ingest quality checks and pipeline runs, all by services and unsigned.
/// Generated one at a time (nothing of the log is kept), spread evenly over the story's time.
struct DemoBulk {
    /// The bulk actions, in the order of `DemoSummary.actionCounts` merging.
    static let actions = ["monitoring.batch_scored", "monitoring.heartbeat", "monitoring.feature_stats",
                          "dataset.quality_checked", "pipeline.run_completed"]

    private var rng: DemoRandom
    let count: Int
    private let start: Int64
    private let slot: Double
    private let production: [DemoProductionInterval]
    private(set) var counts: [Int]
    private var buffer: [UInt8] = []

    // Constant parts, built once.
    private let keys: [String: JSONString]
    private let actorValues: [String: JSONValue]
    private let actionValues: [JSONValue]
    private let subjects: [String: JSONValue]
    private let features: [String: [JSONString]]
    private let checks: JSONValue
    /// Tables of the hospital's EHR feed, each ingested in minute partitions.
    private let ingestTables = ["ehr-ingest-adt", "ehr-ingest-labs", "ehr-ingest-medications", "ehr-ingest-vitals"].map { JSONString($0) }

    init(seed: UInt64, hostile: Bool, count: Int, production: [DemoProductionInterval]) {
        rng = DemoRandom(seed: seed, stream: 2)
        self.count = count
        start = DemoTime.base + DemoTime.msPerDay
        slot = Double(DemoTime.end - start) / Double(max(count, 1))
        self.production = production
        counts = Array(repeating: 0, count: DemoBulk.actions.count)
        var keys: [String: JSONString] = [:]
        for k in ["action", "actor", "data", "id", "subject", "time", "type", "version", "alerts", "latencyMsP95", "meanScore",
                  "records", "queueDepth", "status", "uptimeHours", "feature", "mean", "missingRate", "n", "checks", "passed",
                  "rows", "durationS", "pipeline"] {
            keys[k] = JSONString(k)
        }
        self.keys = keys
        var actors: [String: JSONValue] = [:]
        for a in DemoCatalog.services {
            let name = hostile ? a.name + " " + DemoCatalog.hostilePayload : a.name
            let role = hostile ? a.role + " " + DemoCatalog.hostilePayload : a.role
            actors[a.id] = DJ.obj([("id", DJ.s(a.id)), ("kind", DJ.s("service")), ("name", DJ.s(name)), ("role", DJ.s(role))])
        }
        actorValues = actors
        actionValues = DemoBulk.actions.map { DJ.s($0) }
        var subjects: [String: JSONValue] = [:]
        for p in production {
            subjects["\(p.model)@\(p.version)"] = DJ.obj([("id", DJ.s(p.model)), ("type", DJ.s("model")), ("version", DJ.s(p.version))])
        }
        for a in DemoCatalog.services {
            subjects[a.id] = DJ.obj([("id", DJ.s(a.id)), ("type", DJ.s("service"))])
        }
        subjects["pipeline"] = DJ.obj([("id", DJ.s("feature-materialisation")), ("type", DJ.s("pipeline"))])
        self.subjects = subjects
        var features: [String: [JSONString]] = [:]
        for m in DemoCatalog.models { features[m.id] = m.features.map { JSONString($0.name) } }
        self.features = features
        checks = DJ.strings(["schema", "completeness", "ranges"])
    }

    /// The planned time of bulk record `i`: evenly spaced with jitter inside its slot.
    mutating func plannedTime(_ i: Int) -> Int64 {
        start + Int64((Double(i) + 0.05 + 0.9 * rng.unit()) * slot)
    }

    /// The earliest time ``plannedTime(_:)`` can give the first of `count` records and the
    /// latest it can give the last, without making any (for `demo --dry-run`).
    static func span(count: Int) -> (first: Int64, last: Int64) {
        let start = DemoTime.base + DemoTime.msPerDay
        let slot = Double(DemoTime.end - start) / Double(max(count, 1))
        return (start + Int64(0.05 * slot), start + Int64((Double(count - 1) + 0.95) * slot))
    }

    private func member(_ key: String, _ value: JSONValue) -> JSONMember {
        JSONMember(key: keys[key] ?? JSONString(key), value: value)
    }

    /// The production versions serving at an instant.
    private func serving(at ms: Int64) -> [DemoProductionInterval] {
        production.filter { $0.from < ms && ($0.to ?? Int64.max) > ms }
    }

    /// The members (sorted by key, without seq/prev/hash) of the bulk record at `ms`.
    mutating func record(at ms: Int64) -> [JSONMember] {
        var kind: Int
        let roll = rng.int(0...99)
        kind = roll < 45 ? 0 : roll < 67 ? 1 : roll < 82 ? 2 : roll < 92 ? 3 : 4
        let live = serving(at: ms)
        if (kind == 0 || kind == 2) && live.isEmpty { kind = 1 }
        counts[kind] += 1
        buffer.removeAll(keepingCapacity: true)
        DemoTime.writeUUID7(ms, &rng, to: &buffer)
        let id = JSONValue.string(JSONString(bytes: buffer))
        buffer.removeAll(keepingCapacity: true)
        DemoTime.write(ms, offsetMinutes: 0, to: &buffer)
        let time = JSONValue.string(JSONString(bytes: buffer))
        let actorID: String
        var data: [JSONMember]
        let subject: JSONValue
        switch kind {
        case 0:
            let p = rng.pick(live)
            actorID = "svc:scoring"
            subject = subjects["\(p.model)@\(p.version)"] ?? .null
            let records = rng.int(120...2400)
            data = [member("alerts", DJ.i(records / rng.int(40...90))), member("latencyMsP95", DJ.i(rng.int(35...420))),
                    member("meanScore", DJ.n(rng.decimal(0.05, 0.2))), member("records", DJ.i(records))]
        case 2:
            let p = rng.pick(live)
            actorID = "svc:feature-store"
            subject = subjects["\(p.model)@\(p.version)"] ?? .null
            let names = features[p.model] ?? [JSONString("age")]
            data = [member("feature", .string(rng.pick(names))), member("mean", DJ.n(rng.decimal(0.5, 120, places: 2))),
                    member("missingRate", DJ.n(rng.decimal(0, 0.03, places: 4))), member("n", DJ.i(rng.int(500...9000)))]
        case 3:
            actorID = "svc:data-pipeline"
            buffer.removeAll(keepingCapacity: true)
            DemoTime.write(ms, offsetMinutes: 0, to: &buffer)
            let partition = JSONString(bytes: Array(buffer.prefix(16)))
            subject = .object(JSONObject([member("id", .string(rng.pick(ingestTables))), member("type", DJ.s("dataset")),
                                          member("version", .string(partition))]))
            data = [member("checks", checks), member("passed", .bool(true)), member("rows", DJ.i(rng.int(800...14_000)))]
        case 4:
            actorID = "svc:feature-store"
            subject = subjects["pipeline"] ?? .null
            data = [member("durationS", DJ.i(rng.int(40...900))), member("rows", DJ.i(rng.int(10_000...250_000))),
                    member("status", DJ.s("succeeded"))]
        default:
            let services = ["svc:scoring", "svc:drift-monitor", "svc:feature-store", "svc:data-pipeline"]
            actorID = rng.pick(services)
            subject = subjects[actorID] ?? .null
            data = [member("queueDepth", DJ.i(rng.int(0...40))), member("status", DJ.s("ok")),
                    member("uptimeHours", DJ.i(Int((ms - DemoTime.base) / DemoTime.msPerHour) % 720))]
        }
        return [member("action", actionValues[kind]), member("actor", actorValues[actorID] ?? .null),
                member("data", .object(JSONObject(data))), member("id", id), member("subject", subject), member("time", time)]
    }
}
