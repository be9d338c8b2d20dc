/// One metric of one version over its monitoring windows: what one drift chart draws and its
/// table lists.
///
/// Metrics are grouped by name and feature. A group whose windows record more than one threshold
/// or direction is split into one series per threshold and direction, so that every point of a
/// series is compared with the one threshold drawn on its chart.
struct DriftSeries: Sendable {
    /// One window's value.
    struct Point: Sendable {
        /// Index into ``VersionDrift/windows``.
        var window: Int
        var value: Double
        var breach: Bool
    }

    var name: String
    var feature: String?
    var threshold: Double?
    var direction: DriftChart.Direction
    var points: [Point]
    /// Part n (1-based) of a (name, feature) group split by threshold or direction; nil if not split.
    var part: Int?

    /// "psi of lactate", or "auroc" for a metric of the whole model.
    var label: String { name + (feature.map { " of \($0)" } ?? "") }
}

/// A stretch of time that no window of a version covers, before the window that follows it.
struct DriftGap: Sendable {
    var from: Timestamp
    var to: Timestamp
    /// Index into ``VersionDrift/windows`` of the window after the gap.
    var before: Int
    /// Index into `PackAnalysis.findings` of its DRF-GAP finding (versions in the release).
    var finding: Int?
}

/// The drift record of one model version: its windows with their state, the metric series, the
/// gaps and the counts the summary shows.
struct VersionDrift: Sendable {
    var ref: VersionRef
    var inRelease: Bool
    /// The version has a page (its model is in the registry), so it gets a drift page.
    var hasPage: Bool
    /// Its windows in the analysis' order (start, then file).
    var windows: [DriftStatus]
    var series: [DriftSeries] = []
    var gaps: [DriftGap] = []
    /// Index into `PackAnalysis.findings` of the DRF-REVALIDATION finding of a window, by window index.
    var overdueFindings: [Int: Int] = [:]

    var drifting: Int { windows.filter(\.window.drift).count }
    func count(_ state: String) -> Int { windows.filter { $0.state == state }.count }
    var from: Timestamp? { windows.map(\.window.start).min() }
    var to: Timestamp? { windows.map(\.window.end).max() }

    /// The worst state: `overdue`, `pending`, `answered` or `ok`.
    var worst: String {
        for s in ["overdue", "pending", "answered"] where windows.contains(where: { $0.state == s }) { return s }
        return "ok"
    }
}

/// The drift record of every version that has windows, computed once per build.
struct DriftIndex: Sendable {
    /// Versions with at least one window, by model and version.
    var versions: [VersionDrift] = []
    private var positions: [VersionRef: Int] = [:]

    /// The drift record of a version, or nil when it has no window.
    func version(_ ref: VersionRef) -> VersionDrift? { positions[ref].map { versions[$0] } }

    init(_ a: PackAnalysis, versionPages: Set<VersionRef>) {
        var byRef: [VersionRef: [DriftStatus]] = [:]
        for d in a.driftStatus { byRef[d.window.versionRef, default: []].append(d) }
        let release = Set(a.config.release.models.map { VersionRef(model: $0.model, version: $0.version) })
        var revalidation: [String: Int] = [:], gap: [String: Int] = [:]
        for (i, f) in a.findings.enumerated() {
            guard let file = f.file else { continue }
            if f.rule == .drfRevalidation, revalidation[file] == nil { revalidation[file] = i }
            if f.rule == .drfGap, gap[file] == nil { gap[file] = i }
        }
        for ref in byRef.keys.sorted() {
            var v = VersionDrift(ref: ref, inRelease: release.contains(ref), hasPage: versionPages.contains(ref), windows: byRef[ref] ?? [])
            for (i, d) in v.windows.enumerated() { if let f = revalidation[d.window.path] { v.overdueFindings[i] = f } }
            v.series = Self.series(v.windows)
            v.gaps = Self.gaps(v.windows, findings: gap)
            positions[ref] = versions.count
            versions.append(v)
        }
    }

    /// How a metric's direction reads: `min` and `max` as recorded; none is `max` in the native
    /// format and unstated in an Evidently report (a custom method whose verdict decided).
    static func direction(_ m: DriftMetric, format: String) -> DriftChart.Direction {
        switch m.direction {
        case "min": return .min
        case "max": return .max
        default: return format == "native" ? .max : .unstated
        }
    }

    /// The series of a version's windows, in the order their metrics first appear.
    static func series(_ windows: [DriftStatus]) -> [DriftSeries] {
        struct Group { var name: String; var feature: String?; var parts: [DriftSeries] }
        var groups: [Group] = []
        for (i, d) in windows.enumerated() {
            for m in d.window.metrics {
                let direction = direction(m, format: d.window.format)
                let point = DriftSeries.Point(window: i, value: m.value, breach: m.breach)
                let g = groups.firstIndex { $0.name == m.name && $0.feature == m.feature } ?? {
                    groups.append(Group(name: m.name, feature: m.feature, parts: []))
                    return groups.count - 1
                }()
                if let p = groups[g].parts.firstIndex(where: { $0.threshold == m.threshold && $0.direction == direction }) {
                    groups[g].parts[p].points.append(point)
                } else {
                    groups[g].parts.append(DriftSeries(name: m.name, feature: m.feature, threshold: m.threshold, direction: direction,
                                                       points: [point]))
                }
            }
        }
        // Points in chart order: by window start, then end (then file).
        func ordered(_ p: DriftSeries.Point) -> (Timestamp, Timestamp, Int) {
            (windows[p.window].window.start, windows[p.window].window.end, p.window)
        }
        return groups.flatMap { g in
            g.parts.enumerated().map { n, s in
                var s = s
                s.points.sort { ordered($0) < ordered($1) }
                if g.parts.count > 1 { s.part = n + 1 }
                return s
            }
        }
    }

    /// The gaps between windows, found as DRF-GAP finds them: sorted by start, a window that starts
    /// after the latest end so far follows a gap.
    static func gaps(_ windows: [DriftStatus], findings: [String: Int]) -> [DriftGap] {
        let order = windows.indices.sorted { (windows[$0].window.start, $0) < (windows[$1].window.start, $1) }
        var out: [DriftGap] = []
        var covered: Timestamp?
        for i in order {
            let w = windows[i].window
            if let c = covered, w.start > c {
                out.append(DriftGap(from: c, to: w.start, before: i, finding: findings[w.path]))
            }
            if covered.map({ w.end > $0 }) ?? true { covered = w.end }
        }
        return out
    }
}
