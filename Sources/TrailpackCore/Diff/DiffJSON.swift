/// The JSON form of a diff, schema `trailpack-diff/1` (documented in docs/diff.md). Hashes are
/// lowercase hex; a root is also given in base64, as checkpoints write it.
extension ReleaseDiff {
    /// The schema name and version of `json`.
    public static let schema = "trailpack-diff/1"

    /// The diff as JSON (`trailpack diff --format json`, `changes.json`).
    public var json: JSONValue {
        var b = JSONBuilder()
        b.set("schema", Self.schema)
        func side(_ s: DiffSide) -> JSONValue {
            JSONBuilder.build { sb in
                sb.set("source", s.source)
                sb.append(membersOf: s.json)
            }
        }
        b.set("old", side(old))
        b.set("new", side(new))
        b.set("integrity", integrity.json)
        b.set("summary", summaryJSON)
        b.set("regressions", .array(regressions.map(\.json)))
        b.set("events", events.json)
        b.set("models", .array(models.map { m in
            var mb = JSONBuilder()
            mb.set("model", .string(m.model))
            mb.set("name", m.name)
            mb.set("change", m.change.rawValue)
            return mb.value
        }))
        b.set("versions", .array(versions.map(\.json)))
        b.set("approvals", .array(approvals.map(\.json)))
        b.set("signatures", .array(signatures.map(\.json)))
        b.set("requirements", .array(requirements.map(\.json)))
        var tb = JSONBuilder()
        tb.set("newlyFailing", .array(testsNewlyFailing.map(\.json)))
        tb.set("newlyPassing", .array(testsNewlyPassing.map(\.json)))
        b.set("tests", tb.value)
        var fb = JSONBuilder()
        fb.set("opened", .array(findings.opened.map(\.json)))
        fb.set("resolved", .array(findings.resolved.map(\.json)))
        fb.set("persisting", .array(findings.persisting.map(\.json)))
        b.set("findings", fb.value)
        b.set("drift", .array(drift.map(\.json)))
        return b.value
    }

    /// Counts of every list, for dashboards.
    var summaryJSON: JSONValue {
        var b = JSONBuilder()
        b.set("unchanged", isUnchanged)
        b.set("verdict", integrity.verdict.rawValue)
        b.set("eventsAdded", events.count)
        b.set("modelsAdded", models.filter { $0.change == .added }.count)
        b.set("modelsRemoved", models.filter { $0.change == .removed }.count)
        let names: [(String, VersionChange.Kind)] = [
            ("versionsAdded", .added), ("versionsRemoved", .removed), ("versionsRetired", .retired),
            ("versionStageChanges", .stage), ("versionReleaseChanges", .release),
        ]
        for (name, kind) in names { b.set(name, versions.filter { $0.change == kind }.count) }
        b.set("approvalsAdded", approvals.count)
        b.set("signaturesAdded", signatures.count)
        b.set("coverageGained", requirements.filter { $0.change == .gained }.count)
        b.set("coverageLost", requirements.filter { $0.change == .lost }.count)
        b.set("testsNewlyFailing", testsNewlyFailing.count)
        b.set("testsNewlyPassing", testsNewlyPassing.count)
        b.set("findingsOpened", findings.opened.count)
        b.set("findingsResolved", findings.resolved.count)
        b.set("findingsPersisting", findings.persisting.count)
        b.set("driftWindowsAdded", drift.filter { $0.old == nil }.count)
        b.set("driftNewBreaches", drift.filter { $0.change == .breach }.count)
        b.set("driftBreachesResolved", drift.filter { $0.change == .resolved }.count)
        b.set("regressions", regressions.count)
        return b.value
    }

}

extension DiffSide {
    /// One release: `{release, origin, releaseModels, asOf, treeSize, root, rootBase64}`, the
    /// shape of report.json's `previous.old` and `previous.new`. The diff JSON puts `source` first.
    var json: JSONValue {
        var b = JSONBuilder()
        b.set("release", release)
        b.set("origin", origin)
        b.set("releaseModels", .array(releaseModels.map { JSONValue($0) }))
        b.set("asOf", asOf)
        b.set("treeSize", treeSize)
        b.set("root", root.hex)
        b.set("rootBase64", Base64.encode(root.bytes))
        return b.value
    }
}

extension EventPointer {
    var json: JSONValue {
        var b = JSONBuilder()
        b.set("index", index)
        b.set("seq", seq.map { JSONValue.integer($0) } ?? .null)
        b.set("id", id)
        b.set("action", action)
        b.set("file", file)
        b.set("line", line)
        b.set("hash", hash)
        return b.value
    }
}

extension DiffIntegrity {
    var json: JSONValue {
        var b = JSONBuilder()
        b.set("verdict", verdict.rawValue)
        b.set("message", message)
        b.set("originsDiffer", originsDiffer)
        var p = JSONBuilder()
        p.set("type", "RFC 9162 consistency proof")
        p.set("leaf", "SHA-256(0x00 || the 32 raw bytes of the event's hash)")
        p.set("size1", oldSize)
        p.set("size2", newSize)
        p.set("root1", oldRoot.hex)
        p.set("root2", newRoot.hex)
        p.set("hashes", .array(proof.map { JSONValue($0.hex) }))
        p.set("verified", proofVerified)
        b.set("proof", p.value)
        b.set("newRootAtOldSize", newRootAtOldSize?.hex)
        if let d = firstDifference {
            var db = JSONBuilder()
            db.set("index", d.index)
            db.set("new", d.new?.json ?? .null)
            db.set("old", d.old?.json ?? .null)
            b.set("firstDifference", db.value)
        } else {
            b.set("firstDifference", .null)
        }
        return b.value
    }
}

extension AddedEvents {
    var json: JSONValue {
        func counts(_ list: [KeyCount]) -> JSONValue {
            .object(JSONObject(list.map { JSONMember(key: JSONString($0.key), value: .integer(Int64($0.count))) }))
        }
        var b = JSONBuilder()
        b.set("count", count)
        b.set("firstIndex", firstIndex.map { JSONValue.integer(Int64($0)) } ?? .null)
        b.set("lastIndex", lastIndex.map { JSONValue.integer(Int64($0)) } ?? .null)
        b.set("byAction", counts(byAction))
        b.set("byActor", counts(byActor))
        return b.value
    }
}

extension VersionChange {
    var json: JSONValue {
        func state(_ s: VersionState?) -> JSONValue {
            guard let s else { return .null }
            var b = JSONBuilder()
            b.set("stage", s.stage)
            b.set("registryStage", s.registryStage)
            b.set("eventStage", s.eventStage)
            b.set("inRelease", s.inRelease)
            return b.value
        }
        var b = JSONBuilder()
        b.set("model", .string(version.model))
        b.set("version", .string(version.version))
        b.set("change", change.rawValue)
        b.set("old", state(old))
        b.set("new", state(new))
        return b.value
    }
}

extension AddedApproval {
    var json: JSONValue {
        // The version it approves, then the approval's one shape (``ApprovalRecord/json``).
        var b = JSONBuilder()
        b.set("model", .string(version.model))
        b.set("version", .string(version.version))
        b.append(membersOf: approval.json)
        return b.value
    }
}

extension RequirementChange {
    var json: JSONValue {
        func state(_ s: RequirementState?) -> JSONValue {
            guard let s else { return .null }
            var b = JSONBuilder()
            b.set("version", .string(s.version))
            b.set("status", s.status)
            b.set("test", s.test.map { JSONValue.string($0) } ?? .null)
            b.set("seq", s.seq.map { JSONValue.integer($0) } ?? .null)
            return b.value
        }
        var b = JSONBuilder()
        b.set("model", .string(model))
        b.set("requirement", .string(requirement))
        b.set("title", title)
        b.set("change", change.rawValue)
        b.set("old", state(old))
        b.set("new", state(new))
        return b.value
    }
}

extension TestChange {
    var json: JSONValue {
        func state(_ s: TestResultState) -> JSONValue {
            var b = JSONBuilder()
            b.set("result", s.result)
            b.set("seq", s.seq)
            b.set("time", s.time)
            return b.value
        }
        var b = JSONBuilder()
        b.set("model", .string(version.model))
        b.set("version", .string(version.version))
        b.set("test", .string(test))
        b.set("old", old.map(state) ?? .null)
        b.set("new", state(new))
        return b.value
    }
}

extension DriftChange {
    var json: JSONValue {
        func state(_ s: DriftState?) -> JSONValue {
            guard let s else { return .null }
            var b = JSONBuilder()
            b.set("drift", s.drift)
            b.set("state", s.state)
            return b.value
        }
        var b = JSONBuilder()
        b.set("path", path)
        b.set("model", .string(version.model))
        b.set("version", .string(version.version))
        b.set("start", start.description)
        b.set("end", end.description)
        b.set("change", change.rawValue)
        b.set("old", state(old))
        b.set("new", state(new))
        return b.value
    }
}
