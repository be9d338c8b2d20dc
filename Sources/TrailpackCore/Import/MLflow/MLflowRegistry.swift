import Foundation

/// The registry follows MLflow (issue 11, item 4): after an import, each imported model's
/// `registry/models/<id>.json` lists MLflow's versions (stage, aliases, run, commit, created),
/// written atomically; every other key stays as the user wrote it, and a version the record
/// lists but MLflow no longer has is kept and reported.
enum MLflowRegistry {
    /// Writes the records and returns notes for the user.
    static func follow(_ snap: MLflowSnapshot, models: [String], source: URL) throws(ImportError) -> [String] {
        var notes: [String] = []
        let selected = Set(models.map { $0.precomposedStringWithCanonicalMapping })
        for model in snap.models {
            let id = model.name.precomposedStringWithCanonicalMapping
            guard selected.isEmpty || selected.contains(id) else { continue }
            let rel = "registry/models/\(id).json"
            let url = source.appendingPathComponent(rel)
            var record: JSONObject
            if let data = FileManager.default.contents(atPath: url.path) {
                guard let o = (try? JSONReader(file: rel).parse(Array(data)))?.objectValue else {
                    throw .badRecord(rel, problem: "is not a JSON object, so the import cannot update it")
                }
                record = o
            } else {
                record = JSONObject([JSONMember(key: "id", value: JSONValue(id)), JSONMember(key: "name", value: JSONValue(id))])
                notes.append("created \(rel) without requirements or intended use: add them before release")
            }
            let existing = record["versions"]?.arrayValue ?? []
            var kept: [JSONValue] = []
            var byVersion: [String: JSONObject] = [:]
            for e in existing {
                guard let o = e.objectValue, let v = o["version"]?.stringValue else { kept.append(e); continue }
                byVersion[v] = o
            }
            var out: [JSONValue] = []
            var seen = Set<String>()
            for v in snap.versions where v.name.precomposedStringWithCanonicalMapping == id {
                seen.insert(v.version)
                var o = byVersion[v.version] ?? JSONObject([JSONMember(key: "version", value: JSONValue(v.version))])
                o["stage"] = JSONValue(MLflowMapping.stage(v.currentStage))
                let aliases = model.aliases.filter { $0.value == v.version }.map(\.key).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
                o["aliases"] = .array(aliases.map { JSONValue($0.precomposedStringWithCanonicalMapping) })
                o["created"] = JSONValue(MLflowMapping.time(v.creationTime).description)
                if let run = v.runID { o["run"] = JSONValue("mlflow:\(run)") }
                if let commit = v.runID.flatMap({ snap.runs[$0]?.tags["mlflow.source.git.commit"] }), !commit.isEmpty {
                    o["commit"] = JSONValue(commit)
                }
                out.append(.object(o))
            }
            for e in existing {
                guard let o = e.objectValue, let v = o["version"]?.stringValue, !seen.contains(v) else { continue }
                out.append(e)
                notes.append("\(rel): version \(v) is in the record but MLflow no longer has it; kept")
            }
            record["versions"] = .array(out + kept)
            let text = JSONWriter.pretty(.object(record))
            do {
                try DurableFiles.ensureDirectory(source.appendingPathComponent("registry").path)
                try DurableFiles.ensureDirectory(url.deletingLastPathComponent().path)
                try DurableFiles.replaceAtomically(url.path, Array(text.utf8))
            } catch {
                throw .unreadable(rel, reason: "cannot be written: \(error.reason)")
            }
        }
        return notes
    }
}
