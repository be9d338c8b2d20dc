import Foundation

/// An inline SVG line chart of one drift metric over its monitoring windows, with the same numbers
/// as a table.
///
/// The chart reads without colour: a value is a hollow circle, a breach a filled triangle, the
/// threshold a dashed line with a label. It carries a text alternative (`role="img"`, `<title>`,
/// `<desc>`), and every point has its value in `data-value` and a `<title>` child (a tooltip without
/// JavaScript). It holds no script, event handler or external reference, escapes all text, and the
/// same input always gives the same bytes. Table and SVG print every number with ``format(_:)``.
public struct DriftChart: Sendable, Hashable {
    /// One window's value of the metric.
    public struct Point: Sendable, Hashable {
        public let windowStart: Timestamp
        public let windowEnd: Timestamp
        /// Always finite.
        public let value: Double
        /// Whether the window breached the threshold (as the drift record says, not recomputed).
        public let breach: Bool

        /// A point, or nil when `value` is NaN or infinite (such a value cannot be drawn or compared).
        public init?(windowStart: Timestamp, windowEnd: Timestamp, value: Double, breach: Bool) {
            guard value.isFinite else { return nil }
            self.windowStart = windowStart
            self.windowEnd = windowEnd
            self.value = value
            self.breach = breach
        }
    }

    /// Which side of the threshold is drift.
    public enum Direction: String, Sendable, Hashable {
        /// Drift below the threshold (p-values).
        case min
        /// Drift at or above the threshold (distances, PSI).
        case max
        /// The record does not say which side is drift (an Evidently custom method with a verdict):
        /// the breaches are as recorded and the threshold is labelled without a side.
        case unstated

        /// How the label and the description name the drift side: "below", "at or above", or nil.
        var side: String? {
            switch self {
            case .min: return "below"
            case .max: return "at or above"
            case .unstated: return nil
            }
        }
    }

    /// The `<svg>` element, ready to inline in HTML.
    public var svg: String
    /// One row per window in chart order: window start, window end, value, threshold, breach (`yes`/`no`).
    public var table: [[String]]
    /// Why something is not drawn (no windows, a threshold that is not finite), or nil.
    public var note: String?

    /// The column headings of ``table``.
    public static let tableHeader = ["window start", "window end", "value", "threshold", "breach"]
    /// The SVG's viewBox size.
    public static let width = 640.0, height = 240.0

    /// The one number format of chart and table: six significant digits (`%.6g`, C locale), `0` for zero.
    public static func format(_ value: Double) -> String {
        value == 0 ? "0" : String(format: "%.6g", value)
    }

    /// Renders the chart of `series` (any order; drawn and tabled by window start, then end).
    ///
    /// - Parameters:
    ///   - title: The chart's accessible name, e.g. "psi of lactate, sepsis-risk 3".
    ///   - threshold: Drawn as a dashed line when given and finite.
    ///   - direction: Which side of the threshold is drift, for the label and the description.
    public static func render(title: String, series: [Point], threshold: Double?, direction: Direction) -> DriftChart {
        let points = series.sorted { ($0.windowStart, $0.windowEnd) < ($1.windowStart, $1.windowEnd) }
        let limit = threshold.flatMap { $0.isFinite ? $0 : nil }
        var notes: [String] = []
        if points.isEmpty { notes.append("no windows to chart") }
        if let t = threshold, !t.isFinite { notes.append("the threshold is not a finite number and is not drawn") }
        let thresholdText = limit.map(format) ?? "–"
        let table = points.map { p in
            [p.windowStart.description, p.windowEnd.description, format(p.value), thresholdText, p.breach ? "yes" : "no"]
        }
        let identity = title + "\u{0}" + table.map { $0.joined(separator: ",") }.joined(separator: ";")
        let id = "drift-chart-" + Hex.encode(SHA256.hash(Array(identity.utf8)).prefix(4))
        let canvas = Canvas(points: points, threshold: limit)
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" "
            + "width=\"\(Int(width))\" height=\"\(Int(height))\" role=\"img\" aria-labelledby=\"\(id)-title \(id)-desc\" "
            + "class=\"drift-chart\" font-family=\"sans-serif\" font-size=\"10\">\n"
        out += "<title id=\"\(id)-title\">\(Escape.html(title))</title>\n"
        out += "<desc id=\"\(id)-desc\">\(Escape.html(describe(points, threshold: limit, direction: direction, notes: notes)))</desc>\n"
        out += canvas.axes()
        out += legend(threshold: limit != nil)
        if let t = limit { out += canvas.thresholdLine(t, direction: direction) }
        if points.isEmpty {
            out += "<text x=\"\(c((Canvas.left + Canvas.right) / 2))\" y=\"\(c((Canvas.top + Canvas.bottom) / 2))\" "
                + "text-anchor=\"middle\">No windows</text>\n"
        }
        out += canvas.series()
        out += "</svg>\n"
        return DriftChart(svg: out, table: table, note: notes.isEmpty ? nil : notes.joined(separator: "; "))
    }

    /// The text alternative: span, value range, threshold, and which windows breached.
    static func describe(_ points: [Point], threshold: Double?, direction: Direction, notes: [String]) -> String {
        guard let first = points.first, let last = points.last else { return "No windows to chart." }
        var s = "\(points.count) window\(points.count == 1 ? "" : "s") from \(first.windowStart) to \(last.windowEnd)."
        let values = points.map(\.value)
        if let lo = values.min(), let hi = values.max() { s += " Values from \(format(lo)) to \(format(hi))." }
        if let t = threshold {
            s += " Threshold \(format(t)); " + (direction.side.map { "drift is a value \($0) it." } ?? "the record does not say which side is drift.")
        }
        let breaches = points.filter(\.breach)
        if breaches.isEmpty {
            s += " No breaches."
        } else {
            let listed = breaches.prefix(10).map { "\($0.windowStart) to \($0.windowEnd) (\(format($0.value)))" }
            s += " \(breaches.count) breach\(breaches.count == 1 ? "" : "es"): " + listed.joined(separator: ", ")
            s += breaches.count > 10 ? ", and \(breaches.count - 10) more." : "."
        }
        let gaps = segments(points).count - 1
        if gaps > 0 { s += " The line breaks at \(gaps) gap\(gaps == 1 ? "" : "s") that no window covers." }
        if !notes.isEmpty { s += " Note: " + notes.joined(separator: "; ") + "." }
        return s
    }

    /// Runs of points whose windows cover time without a gap (sorted points): the line is drawn
    /// within a run and broken between runs, so that it never suggests monitoring that did not happen.
    static func segments(_ points: [Point]) -> [[Point]] {
        var runs: [[Point]] = []
        var covered: Timestamp?
        for p in points {
            if let c = covered, p.windowStart <= c, !runs.isEmpty {
                runs[runs.count - 1].append(p)
            } else {
                runs.append([p])
            }
            covered = covered.map { max($0, p.windowEnd) } ?? p.windowEnd
        }
        return runs
    }

    static func legend(threshold: Bool) -> String {
        var s = "<g class=\"legend\">"
        s += "<circle cx=\"\(c(Canvas.left + 4))\" cy=\"10\" r=\"3.5\" fill=\"#fff\" stroke=\"#222\" stroke-width=\"1.5\"/>"
        s += "<text x=\"\(c(Canvas.left + 12))\" y=\"13\">value</text>"
        s += "<path d=\"\(triangle(Canvas.left + 58, 10))\" fill=\"#b71c1c\" stroke=\"#000\" stroke-width=\"1\"/>"
        s += "<text x=\"\(c(Canvas.left + 66))\" y=\"13\">breach</text>"
        if threshold {
            s += "<line x1=\"\(c(Canvas.left + 112))\" y1=\"10\" x2=\"\(c(Canvas.left + 132))\" y2=\"10\" stroke=\"#444\" "
                + "stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>"
            s += "<text x=\"\(c(Canvas.left + 138))\" y=\"13\">threshold</text>"
        }
        return s + "</g>\n"
    }

    /// A filled triangle pointing up, centred on (x, y): the breach marker.
    static func triangle(_ x: Double, _ y: Double) -> String {
        "M\(c(x)) \(c(y - 6))L\(c(x + 5.5)) \(c(y + 4))L\(c(x - 5.5)) \(c(y + 4))Z"
    }

    /// A coordinate: two decimals, C locale.
    static func c(_ v: Double) -> String {
        let s = String(format: "%.2f", v)
        return s == "-0.00" ? "0.00" : s
    }
}

/// The plot area and its two scales.
private struct Canvas {
    static let left = 64.0, right = 620.0, top = 24.0, bottom = 204.0

    let points: [DriftChart.Point]
    let tMin: Double, tMax: Double
    let yTicks: [Double]
    let yMin: Double, yMax: Double

    init(points: [DriftChart.Point], threshold: Double?) {
        self.points = points
        let origin = points.first?.windowStart ?? Timestamp(seconds: 0)
        let starts = points.map { $0.windowStart.interval(since: origin) }
        let ends = points.map { $0.windowEnd.interval(since: origin) }
        var lo = min(starts.min() ?? 0, ends.min() ?? 0), hi = max(starts.max() ?? 0, ends.max() ?? 0)
        if hi <= lo { lo -= 86400; hi += 86400 }
        tMin = Double(origin.seconds) + lo
        tMax = Double(origin.seconds) + hi
        let values = points.map(\.value) + (threshold.map { [$0] } ?? [])
        (yTicks, yMin, yMax) = Canvas.niceScale(values.min() ?? 0, values.max() ?? 1)
    }

    /// Ticks at 1, 2 or 5 × 10^k covering [lo, hi]; a flat series gets room around its value.
    static func niceScale(_ lo: Double, _ hi: Double) -> ([Double], Double, Double) {
        var lo = lo, hi = hi
        if hi <= lo {
            let pad = lo == 0 ? 1 : abs(lo) / 2
            lo -= pad
            hi += pad
        }
        let raw = (hi / 4 - lo / 4)
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        let ratio = raw / magnitude
        let step = (ratio <= 1 ? 1 : ratio <= 2 ? 2 : ratio <= 5 ? 5 : 10) * magnitude
        let first = (lo / step).rounded(.down), last = (hi / step).rounded(.up)
        guard step > 0, step.isFinite, (first * step).isFinite, (last * step).isFinite, last - first <= 20 else {
            return ([lo, hi], lo, hi)
        }
        let ticks = (0...Int(last - first)).map { (first + Double($0)) * step }
        return (ticks, first * step, last * step)
    }

    func x(_ p: DriftChart.Point) -> Double {
        let mid = (Double(p.windowStart.seconds) + Double(p.windowEnd.seconds)) / 2
            + (Double(p.windowStart.nanoseconds) + Double(p.windowEnd.nanoseconds)) / 2e9
        return x(seconds: mid)
    }

    func x(seconds: Double) -> Double {
        Canvas.left + (seconds - tMin) / (tMax - tMin) * (Canvas.right - Canvas.left)
    }

    func y(_ v: Double) -> Double {
        let span = yMax / 2 - yMin / 2
        guard span > 0 else { return (Canvas.top + Canvas.bottom) / 2 }
        return Canvas.bottom - (v / 2 - yMin / 2) / span * (Canvas.bottom - Canvas.top)
    }

    /// Frame, value grid and labels, date ticks and labels.
    func axes() -> String {
        let c = DriftChart.c
        var s = "<g class=\"axes\" stroke=\"#888\" stroke-width=\"1\">"
        s += "<line x1=\"\(c(Canvas.left))\" y1=\"\(c(Canvas.top))\" x2=\"\(c(Canvas.left))\" y2=\"\(c(Canvas.bottom))\"/>"
        s += "<line x1=\"\(c(Canvas.left))\" y1=\"\(c(Canvas.bottom))\" x2=\"\(c(Canvas.right))\" y2=\"\(c(Canvas.bottom))\"/>"
        for t in yTicks {
            s += "<line class=\"grid\" x1=\"\(c(Canvas.left))\" y1=\"\(c(y(t)))\" x2=\"\(c(Canvas.right))\" y2=\"\(c(y(t)))\" "
                + "stroke=\"#ddd\"/>"
        }
        let dates = dateTicks()
        for d in dates.ticks {
            s += "<line x1=\"\(c(x(seconds: d)))\" y1=\"\(c(Canvas.bottom))\" x2=\"\(c(x(seconds: d)))\" y2=\"\(c(Canvas.bottom + 4))\"/>"
        }
        s += "</g>\n<g class=\"tick-labels\" fill=\"#222\">"
        for t in yTicks {
            s += "<text x=\"\(c(Canvas.left - 6))\" y=\"\(c(y(t) + 3))\" text-anchor=\"end\">\(Escape.html(DriftChart.format(t)))</text>"
        }
        for d in dates.ticks {
            s += "<text x=\"\(c(x(seconds: d)))\" y=\"\(c(Canvas.bottom + 16))\" text-anchor=\"middle\">"
                + "\(Escape.html(dates.label(d)))</text>"
        }
        return s + "</g>\n"
    }

    /// Date ticks every hour, day or week (a step giving at most six); labelled by day, or by hour for short spans.
    func dateTicks() -> (ticks: [Double], label: (Double) -> String) {
        let steps: [Double] = [3600, 3 * 3600, 6 * 3600, 12 * 3600] + [1, 2, 7, 14, 28, 91, 182, 364, 728, 1820, 3640].map { $0 * 86400 }
        let step = steps.first { (tMax - tMin) / $0 <= 6 } ?? (tMax - tMin) / 6
        // Week-multiple steps fall on Mondays (1970-01-05 was one), others on UTC multiples of the step.
        let offset: Double = step.truncatingRemainder(dividingBy: 7 * 86400) == 0 ? 4 * 86400 : 0
        var ticks: [Double] = []
        var t = ((tMin - offset) / step).rounded(.up) * step + offset
        while t <= tMax && ticks.count < 8 {
            ticks.append(t)
            t += step
        }
        if ticks.isEmpty { ticks = [tMin, tMax] }
        let byDay = step >= 86400
        return (ticks, { seconds in
            let whole = seconds.rounded(.down)
            let text = Timestamp(seconds: abs(whole) < 9e18 ? Int64(whole) : 0).description  // YYYY-MM-DDTHH:MM:SSZ
            return byDay ? String(text.prefix(10)) : String(text.dropFirst(5).prefix(11)).replacingOccurrences(of: "T", with: " ")
        })
    }

    func thresholdLine(_ t: Double, direction: DriftChart.Direction) -> String {
        let c = DriftChart.c
        let label = "threshold \(DriftChart.format(t))" + (direction.side.map { " (drift \($0))" } ?? " (drift side not recorded)")
        let place = labelPlace(width: Double(label.count) * 5.6, line: y(t))
        return "<g class=\"threshold\"><line class=\"threshold\" x1=\"\(c(Canvas.left))\" y1=\"\(c(y(t)))\" "
            + "x2=\"\(c(Canvas.right))\" y2=\"\(c(y(t)))\" stroke=\"#444\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>"
            + "<text x=\"\(c(place.x))\" y=\"\(c(place.y))\" text-anchor=\"\(place.anchor)\" fill=\"#222\">\(Escape.html(label))</text></g>\n"
    }

    /// Where the threshold's label goes: above the line at the right end, else at the left end, else
    /// below it at either end; the first place that covers no point and not the legend (the first if none is free).
    func labelPlace(width: Double, line: Double) -> (x: Double, y: Double, anchor: String) {
        let places: [(x: Double, y: Double, anchor: String)] = [
            (Canvas.right, line - 4, "end"), (Canvas.left + 4, line - 4, "start"),
            (Canvas.right, line + 12, "end"), (Canvas.left + 4, line + 12, "start"),
        ]
        func free(_ p: (x: Double, y: Double, anchor: String)) -> Bool {
            let x0 = p.anchor == "end" ? p.x - width : p.x, x1 = x0 + width, y0 = p.y - 10, y1 = p.y + 3
            if p.y > Canvas.bottom - 2 { return false }
            if y0 < 16 && x0 < Canvas.left + 190 { return false }  // the legend
            return !points.contains { q in
                let (qx, qy) = (x(q), y(q.value))
                return qx >= x0 - 7 && qx <= x1 + 7 && qy >= y0 - 7 && qy <= y1 + 7
            }
        }
        return places.first(where: free) ?? places[0]
    }

    /// The line (one polyline per run of windows without a gap), then one marker per point with its
    /// value and a tooltip.
    func series() -> String {
        let c = DriftChart.c
        var s = ""
        for run in DriftChart.segments(points) where run.count > 1 {
            let coords = run.map { "\(c(x($0))),\(c(y($0.value)))" }.joined(separator: " ")
            s += "<polyline class=\"series\" points=\"\(coords)\" fill=\"none\" stroke=\"#222\" stroke-width=\"1.5\"/>\n"
        }
        s += "<g class=\"points\">\n"
        for p in points {
            let value = DriftChart.format(p.value)
            let attributes = "data-value=\"\(Escape.attribute(value))\" data-window-start=\"\(Escape.attribute(p.windowStart.description))\" "
                + "data-window-end=\"\(Escape.attribute(p.windowEnd.description))\""
            let tip = "<title>\(Escape.html("\(p.windowStart) to \(p.windowEnd): \(value)\(p.breach ? ", breach" : "")"))</title>"
            if p.breach {
                s += "<path class=\"point breach\" d=\"\(DriftChart.triangle(x(p), y(p.value)))\" fill=\"#b71c1c\" stroke=\"#000\" "
                    + "stroke-width=\"1\" \(attributes)>\(tip)</path>\n"
            } else {
                s += "<circle class=\"point\" cx=\"\(c(x(p)))\" cy=\"\(c(y(p.value)))\" r=\"3.5\" fill=\"#fff\" stroke=\"#222\" "
                    + "stroke-width=\"1.5\" \(attributes)>\(tip)</circle>\n"
            }
        }
        return s + "</g>\n"
    }
}
