import Foundation
import Testing
@testable import TrailpackCore

/// Regression tests for issue 10: inputs that crashed, hung, took quadratic time or were accepted
/// silently. Each fails on the code before the fix.
struct RobustnessTests {
    static func message(_ body: () throws -> Void) -> String? {
        do { try body() } catch { return error.localizedDescription }
        return nil
    }

    // MARK: 1. Policy numbers in range (contract 2, v1.1): an error naming the key, never a trap

    static let policyCases: [(policy: String, expected: String)] = [
        ("\"clockSkewSeconds\": 9223372036854775807", "\"clockSkewSeconds\" must be a whole number from 0 to 86400 (seconds), found 9223372036854775807"),
        ("\"clockSkewSeconds\": 86401", "\"clockSkewSeconds\" must be a whole number from 0 to 86400 (seconds), found 86401"),
        ("\"clockSkewSeconds\": -1", "\"clockSkewSeconds\" must be a whole number from 0 to 86400 (seconds), found -1"),
        ("\"revalidationDays\": 106751991167301", "\"revalidationDays\" must be a whole number from 1 to 36500 (days), found 106751991167301"),
        ("\"revalidationDays\": 0", "\"revalidationDays\" must be a whole number from 1 to 36500 (days), found 0"),
        ("\"revalidationDays\": 14.5", "\"revalidationDays\" must be a whole number from 1 to 36500 (days), found a non-integer number"),
        ("\"revalidationDays\": 1e3", "\"revalidationDays\" must be a whole number from 1 to 36500 (days), found a non-integer number"),
        ("\"capaDueDays\": 106751991167301", "\"capaDueDays\" must be a whole number from 1 to 36500 (days), found 106751991167301"),
        ("\"capaDueDays\": -30", "\"capaDueDays\" must be a whole number from 1 to 36500 (days), found -30"),
        ("\"capaDueDays\": 0", "\"capaDueDays\" must be a whole number from 1 to 36500 (days), found 0"),
        ("\"capaDueDays\": 99999999999999999999", "\"capaDueDays\" must be a whole number from 1 to 36500 (days), found a non-integer number"),
        ("\"capaDueDays\": null", "\"capaDueDays\" must be a whole number from 1 to 36500 (days), found null"),
    ]

    @Test("policy numbers out of range", arguments: policyCases)
    func policyOutOfRange(policy: String, expected: String) throws {
        let p = try PackBuilder.compliant()
        try p.write()
        try p.dir.write("trailpack.json", "{\"title\": \"t\", \"origin\": \"o\", \"release\": {\"name\": \"r\", \"models\": {}},\n"
                        + " \"policy\": {\(policy)}}")
        let m = Self.message { _ = try Trailpack.verify(source: p.url.path, trust: nil) }
        #expect(m?.hasPrefix("trailpack.json:2:13: ") == true, "\(m ?? "no error")")
        #expect(m?.contains(expected) == true, "\(m ?? "no error")")
    }

    @Test("policy numbers at the ends of their ranges", arguments: [
        "\"clockSkewSeconds\": 0", "\"clockSkewSeconds\": 86400", "\"revalidationDays\": 1", "\"revalidationDays\": 36500",
        "\"capaDueDays\": 36500",
    ])
    func policyAtBounds(policy: String) throws {
        let p = try PackBuilder.compliant()
        try p.write()
        try p.dir.write("trailpack.json", "{\"title\": \"t\", \"origin\": \"o\", \"release\": {\"name\": \"r\", \"models\": {}},\n"
                        + " \"policy\": {\(policy)}}")
        _ = try Trailpack.verify(source: p.url.path, trust: nil)
    }

    static let additions: [(Int64, Int64, Int64)] = [
        (Int64.max - 1, 10, Int64.max), (Int64.min + 1, -10, Int64.min), (0, Int64.max, Int64.max), (5, -7, -2),
    ]

    @Test("time arithmetic saturates instead of trapping", arguments: additions)
    func timestampAdding(start: Int64, add: Int64, expected: Int64) {
        #expect(Timestamp(seconds: start).adding(seconds: add).seconds == expected)
    }

    @Test func daysToSecondsSaturates() {
        #expect(Timestamp.seconds(days: 106_751_991_167_301) == .max)
        #expect(Timestamp.seconds(days: -106_751_991_167_301) == .min)
        #expect(Timestamp.seconds(days: 14) == 14 * 86400)
        #expect(Timestamp(seconds: .max).interval(since: Timestamp(seconds: .min)) > 1e18)
    }

    // MARK: 2. Mustache: total work is bounded, not only depth

    @Test func exponentialPartialsStop() throws {
        var set = try TemplateSet(sources: ["main": "{{>p}}", "p": "{{#a}}{{>p}}{{>p}}{{/a}}"])
        set.workLimit = 200_000
        var data: TemplateValue = ["a": false]
        for _ in 0..<40 { data = ["a": data] }
        #expect(throws: TemplateError.tooMuchWork("p")) { _ = try set.render("main", data) }
        let m = Self.message { _ = try set.render("main", data) }
        #expect(m?.hasPrefix("p: rendering takes too many steps") == true, "\(m ?? "")")
        #expect(TemplateSet().workLimit == TemplateRenderer.defaultWorkLimit && TemplateRenderer.defaultWorkLimit < 1_000_000_000)
    }

    @Test func boundedRecursionStillRenders() throws {
        var set = try TemplateSet(sources: ["main": "{{>p}}", "p": "{{#a}}[{{>p}}]{{/a}}"])
        set.workLimit = 10_000
        var data: TemplateValue = ["a": false]
        for _ in 0..<40 { data = ["a": data] }
        #expect(try set.render("main", data) == String(repeating: "[", count: 40) + String(repeating: "]", count: 40))
    }

    // MARK: 3. record's input reader is linear and keeps exact columns

    /// The limit only stops a quadratic reader (hours at this size); it is not a timing: a
    /// debug build on a loaded machine took close to a minute, so it is generous.
    @Test(.timeLimit(.minutes(5))) func manyValuesOnOneLine() throws {
        let n = 200_000
        let input = Array(String(repeating: "{}", count: n).utf8) + Array("{\"é\": }".utf8)
        do {
            _ = try EventInput.parse(input, name: "<stdin>")
            Issue.record("a broken last value was accepted")
        } catch {
            #expect(error.localizedDescription.hasPrefix("<stdin>:1:\(2 * n + 7):"), "\(error.localizedDescription)")
        }
        let ok = try EventInput.parse(Array(String(repeating: "{} ", count: n).utf8), name: "<stdin>")
        #expect(ok.count == n)
        #expect(ok.last?.location == SourceLocation(file: "<stdin>", line: 1, column: 3 * (n - 1) + 1))
    }

    /// Duplicate keys are found in a set beyond a few members: an object of 200,000 members
    /// (about 2.6 MB) reads in linear time (the limit only stops a quadratic reader).
    @Test(.timeLimit(.minutes(5))) func manyMembersInOneObject() throws {
        let n = 200_000
        let body = (0..<n).map { "\"k\($0)\":\($0)" }.joined(separator: ",")
        let value = try JSONReader().parse(Array(("{" + body + "}").utf8))
        #expect(value.objectValue?.members.count == n)
        // A repeat of an early key, and of a key seen after the set took over, both at the end.
        for (repeated, count) in [("k5", n), ("k100", n), ("k5", 10), ("k0", 32), ("k31", 33)] {
            let members = (0..<count).map { "\"k\($0)\":\($0)" }.joined(separator: ",")
            let text = "{" + members + ",\"\(repeated)\":1}"
            #expect(throws: JSONError.self) { try JSONReader().parse(Array(text.utf8)) }
            let column = text.utf8.count - "\"\(repeated)\":1}".utf8.count + 1
            let m = Self.message { _ = try JSONReader(file: "<in>").parse(Array(text.utf8)) }
            #expect(m?.contains("<in>:1:\(column)") == true && m?.contains("duplicate key \"\(repeated)\"") == true, "\(m ?? "")")
        }
    }

    @Test("columns after multi-byte characters and newlines", arguments: [
        ("{\"a\": \"é\"} {\"b\": }", 18), ("{}\n   {} {\"b\": }", 13), ("{\"s\": \"{\\\"\"}  {\"b\": }", 21),
    ])
    func columns(text: String, column: Int) {
        let m = Self.message { _ = try EventInput.parse(Array(text.utf8), name: "<in>") }
        #expect(m?.contains(":\(column): ") == true, "\(m ?? "")")
    }

    // MARK: 4. Silent acceptance

    @Test func recordRefusesTimeAheadOfClock() throws {
        let f = try PackBuilder.writeSide()
        let now = Timestamp(seconds: 1_790_000_000)  // 2026-09-21
        var r = Recorder(source: f.url.path)
        r.now = now
        let before = f.snapshot()
        let m = Self.message { _ = try r.record(Array(jsonl([ev("x1", time: "2204-01-01T00:00:00Z")]).utf8), inputName: "<input>") }
        #expect(m?.contains("time 2204-01-01T00:00:00Z is ahead of this machine's clock (2026-09-21T") == true, "\(m ?? "")")
        #expect(f.snapshot().filter { !$0.key.hasSuffix(".lock") } == before)
        // Within the skew it is accepted.
        _ = try r.record(Array(jsonl([ev("x2", time: now.adding(seconds: 299).description)]).utf8), inputName: "<input>")
    }

    @Test func aWrongFutureTimeInTheLogDoesNotBlockRecording() throws {
        let f = try PackBuilder.writeSide()
        // A machine whose clock was wrong wrote an event in 2204.
        var wrong = Recorder(source: f.url.path)
        wrong.now = Timestamp(seconds: 7_262_000_000)
        _ = try wrong.record(Array(jsonl([ev("bad", time: "2200-02-01T00:00:00Z")]).utf8), inputName: "<input>")
        // A machine with a right clock can still record, including the correction.
        var right = Recorder(source: f.url.path)
        right.now = Timestamp(seconds: 1_790_000_000)
        let fix = ev("fix", time: "2026-09-21T14:00:00Z", action: "record.modified", subject: ("event", "bad"), [
            ("reason", "recorded with a wrong clock"), ("refs", ["event": "bad"]),
            ("changes", [["field": "time", "old": "2200-02-01T00:00:00Z", "new": "2026-09-21T13:00:00Z"]]),
        ])
        let result = try right.record(Array(jsonl([fix]).utf8), inputName: "<input>")
        #expect(result.lastSeq == 2 && result.wrongTimeInLog == "2200-02-01T00:00:00Z")
        // Earlier than an accepted time by more than the skew is still refused.
        let m = Self.message { _ = try right.record(Array(jsonl([ev("late", time: "2026-09-21T13:00:00Z")]).utf8), inputName: "<input>") }
        #expect(m?.contains("is earlier than the latest time 2026-09-21T14:00:00Z") == true, "\(m ?? "")")
    }

    @Test("registry paths must resolve", arguments: [
        ("docs/missing.md", "does not exist"), ("docs", "is a folder, not a file"),
    ])
    func intendedUseMustResolve(path: String, why: String) throws {
        var p = try PackBuilder.compliant()
        guard case .object(var o) = PackBuilder.model else { return }
        o["intendedUse"] = .string(JSONString(path))
        p.models = [.object(o)]
        _ = p.file("docs/other.md", "# Other\n")
        let m = Self.message { _ = try p.analyze() }
        #expect(m?.hasPrefix("registry/models/m.json:") == true, "\(m ?? "no error")")
        #expect(m?.contains("\"intendedUse\" names \"\(path)\", which \(why)") == true, "\(m ?? "no error")")
    }

    @Test func intendedUseThatResolvesIsAccepted() throws {
        var p = try PackBuilder.compliant()
        guard case .object(var o) = PackBuilder.model else { return }
        o["intendedUse"] = "docs/m/intended-use.md"
        p.models = [.object(o)]
        _ = p.file("docs/m/intended-use.md", "# Intended use\n")
        _ = try p.analyze()
    }

    @Test("drift windows must name a registry model and version", arguments: [
        ("m", "1.0", "\"version\" in drift/w2.json names version \"1.0\" of m, which registry/models/m.json does not list (its versions: \"1\")"),
        ("mm", "1", "\"model\" in drift/w2.json names \"mm\", which has no registry/models/mm.json (registry models: \"m\")"),
    ])
    func driftMustNameRegistryVersion(model: String, version: String, expected: String) throws {
        var p = try PackBuilder.compliant()
        p.drift[1].1 = ["model": .string(JSONString(model)), "version": .string(JSONString(version)),
                        "window": ["start": "2026-01-01T00:10:00Z", "end": "2026-01-01T00:20:00Z"], "metrics": [], "drift": true]
        let m = Self.message { _ = try p.analyze() }
        #expect(m?.hasPrefix("drift/w2.json:\(model == "mm" ? 2 : 3):3: ") == true, "\(m ?? "no error")")
        #expect(m?.contains(expected) == true, "\(m ?? "no error")")
    }

    @Test func productionVersionWithoutAnyWindowIsAGap() throws {
        var p = try PackBuilder.compliant()
        p.drift = []
        let gaps = try p.analyze().findings.filter { $0.rule == .drfGap }
        #expect(gaps.count == 1)
        #expect(gaps.first?.message == "m@1 is in production (stage or production alias) but has no drift window at all: its monitoring is not recorded")
        #expect(gaps.first?.file == "registry/models/m.json")
    }

    @Test("a production alias puts a version in production for DRF-GAP", arguments: [
        (["champion"], true), (["challenger"], false), ([], false),
    ])
    func productionAliasWithoutAnyWindowIsAGap(aliases: [String], gap: Bool) throws {
        var p = try PackBuilder.compliant()
        p.drift = []
        p.models = [[
            "id": "m", "name": "Model M", "owner": "u:owner", "risk": "high",
            "requirements": PackBuilder.model["requirements"] ?? [],
            "versions": [["version": "1", "stage": "staging", "created": "2026-01-01T00:00:00Z", "commit": "abcdef1234",
                          "datasets": ["d@1"], "aliases": .array(aliases.map { .string(JSONString($0)) })]],
        ]]
        let gaps = try p.analyze().findings.filter { $0.rule == .drfGap }
        #expect(gaps.count == (gap ? 1 : 0))
    }

    @Test("an unreadable row of the group spool stops the build instead of being dropped", arguments: [
        "", "{", "[1, 2]", "[\"x\", 1, \"t\", \"a\", \"b\", \"c\"]", "not json",
        "[7, 7, \"t\", \"u:x\", \"model.approved\", \"m@1\"]",  // six members: no subject type and id apart
    ])
    func unreadableSpoolRowIsAnError(line: String) {
        #expect(throws: SpoolError.unreadableRow(group: "actor/u:x")) {
            _ = try AuditIndex.spoolRow(ArraySlice(line.utf8), group: "actor/u:x", locator: EventLocator(pageSize: 500))
        }
    }

    @Test func aReadableSpoolRowBecomesItsRow() throws {
        let line = ArraySlice("[7, 7, \"2026-01-01T00:00:00Z\", \"u:x\", \"model.approved\", \"model\", \"m@1\"]".utf8)
        var locator = EventLocator(pageSize: 500)
        for p in Int64(1)...7 { locator.observe(position: p, seq: p) }
        let row = try AuditIndex.spoolRow(line, group: "actor/u:x", locator: locator)
        #expect(row["seq"]?.interpolationText == "7" && row["action"]?.interpolationText == "model.approved")
        #expect(row["subject"]?.interpolationText == "model m@1" && row["subjectId"]?.interpolationText == "m@1")
    }

    @Test func compliantPackHasNoGap() throws {
        let p = try PackBuilder.compliant()
        #expect(try p.analyze().findings.filter { $0.rule == .drfGap }.isEmpty)
    }

    // MARK: 5. Output hygiene

    @Test("links are checked after percent-decoding", arguments: [
        "java%0ascript:alert(1)", "java%0Ascript:alert(1)", "%6Aavascript:alert(1)", "javascript%3Aalert(1)", "%20javascript:x",
    ])
    func percentEncodedSchemes(url: String) {
        let html = Markdown.html("[l](\(url))")
        #expect(html.contains("<a href=\"\">l</a>"), "\(html)")
        #expect(Markdown.commonmark("[l](\(url))").contains("[l]()"))
    }

    @Test func ordinaryLinksSurvivePercentDecoding() {
        #expect(Markdown.html("[l](docs/a%20b.md)").contains("href=\"docs/a%20b.md\""))
        #expect(Markdown.html("[l](https://example.com/%41)").contains("href=\"https://example.com/%41\""))
    }

    @Test func controlCharactersAreShownAsText() {
        #expect(Escape.visibleControls("a\u{0}b\u{1B}[1mc\td\ne\u{7F}\r") == "aU+0000bU+001B[1mc\td\neU+007FU+000D")
        #expect(Escape.visibleControls("plain é\n") == "plain é\n")
    }

    /// Characters that reorder or hide text are shown as text: an id with a right-to-left
    /// override could otherwise display as another id ("Trojan Source").
    @Test(arguments: [
        ("u:mallory\u{202E}gnp.exe", "u:malloryU+202Egnp.exe"),
        ("a\u{202A}b\u{202B}c\u{202C}d\u{202D}e", "aU+202AbU+202BcU+202CdU+202De"),
        ("x\u{2066}y\u{2067}z\u{2068}w\u{2069}", "xU+2066yU+2067zU+2068wU+2069"),
        ("lrm\u{200E}rlm\u{200F}alm\u{061C}", "lrmU+200ErlmU+200FalmU+061C"),
        ("Quinn\u{200B} QA\u{FEFF}", "QuinnU+200B QAU+FEFF"),
        ("c1\u{85}\u{9F}", "c1U+0085U+009F"),
        // Every other invisible (format or default-ignorable) character, as the probe found them
        // shown raw: joiners, word joiner, soft hyphen, grapheme joiner, variation selector, tag,
        // Hangul filler, line separator.
        ("zwj\u{200D}zwnj\u{200C}wj\u{2060}shy\u{AD}cgj\u{34F}", "zwjU+200DzwnjU+200CwjU+2060shyU+00ADcgjU+034F"),
        ("vs\u{FE0F}tag\u{E0041}fill\u{3164}ls\u{2028}mvs\u{180E}", "vsU+FE0FtagU+E0041fillU+3164lsU+2028mvsU+180E"),
        // Ordinary characters with the same lead bytes stay as they are.
        ("en – dash … ✖ → \u{A0}© ؛ 日本 ü ß 😀", "en – dash … ✖ → \u{A0}© ؛ 日本 ü ß 😀"),
        ("cut at the end \u{E2}", "cut at the end \u{E2}"),
    ])
    func textDirectionAndInvisibleCharactersAreShownAsText(_ input: String, _ shown: String) {
        #expect(Escape.visibleControls(input) == shown)
    }

    @Test func noControlCharacterReachesAPage() throws {
        var f = try PackBuilder.sample()
        try f.event("dataset.curated", actor: "u:ds", subject: ["type": "dataset", "id": "d\u{0}x"], reason: "nul\u{0} esc\u{1B}[31m del\u{7F}")
        try f.event("dataset.curated", actor: "u:mallory\u{202E}gnp.exe", subject: ["type": "dataset", "id": "d"], reason: "rlo")
        f.file("docs/sepsis-risk/intended-use.md", "# Use\n\nbell\u{7} [l](java%0ascript:alert(1)) <b>raw</b>\n\n<div>block</div>\n")
        try f.write()
        let out = f.dir.path("site")
        try SiteBuilding.build(f.url, out: out)
        var shown = false
        // Pages, not evidence: evidence/ holds byte-exact copies of the source files (hashed).
        for page in try SiteChecks.files(out) where (page.hasSuffix(".html") || page.hasSuffix(".md")) && !page.hasPrefix("evidence/") {
            let bytes = try Data(contentsOf: out.appendingPathComponent(page))
            #expect(!bytes.contains { Escape.isHiddenControl($0) }, "\(page) holds a raw control character")
            #expect(!String(decoding: bytes, as: UTF8.self).unicodeScalars.contains { $0.value == 0x202E }, "\(page) holds a raw RLO")
            if String(decoding: bytes, as: UTF8.self).contains("nulU+0000 escU+001B") { shown = true }
        }
        #expect(shown)
        let model = SiteChecks.text(out, "models/sepsis-risk/index.html")
        #expect(model.contains("bellU+0007"))
        #expect(!model.contains("java%0ascript"))
        // Raw HTML stays inert in the Markdown twin: fenced or escaped, never live.
        let twin = SiteChecks.text(out, "models/sepsis-risk/index.md")
        #expect(!twin.contains("<b>raw</b>") || twin.contains("```"), "\(twin)")
        #expect(!twin.contains("java%0ascript"))
    }

    /// Evidence a browser would open as an active document (an HTML report with a script, an
    /// SVG) is copied with its digest checked but never linked from a page, in the trail, the
    /// traceability matrix or a narrative document: a page the site did not render cannot be
    /// reached through a genuine link. Other evidence is linked as before.
    @Test func evidenceThatABrowserWouldRunIsNotLinked() throws {
        var f = try PackBuilder.compliant()
        let html = f.file("artifacts/tests/report.html", "<script>document.title='SCRIPT RAN'</script><h1>✔ Inspection-ready</h1>")
        let svg = f.file("artifacts/tests/chart.SVG", "<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>")
        let json = f.file("artifacts/tests/report.json", "{}")
        let spaced = f.file("artifacts/tests/my report.json", "[]")
        try f.event("test.executed", actor: "svc:ci", service: true, subject: ["type": "test", "id": "T3"],
                    refs: ["model": "m@1", "requirements": ["R1"], "artifacts": [
                        ["path": "artifacts/tests/report.html", "sha256": .string(JSONString(html))],
                        ["path": "artifacts/tests/chart.SVG", "sha256": .string(JSONString(svg))],
                        ["path": "artifacts/tests/report.json", "sha256": .string(JSONString(json))],
                        ["path": "artifacts/tests/my report.json", "sha256": .string(JSONString(spaced))]]],
                    data: ["result": "pass"])
        var m = try #require(PackBuilder.model.objectValue)
        m["intendedUse"] = "docs/m/intended-use.md"
        f.models = [.object(m)]
        f.file("docs/m/intended-use.md", "# Use\n\nSee [the report](../../artifacts/tests/report.html) and [the data](../../artifacts/tests/report.json).\n")
        let out = try ComplianceSiteTests.build(f)
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("evidence/artifacts/tests/report.html").path))
        var pages = 0
        for page in try SiteChecks.files(out) where (page.hasSuffix(".html") || page.hasSuffix(".md")) && !page.hasPrefix("evidence/") {
            let text = SiteChecks.text(out, page)
            #expect(!text.contains("artifacts/tests/report.html)") && !text.contains("artifacts/tests/report.html\""), "\(page) links the HTML evidence")
            #expect(!text.contains("artifacts/tests/chart.SVG)") && !text.contains("artifacts/tests/chart.SVG\""), "\(page) links the SVG evidence")
            if text.contains("artifacts/tests/report.html") { pages += 1 }
        }
        #expect(pages > 0)
        let trail = try SiteChecks.files(out).filter { $0.hasPrefix("audit/page-") && $0.hasSuffix(".html") }
            .map { SiteChecks.text(out, $0) }.joined()
        #expect(trail.contains(Escape.html(Evidence.notLinked)))
        #expect(trail.contains("href=\"../evidence/artifacts/tests/report.json\""))
        // A name with a space is encoded once, in both formats.
        #expect(trail.contains("href=\"../evidence/artifacts/tests/my%20report.json\""))
        let twins = try SiteChecks.files(out).filter { $0.hasPrefix("audit/page-") && $0.hasSuffix(".md") }
            .map { SiteChecks.text(out, $0) }.joined()
        #expect(twins.contains("(../evidence/artifacts/tests/my%20report.json)") && !twins.contains("%2520"))
        #expect(try Trailpack.verify(source: out.path, trust: nil).findings.filter { $0.rule == .intSite || $0.rule == .intArtifact }.isEmpty)
    }

    // MARK: v1.1 fields: occurred and refs.source

    static let occurredCases: [(occurred: JSONValue, finding: String?)] = [
        ("2025-12-01T09:00:00Z", nil),
        ("2026-01-01T00:14:00Z", nil),
        ("2026-01-01T09:00:00", "occurred \"2026-01-01T09:00:00\" has no UTC offset"),
        ("last week", "occurred \"last week\" is not an RFC 3339 date-time"),
        ("2026-01-02T00:00:00Z", "occurred 2026-01-02T00:00:00Z is later than the event's time 2026-01-01T00:13:00Z by more than 300 s"),
    ]

    @Test("INT-TIME checks occurred", arguments: occurredCases)
    func occurredIsChecked(occurred: JSONValue, finding: String?) throws {
        var p = try PackBuilder.compliant()
        try p.event("dataset.curated", actor: "u:ds", subject: ["type": "dataset", "id": "d"])
        p.events[p.events.count - 1]["occurred"] = occurred
        let times = try p.analyze().findings.filter { $0.rule == .intTime }.map(\.message)
        if let finding {
            #expect(times.count == 1 && times.first?.hasPrefix(finding) == true, "\(times)")
        } else {
            #expect(times.isEmpty, "\(times)")
        }
    }

    @Test func refsSourceIsReadAndChecked() throws {
        let digest = String(repeating: "ab", count: 32)
        var o = ev("x1", [("refs", ["source": ["system": "mlflow", "uri": "sqlite:///mlflow.db", "id": "m/1", "sha256": .string(JSONString(digest))]])])
        o["seq"] = 1; o["prev"] = .string(JSONString(EventHashing.zeroHash)); o["hash"] = .string(JSONString(EventHashing.zeroHash))
        let e = Event(o)
        #expect(e.refs.source == SourceRef(system: "mlflow", uri: "sqlite:///mlflow.db", id: "m/1", sha256: digest))
        #expect(e.shapeProblems.isEmpty)
        o["refs"] = ["source": ["system": "mlflow", "id": "m/1"]]
        #expect(Event(o).shapeProblems.contains { $0.hasPrefix("\"refs.source\" must be an object") })
        o["refs"] = ["source": ["system": "mlflow", "uri": "", "id": "m/1", "sha256": "ABC"]]
        #expect(Event(o).shapeProblems == ["\"refs.source.sha256\" must be 64 lowercase hex digits"])
    }

    @Test func recordChecksOccurred() throws {
        let f = try PackBuilder.writeSide()
        let late = ev("x1", time: "2026-03-01T10:00:00Z", [("occurred", "2026-03-01T11:00:00Z")])
        let m = Self.message { try f.record([late]) }
        #expect(m?.contains("field \"occurred\" 2026-03-01T11:00:00Z is later than \"time\" 2026-03-01T10:00:00Z") == true, "\(m ?? "")")
        let bad = ev("x2", time: "2026-03-01T10:00:00Z", [("occurred", "2026-03-01")])
        #expect(Self.message { try f.record([bad]) }?.contains("field \"occurred\" \"2026-03-01\" is not an RFC 3339 date-time") == true)
        let digest = String(repeating: "0f", count: 32)
        let imported = ev("x3", time: "2026-03-01T10:00:00Z", [("occurred", "2026-02-01T08:00:00Z"),
            ("refs", ["source": ["system": "git", "uri": "https://example.com/r.git", "id": "abc", "sha256": .string(JSONString(digest))]])])
        try f.record([imported])
        #expect(try f.verify().findings.isEmpty)
    }

    // MARK: 6. Messages

    @Test func aFolderThatIsNotAPackGetsOurMessage() throws {
        let dir = try TempDir()
        let m = Self.message { _ = try Trailpack.verify(source: dir.url.path, trust: nil) }
        let absolute = dir.url.standardizedFileURL.appendingPathComponent("trailpack.json").path
        #expect(m?.contains("\(absolute): no such file; give the path of a pack source") == true, "\(m ?? "")")
        #expect(m?.contains("could not be completed") == false)
        try FileManager.default.createDirectory(at: dir.url.appendingPathComponent("trailpack.json"), withIntermediateDirectories: true)
        let m2 = Self.message { _ = try Trailpack.verify(source: dir.url.path, trust: nil) }
        #expect(m2?.contains("\(absolute): is a folder, not a file") == true, "\(m2 ?? "")")
    }

    @Test func missingTrustListGetsOurMessage() throws {
        let m = Self.message { _ = try TrustList(path: "/nonexistent-trailpack/trust.txt") }
        #expect(m == "/nonexistent-trailpack/trust.txt: cannot be read: /nonexistent-trailpack/trust.txt: no such file: its folder "
                + "/nonexistent-trailpack does not exist either; give --trust the path of a trust list (one key fingerprint per line)")
    }

    @Test func textFindingsCarryTheirFix() throws {
        var p = try PackBuilder.compliant()
        p.drift = []
        try p.write()
        let text = try Trailpack.verify(source: p.url.path, trust: nil).text
        let lines = text.split(separator: "\n").map(String.init)
        let gap = try #require(lines.firstIndex { $0.contains("[DRF-GAP]") })
        #expect(lines[gap + 1] == "  fix: " + RuleID.drfGap.rule.remedy)
    }

    @Test("plurals", arguments: [(0, "0 windows"), (1, "1 window"), (2, "2 windows")])
    func plurals(n: Int, text: String) {
        #expect(ReleaseDiff.plural(n, "window") == text)
    }

    @Test func oneWindowIsSingular() throws {
        var p = try PackBuilder.compliant()
        p.drift = Array(p.drift.prefix(1))
        let out = try ComplianceSiteTests.build(p)
        #expect(SiteChecks.text(out, "index.html").contains("1 window,<br>"))
        #expect(SiteChecks.text(out, "index.md").contains("| 1 window, "))
        #expect(!SiteChecks.text(out, "index.html").contains("1 windows"))
    }

    @Test func keygenAdviceFitsACheckpointKey() throws {
        let dir = try TempDir()
        let cli = try DiffOutputTests.run(["keygen", "cp", "--out", dir.url.path])
        #expect(cli.status == 0)
        #expect(cli.out.contains("a checkpoint key (`trailpack checkpoint --key`): nothing more; it signs checkpoints, not events"))
        #expect(cli.out.contains("a signing key (a person's or a service's): record a key.registered event naming its owner"))
    }
}
