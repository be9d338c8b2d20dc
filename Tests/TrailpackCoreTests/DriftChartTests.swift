import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import TrailpackCore

struct DriftChartTests {
    static func t(_ text: String) -> Timestamp {
        guard case .valid(let t) = Timestamp.parse(text) else { return Timestamp(seconds: 0) }
        return t
    }

    /// Weekly windows from 2026-03-02 with the given values and breaches.
    static func weekly(_ values: [(Double, Bool)]) -> [DriftChart.Point] {
        values.enumerated().compactMap { i, v in
            let start = t("2026-03-02T00:00:00Z").adding(seconds: Int64(i) * 7 * 86400)
            return DriftChart.Point(windowStart: start, windowEnd: start.adding(seconds: 7 * 86400), value: v.0, breach: v.1)
        }
    }

    /// Every match of the first capture group of `pattern`.
    static func captures(_ pattern: String, in text: String) throws -> [String] {
        let re = try NSRegularExpression(pattern: pattern)
        return re.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { m in
            Range(m.range(at: 1), in: text).map { String(text[$0]) }
        }
    }

    static func count(_ needle: String, in text: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }

    /// Whether the SVG is well-formed XML.
    static func wellFormed(_ svg: String) -> Bool {
        #if canImport(FoundationXML) || canImport(Darwin)
        return XMLParser(data: Data(svg.utf8)).parse()
        #else
        return true
        #endif
    }

    static let cases: [(String, [(Double, Bool)], Double?, DriftChart.Direction)] = [
        ("psi of lactate", [(0.12, false), (0.31, true), (0.18, false), (0.2, true), (0.05, false)], 0.2, .max),
        ("K-S p_value of age", [(2.4278206754998463e-19, true), (0.12122695053622792, false), (0.6621198615134749, false)], 0.05, .min),
        ("single point", [(0.42, true)], 0.4, .max),
        ("all equal", [(0.3, false), (0.3, false), (0.3, false)], nil, .max),
        ("negative values", [(-1.5, true), (-0.25, false), (0.75, false), (-3, true)], -1, .min),
        ("no threshold", [(1234.5, false), (99.125, true)], nil, .min),
        ("<script>alert(1)</script> & 'quotes'", [(0, false), (1e-9, true)], 1e-10, .max),
    ]

    @Test("data-value numbers equal the table's; breach markers equal breach rows; threshold iff given",
          arguments: 0..<cases.count)
    func numbersMatch(index: Int) throws {
        let (title, values, threshold, direction) = Self.cases[index]
        let points = Self.weekly(values)
        let chart = DriftChart.render(title: title, series: points, threshold: threshold, direction: direction)
        #expect(chart.table.count == values.count)
        #expect(chart.table.allSatisfy { $0.count == DriftChart.tableHeader.count })

        let dataValues = try Self.captures("data-value=\"([^\"]*)\"", in: chart.svg)
        #expect(dataValues == chart.table.map { $0[2] })
        for (svgText, row) in zip(dataValues, chart.table) {
            let parsed = try #require(Double(svgText))
            #expect(parsed == Double(row[2]))
            #expect(DriftChart.format(parsed) == row[2])
        }
        for (p, row) in zip(points, chart.table) {
            #expect(row[0] == p.windowStart.description && row[1] == p.windowEnd.description)
            #expect(abs((Double(row[2]) ?? .nan) - p.value) <= 1e-5 * max(abs(p.value), 1e-300))
        }

        let breachRows = chart.table.filter { $0[4] == "yes" }.count
        #expect(breachRows == values.filter(\.1).count)
        #expect(Self.count("class=\"point breach\"", in: chart.svg) == breachRows)
        #expect(Self.count("<circle class=\"point\"", in: chart.svg) == values.count - breachRows)
        #expect(Self.count("<title>", in: chart.svg) == values.count)  // one tooltip per point
        #expect(Self.count("<polyline", in: chart.svg) == (values.count > 1 ? 1 : 0))

        #expect(chart.svg.contains("class=\"threshold\"") == (threshold != nil))
        #expect(chart.svg.contains("stroke-dasharray") == (threshold != nil))
        if let threshold {
            #expect(chart.table.allSatisfy { $0[3] == DriftChart.format(threshold) })
            #expect(chart.svg.contains("threshold \(DriftChart.format(threshold))"))
        } else {
            #expect(chart.table.allSatisfy { $0[3] == "–" })
        }
        #expect(chart.note == nil)
        #expect(Self.wellFormed(chart.svg))
    }

    @Test("accessible, static, escaped and deterministic", arguments: 0..<cases.count)
    func safeAndAccessible(index: Int) throws {
        let (title, values, threshold, direction) = Self.cases[index]
        let chart = DriftChart.render(title: title, series: Self.weekly(values), threshold: threshold, direction: direction)
        let svg = chart.svg
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 640 240\""))
        #expect(svg.contains("role=\"img\""))
        #expect(svg.contains("<title id=\"drift-chart-") && svg.contains("<desc id=\"drift-chart-"))
        #expect(svg.contains("<title id=\"\(try #require(try Self.captures("aria-labelledby=\"([^ ]*) ", in: svg).first))\">"))
        #expect(!svg.lowercased().contains("<script"))
        #expect(try Self.captures("\\s(on[a-z]+)\\s*=", in: svg.lowercased()).isEmpty)
        #expect(!svg.contains("href") && !svg.contains("url(") && !svg.contains("<foreignObject") && !svg.contains("<style"))
        #expect(svg.contains("<title id=\"drift-chart-") && svg.contains(">\(Escape.html(title))</title>"))
        #expect(svg.components(separatedBy: "data-value").count - 1 == values.count)
        let coordinates = try Self.captures("\\s(?:x|y|x1|x2|y1|y2|cx|cy)=\"([^\"]*)\"", in: svg)
        #expect(coordinates.count > 4)
        for v in coordinates { #expect(Double(v)?.isFinite == true, "\(v)") }
        let again = DriftChart.render(title: title, series: Self.weekly(values), threshold: threshold, direction: direction)
        #expect(again == chart)
        let shuffled = DriftChart.render(title: title, series: Self.weekly(values).reversed(), threshold: threshold,
                                         direction: direction)
        #expect(shuffled == chart)
    }

    @Test("the description names the breaches and the threshold's side")
    func description() throws {
        let chart = DriftChart.render(title: "psi", series: Self.weekly([(0.1, false), (0.3, true)]), threshold: 0.2, direction: .max)
        let desc = try #require(try Self.captures("<desc [^>]*>([^<]*)</desc>", in: chart.svg).first)
        #expect(desc == "2 windows from 2026-03-02T00:00:00Z to 2026-03-16T00:00:00Z. Values from 0.1 to 0.3. "
            + "Threshold 0.2; drift is a value at or above it. 1 breach: 2026-03-09T00:00:00Z to 2026-03-16T00:00:00Z (0.3).")
        let p = DriftChart.render(title: "p", series: Self.weekly([(0.5, false)]), threshold: 0.05, direction: .min)
        #expect(p.svg.contains("drift is a value below it. No breaches."))
        #expect(p.svg.contains("threshold 0.05 (drift below)"))
    }

    @Test("non-finite input cannot be charted: points refuse it, a threshold gets a note")
    func nonFinite() {
        let start = Self.t("2026-03-02T00:00:00Z")
        for v in [Double.nan, .infinity, -.infinity] {
            #expect(DriftChart.Point(windowStart: start, windowEnd: start.adding(seconds: 86400), value: v, breach: false) == nil)
        }
        let chart = DriftChart.render(title: "x", series: Self.weekly([(0.1, false)]), threshold: .nan, direction: .max)
        #expect(chart.note == "the threshold is not a finite number and is not drawn")
        #expect(!chart.svg.contains("class=\"threshold\""))
        #expect(chart.table == [["2026-03-02T00:00:00Z", "2026-03-09T00:00:00Z", "0.1", "–", "no"]])
        #expect(!chart.svg.contains("nan"))
    }

    @Test("no windows: an empty chart with a note")
    func empty() {
        let chart = DriftChart.render(title: "nothing", series: [], threshold: 0.2, direction: .max)
        #expect(chart.table.isEmpty)
        #expect(chart.note == "no windows to chart")
        #expect(chart.svg.contains("No windows"))
        #expect(!chart.svg.contains("data-value"))
        #expect(Self.wellFormed(chart.svg))
    }

    @Test("one shared format", arguments: [
        (0.0, "0"), (-0.0, "0"), (0.05, "0.05"), (0.6621198615134749, "0.66212"), (2.4278206754998463e-19, "2.42782e-19"),
        (1234567.0, "1.23457e+06"), (-1.5, "-1.5"), (100.0, "100"),
    ])
    func format(value: Double, expected: String) {
        #expect(DriftChart.format(value) == expected)
    }

    @Test("short spans get hour ticks, long spans day ticks")
    func dateTicks() throws {
        let start = Self.t("2026-03-02T00:00:00Z")
        let hourly = (0..<6).compactMap { i in
            DriftChart.Point(windowStart: start.adding(seconds: Int64(i) * 3600), windowEnd: start.adding(seconds: Int64(i + 1) * 3600),
                             value: Double(i), breach: false)
        }
        let short = DriftChart.render(title: "h", series: hourly, threshold: nil, direction: .max)
        #expect(short.svg.contains(">03-02 03:00</text>"))
        let long = DriftChart.render(title: "w", series: Self.weekly([(1, false), (2, false), (3, false)]), threshold: nil, direction: .max)
        #expect(long.svg.contains(">2026-03-"))
    }
}
