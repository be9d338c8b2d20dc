/// The record comparisons of a diff: registry, lifecycles, traceability, tests, findings, drift.
/// Each takes the two analyses and returns a sorted list.
enum DiffCompare {
    // MARK: Registry and lifecycles

    static func models(old: PackAnalysis, new: PackAnalysis) -> [ModelChange] {
        let oldIDs = Set(old.registry.models.map(\.id)), newIDs = Set(new.registry.models.map(\.id))
        var out = new.registry.models.filter { !oldIDs.contains($0.id) }.map { ModelChange(model: $0.id, name: $0.name, change: .added) }
        out += old.registry.models.filter { !newIDs.contains($0.id) }.map { ModelChange(model: $0.id, name: $0.name, change: .removed) }
        return out.sorted { ($0.model, $0.change.rawValue) < ($1.model, $1.change.rawValue) }
    }

    static func state(_ v: VersionLifecycle) -> VersionState {
        VersionState(registryStage: v.registry?.stage, eventStage: v.stageFromEvents, inRelease: v.inRelease)
    }

    static func versions(old: PackAnalysis, new: PackAnalysis, oldSize: Int) -> [VersionChange] {
        var oldByRef: [VersionRef: VersionLifecycle] = [:], newByRef: [VersionRef: VersionLifecycle] = [:]
        for v in old.versions { oldByRef[v.ref] = v }
        for v in new.versions { newByRef[v.ref] = v }
        let refs = Set(oldByRef.keys).union(newByRef.keys).sorted()
        var out: [VersionChange] = []
        for ref in refs {
            let o = oldByRef[ref].map(state), n = newByRef[ref].map(state)
            let kind: VersionChange.Kind
            if let o, let n, let nv = newByRef[ref] {
                let retiredByEvent = nv.steps.contains { $0.action == "model.retired" && $0.seq > Int64(oldSize) }
                let leftRegistry = o.registryStage != nil && n.registryStage == nil
                let archived = n.stage == "archived" && o.stage != "archived"
                if retiredByEvent || leftRegistry || archived {
                    kind = .retired
                } else if o.stage != n.stage || o.eventStage != n.eventStage {
                    kind = .stage
                } else if o.inRelease != n.inRelease {
                    kind = .release
                } else {
                    continue
                }
            } else {
                kind = o == nil ? .added : .removed
            }
            out.append(VersionChange(version: ref, change: kind, old: o, new: n))
        }
        return out
    }

    static func approvals(new: PackAnalysis, oldSize: Int) -> [AddedApproval] {
        new.versions.flatMap { v in
            v.approvals.filter { $0.seq > Int64(oldSize) }.map { AddedApproval(version: v.ref, approval: $0) }
        }.sorted { ($0.approval.seq, $0.version) < ($1.approval.seq, $1.version) }
    }

    static func signatures(new: PackAnalysis, oldSize: Int) -> [SignatureRecord] {
        new.signatures.filter { $0.seq > Int64(oldSize) }.sorted { $0.seq < $1.seq }
    }

    // MARK: Traceability and tests

    private struct RowKey: Hashable, Comparable {
        var model: JSONString
        var requirement: JSONString
        static func < (a: RowKey, b: RowKey) -> Bool { (a.model, a.requirement) < (b.model, b.requirement) }
    }

    static func requirements(old: PackAnalysis, new: PackAnalysis) -> [RequirementChange] {
        func rows(_ p: PackAnalysis) -> [RowKey: TraceRow] {
            var out: [RowKey: TraceRow] = [:]
            for r in p.matrix { out[RowKey(model: r.version.model, requirement: r.requirement.id)] = r }
            return out
        }
        func state(_ r: TraceRow) -> RequirementState {
            RequirementState(version: r.version.version, status: r.status, test: r.latest?.test, seq: r.latest?.seq)
        }
        let o = rows(old), n = rows(new)
        var out: [RequirementChange] = []
        for key in Set(o.keys).union(n.keys).sorted() {
            let os = o[key].map(state), ns = n[key].map(state)
            let kind: RequirementChange.Kind
            if let os, let ns {
                if os.status == "passed" && ns.status != "passed" { kind = .lost }
                else if os.status != "passed" && ns.status == "passed" { kind = .gained }
                else if os.status != ns.status { kind = .status }
                else if os.version != ns.version { kind = .version }
                else { continue }
            } else {
                kind = os == nil ? .added : .removed
            }
            let title = n[key]?.requirement.title ?? o[key]?.requirement.title ?? ""
            out.append(RequirementChange(model: key.model, requirement: key.requirement, title: title, change: kind, old: os, new: ns))
        }
        return out
    }

    private struct TestKey: Hashable, Comparable {
        var version: VersionRef
        var test: JSONString
        static func < (a: TestKey, b: TestKey) -> Bool { (a.version, a.test) < (b.version, b.test) }
    }

    /// Tests newly failing and newly passing, by the latest result per model version and test id.
    static func tests(old: PackAnalysis, new: PackAnalysis) -> (failing: [TestChange], passing: [TestChange]) {
        func latest(_ p: PackAnalysis) -> [TestKey: TestRecord] {
            var out: [TestKey: TestRecord] = [:]
            for v in p.versions {
                for t in v.tests {
                    let key = TestKey(version: v.ref, test: t.test)
                    if let prior = out[key], prior.seq > t.seq { continue }
                    out[key] = t
                }
            }
            return out
        }
        func state(_ t: TestRecord) -> TestResultState { TestResultState(result: t.result, seq: t.seq, time: t.time) }
        let o = latest(old), n = latest(new)
        var failing: [TestChange] = [], passing: [TestChange] = []
        for key in n.keys.sorted() {
            guard let nt = n[key] else { continue }
            let ot = o[key]
            let change = TestChange(version: key.version, test: key.test, old: ot.map(state), new: state(nt))
            if !nt.passed && (ot?.passed ?? true) { failing.append(change) }
            if nt.passed && !(ot?.passed ?? false) { passing.append(change) }
        }
        return (failing, passing)
    }

    // MARK: Findings

    /// What pairs a finding of NEW with one of OLD: its rule and where it starts, as bytes (the
    /// location's text, a run of lines by its first line), or for the finding that closes a
    /// rule's list (``FindingCap``), the rule alone.
    private struct FindingKey: Hashable {
        var rule: RuleID
        var place: [UInt8]?

        init(_ f: Finding) {
            rule = f.rule
            if f.omitted > 0 {
                place = nil
            } else if let file = f.file, let line = f.line {
                place = Array("\(file):\(line)".utf8)
            } else {
                place = Array(f.location.utf8)
            }
        }
    }

    /// Findings of NEW paired with those of OLD (``FindingKey``), in order where several share a
    /// key. A pair whose extent differs (a run of damaged lines that grew, more findings left out
    /// by the cap) is listed as opened with NEW's extent, and OLD's is not listed as resolved:
    /// it was not resolved, it was outgrown.
    static func findings(old: PackAnalysis, new: PackAnalysis) -> FindingsDelta {
        var unmatched: [FindingKey: [Finding]] = [:]
        for f in old.findings { unmatched[FindingKey(f), default: []].append(f) }
        var opened: [Finding] = [], persisting: [Finding] = []
        for f in new.findings {
            let key = FindingKey(f)
            if var queue = unmatched[key], !queue.isEmpty {
                let o = queue.removeFirst()
                unmatched[key] = queue
                if o.lastLine == f.lastLine && o.omitted == f.omitted && Array(o.location.utf8) == Array(f.location.utf8) {
                    persisting.append(f)
                } else {
                    opened.append(f)
                }
            } else {
                opened.append(f)
            }
        }
        let resolved = unmatched.values.flatMap { $0 }
        return FindingsDelta(opened: opened.sorted(by: Finding.ordered), resolved: resolved.sorted(by: Finding.ordered),
                             persisting: persisting.sorted(by: Finding.ordered))
    }

    // MARK: Drift

    private struct WindowKey: Hashable {
        var version: VersionRef
        var start: Timestamp
    }

    static func drift(old: PackAnalysis, new: PackAnalysis) -> [DriftChange] {
        var byPath: [String: Int] = [:], byStart: [WindowKey: [Int]] = [:]
        for (i, s) in old.driftStatus.enumerated() {
            byPath[s.window.path] = i
            byStart[WindowKey(version: s.window.versionRef, start: s.window.start), default: []].append(i)
        }
        var used = Set<Int>()
        var out: [DriftChange] = []
        func entry(_ s: DriftStatus, _ kind: DriftChange.Kind, old o: DriftStatus?, new n: DriftStatus?) -> DriftChange {
            DriftChange(path: s.window.path, version: s.window.versionRef, start: s.window.start, end: s.window.end, change: kind,
                        old: o.map { DriftState(drift: $0.window.drift, state: $0.state) },
                        new: n.map { DriftState(drift: $0.window.drift, state: $0.state) })
        }
        for n in new.driftStatus {
            var match: Int?
            if let i = byPath[n.window.path], !used.contains(i) {
                match = i
            } else {
                match = byStart[WindowKey(version: n.window.versionRef, start: n.window.start)]?.first { !used.contains($0) }
            }
            guard let i = match else {
                out.append(entry(n, n.window.drift ? .breach : .added, old: nil, new: n))
                continue
            }
            used.insert(i)
            let o = old.driftStatus[i]
            let unanswered = o.window.drift && (o.state == "pending" || o.state == "overdue")
            let kind: DriftChange.Kind
            if n.window.drift && !o.window.drift { kind = .breach }
            else if o.window.drift && !n.window.drift { kind = .resolved }
            else if unanswered && n.state == "answered" { kind = .resolved }
            else if o.state != n.state { kind = .state }
            else { continue }
            out.append(entry(n, kind, old: o, new: n))
        }
        for (i, o) in old.driftStatus.enumerated() where !used.contains(i) {
            out.append(entry(o, .removed, old: o, new: nil))
        }
        return out.sorted { a, b in
            if a.version != b.version { return a.version < b.version }
            if a.start != b.start { return a.start < b.start }
            return a.path.utf8Precedes(b.path)
        }
    }
}
