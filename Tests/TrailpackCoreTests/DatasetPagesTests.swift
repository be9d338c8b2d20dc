import Foundation
import Testing
@testable import TrailpackCore

/// The dataset pages (issue 14, item 4): trailpack's own dataset and training events and
/// imported OpenLineage runs on one page per dataset, joined by digest, linked both ways
/// (dataset → run → model version → approval, and the version page back to its data).
struct DatasetPagesTests {
    static let digest = "ab12cd34ef567890"
    static let runTrain = "33333333-3333-4333-8333-333333333333"

    /// A pack with a registry model `m` version 1, trailpack's own events (a dataset version with a
    /// digest, its quality check, the training of m@1 on it, a signed approval), and OpenLineage
    /// runs imported: `etl.clean` reads `s3://lake/raw` and writes `s3://lake/train` in the version
    /// that is the digest (the same data), with a failed quality assertion; `train.fit` reads
    /// `s3://lake/train` and writes `models/m/1` in the `mlflow://` namespace.
    static func pack() throws -> PackBuilder {
        var p = try PackBuilder.writeSide()
        try p.installKey("mkrause")
        try p.dir.write("registry/models/m.json", """
            {"id": "m", "name": "Model M", "owner": "u:owner", "risk": "high", "requirements": [],
             "versions": [{"version": "1", "stage": "none", "created": "2026-11-02T09:00:00Z", "datasets": ["train@1"]}]}
            """)
        let config = try String(contentsOf: p.url.appendingPathComponent("trailpack.json"), encoding: .utf8)
        try p.dir.write("trailpack.json", config.replacingOccurrences(of: "\"origin\"", with: """
            "identities": {"git:mkrause@example.com": "u:mkrause", "mlflow:mkrause": "u:mkrause", "openlineage:user:mkrause": "u:mkrause"}, "origin"
            """))
        try p.record("""
            {"id": "k1", "time": "2026-11-01T09:00:00Z", "actor": {"id": "u:admin"}, "action": "key.registered", \
            "subject": {"type": "key", "id": "mkrause"}, "data": {"owner": "u:mkrause"}}
            {"id": "d1", "time": "2026-11-01T10:00:00Z", "actor": {"id": "svc:etl", "kind": "service"}, "action": "dataset.registered", \
            "subject": {"type": "dataset", "id": "train", "version": "1"}, "data": {"digest": "sha256:\(digest)"}}
            {"id": "q1", "time": "2026-11-01T11:00:00Z", "actor": {"id": "svc:etl", "kind": "service"}, "action": "dataset.quality_checked", \
            "subject": {"type": "dataset", "id": "train", "version": "1"}, "data": {"checks": ["schema", "completeness"], "passed": true}}
            {"id": "t1", "time": "2026-11-02T09:00:00Z", "actor": {"id": "svc:ci", "kind": "service"}, "action": "model.trained", \
            "subject": {"type": "model", "id": "m", "version": "1"}, "refs": {"datasets": ["train@1"], "run": "mlflow:r1"}}
            {"id": "a1", "time": "2026-11-03T09:00:00Z", "actor": {"id": "u:mkrause", "name": "Maria Krause"}, "action": "model.approved", \
            "subject": {"type": "model", "id": "m", "version": "1"}, \
            "signature": {"signer": "u:mkrause", "name": "Maria Krause", "meaning": "approval", "time": "2026-11-03T09:00:00Z", "key": "mkrause"}}

            """, signKey: "mkrause")
        let owner = "\"ownership\": \(OL.facet("\"owners\": [{\"name\": \"user:mkrause\", \"type\": \"MAINTAINER\"}]"))"
        let quality = "\"dataQualityAssertions\": \(OL.facet("\"assertions\": [{\"assertion\": \"not_null\", \"success\": false, \"column\": \"age\"}]"))"
        let lines = [
            OL.event("START", time: "2026-11-01T12:00:00Z", run: OL.run1, jobFacets: "{\(owner)}"),
            OL.event("COMPLETE", time: "2026-11-01T12:05:00Z", run: OL.run1,
                     inputs: "[\(OL.dataset("raw", version: "r7"))]",
                     outputs: "[\(OL.dataset("train", version: digest, facets: [quality]))]"),
            OL.event("FAIL", time: "2026-11-01T13:00:00Z", run: OL.run2, job: "etl.clean",
                     inputs: "[\(OL.dataset("raw", version: "r7"))]", outputs: "[\(OL.dataset("train"))]"),
            OL.event("COMPLETE", time: "2026-11-02T08:00:00Z", run: runTrain, job: "train.fit",
                     inputs: "[\(OL.dataset("train", version: digest))]",
                     outputs: "[{\"namespace\": \"mlflow://tracking\", \"name\": \"models/m/1\", \"facets\": {}}]"),
        ]
        try p.outside.write("ol.jsonl", lines.joined(separator: "\n") + "\n")
        _ = try Trailpack.importOpenLineage(source: p.url.path, paths: [p.outside.path("ol.jsonl").path], dryRun: false)
        return p
    }

    /// The position of the event with this `refs.run` (or id) on the chronological trail.
    static func seq(_ p: PackBuilder, _ match: (JSONObject) -> Bool) throws -> Int64 {
        for line in try p.recordedLines() {
            let o = try #require(try JSONReader().parse(Array(line.utf8)).objectValue)
            if match(o), case .integer(let s)? = o["seq"] { return s }
        }
        Issue.record("no such event")
        return -1
    }

    @Test func datasetPagesFollowDataToRunToModelVersionToApprovalBothWays() throws {
        let p = try Self.pack()
        let out = p.outside.path("site")
        try SiteBuilding.build(p.url, out: out)
        let lake = "datasets/" + PathNames.slug("s3://lake/train") + "/page-0001"
        let raw = "datasets/" + PathNames.slug("s3://lake/raw") + "/page-0001"
        let own = "datasets/train/page-0001"
        #expect(PathNames.slug("s3://lake/train").hasPrefix("s3-lake-train-"), "a slug, no slash or colon in the file name")
        let index = SiteChecks.text(out, "datasets/index.html")
        for page in [lake, raw, own] { #expect(index.contains("href=\"../\(page).html\""), "\(page)") }
        #expect(SiteChecks.text(out, "index.html").contains("href=\"datasets/index.html\""), "contents of the pack link the index")
        #expect(SiteChecks.text(out, "findings.html").contains("<a href=\"datasets/index.html\">Datasets</a>"), "navigation")

        let run1 = try Self.seq(p) { $0["refs"]?["run"] == JSONValue("openlineage:\(OL.run1)") && $0["action"] == JSONValue("pipeline.run_completed") }
        let run2 = try Self.seq(p) { $0["refs"]?["run"] == JSONValue("openlineage:\(OL.run2)") }
        let fit = try Self.seq(p) { $0["refs"]?["run"] == JSONValue("openlineage:\(Self.runTrain)") }
        let approval = try Self.seq(p) { $0["id"] == JSONValue("a1") }
        let training = try Self.seq(p) { $0["id"] == JSONValue("t1") }
        let check = try Self.seq(p) { $0["action"] == JSONValue("dataset.quality_checked") && $0["refs"]?["source"] != nil }
        func eventLink(_ s: Int64) -> String { "../../audit/page-0001.html#e\(s)" }

        // The OpenLineage dataset: produced by run 1, read by train.fit (which wrote m@1), a failed
        // assertion, the same data as trailpack's train@1 (digest), m@1 with its approval.
        let l = SiteChecks.text(out, lake + ".html")
        let anchor = "v-" + PathNames.slug(Self.digest)
        #expect(l.contains("<h2 id=\"\(anchor)\">version <span class=\"id\">\(Self.digest)</span></h2>"))
        #expect(l.contains("<td><span class=\"id\">gxp-data/etl.clean</span></td><td><span class=\"id\">openlineage:\(OL.run1)</span></td><td><span class=\"badge badge-pass\">✔ Completed</span>"))
        #expect(l.contains("href=\"\(eventLink(run1))\""), "the producing run's event")
        #expect(l.contains("href=\"\(eventLink(fit))\""), "the reading run's event")
        #expect(l.contains("<span class=\"badge badge-fail\">✖ Failed</span></td><td>age: not_null</td>"), "the failed quality assertion")
        #expect(l.contains("href=\"\(eventLink(check))\""))
        #expect(l.contains("The same data (by content digest) as: <a href=\"../../\(own).html#v-1\">train@1</a>"))
        #expect(l.contains("href=\"../../models/m/versions/1.html\">m@1</a>"), "the model version trained on it")
        #expect(l.contains("href=\"\(eventLink(approval))\">approved by Maria Krause (u:mkrause)</a>, <time>2026-11-03 09:00:00Z</time>"))
        // The failed run wrote an unversioned output: listed under "without a version", never as a version.
        #expect(l.contains("<h2 id=\"unversioned\">without a version</h2>") && l.contains("href=\"\(eventLink(run2))\""))

        // trailpack's own dataset: its quality check, the training and the approval, and the join back.
        let o = SiteChecks.text(out, own + ".html")
        #expect(o.contains("<span class=\"badge badge-pass\">✔ Passed</span></td><td>schema, completeness</td>"))
        #expect(o.contains("href=\"\(eventLink(training))\">model.trained, seq \(training)</a>"))
        #expect(o.contains("href=\"\(eventLink(approval))\">approved by Maria Krause"))
        #expect(o.contains("<a href=\"../../\(lake).html#\(anchor)\">s3://lake/train@\(Self.digest)</a>"))
        // The raw input was read by the runs and trained nothing.
        let r = SiteChecks.text(out, raw + ".html")
        #expect(r.contains("href=\"\(eventLink(run1))\"") && r.contains("href=\"\(eventLink(run2))\"") && r.contains("Not recorded for this version: registration or curation; a run that produced it; a quality check; a model version trained on it."))

        // The version page links back to each dataset version it was trained on.
        let v = SiteChecks.text(out, "models/m/versions/1.html")
        #expect(v.contains("<a href=\"../../../\(own).html#v-1\">train@1</a>"))
        #expect(v.contains("<a href=\"../../../\(lake).html#\(anchor)\">s3://lake/train@\(Self.digest)</a>"))
        // The Markdown twin says the same.
        let md = SiteChecks.text(out, lake + ".md")
        #expect(md.contains("<a id=\"\(anchor)\"></a>") && md.contains("[m@1](../../models/m/versions/1.md)") && md.contains("age: not\\_null"))
        #expect(SiteChecks.text(out, "models/m/versions/1.md").contains("[train@1](../../../\(own).md#v-1)"))

        for problems in [try SiteChecks.links(out), try SiteChecks.markdownTables(out), try SiteChecks.tableBalance(out),
                         try SiteChecks.activeContent(out)] {
            #expect(problems.isEmpty, "\(problems.prefix(20).joined(separator: "\n"))")
        }
    }

    /// The MLflow importer into the dataset pages, on the real MLflow sample (read where it is):
    /// MLflow's dataset input `ae_train_v3` (digest `32130fc4`) becomes a dataset version whose
    /// MLflow runs are the trainings of `ae-classifier` versions 1 and 2; the shared OpenLineage
    /// sample's training run reads `s3://gxp-data/ae/train/v3.parquet` in version `32130fc4` and
    /// writes `models/ae-classifier/2` in the `mlflow://` namespace, so the two datasets join by
    /// digest. An approval of version 2 recorded after the imports closes the path data → run →
    /// model version → approval, followed both ways, and the site's link checks pass.
    @Test func mlflowDatasetInputsJoinTheOpenLineageDataOnTheDatasetPages() throws {
        var p = try PackBuilder.writeSide()
        try p.installKey("mkrause")
        try p.record("""
            {"id": "k1", "time": "2026-11-01T09:00:00Z", "actor": {"id": "u:admin"}, "action": "key.registered", \
            "subject": {"type": "key", "id": "mkrause"}, "data": {"owner": "u:mkrause"}}

            """)
        let mlflow = try Trailpack.importMLflow(source: p.url.path, trackingURI: MLflowSample.sqliteURI, models: [], dryRun: false)
        #expect(mlflow.events.contains { $0.action == "dataset.registered" && $0.subject == "ae_train_v3@32130fc4" }, "\(mlflow.events)")
        let lineage = try Trailpack.importOpenLineage(source: p.url.path, paths: [OpenLineageImportTests.sample], dryRun: false)
        #expect(lineage.events.count == 1)
        // The approval comes after the imports (a training recorded later would void it).
        let now = Timestamp(seconds: Int64(Date().timeIntervalSince1970), nanoseconds: 0).description
        try p.record("""
            {"id": "a2", "time": "\(now)", "actor": {"id": "u:mkrause", "name": "Maria Krause"}, "action": "model.approved", \
            "subject": {"type": "model", "id": "ae-classifier", "version": "2"}, "reason": "validated", \
            "signature": {"signer": "u:mkrause", "name": "Maria Krause", "meaning": "approval", "time": "\(now)", "key": "mkrause"}}

            """, signKey: "mkrause")
        let out = p.outside.path("site")
        try SiteBuilding.build(p.url, out: out)

        let events = try p.recordedLines().map { try #require(try JSONReader().parse(Array($0.utf8)).objectValue) }
        func seq(_ match: (JSONObject) -> Bool) throws -> Int64 {
            let found = events.first(where: match)
            guard case .integer(let s)? = try #require(found)["seq"] else { return -1 }
            return s
        }
        func trained(_ version: String) -> (JSONObject) -> Bool {
            { $0["action"] == JSONValue("model.trained") && $0["subject"]?["version"] == JSONValue(version) }
        }
        let run1 = try #require(events.first(where: trained("1"))?["refs"]?["run"]?.stringValue)
        let run2 = try #require(events.first(where: trained("2"))?["refs"]?["run"]?.stringValue)
        #expect(run1.hasPrefix("mlflow:") && run2.hasPrefix("mlflow:") && run1 != run2)
        let (training1, training2) = (try seq(trained("1")), try seq(trained("2")))
        let registered = try seq { $0["action"] == JSONValue("dataset.registered") && $0["subject"]?["id"] == JSONValue("ae_train_v3") }
        let olRun = try seq { $0["action"] == JSONValue("pipeline.run_completed") }
        let approval = try seq { $0["id"] == JSONValue("a2") }
        func eventLink(_ s: Int64, from depth: String = "../../") -> String { "\(depth)audit/page-0001.html#e\(s)" }

        let mlflowPage = "datasets/" + PathNames.slug("ae_train_v3") + "/page-0001"
        let lakePage = "datasets/" + PathNames.slug("s3://gxp-data/ae/train/v3.parquet") + "/page-0001"
        let index = SiteChecks.text(out, "datasets/index.html")
        for page in [mlflowPage, lakePage] { #expect(index.contains("href=\"../\(page).html\""), "\(page)") }
        #expect(index.contains("<td>mlflow</td>") || index.contains(">mlflow<"), "MLflow recorded the dataset")

        // MLflow's dataset: its registration, both MLflow runs as trainings (run id, event, model
        // version), the two model versions with the approval of version 2, and the OpenLineage data
        // that is the same (by digest).
        let m = SiteChecks.text(out, mlflowPage + ".html")
        #expect(m.contains("<h2 id=\"v-32130fc4\">version <span class=\"id\">32130fc4</span></h2>") && m.contains("Digest: <span class=\"digest\">32130fc4</span>"))
        #expect(m.contains("href=\"\(eventLink(registered))\"") && m.contains("<td><span class=\"id\">dataset.registered</span></td>"))
        for (run, training, version) in [(run1, training1, "1"), (run2, training2, "2")] {
            #expect(m.contains("<td><span class=\"id\">model.trained of ae-classifier@\(version)</span></td><td><span class=\"id\">\(run)</span></td>"),
                    "the MLflow run \(run) that trained version \(version)")
            #expect(m.contains("href=\"\(eventLink(training))\">seq \(training)</a>"), "the training's event")
            #expect(m.contains("href=\"../../models/ae-classifier/versions/\(version).html\">ae-classifier@\(version)</a>"), "model version \(version)")
        }
        #expect(m.contains("<td>mlflow</td>"), "recorded by MLflow")
        #expect(m.contains("href=\"\(eventLink(approval))\">approved by Maria Krause (u:mkrause)"), "the approval of version 2")
        #expect(m.contains("The same data (by content digest) as: <a href=\"../../\(lakePage).html#v-32130fc4\">s3://gxp-data/ae/train/v3.parquet@32130fc4</a>"))

        // The OpenLineage dataset: read by the training run (which wrote ae-classifier@2), and back to MLflow's.
        let l = SiteChecks.text(out, lakePage + ".html")
        #expect(l.contains("The same data (by content digest) as: <a href=\"../../\(mlflowPage).html#v-32130fc4\">ae_train_v3@32130fc4</a>"))
        #expect(l.contains("href=\"\(eventLink(olRun))\""), "the OpenLineage run's event")
        #expect(l.contains("href=\"\(eventLink(training2))\">model.trained, seq \(training2)</a>"), "MLflow's training, through the same data")
        #expect(l.contains("href=\"\(eventLink(approval))\">approved by Maria Krause (u:mkrause)"))

        // The version pages link back to the data they were trained on.
        let v2 = SiteChecks.text(out, "models/ae-classifier/versions/2.html")
        #expect(v2.contains("<a href=\"../../../\(mlflowPage).html#v-32130fc4\">ae_train_v3@32130fc4</a>"))
        #expect(v2.contains("<a href=\"../../../\(lakePage).html#v-32130fc4\">s3://gxp-data/ae/train/v3.parquet@32130fc4</a>"))
        #expect(SiteChecks.text(out, "models/ae-classifier/versions/1.html").contains("<a href=\"../../../\(mlflowPage).html#v-32130fc4\">ae_train_v3@32130fc4</a>"))
        #expect(SiteChecks.text(out, mlflowPage + ".md").contains("[ae-classifier@2](../../models/ae-classifier/versions/2.md)"))

        for problems in [try SiteChecks.links(out), try SiteChecks.markdownTables(out), try SiteChecks.tableBalance(out),
                         try SiteChecks.activeContent(out)] {
            #expect(problems.isEmpty, "\(problems.prefix(20).joined(separator: "\n"))")
        }
    }

    /// Hostile dataset ids and versions stay escaped and inside the site, and a long list of versions
    /// is paged; links to a version on a later page go to that page.
    @Test func hostileIdsAreEscapedAndVersionsArePaged() throws {
        let p = try PackBuilder.writeSide()
        var lines: [String] = []
        let id = "../../<script>alert(1)</script>"
        for n in 1...5 {
            lines.append("""
                {"id": "d\(n)", "time": "2026-11-01T10:0\(n):00Z", "actor": {"id": "svc:etl", "kind": "service"}, "action": "dataset.registered", \
                "subject": {"type": "dataset", "id": "\(id)", "version": "v\(n)<b>"}}
                """)
        }
        try p.dir.write("registry/models/m.json", """
            {"id": "m", "name": "Model M", "owner": "u:owner", "risk": "high", "requirements": [], "versions": [{"version": "1", "stage": "none"}]}
            """)
        lines.append("""
            {"id": "t1", "time": "2026-11-02T09:00:00Z", "actor": {"id": "svc:ci", "kind": "service"}, "action": "model.trained", \
            "subject": {"type": "model", "id": "m", "version": "1"}, "refs": {"datasets": ["\(id)@v5<b>"]}}
            """)
        try p.record(lines.joined(separator: "\n") + "\n")
        let out = p.outside.path("site")
        try SiteBuilding.build(p.url, out: out, pageSize: 2)
        let slug = PathNames.slug(id)
        #expect(!slug.contains("/") && !slug.contains("<"))
        for n in 1...3 { #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("datasets/\(slug)/page-000\(n).html").path)) }
        let page3 = SiteChecks.text(out, "datasets/\(slug)/page-0003.html")
        #expect(page3.contains("version <span class=\"id\">v5&lt;b&gt;</span>") && !page3.contains("<script>") && !page3.contains("v5<b>"))
        let v = SiteChecks.text(out, "models/m/versions/1.html")
        #expect(v.contains("datasets/\(slug)/page-0003.html#v-\(PathNames.slug("v5<b>"))"), "the version's link names the page it is on")
        for problems in [try SiteChecks.links(out), try SiteChecks.activeContent(out), try SiteChecks.markdownTables(out)] {
            #expect(problems.isEmpty, "\(problems.prefix(20).joined(separator: "\n"))")
        }
    }

    /// A site without any dataset has no dataset pages and no navigation entry for them.
    @Test func aPackWithoutDatasetsHasNoDatasetPages() throws {
        let p = try PackBuilder.writeSide()
        try p.record("""
            {"id": "x1", "time": "2026-11-01T10:00:00Z", "actor": {"id": "u:a"}, "action": "config.changed", "subject": {"type": "config", "id": "c"}}

            """)
        let out = p.outside.path("site")
        try SiteBuilding.build(p.url, out: out)
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("datasets").path))
        #expect(!SiteChecks.text(out, "index.html").contains("datasets/index.html"))
    }

    /// Actor pages list every name each actor had in each system: `identities` keys mapped to the
    /// actor, and an imported name that nothing maps on its own actor page.
    @Test func actorPagesListTheNamesInEachSystem() throws {
        let p = try Self.pack()
        let repo = try GitFixture.standard()
        _ = try Trailpack.importGit(source: p.url.path, repo: repo.url.path, paths: [], model: nil, since: nil, dryRun: false)
        let out = p.outside.path("site")
        try SiteBuilding.build(p.url, out: out)
        let html = SiteChecks.text(out, "audit/actor/\(PathNames.slug("u:mkrause"))/page-0001.html")
        #expect(html.contains("<h2 id=\"names\">Names in other systems</h2>"))
        let listed = SiteChecks.captures(#"<li>([a-z]+: <span class="id">[^<]*)</span></li>"#, in: html)
        #expect(listed == ["git: <span class=\"id\">mkrause@example.com", "mlflow: <span class=\"id\">mkrause",
                           "openlineage: <span class=\"id\">user:mkrause"], "\(listed)")
        let md = SiteChecks.text(out, "audit/actor/\(PathNames.slug("u:mkrause"))/page-0001.md")
        #expect(md.contains("- git: mkrause@example.com\n- mlflow: mkrause\n- openlineage: user:mkrause\n"))
        // An unmapped git author's own page names it; an actor with no other name has no list.
        let carol = SiteChecks.text(out, "audit/actor/\(PathNames.slug("git:carol@example.com"))/page-0001.html")
        #expect(carol.contains("<li>git: <span class=\"id\">carol@example.com</span></li>"))
        #expect(!SiteChecks.text(out, "audit/actor/\(PathNames.slug("u:admin"))/page-0001.html").contains("Names in other systems"))
        for problems in [try SiteChecks.links(out), try SiteChecks.markdownTables(out)] {
            #expect(problems.isEmpty, "\(problems.prefix(20).joined(separator: "\n"))")
        }
    }

    /// Thousands of versions with one content digest (every empty partition file has the same)
    /// once made the build cubic in time and quadratic in output: each version listed every other,
    /// and every model trained on any of them. Versions that are the same data now form classes
    /// (joined transitively: a version whose version string and `data.digest` are two digests
    /// joins both), and a version lists at most `LineageIndex.listLimit` of them, saying how many more.
    @Test func manyVersionsWithOneDigestAreListedUpToTheLimitWithACount() throws {
        let p = try PackBuilder.writeSide()
        let empty = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        var lines: [String] = []
        func event(_ id: String, _ action: String, _ subject: String, _ rest: String) {
            lines.append(#"{"id": "\#(id)", "time": "2026-11-01T10:00:00Z", "actor": {"id": "svc:etl", "kind": "service"}, "action": "\#(action)", "subject": \#(subject)\#(rest)}"#)
        }
        let parts = 120, trained = 60
        // `bridge` has the digest as data and another digest as its version; `far` has only the latter.
        event("b", "dataset.registered", #"{"type": "dataset", "id": "bridge", "version": "abcdef0123"}"#, #", "data": {"digest": "\#(empty)"}"#)
        event("f", "dataset.registered", #"{"type": "dataset", "id": "far", "version": "1"}"#, #", "data": {"digest": "abcdef0123"}"#)
        for k in 0..<parts {
            event("d\(k)", "dataset.registered", #"{"type": "dataset", "id": "part-\#(k)", "version": "1"}"#, #", "data": {"digest": "\#(empty)"}"#)
        }
        for k in 0..<trained {
            event("t\(k)", "model.trained", #"{"type": "model", "id": "m", "version": "v\#(k)"}"#, #", "refs": {"datasets": ["part-\#(k)@1"]}"#)
        }
        _ = try p.record(lines.joined(separator: "\n") + "\n")
        let out = p.outside.path("site")
        try SiteBuilding.build(p.url, out: out)

        let five = SiteChecks.text(out, "datasets/part-5/page-0001.html")
        let same = try #require(five.components(separatedBy: "The same data (by content digest) as: ").dropFirst().first?.components(separatedBy: "</p>").first)
        // 121 other versions (119 parts, bridge, far): the first 50 in log order, then the count.
        #expect(same.components(separatedBy: "<a href=").count - 1 == LineageIndex.listLimit)
        #expect(same.hasPrefix(#"<a href="../../datasets/bridge/page-0001.html#v-abcdef0123">bridge@abcdef0123</a> <a href="../../datasets/far/page-0001.html#v-1">far@1</a> <a href="../../datasets/part-0/page-0001.html#v-1">part-0@1</a> "#))
        #expect(!same.contains(">part-5@1<"), "not itself")
        #expect(same.hasSuffix("and 71 more versions (the first 50 are listed)"), "\(same.suffix(80))")
        // Models trained on the same data: 60, the first 50 by seq; its own is named "this version".
        #expect(five.contains("and 10 more model versions (the first 50 are listed)"))
        #expect(five.contains(">m@v5</span></td><td><a href=") && five.contains("this version"))
        #expect(five.contains(">m@v0<") && !five.contains(">m@v59<"))
        // Joined transitively: far (digest abcdef0123) is the same data as bridge (version
        // abcdef0123, data.digest the empty digest), so as the partitions.
        let far = SiteChecks.text(out, "datasets/far/page-0001.html")
        #expect(far.contains(">bridge@abcdef0123</a> <a href=\"../../datasets/part-0/page-0001.html#v-1\">part-0@1</a>"))
        #expect(far.contains("and 71 more versions (the first 50 are listed)"))
        // The Markdown twin says the same; each page stays small.
        #expect(SiteChecks.text(out, "datasets/part-5/page-0001.md").contains("and 71 more versions (the first 50 are listed)"))
        #expect(five.utf8.count < 64 << 10, "\(five.utf8.count) bytes")
        for problems in [try SiteChecks.links(out), try SiteChecks.markdownTables(out), try SiteChecks.tableBalance(out)] {
            #expect(problems.isEmpty, "\(problems.prefix(20).joined(separator: "\n"))")
        }
    }
}
