import Foundation
import Testing
@testable import TrailpackCore

/// An incremental build parses a second time only the events it renders or needs
/// (``TrailSelection``), and its site is still byte for byte a clean build's.
@Suite("Trail selection")
struct TrailSelectionTests {
    typealias Inc = IncrementalBuildTests

    /// The event at `position` of the log (1-based, across segments), parsed.
    static func event(_ source: URL, at position: Int) throws -> Event {
        let audit = source.appendingPathComponent("audit")
        let names = try FileManager.default.contentsOfDirectory(atPath: audit.path).filter { $0.hasSuffix(".jsonl") }.sorted()
        var n = 0
        for name in names {
            let text = try String(contentsOf: audit.appendingPathComponent(name), encoding: .utf8)
            for line in text.split(separator: "\n") {
                n += 1
                if n == position { return try #require(AuditTrail.parse(line: ArraySlice(Array(line.utf8)), number: n)) }
            }
        }
        throw CancellationError()
    }

    @Test func aRebuildReadsAgainOnlyWhatItNeedsAndEqualsACleanBuild() throws {
        let tmp = try TempDir()
        let (source, site) = try Inc.packAndSite(tmp)
        let before = try Inc.build(source, site)
        #expect(before.keptPages == before.eventPages)
        let total = Int64(before.verifyReport.integrity.treeSize)
        // Nothing new: only what the GxP view, findings and links need is read again.
        #expect(before.linesReadAgain > 0 && before.linesReadAgain < total)

        // A service's event that refers to an event of a kept page (its row links to that
        // event's anchor, so the old event must be found), by a service seen once before far
        // back (its group's last page reaches back), and a new action.
        // An event that nothing else gets parsed for: a service's, unsigned, of an action the GxP
        // view does not list.
        let (at, old) = try #require((81...120).lazy.compactMap { p -> (Int, Event)? in
            guard let e = try? Self.event(source, at: p), e.actor.isService, e.signature == nil,
                  !GxPView.actions.contains(e.action), !GxPView.verbs.contains(where: { e.action.hasSuffix($0) }) else { return nil }
            return (p, e)
        }.first)
        let id = try #require(old.id?.string)
        try Inc.append(source, [
            Inc.note(1, actor: "svc:rare", action: "monitoring.rare"),
            Inc.note(2, action: "monitoring.heartbeat", extra: #","refs":{"event":"\#(id)"}"#),
        ])
        let after = try Inc.expectSameAsClean(tmp, source, site)
        #expect(after.keptPages > 0 && after.keptPages < after.eventPages)
        #expect(after.linesReadAgain < Int64(after.verifyReport.integrity.treeSize))
        // The new event's row links to the old one's anchor on its own page.
        let last = (after.verifyReport.integrity.treeSize - 1) / Inc.pageSize + 1
        let page = SiteChecks.text(site, String(format: "audit/page-%04d.html", last))
        #expect(page.contains("page-0003.html#e\(at)"))

        // The same events appended again elsewhere in time: still the clean build's site.
        try Inc.append(source, (3...60).map { Inc.note($0, actor: $0 % 7 == 0 ? "svc:rare" : "svc:nightly") })
        let more = try Inc.expectSameAsClean(tmp, source, site)
        #expect(more.linesReadAgain < Int64(more.verifyReport.integrity.treeSize))
        // A clean build reads every line again.
        let clean = try Inc.build(source, tmp.path("full"), incremental: false)
        #expect(clean.linesReadAgain == Int64(clean.verifyReport.integrity.treeSize))
    }

    @Test(arguments: [
        "2026-01-31T23:59:59Z", "2026-02-01T00:00:00Z", "2024-02-29T12:00:00Z", "2024-03-01T00:00:00+01:00",
        "1969-12-31T23:59:59Z", "1970-01-01T00:00:00Z", "2026-12-31T23:59:59.999Z", "2027-01-01T00:00:00Z",
    ])
    func theMonthOfAnEventIsItsTimesMonthKey(_ text: String) throws {
        // Figures noted in order, the month remembered from one event to the next.
        var figures = TrailFigures(pageSize: 2)
        let times = ["2026-01-15T00:00:00Z", text, "2026-02-15T00:00:00Z", text]
        for (i, t) in times.enumerated() {
            var e = Event(JSONObject([JSONMember(key: "time", value: JSONValue(t))]))
            e.timeText = t
            figures.note(position: Int64(i + 1), event: e)
        }
        guard case .valid(let ts) = Timestamp.parse(text) else { throw CancellationError() }
        let key = ts.monthKey
        let expected = (["2026-01", "2026-02"].contains(key) ? 1 : 0) + 2
        #expect(figures.months[key]?.events == expected)
        #expect(figures.months.values.reduce(0) { $0 + $1.events } == 4)
    }

    @Test func theIdFilterIsFNV1a() {
        #expect(TrailFacts.hash([UInt8]()) == 2_166_136_261)
        #expect(TrailFacts.hash(Array("a".utf8)) == 0xE40C_292C)
        #expect(TrailFacts.hash(Array("foobar".utf8)) == 0xBF9C_F968)
    }
}
