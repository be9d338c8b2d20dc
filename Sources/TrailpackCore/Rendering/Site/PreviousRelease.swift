/// OLD of `trailpack build --previous OLD`: analysed before NEW, with its leaves collected, so
/// that the build's own (single) analysis of NEW can feed ``NewLogCollector`` and the diff
/// reuses it instead of analysing NEW a second time.
struct PreviousRelease {
    /// OLD as given on the command line.
    let label: String
    let analysis: PackAnalysis
    let log: OldLogCollector

    /// Reads, verifies and analyses OLD (a pack source or a built site's evidence copy).
    /// - Throws: `SourceError`, `StoreError`, `VerifyError` when OLD cannot be read (exit 2).
    static func analyze(_ path: String, trust: TrustList?) throws -> PreviousRelease {
        let source = try Trailpack.resolveSource(path)
        var log = OldLogCollector()
        let analysis = try Trailpack.analyze(source: source, trust: trust) { log.observe($0) }
        return PreviousRelease(label: path, analysis: analysis, log: log)
    }

    /// The diff of OLD and NEW, from NEW's analysis and the leaves collected during it.
    func diff(new: PackAnalysis, newLog: NewLogCollector, newLabel: String) throws -> ReleaseDiff {
        try ReleaseDiff(old: analysis, oldLog: log, new: new, newLog: newLog, oldLabel: label, newLabel: newLabel)
    }
}

/// The `previous` member of report.json (documented in docs/report-json.md): null without
/// `--previous`; else OLD's label and release, both logs, the integrity verdict with the
/// consistency proof as `trailpack-diff/1` gives it, the counts and the regressions.
enum PreviousReport {
    static func json(_ c: SiteContext) -> JSONValue {
        guard let d = c.previous else { return .null }
        var b = JSONBuilder()
        b.set("label", d.old.source)
        b.set("release", d.old.release)
        b.set("page", ChangesPage.path + ".html")
        b.set("diffSchema", ReleaseDiff.schema)
        b.set("old", d.old.json)
        b.set("new", d.new.json)
        b.set("integrity", d.integrity.json)
        b.set("summary", d.summaryJSON)
        b.set("regressions", .array(d.regressions.map(\.json)))
        return b.value
    }
}
