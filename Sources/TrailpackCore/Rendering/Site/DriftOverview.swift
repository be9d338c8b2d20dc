/// The drift overview of the release on the summary page (one row per version in scope), the
/// summary at the top of each drift page, and the drift series of `report.json`.
enum DriftOverview {
    /// One version's drift figures: windows monitored (first start to last end), drifting windows,
    /// how many were answered, are pending or overdue, the gaps (with their DRF-GAP findings), and
    /// the link to its drift page.
    static func row(_ ref: VersionRef, _ c: SiteContext) -> TemplateValue {
        let hasVersionPage = c.versionPages.contains(ref)
        let version = hasVersionPage ? TV.page(ref.description, SiteLinks.version(ref)) : TV.text(ref.description)
        guard let v = c.drift.version(ref) else {
            return [
                "version": version, "page": .null, "monitored": false, "windows": .int(0), "from": .null, "to": .null,
                "drifting": .int(0), "answered": .int(0), "pending": .int(0), "overdue": .int(0), "gaps": .int(0),
                "gapFindings": .array([]), "state": DriftPages.versionBadge("none"),
            ]
        }
        return [
            "version": version, "page": DriftPages.pageLink(ref, c) ?? .null, "monitored": true, "windows": .int(v.windows.count),
            "windowsText": .string(ReleaseDiff.plural(v.windows.count, "window")),
            "from": TV.str(v.from?.description), "to": TV.str(v.to?.description), "drifting": .int(v.drifting),
            "answered": .int(v.count("answered")), "pending": .int(v.count("pending")), "overdue": .int(v.count("overdue")),
            "gaps": .int(v.gaps.count), "gapFindings": .array(v.gaps.compactMap { $0.finding.map { DriftPages.findingLink($0, c) } }),
            "state": DriftPages.versionBadge(v.worst),
        ]
    }

    /// The summary page's overview: every version of the release, in release order.
    static func value(_ c: SiteContext) -> TemplateValue {
        let rows = c.analysis.config.release.models.map { m in row(VersionRef(model: m.model, version: m.version), c) }
        return ["rows": .array(rows), "revalidationDays": .int(Int(c.analysis.config.policy.revalidationDays))]
    }

    /// `driftSeries` of report.json: per version with windows, its figures and every metric series
    /// with the windows' values, threshold, breach and state (documented in docs/report-json.md).
    static func json(_ c: SiteContext) -> JSONValue {
        typealias R = ReportJSON
        return .array(c.drift.versions.map { v in
            R.obj([
                ("model", .string(v.ref.model)), ("version", .string(v.ref.version)), ("inRelease", .bool(v.inRelease)),
                ("page", v.hasPage ? R.j(SiteLinks.drift(v.ref) + ".html") : .null), ("state", R.j(v.worst)),
                ("windows", R.j(v.windows.count)), ("from", R.j(v.from?.description)), ("to", R.j(v.to?.description)),
                ("drifting", R.j(v.drifting)), ("answered", R.j(v.count("answered"))), ("pending", R.j(v.count("pending"))),
                ("overdue", R.j(v.count("overdue"))),
                ("gaps", .array(v.gaps.map { g in
                    R.obj([("from", R.j(g.from.description)), ("to", R.j(g.to.description)), ("file", R.j(v.windows[g.before].window.path)),
                           ("finding", g.finding.map { R.j($0 + 1) } ?? .null)])
                })),
                ("series", .array(v.series.map { s in
                    R.obj([
                        ("metric", R.j(s.name)), ("feature", R.j(s.feature)), ("threshold", s.threshold.map { .decimal($0) } ?? .null),
                        ("direction", s.direction == .unstated ? .null : R.j(s.direction.rawValue)),
                        ("windows", .array(s.points.filter(\.value.isFinite).map { p in
                            let d = v.windows[p.window]
                            return R.obj([
                                ("start", R.j(d.window.start.description)), ("end", R.j(d.window.end.description)),
                                ("file", R.j(d.window.path)), ("value", .decimal(p.value)), ("shown", R.j(DriftChart.format(p.value))),
                                ("breach", .bool(p.breach)), ("state", R.j(d.state)),
                            ])
                        })),
                    ])
                })),
            ])
        })
    }
}
