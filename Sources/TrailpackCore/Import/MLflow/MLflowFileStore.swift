import Foundation

/// Reads an MLflow FileStore (`mlruns/`) with its file-based model registry (`mlruns/models/`):
/// `meta.yaml` files through libyaml, tags, params and metrics as MLflow writes them, one file each.
enum MLflowFileStore {
    static let maxFileBytes = 4 << 20
    /// MLflow's `RunStatus` numbers as the FileStore writes them.
    static let runStatus = ["1": "RUNNING", "2": "SCHEDULED", "3": "FINISHED", "4": "FAILED", "5": "KILLED"]

    static func read(path: String) throws(ImportError) -> MLflowSnapshot {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue else {
            throw .missingDatabase(path)
        }
        let root = URL(fileURLWithPath: path)
        let fm = FileManager.default
        let models = root.appendingPathComponent("models")
        let experiments = children(root).filter { $0.lastPathComponent != "models" && !$0.lastPathComponent.hasPrefix(".")
            && fm.fileExists(atPath: $0.appendingPathComponent("meta.yaml").path) }
        guard fm.fileExists(atPath: models.path) || !experiments.isEmpty else {
            let found = children(root).map(\.lastPathComponent).sorted().prefix(5).joined(separator: ", ")
            throw .notMLflow(path, reason: "FileStore layout not found: no models/ folder and no experiment folder with meta.yaml (found: \(found.isEmpty ? "nothing" : found))")
        }
        var snap = MLflowSnapshot()
        var wantedRuns = Set<String>()
        for dir in children(models).sorted(by: { $0.lastPathComponent < $1.lastPathComponent }) {
            let rel = "models/\(dir.lastPathComponent)"
            let meta = try yaml(dir.appendingPathComponent("meta.yaml"), rel: "\(rel)/meta.yaml", in: path)
            guard let name = try meta.text("name") else { throw layout(path, "\(rel)/meta.yaml", "has no name") }
            var model = MLflowSnapshot.RegisteredModel(
                name: name, creationTime: try meta.requiredInt("creation_timestamp"),
                lastUpdatedTime: try meta.requiredInt("last_updated_timestamp"),
                description: try meta.text("description"))
            model.tags = try keyFiles(dir.appendingPathComponent("tags"), rel: "\(rel)/tags", in: path)
            if case .mapping(let aliases)? = meta.node["aliases"] {
                for a in aliases { if let v = a.value.text { model.aliases[a.key] = v } }
            }
            for (alias, version) in try keyFiles(dir.appendingPathComponent("aliases"), rel: "\(rel)/aliases", in: path) {
                model.aliases[alias] = version.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            snap.models.append(model)
            for vdir in children(dir) where vdir.lastPathComponent.hasPrefix("version-") {
                let vrel = "\(rel)/\(vdir.lastPathComponent)"
                let vm = try yaml(vdir.appendingPathComponent("meta.yaml"), rel: "\(vrel)/meta.yaml", in: path)
                guard let version = try vm.text("version"), let stage = try vm.text("current_stage") else {
                    throw layout(path, "\(vrel)/meta.yaml", "has no version or current_stage")
                }
                var v = MLflowSnapshot.ModelVersion(
                    name: try vm.text("name") ?? name, version: version,
                    creationTime: try vm.requiredInt("creation_timestamp"),
                    lastUpdatedTime: try vm.requiredInt("last_updated_timestamp"),
                    description: try vm.text("description"), userID: try vm.text("user_id"), currentStage: stage,
                    source: try vm.text("source"), runID: try vm.text("run_id"), status: try vm.text("status"))
                v.tags = try keyFiles(vdir.appendingPathComponent("tags"), rel: "\(vrel)/tags", in: path)
                if let r = v.runID { wantedRuns.insert(r) }
                snap.versions.append(v)
            }
        }
        snap.versions.sort { ($0.name, Int64($0.version) ?? 0, $0.version) < ($1.name, Int64($1.version) ?? 0, $1.version) }
        snap.models.sort { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        for exp in experiments {
            for run in wantedRuns.sorted() where snap.runs[run] == nil {
                let dir = exp.appendingPathComponent(run)
                guard fm.fileExists(atPath: dir.appendingPathComponent("meta.yaml").path) else { continue }
                snap.runs[run] = try readRun(dir, id: run, experiment: exp, rel: "\(exp.lastPathComponent)/\(run)", in: path)
            }
        }
        return snap
    }

    static func readRun(_ dir: URL, id: String, experiment: URL, rel: String, in store: String) throws(ImportError) -> MLflowSnapshot.Run {
        let meta = try yaml(dir.appendingPathComponent("meta.yaml"), rel: "\(rel)/meta.yaml", in: store)
        let status = try meta.text("status").map { runStatus[$0] ?? $0 }
        var run = MLflowSnapshot.Run(
            id: id, name: try meta.text("run_name"), userID: try meta.text("user_id"), status: status,
            startTime: try meta.int("start_time"),
            endTime: try meta.int("end_time"))
        run.tags = try keyFiles(dir.appendingPathComponent("tags"), rel: "\(rel)/tags", in: store)
        run.params = try keyFiles(dir.appendingPathComponent("params"), rel: "\(rel)/params", in: store)
        for (key, text) in try keyFiles(dir.appendingPathComponent("metrics"), rel: "\(rel)/metrics", in: store) {
            run.metrics.append(MLflowSnapshot.Metric(key: key, value: try latestMetric(text, place: "\(store): \(rel)/metrics/\(key)")))
        }
        run.metrics.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        for input in children(dir.appendingPathComponent("inputs")) {
            let irel = "\(rel)/inputs/\(input.lastPathComponent)"
            let im = try yaml(input.appendingPathComponent("meta.yaml"), rel: "\(irel)/meta.yaml", in: store)
            guard try im.text("source_type") == "DATASET", let ds = try im.text("source_id") else { continue }
            let drel = "\(experiment.lastPathComponent)/datasets/\(ds)/meta.yaml"
            let dm = try yaml(experiment.appendingPathComponent("datasets").appendingPathComponent(ds).appendingPathComponent("meta.yaml"),
                              rel: drel, in: store)
            guard let name = try dm.text("name"), let digest = try dm.text("digest") else { throw layout(store, drel, "has no name or digest") }
            run.datasets.append(MLflowSnapshot.Dataset(
                name: name, digest: digest, sourceType: try dm.text("source_type"), source: try dm.text("source"), schema: try dm.text("schema"),
                profile: try dm.text("profile"), context: im.node["tags"]?["mlflow.data.context"]?.text))
        }
        run.datasets.sort { ($0.name, $0.digest) < ($1.name, $1.digest) }
        return run
    }

    /// The latest value of a metric file (`<timestamp> <value> <step>` per line): the greatest
    /// (step, timestamp), as MLflow's `latest_metrics`. nil when that value is NaN.
    static func latestMetric(_ text: String, place: String) throws(ImportError) -> Double? {
        var best: (step: Int64, time: Int64, value: Double)?
        for (n, line) in text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).enumerated() {
            let parts = line.split(separator: " ")
            guard parts.count >= 2, let t = Int64(parts[0]), let v = Double(parts[1]) else {
                throw .badRecord("\(place), line \(n + 1)", problem: "is not \"<timestamp> <value> <step>\"")
            }
            let step = parts.count >= 3 ? Int64(parts[2]) ?? 0 : 0
            if let b = best, (b.step, b.time) > (step, t) { continue }
            best = (step, t, v)
        }
        guard let best else { throw .badRecord(place, problem: "holds no metric value") }
        if best.value.isNaN { return nil }
        guard best.value.isFinite else { throw .badRecord(place, problem: "holds \(best.value), not a finite number") }
        return best.value
    }

    static func children(_ dir: URL) -> [URL] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted().map { dir.appendingPathComponent($0) }
    }

    static func layout(_ store: String, _ rel: String, _ problem: String) -> ImportError {
        .notMLflow(store, reason: "\(rel) \(problem): not a FileStore layout trailpack knows")
    }

    /// The bytes of the store's file at `rel` (its path inside the store), opened component by
    /// component without following a symbolic link (``InsideFolder``): a link could bring a file
    /// from outside the store (say `/etc/shadow` as a param) into the append-only trail. `url`
    /// is the same file, as the store was listed.
    static func bytes(_ url: URL, rel: String, in store: String) throws(ImportError) -> [UInt8] {
        // A regular file only: a FIFO in the store would block the import forever.
        do throws(InsideFolder.Problem) {
            let f = try InsideFolder.open(store, rel, maxSize: maxFileBytes)
            defer { f.closeBoth() }
            guard let bytes = InsideFolder.readAll(f.file, size: Int(f.status.st_size)) else {
                throw .unreadable(errno: EIO)
            }
            return bytes
        } catch {
            switch error {
            case .tooLarge: throw .badRecord("\(store): \(rel)", problem: "is larger than \(maxFileBytes) bytes")
            case .symbolicLink(let component):
                throw .badRecord("\(store): \(rel)", problem: "cannot be read: \(component) is a symbolic link. trailpack reads a FileStore's "
                                 + "files as they are, never through a link, which could bring a file from outside the store into the trail. "
                                 + "Fix: replace the link by the file or folder itself")
            case .notAFile:
                // Which kind, from the entry's own status (a FIFO would block a reader forever).
                var st = stat()
                let folder = lstat(url.path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
                throw .badRecord("\(store): \(rel)", problem: "cannot be read (" + (folder ? "a folder, not a file" : "not a regular file (a named pipe, socket or device)") + ")")
            default: throw .badRecord("\(store): \(rel)", problem: "cannot be read (\(error.reason))")
            }
        }
    }

    static func yaml(_ url: URL, rel: String, in store: String) throws(ImportError) -> MetaFile {
        let b = try bytes(url, rel: rel, in: store)
        do { return MetaFile(node: try YAMLParser(b).parse(), place: "\(store): \(rel)") } catch {
            throw .badRecord("\(store): \(rel)", problem: "is not valid YAML (\(error.message))")
        }
    }

    /// A `meta.yaml` read, with its place (`<store>: <path>`) for messages.
    struct MetaFile {
        let node: YAMLNode
        let place: String

        /// The text of `key`: nil when absent or a plain null; a list or mapping where MLflow
        /// writes one value is refused (it would otherwise read as absent).
        func text(_ key: String) throws(ImportError) -> String? {
            guard let v = node[key] else { return nil }
            if case .scalar = v { return v.text }
            throw .badRecord(place, problem: "\(key) is a list or mapping where MLflow writes one value")
        }

        /// `key` as whole milliseconds, which MLflow always writes: absent or null is refused
        /// (read as 0 it would date the fact 1970-01-01).
        func requiredInt(_ key: String) throws(ImportError) -> Int64 {
            guard let n = try int(key) else { throw .badRecord(place, problem: "has no \(key), which MLflow writes in every such file") }
            return n
        }

        /// `key` as whole milliseconds (nil when absent or null).
        func int(_ key: String) throws(ImportError) -> Int64? {
            guard let text = try text(key) else { return nil }
            guard let n = Int64(text) else { throw .badRecord(place, problem: "\(key) \"\(text)\" is not a whole number of milliseconds") }
            return n
        }
    }

    /// Files under `dir`, keyed by their path below it (tag keys may hold `/`), with their text.
    static func keyFiles(_ dir: URL, rel: String, in store: String) throws(ImportError) -> [String: String] {
        var out: [String: String] = [:]
        func walk(_ d: URL, _ prefix: String, depth: Int) throws(ImportError) {
            guard depth < 16 else { return }
            for c in children(d) {
                // Each entry's own type (a link is not followed; ``bytes(_:rel:in:)`` refuses it).
                var st = stat()
                guard lstat(c.path, &st) == 0 else { continue }
                let key = prefix + c.lastPathComponent
                if (st.st_mode & S_IFMT) == S_IFDIR {
                    try walk(c, key + "/", depth: depth + 1)
                } else {
                    // Kept as MLflow wrote it, or refused: a lossy decoding would change the record.
                    guard let text = String(validating: try bytes(c, rel: "\(rel)/\(key)", in: store), as: UTF8.self) else {
                        throw .badRecord("\(store): \(rel)/\(key)", problem: "is not UTF-8 text (MLflow writes tags, params and metrics as UTF-8)")
                    }
                    out[key] = text
                }
            }
        }
        try walk(dir, "", depth: 0)
        return out
    }
}
