import Foundation
import Testing
@testable import TrailpackCore

/// A generated demo read back: events in log order, configuration, registry and drift windows.
private struct DemoTrail {
    var summary: DemoSummary
    var config: Config
    var events: [Event]
    var times: [Timestamp]
    var registry: [JSONObject]
    var drift: [JSONObject]

    init(_ dir: TempDir, _ options: DemoOptions) throws {
        summary = try DemoGenerator.generate(into: dir.url, options: options)
        config = try Config.load(from: dir.url)
        events = []
        times = []
        let audit = dir.path("audit")
        for name in try FileManager.default.contentsOfDirectory(atPath: audit.path).sorted() {
            let data = try Data(contentsOf: audit.appendingPathComponent(name))
            for line in Array(data).split(separator: 0x0A) {
                guard case .object(let o) = try JSONReader().parse(line) else { throw DemoTestError.notAnObject }
                let e = Event(o)
                guard let t = e.time else { throw DemoTestError.badTime(e.timeText ?? "") }
                events.append(e)
                times.append(t)
            }
        }
        func objects(_ folder: String) throws -> [JSONObject] {
            let url = dir.path(folder)
            return try FileManager.default.contentsOfDirectory(atPath: url.path).sorted().compactMap { name in
                try JSONReader().parse(Array(Data(contentsOf: url.appendingPathComponent(name)))).objectValue
            }
        }
        registry = try objects("registry/models")
        drift = try objects("drift")
    }

    var asOf: Timestamp { times.last ?? Timestamp(seconds: 0) }

    /// Indices of events of an action about a model version (`model@version` as subject or refs.model).
    func indices(_ action: String, _ ref: String) -> [Int] {
        events.indices.filter { i in
            let e = events[i]
            return e.action == action && (e.subjectVersion?.description == ref || e.refs.model?.description == ref)
        }
    }

    func requirements(_ model: String) -> [String] {
        let record = registry.first { $0["id"]?.stringValue == model }
        return record?["requirements"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
    }

    func registryVersions() -> [(model: String, version: String, stage: String, commit: String)] {
        registry.flatMap { m in
            (m["versions"]?.arrayValue ?? []).map { v in
                (m["id"]?.stringValue ?? "", v["version"]?.stringValue ?? "", v["stage"]?.stringValue ?? "", v["commit"]?.stringValue ?? "")
            }
        }
    }
}

private enum DemoTestError: Error { case notAnObject, badTime(String) }

private func days(_ n: Int64) -> Int64 { n * 86400 }

struct DemoTests {
    @Test func sameSeedGivesByteIdenticalFiles() throws {
        let a = try TempDir(), b = try TempDir(), c = try TempDir()
        let options = DemoOptions(events: 4000, seed: 42)
        let sa = try DemoGenerator.generate(into: a.url, options: options)
        let sb = try DemoGenerator.generate(into: b.url, options: options)
        #expect(sa == sb)
        func files(_ root: URL) throws -> [String] {
            let e = FileManager.default.enumerator(atPath: root.path)
            var out: [String] = []
            while let p = e?.nextObject() as? String {
                var isDir: ObjCBool = false
                if FileManager.default.fileExists(atPath: root.appendingPathComponent(p).path, isDirectory: &isDir), !isDir.boolValue { out.append(p) }
            }
            return out.sorted()
        }
        let fa = try files(a.url)
        #expect(fa == (try files(b.url)))
        #expect(fa.count > 100)
        for p in fa {
            let da = try Data(contentsOf: a.path(p)), db = try Data(contentsOf: b.path(p))
            #expect(da == db, "\(p) differs between two runs with the same seed")
        }
        let sc = try DemoGenerator.generate(into: c.url, options: DemoOptions(events: 4000, seed: 43))
        #expect(sc.root != sa.root)
    }

    @Test(arguments: [false, true]) func verifiesWithoutFindings(hostile: Bool) throws {
        let dir = try TempDir()
        let summary = try DemoGenerator.generate(into: dir.url, options: DemoOptions(events: 3000, seed: 5, hostile: hostile))
        #expect(summary.counts.events == 3000)
        let config = try Config.load(from: dir.url)
        let result = try Verifier.verify(source: dir.url, config: config, options: VerifyOptions())
        #expect(result.findings.isEmpty, "\(result.findings.map { "\($0.location) [\($0.rule.rawValue)] \($0.message)" })")
        #expect(result.treeSize == 3000)
        #expect(result.checkpoints.count == summary.checkpointSizes.count)
        #expect(result.checkpoints.allSatisfy { $0.consistent == true }, "every checkpoint matches the log")
        #expect(result.checkpoints.map(\.size).max() == 3000)
        let trust = try TrustList(path: dir.path("trust.txt").path)
        let trusted = try Verifier.verify(source: dir.url, config: config, options: VerifyOptions(trust: trust))
        #expect(trusted.findings.isEmpty)
    }

    @Test func hostileTextIsEverywhereButIdsStayPlain() throws {
        let dir = try TempDir()
        let trail = try DemoTrail(dir, DemoOptions(seed: 9, hostile: true))
        let payload = DemoCatalog.hostilePayload
        #expect(trail.config.title.contains(payload) && (trail.config.organization ?? "").contains(payload))
        for e in trail.events {
            #expect(e.actor.name?.contains(payload) == true)
            #expect(!(e.id?.string ?? "<").contains("<") && !e.actor.id.string.contains("<") && !e.subject.id.string.contains("<"))
            if let r = e.reason { #expect(r.contains(payload)) }
            if let s = e.signature { #expect(s.name?.contains(payload) == true) }
        }
        for m in trail.registry {
            #expect(m["name"]?.stringValue?.contains(payload) == true)
            for r in m["requirements"]?.arrayValue ?? [] {
                #expect(r["text"]?.stringValue?.contains(payload) == true && r["title"]?.stringValue?.contains(payload) == true)
                #expect(r["id"]?.stringValue?.contains("<") == false)
            }
        }
        for doc in ["docs/validation-plan.md", "docs/sop-ml-lifecycle.md", "docs/sepsis-risk/intended-use.md"] {
            #expect(try String(contentsOf: dir.path(doc), encoding: .utf8).contains(payload))
        }
    }

    @Test func smallEventCountsAreRaisedToTheMinimum() throws {
        let dir = try TempDir()
        let s = try DemoGenerator.generate(into: dir.url, options: DemoOptions(events: 10, seed: 1))
        #expect(s.counts.requested == 10)
        #expect(s.counts.events == s.counts.minimum)
        // People sign about one event in a hundred; the CI's signed test results do not raise the minimum.
        #expect(s.counts.minimum > s.counts.story && s.counts.minimum >= 100)
        #expect(s.text.hasPrefix("note:"))
        #expect(s.counts.story + s.counts.bulk == s.counts.events)
    }

    @Test func refusesANonEmptyOutputFolder() throws {
        let dir = try TempDir()
        try dir.write("keep.txt", "user data")
        #expect(throws: DemoError.outputNotEmpty(dir.url.path)) {
            try DemoGenerator.generate(into: dir.url, options: DemoOptions())
        }
        #expect(try String(contentsOf: dir.path("keep.txt"), encoding: .utf8) == "user data")
        let file = dir.path("keep.txt")
        #expect(throws: DemoError.outputNotEmpty(file.path)) {
            try DemoGenerator.generate(into: file, options: DemoOptions())
        }
    }

    @Test func logIsOrderedUniqueAndSparselySigned() throws {
        let dir = try TempDir()
        let trail = try DemoTrail(dir, DemoOptions(events: 5000, seed: 11))
        #expect(trail.events.count == 5000)
        #expect(zip(trail.times, trail.times.dropFirst()).allSatisfy { $0 < $1 }, "times strictly increase")
        #expect(Set(trail.events.compactMap { $0.id?.string }).count == trail.events.count)
        let signed = trail.events.filter { $0.signature != nil }
        #expect(signed.filter { !$0.actor.isService }.count * 100 <= trail.events.count)
        #expect(signed.count == trail.summary.counts.signed)
        // Every signing person signs; keys are registered to the signer and not revoked before.
        var owners: [String: String] = [:]
        var revoked = Set<String>()
        var signers = Set<String>()
        for e in trail.events {
            if let s = e.signature {
                let key = s.key ?? ""
                #expect(owners[key] == e.actor.id.string && !revoked.contains(key), "key \(key) for \(e.actor.id)")
                #expect(s.signer == e.actor.id && Signature.meanings.contains(s.meaning ?? ""))
                signers.insert(key)
            }
            if e.action == "key.registered" { owners[e.subject.id.string] = e.data["owner"]?.stringValue }
            if e.action == "key.revoked" { revoked.insert(e.subject.id.string) }
            if e.verb == "modified" || e.verb == "stage_changed" { #expect(!(e.reason ?? "").isEmpty) }
            if e.verb == "modified" {
                let changes = e.object["changes"]?.arrayValue ?? []
                #expect(!changes.isEmpty)
            }
        }
        #expect(revoked == ["demo-mkrause"])
        #expect(signers == Set(DemoCatalog.people.flatMap(\.keys) + DemoCatalog.services.flatMap(\.keys)), "every person and service key signs at least once")
        let counts = Dictionary(uniqueKeysWithValues: trail.summary.actionCounts.map { ($0.action, $0.count) })
        #expect(counts.values.reduce(0, +) == 5000)
        #expect(counts["monitoring.batch_scored", default: 0] > 1000)
    }

    @Test func registryAgreesWithTheTrail() throws {
        let dir = try TempDir()
        let trail = try DemoTrail(dir, DemoOptions(seed: 2))
        let versions = trail.registryVersions()
        #expect(versions.count == 9)
        for v in versions {
            let ref = "\(v.model)@\(v.version)"
            #expect(!trail.indices("model.registered", ref).isEmpty, "\(ref) registered")
            let latest = trail.indices("model.stage_changed", ref).last.map { trail.events[$0].data["to"]?.stringValue ?? "" } ?? "none"
            #expect(latest == v.stage, "\(ref) stage")
        }
        let production = versions.filter { $0.stage == "production" }.map { "\($0.model)@\($0.version)" }.sorted()
        #expect(production == trail.config.release.models.map { "\($0.model.string)@\($0.version.string)" }.sorted())
    }

    @Test func releaseRulesHoldByConstruction() throws {
        let dir = try TempDir()
        let trail = try DemoTrail(dir, DemoOptions(seed: 3))
        for v in trail.registryVersions() {
            let ref = "\(v.model)@\(v.version)"
            let released = trail.indices("model.stage_changed", ref).filter { trail.events[$0].data["to"]?.stringValue == "production" }
                + trail.indices("model.deployed", ref)
            let approvals = trail.indices("model.approved", ref).filter { trail.events[$0].signature?.meaning == "approval" }
            let trainers = Set(trail.indices("model.trained", ref).map { trail.events[$0].actor.id.string })
            let authors = Set(trail.events.filter { $0.action == "code.changed" && ($0.refs.commit.map { v.commit.hasPrefix($0) } ?? false) }
                .map { $0.actor.id.string })
            for a in approvals {
                #expect(!trainers.contains(trail.events[a].actor.id.string) && !authors.contains(trail.events[a].actor.id.string), "SoD \(ref)")
                #expect(!trail.events[a].actor.isService)
            }
            for r in released + approvals {
                #expect(approvals.contains { $0 < r } || approvals.contains(r), "\(ref) approved before release")
                for req in trail.requirements(v.model) {
                    let tests = trail.indices("test.executed", ref).filter { $0 < r && trail.events[$0].refs.requirements.contains(JSONString(req)) }
                    #expect(tests.last.map { trail.events[$0].data["result"]?.stringValue } == "pass", "\(ref) \(req) passes before event \(r)")
                }
            }
        }
        for (model, version) in trail.config.release.models {
            let ref = "\(model.string)@\(version.string)"
            for req in trail.requirements(model.string) {
                let tests = trail.indices("test.executed", ref).filter { trail.events[$0].refs.requirements.contains(JSONString(req)) }
                #expect(tests.last.map { trail.events[$0].data["result"]?.stringValue } == "pass", "\(ref) \(req) latest test passes")
            }
            #expect(trail.indices("bias.evaluated", ref).last.map { trail.events[$0].data["result"]?.stringValue } == "pass")
            #expect(trail.indices("explanation.generated", ref).contains { trail.events[$0].data["method"]?.stringValue == "shap" })
            #expect(!trail.indices("model.deployed", ref).isEmpty)
        }
        // A failing test fixed by a passing re-test, and a rejected version, are part of the story.
        #expect(trail.events.contains { $0.action == "test.executed" && $0.data["result"]?.stringValue == "fail" })
        #expect(trail.events.contains { $0.action == "model.rejected" })
    }

    @Test func driftAndCAPAsAreAnsweredInTime() throws {
        let dir = try TempDir()
        let trail = try DemoTrail(dir, DemoOptions(seed: 4))
        let revalidationDays = trail.config.policy.revalidationDays
        for (model, version) in trail.config.release.models {
            let windows = trail.drift.filter { $0["model"]?.stringValue == model.string && $0["version"]?.stringValue == version.string }
                .compactMap { w -> (Timestamp, Timestamp)? in
                    guard case .valid(let s)? = w["window"]?["start"]?.stringValue.map(Timestamp.parse),
                          case .valid(let e)? = w["window"]?["end"]?.stringValue.map(Timestamp.parse) else { return nil }
                    return (s, e)
                }.sorted { $0.0 < $1.0 }
            #expect(windows.count >= 4, "\(model)@\(version) is monitored")
            #expect(zip(windows, windows.dropFirst()).allSatisfy { $0.1 == $1.0 }, "windows of \(model)@\(version) are contiguous")
        }
        var drifted = 0
        for w in trail.drift where w["drift"]?.boolValue == true {
            drifted += 1
            let ref = "\(w["model"]?.stringValue ?? "")@\(w["version"]?.stringValue ?? "")"
            guard case .valid(let start)? = w["window"]?["start"]?.stringValue.map(Timestamp.parse),
                  case .valid(let end)? = w["window"]?["end"]?.stringValue.map(Timestamp.parse) else {
                Issue.record("bad window"); continue
            }
            let deadline = end.adding(seconds: days(revalidationDays))
            #expect(deadline < trail.asOf)
            let answered = (trail.indices("revalidation.triggered", ref) + trail.indices("capa.opened", ref)).contains { i in
                start <= trail.times[i] && trail.times[i] <= deadline
            }
            #expect(answered, "drift of \(ref) from \(start) answered")
        }
        #expect(drifted >= 3)
        // Every exception has its CAPA; no CAPA is open past its due date at the as-of time.
        let ids = trail.events.filter { $0.action == "exception.raised" }.compactMap { $0.id }
        #expect(ids.count >= 3)
        for id in ids { #expect(trail.events.contains { $0.action == "capa.opened" && $0.refs.event == id }) }
        let closed = Set(trail.events.filter { $0.action == "capa.closed" }.compactMap { $0.refs.capa })
        for e in trail.events where e.action == "capa.opened" && !closed.contains(e.subject.id) {
            guard case .valid(let due)? = e.data["due"]?.stringValue.map(Timestamp.parse) else { Issue.record("no due"); continue }
            #expect(trail.asOf < due, "open CAPA \(e.subject.id) is not overdue")
        }
        #expect(closed.count >= 3)
    }
}
