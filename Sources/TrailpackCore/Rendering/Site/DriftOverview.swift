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
        .array(c.drift.versions.map { v in
            JSONBuilder.build { b in
                b.set("model", .string(v.ref.model))
                b.set("version", .string(v.ref.version))
                b.set("inRelease", v.inRelease)
                b.set("page", v.hasPage ? SiteLinks.drift(v.ref) + ".html" : nil as String?)
                b.set("state", v.worst)
                b.set("windows", v.windows.count)
                b.set("from", v.from?.description)
                b.set("to", v.to?.description)
                b.set("drifting", v.drifting)
                b.set("answered", v.count("answered"))
                b.set("pending", v.count("pending"))
                b.set("overdue", v.count("overdue"))
                b.set("gaps", .array(v.gaps.map { g in
                    JSONBuilder.build { gb in
                        gb.set("from", g.from.description)
                        gb.set("to", g.to.description)
                        gb.set("file", v.windows[g.before].window.path)
                        gb.set("finding", g.finding.map { JSONValue.integer(Int64($0 + 1)) } ?? .null)
                    }
                }))
                b.set("series", .array(v.series.map { s in series(s, v) }))
            }
        })
    }

    private static func series(_ s: DriftSeries, _ v: VersionDrift) -> JSONValue {
        JSONBuilder.build { b in
            b.set("metric", s.name)
            b.set("feature", s.feature)
            b.set("threshold", s.threshold.map { .decimal($0) } ?? .null)
            b.set("direction", s.direction == .unstated ? nil : s.direction.rawValue)
            b.set("windows", .array(s.points.filter(\.value.isFinite).map { p in
                let d = v.windows[p.window]
                return JSONBuilder.build { pb in
                    pb.set("start", d.window.start.description)
                    pb.set("end", d.window.end.description)
                    pb.set("file", d.window.path)
                    pb.set("value", .decimal(p.value))
                    pb.set("shown", DriftChart.format(p.value))
                    pb.set("breach", p.breach)
                    pb.set("state", d.state)
                }
            }))
        }
    }
}
