import Foundation
import Testing
@testable import TrailpackCore

/// `Recorder.chain` serializes each event once and splices `seq`, `prev` and `hash` in; the hash
/// input and the line must be exactly the JCS of the event, whatever keys sort around them.
struct RecordChainTests {
    static let hex = String(repeating: "ab", count: 32)

    @Test(arguments: [
        #"{"id": "x", "action": "a.b"}"#,
        #"{"action": "a", "data": {"hash": 1, "zz": [1, 2.5, "é"]}, "zeta": true, "é": null, "hasg": 1, "hasi": 2, "prex": 0, "sez": 1}"#,
        #"{"a": 1}"#,
        #"{"zzz": "last", "h": 0}"#,
        #"{"ü": "non-ASCII key after hash", "Ω": 1, "data": {"n": 1e2, "m": -0.5}}"#,
        #"{"\u0000ctl": 1, "id": "escaped key: the scanner declines, the slow path decides"}"#,
        #"{"😀": "outside the BMP", "id": "y"}"#,
        #"{"signature": {"sig": "x"}, "subject": {"id": "s"}, "time": "t", "refs": {}, "reason": "r", "occurred": "o"}"#,
    ])
    func theSplicedLineIsTheCanonicalFormWithSeqPrevAndHash(_ text: String) throws {
        let object = try #require(try JSONReader().parse(Array(text.utf8)).objectValue)
        var full = object
        full["seq"] = .integer(9_007_199_254_740_993)
        full["prev"] = JSONValue(String(repeating: "cd", count: 32))
        let seqText = JCS.serialize(.integer(9_007_199_254_740_993))
        let prevText = JCS.serialize(JSONValue(String(repeating: "cd", count: 32)))
        let hashInput = EventHashing.hashInput(full)
        full["hash"] = JSONValue(Self.hex)
        let expected = JCS.serialize(.object(full))
        if let plan = Recorder.SplicePlan(JCS.serialize(.object(object))) {
            #expect(plan.splice(hash: nil, prev: prevText, seq: seqText) == hashInput)
            #expect(plan.splice(hash: JCS.serialize(JSONValue(Self.hex)), prev: prevText, seq: seqText) == expected,
                    "\(String(decoding: plan.splice(hash: JCS.serialize(JSONValue(Self.hex)), prev: prevText, seq: seqText), as: UTF8.self))")
        } else {
            // Declined only for what the fast scanner leaves to the full reader (escaped or
            // non-ASCII keys); `chain` then serializes and reads back the slow way.
            #expect(text.contains("\\u0000") || !text.utf8.allSatisfy { $0 < 0x80 }, "declined: \(text)")
        }
    }

    @Test func recordedEventsVerifyAndCarryTheirHash() throws {
        let p = try PackBuilder.writeSide()
        try p.record("""
            {"id": "e1", "time": "2026-11-01T09:00:00Z", "actor": {"id": "u:a"}, "action": "config.changed", "subject": {"type": "config", "id": "c"}, "data": {"ü": 1.25, "zz": "x"}}
            {"id": "e2", "time": "2026-11-01T09:01:00Z", "actor": {"id": "u:a"}, "action": "config.changed", "subject": {"type": "config", "id": "c"}, "data": {"😀": [1, 2]}}

            """)
        let lines = try p.recordedLines()
        #expect(lines.count == 2)
        for line in lines {
            let o = try #require(try JSONReader().parse(Array(line.utf8)).objectValue)
            #expect(JCS.serialize(.object(o)) == Array(line.utf8))
            #expect(o["hash"]?.stringValue == EventHashing.hash(o).hex)
        }
        #expect(try p.verify().findings.isEmpty)
    }
}
