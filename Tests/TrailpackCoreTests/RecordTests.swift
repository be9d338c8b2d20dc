import Foundation
import Testing
@testable import TrailpackCore

struct RecordTests {
    @Test func recordOneThenABatchVerifiesClean() throws {
        let f = try PackBuilder.writeSide()
        // A pretty-printed single object, as a person or a script might write it.
        let one = try f.record("""
            {
              "id": "evt-1",
              "time": "2026-03-01T09:00:00Z",
              "actor": {"id": "u:tnguyen", "name": "T. Nguyen", "kind": "person"},
              "action": "model.trained",
              "subject": {"type": "model", "id": "m", "version": "1"},
              "refs": {"datasets": ["d@1"], "commit": "9b1e2f0", "run": "mlflow:1"},
              "data": {"metrics": {"auroc": 0.84, "n": 12000, "tags": ["a", "é", "\\u0001"]}}
            }
            """)
        #expect(one == RecordResult(appended: 1, firstSeq: 1, lastSeq: 1, treeSize: 1, segment: "audit/000001.jsonl", signed: 0))
        // A JSON Lines batch, keys in any order, CRLF line ends.
        var batch = ""
        for i in 2...6 {
            batch += "{\"subject\": {\"id\": \"repo\", \"type\": \"code\"}, \"action\": \"code.changed\", \"id\": \"evt-\(i)\", "
                + "\"time\": \"2026-03-01T10:0\(i):00+01:00\", \"actor\": {\"id\": \"u:dev\"}, \"refs\": {\"commit\": \"abc\(i)\"}}\r\n"
        }
        let more = try f.record(batch)
        #expect(more == RecordResult(appended: 5, firstSeq: 2, lastSeq: 6, treeSize: 6, segment: "audit/000001.jsonl", signed: 0))

        let lines = try f.recordedLines()
        #expect(lines.count == 6)
        var prev = EventHashing.zeroHash
        for (i, l) in lines.enumerated() {
            let v = try JSONReader().parse(Array(l.utf8))
            #expect(JCS.serialize(v) == Array(l.utf8), "line \(i + 1) is canonical")
            #expect(v["seq"] == .integer(Int64(i + 1)))
            #expect(v["prev"]?.stringValue == prev)
            prev = v["hash"]?.stringValue ?? ""
        }
        let report = try f.verify()
        #expect(integrityFindings(report).isEmpty, "\(report.findings.map(\.textLine))")
        #expect(report.integrity.treeSize == 6)
    }

    @Test func dryRunChecksEverythingAndWritesNothing() throws {
        let f = try PackBuilder.writeSide()
        func dry(_ events: [JSONObject]) throws -> RecordResult {
            try Trailpack.record(source: f.url.path, input: Array(jsonl(events).utf8), inputName: "<dry>", signKey: nil, dryRun: true)
        }
        // Into a pack without an audit folder: nothing is created.
        let first = try dry([ev("d1"), ev("d2")])
        #expect(first.appended == 2 && first.firstSeq == 1 && first.lastSeq == 2 && first.treeSize == 2)
        #expect(first.segment == "audit/\(Trailpack.firstSegmentName)")
        #expect(!FileManager.default.fileExists(atPath: f.url.appendingPathComponent("audit").path))
        try f.record([ev("a1"), ev("a2"), ev("a3")])
        let before = f.snapshot()
        let later = try dry([ev("d1", time: "2026-03-01T10:00:01Z")])
        #expect(later.firstSeq == 4 && later.treeSize == 4 && later.segment == "audit/\(Trailpack.firstSegmentName)")
        #expect(f.snapshot() == before)
        // The checks against the log still refuse: a used id, a time too far back.
        #expect(throws: RecordError.self) { try dry([ev("a2")]) }
        #expect(throws: RecordError.self) { try dry([ev("d9", time: "2026-01-01T00:00:00Z")]) }
        #expect(f.snapshot() == before)
        // The same event for real gets the seq the dry run named.
        #expect(try f.record([ev("d1", time: "2026-03-01T10:00:01Z")]).firstSeq == later.firstSeq)
    }

    @Test func createsTheAuditFolderAndFirstSegment() throws {
        let f = try PackBuilder.writeSide()
        #expect(!FileManager.default.fileExists(atPath: f.url.appendingPathComponent("audit").path))
        try f.record(jsonl([ev("a")]))
        #expect(try f.recordedLines().count == 1)
        // The lock file is not a segment.
        #expect(try AuditStore(source: f.url).segments.map(\.name) == ["000001.jsonl"])
    }

    @Test func appendsToTheLastSegmentInByteOrder() throws {
        let f = try PackBuilder.writeSide()
        try f.record(jsonl([ev("a"), ev("b")]))
        // A new, empty segment that sorts last takes the next events.
        try f.dir.write("audit/000002.jsonl", "")
        try f.record(jsonl([ev("c")]))
        #expect(try f.recordedLines("audit/000002.jsonl").count == 1)
        let r = try f.record(jsonl([ev("d")]))
        #expect(r.segment == "audit/000002.jsonl" && r.lastSeq == 4 && r.treeSize == 4)
        let report = try f.verify()
        #expect(integrityFindings(report).isEmpty && report.integrity.treeSize == 4)
    }

    @Test func recordsSignedEventsThatVerify() throws {
        var f = try PackBuilder.writeSide()
        try f.installKey("mkrause")
        try f.record([keyRegistered("reg", key: "mkrause", owner: "u:mkrause")])
        let signed = ev("appr", action: "model.approved", actor: "u:mkrause", subject: ("model", "m"),
                        [("signature", signatureBlock("u:mkrause", key: "mkrause"))])
        let r = try f.record([signed], signKey: "mkrause")
        #expect(r.signed == 1)
        let line = try #require(try f.recordedLines().last)
        let sig = try JSONReader().parse(Array(line.utf8))["signature"]
        #expect(sig?["alg"]?.stringValue == "ed25519")
        #expect(sig?["sig"]?.stringValue?.count == 88)
        let report = try f.verify()
        #expect(integrityFindings(report).isEmpty, "\(report.findings.map(\.textLine))")
    }

    @Test func keyRegistrationEarlierInTheSameInputCounts() throws {
        var f = try PackBuilder.writeSide()
        try f.installKey("qa")
        let r = try f.record([
            keyRegistered("reg", key: "qa", owner: "u:qa"),
            ev("rev", action: "model.approved", actor: "u:qa", subject: ("model", "m"), [("signature", signatureBlock("u:qa", key: "qa", meaning: "review"))]),
        ], signKey: "qa")
        #expect(r.appended == 2 && r.signed == 1)
        #expect(integrityFindings(try f.verify()).isEmpty)
    }

    @Test func acceptsASignatureMadeElsewhere() throws {
        var f = try PackBuilder.writeSide()
        try f.installKey("ext")
        try f.record([keyRegistered("reg", key: "ext", owner: "u:ext")])
        var e = ev("x", actor: "u:ext", [("signature", signatureBlock("u:ext", key: "ext"))])
        guard case .object(var sig)? = e["signature"] else { Issue.record("no signature"); return }
        sig["alg"] = JSONValue("ed25519")
        e["signature"] = .object(sig)
        let key = try Trailpack.loadPrivateKey(f.privateKey("ext"))
        sig["sig"] = JSONValue(Data(try key.sign(message: EventHashing.signatureMessage(e))).base64EncodedString())
        e["signature"] = .object(sig)
        // No --sign-key: the given sig is verified and kept as is.
        let r = try f.record([e])
        #expect(r.signed == 0)
        let stored = try JSONReader().parse(Array(try #require(try f.recordedLines().last).utf8))
        #expect(stored["signature"]?["sig"] == sig["sig"])
        #expect(integrityFindings(try f.verify()).isEmpty)
    }

    @Test func idsCompareByteWise() throws {
        let f = try PackBuilder.writeSide()
        // "é" precomposed and decomposed are canonically equivalent but different ids.
        try f.record(jsonl([ev("caf\u{E9}")]))
        let r = try f.record("{\"id\": \"cafe\\u0301\", \"time\": \"2026-03-01T10:00:00Z\", \"actor\": {\"id\": \"u:dev\"}, "
                             + "\"action\": \"code.changed\", \"subject\": {\"type\": \"code\", \"id\": \"r\"}}\n")
        #expect(r.treeSize == 2)
        #expect(integrityFindings(try f.verify()).isEmpty)
    }

    @Test func refusesAFolderThatIsNotAPackSource() throws {
        let dir = try TempDir()
        #expect(throws: SourceError.self) {
            try Trailpack.record(source: dir.path("missing").path, input: Array(jsonl([ev("a")]).utf8), inputName: "<input>", signKey: nil)
        }
        #expect(throws: SourceError.self) {
            try Trailpack.record(source: dir.url.path, input: Array(jsonl([ev("a")]).utf8), inputName: "<input>", signKey: nil)
        }
    }

    @Test func refusesAnUnusableSignKey() throws {
        let f = try PackBuilder.writeSide()
        try f.outside.write("bad.key", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")
        let error = #expect(throws: RecordError.self) { try f.record(jsonl([ev("a")]), signKey: "bad") }
        #expect(error?.localizedDescription.contains("cannot use the private key") == true)
        #expect(f.snapshot().isEmpty)
    }
}
