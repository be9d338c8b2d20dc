import Foundation
import Testing
@testable import TrailpackCore

/// Ids, times and digests as the pages mark them (issue 13 item 3): which data values are
/// digests or times, the short form of a digest, a time split into the UTC instant and the
/// recorded offset, and the times and digests inside a finding's message.
struct TokensTests {
    @Test func dataValuesAreDigestsTimesOrPlain() {
        let hex = String(repeating: "ab12", count: 16)
        #expect(Tokens.dataKind(.string(JSONString(hex))) == .digest)
        #expect(Tokens.dataKind(.string(JSONString("sha256:" + hex))) == .digest)
        #expect(Tokens.dataKind(.string(JSONString("2026-05-07T00:00:00.000Z"))) == .time)
        #expect(Tokens.dataKind(.string(JSONString("2026-05-07"))) == .plain)
        #expect(Tokens.dataKind(.string(JSONString(String(hex.prefix(31))))) == .plain, "too short for a digest")
        #expect(Tokens.dataKind(.string(JSONString(hex.uppercased()))) == .plain, "digests are lowercase hex")
        #expect(Tokens.dataKind(.string(JSONString("mlflow:" + String(hex.prefix(32))))) == .plain, "an id with a hex part")
        #expect(Tokens.dataKind(.integer(12)) == .plain)
        #expect(Tokens.short(hex) == "ab12ab12ab12…")
        #expect(Tokens.short("abc") == "abc")
    }

    @Test func aTimeIsTheUTCInstantWithTheRecordedOffsetBesideIt() {
        let t = TV.time("2026-01-05T07:02:59.855+01:00")
        #expect(t["utc"] == .string("2026-01-05 06:02:59Z"))
        #expect(t["offset"] == .string("+01:00"))
        #expect(t["text"] == .string("2026-01-05 06:02:59Z (+01:00)"))
        #expect(TV.time("2026-01-05T06:02:59Z")["offset"] == .null)
        #expect(TV.time(nil) == .null)
        var h = SafeHTML()
        EventRows.time("2026-01-05T07:02:59.855+01:00", &h)
        #expect(String(decoding: h.bytes, as: UTF8.self) == "<time>2026-01-05 06:02:59Z</time> (+01:00)")
    }

    @Test func timesAndDigestsInAMessageAreMarkedAndTheRestEscaped() {
        let digest = String(repeating: "0a", count: 32)
        let message = "recorded hash \(digest) differs <script>x</script> at 2026-01-01T00:15:00Z & 2026-01-05 06:02:59Z; seq 1234567890123456"
        let f = Tokens.marked(message)
        let html = String(decoding: f.html.bytes, as: UTF8.self)
        #expect(html == "recorded hash <span class=\"digest\">\(digest)</span> differs &lt;script&gt;x&lt;/script&gt; at "
                + "<time>2026-01-01T00:15:00Z</time> &amp; <time>2026-01-05 06:02:59Z</time>; seq 1234567890123456")
        #expect(f.markdown == SafeMarkdown(escaping: message))
        // A hex run inside a longer word is not a digest.
        let word = "x" + digest
        #expect(String(decoding: Tokens.marked(word).html.bytes, as: UTF8.self) == word)
    }
}
