import Foundation

extension FuzzHarnesses {
    /// Every reader of MLflow data: `meta.yaml` (libyaml), metric files, tag/param files through the
    /// mapping, tracking URIs, and SQLite database rows.
    static let mlflow: [FuzzHarness] = [
        FuzzHarness(name: "mlflow-meta-yaml", seeds: ["../shared/samples/mlflow/mlruns"]) { bytes in
            // Parsing is deterministic; a document that parses parses the same again.
            guard let first = try? YAMLParser(bytes).parse() else { return }
            let second = try? YAMLParser(bytes).parse()
            precondition(second == first, "meta.yaml parsed twice differs")
        },
        FuzzHarness(name: "mlflow-metric-file", seeds: ["../shared/samples/mlflow/mlruns"]) { bytes in
            guard bytes.count <= MLflowFileStore.maxFileBytes else { return }
            // A latest value is finite (NaN is nil); JSON cannot hold anything else.
            if let v = try? MLflowFileStore.latestMetric(String(decoding: bytes, as: UTF8.self), place: "fuzz") {
                precondition(v.isFinite, "a metric value that is not finite")
            }
        },
        FuzzHarness(name: "mlflow-version-mapping", seeds: ["../shared/samples/mlflow/mlruns/models"]) { bytes in
            // A version meta.yaml and its tag files (the input's text) become events whose JCS reads back as itself.
            guard let meta = try? YAMLParser(bytes).parse() else { return }
            let text = String(decoding: bytes, as: UTF8.self)
            var v = MLflowSnapshot.ModelVersion(
                name: meta["name"]?.text ?? "m", version: meta["version"]?.text ?? "1",
                creationTime: Int64(meta["creation_timestamp"]?.text ?? "") ?? 0,
                lastUpdatedTime: Int64(meta["last_updated_timestamp"]?.text ?? "") ?? 0,
                description: meta["description"]?.text, userID: meta["user_id"]?.text,
                currentStage: meta["current_stage"]?.text ?? "None", source: meta["source"]?.text, runID: meta["run_id"]?.text,
                status: meta["status"]?.text)
            v.tags["fuzz.tag"] = text
            let run = MLflowSnapshot.Run(id: v.runID ?? "r", name: text, userID: meta["user_id"]?.text, status: "FINISHED",
                                         startTime: 0, endTime: 1, tags: ["t": text], params: ["p": text])
            for f in MLflowMapping.versionFacts("m", v, run: run) {
                let line = JCS.serialize(.object(f.sourceFields))
                precondition((try? JSONReader().parse(line)).map { JCS.serialize($0) == line } ?? false, "source fields do not round-trip")
                precondition(f.sourceDigest.utf8.count == 64)
            }
        },
        FuzzHarness(name: "mlflow-tracking-uri", seeds: ["Tests/Fuzz/seeds/mlflow-uri"]) { bytes in
            let uri = String(decoding: bytes.prefix(4096), as: UTF8.self)
            // No user name or password survives in what is written or printed.
            let shown = MLflowLocation.redacted(uri)
            if let scheme = shown.range(of: "://") {
                let rest = shown[scheme.upperBound...]
                let authority = rest.prefix { $0 != "/" && $0 != "?" }
                precondition(!authority.contains("@"), "user info kept in \(shown)")
            }
            _ = try? MLflowLocation.parse(uri)
        },
        FuzzHarness(name: "mlflow-sqlite-rows", seeds: ["../shared/samples/mlflow/mlflow.db"]) { bytes in
            guard bytes.count <= 8 << 20 else { return }
            let path = NSTemporaryDirectory() + "trailpack-fuzz-\(getpid())-\(UInt64.random(in: 0...UInt64.max)).db"
            guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else { return }
            defer { try? FileManager.default.removeItem(atPath: path) }
            guard let db = try? SQLiteDatabase(path: path), let snap = try? MLflowSQLReader.read(db, place: "fuzz") else { return }
            // Whatever rows a database holds, the facts are well-formed or refused with a message.
            if let facts = try? MLflowMapping.facts(snap, models: [], place: "fuzz") {
                for f in facts { precondition(f.sourceDigest.utf8.count == 64) }
            }
        },
    ]
}
