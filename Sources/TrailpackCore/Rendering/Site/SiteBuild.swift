import Foundation

/// Options of `trailpack build`.
public struct BuildOptions: Sendable {
    /// The folder the site is published to (replaced atomically).
    public var output: URL
    /// The templates and assets.
    public var theme: Theme
    /// Events per chronological page and rows per page by model, actor or action.
    public var pageSize: Int = 100
    /// Trusted key fingerprints; nil trusts `keys/` as found.
    public var trust: TrustList?
    /// `--previous OLD`: a built site or pack source of the previous release; the site then has
    /// a "changes since" page (see `ChangesPage`) and report.json a `previous` member.
    public var previous: String?
    /// Called with short progress messages (for a terminal).
    public var progress: (@Sendable (String) -> Void)?
    /// Keep the pages of events of the site already at `output` whose inputs did not change
    /// (``PageReuse``); false (`--clean`) renders every page.
    public var incremental = true
    /// Build everything, then discard it (`--dry-run`): the site at `output` stays as it was.
    public var dryRun = false
    /// The folder of the cache of the status of the site's pages of events (``SiteStatCache``):
    /// read by an incremental build to keep pages without hashing them again, written after
    /// every build that publishes. Nil: no cache (every kept file is hashed).
    public var cacheFolder: URL?

    /// Options with no progress reporting.
    public init(output: URL, theme: Theme, pageSize: Int = 100, trust: TrustList? = nil) {
        self.output = output
        self.theme = theme
        self.pageSize = pageSize
        self.trust = trust
    }
}

/// What a build published.
public struct BuildResult: Sendable {
    /// The verification of the source (its findings decide the exit status, as for `verify`).
    public var verifyReport: VerifyReport
    /// Relative paths of every file of the site, sorted by bytes.
    public var files: [String]
    /// HTML pages written.
    public var pages: Int
    /// Bytes written.
    public var bytes: Int
    /// The comparison with `--previous` (nil without it).
    public var diff: ReleaseDiff?
    /// Pages of events kept from the site that was at the output folder (incremental build).
    public var keptPages = 0
    /// Pages of events in the site (chronological pages and pages by model, actor and action).
    public var eventPages = 0
    /// Why no page could be kept from a site that was at the output folder (nil: none was there, or pages were kept).
    public var fullBuildReason: String?
    /// Lines of the log parsed a second time for the pages of the trail: all of them in a full
    /// build; in an incremental one, only those of pages rendered again and those the GxP view,
    /// the findings and the links between events need.
    public var linesReadAgain: Int64 = 0
}

/// Why a build cannot start (exit 2).
public enum BuildError: LocalizedError, Sendable, Equatable {
    /// `--page-size` outside 1…1,000,000.
    case invalidPageSize(Int)
    /// The output folder (first) lies inside a folder of the source (second) that the evidence copies.
    case outputInsideSource(String, String)

    /// The message, naming the value or path and the fix.

    public var errorDescription: String? {
        switch self {
        case .invalidPageSize(let n): return "page size \(n) must be between 1 and 1000000"
        case .outputInsideSource(let out, let folder):
            return "\(out): the output folder lies inside the pack source's \(folder); the pack's evidence copy would include what is written there. "
                + "Fix: choose an output folder outside \(folder)"
        }
    }
}

extension Trailpack {
    /// `trailpack build`: verifies a pack source (or a built site's evidence) and renders the
    /// inspection site into `options.output` through ``SiteWriter``: the previous site stays
    /// in place until the new one is complete. Findings do not stop the build.
    public static func build(source path: String, options: BuildOptions) throws -> BuildResult {
        guard (1...1_000_000).contains(options.pageSize) else { throw BuildError.invalidPageSize(options.pageSize) }
        let resolved = try resolveSource(path)
        try checkOutput(options.output, source: resolved)
        // A log in PostgreSQL is built from a file-store copy: the evidence is always segment files.
        let copy = try FileStoreCopy.make(resolved)
        defer { copy?.remove() }
        let source = copy?.url ?? resolved
        // The log in files is read three times (verify pass, evidence copy, the trail's pages):
        // no append may land between them, so the shared lock is held for the whole build.
        let lock = copy == nil ? try StoreLock.reading(auditDirectory: source.appendingPathComponent("audit").path) : nil
        defer { withExtendedLifetime(lock) {} }
        if options.previous != nil { options.progress?("verifying the previous release") }
        // OLD is read completely before anything is written: it may be the output folder itself.
        let previous = try options.previous.map { try PreviousRelease.analyze($0, trust: options.trust) }
        var newLog = previous.map { NewLogCollector(old: $0.log) }
        // The site at the output folder, read before anything is written (incremental builds).
        let prior = options.incremental ? PreviousSite.load(options.output) : nil
        var boundaries = PageBoundaries(pageSize: options.pageSize, watch: prior?.treeSize)
        var referenced = Set<JSONString>()
        var lineage = LineageCollector()
        var locator = EventLocator(pageSize: options.pageSize)
        // What the trail needs of every event, noted now so that an incremental build's second
        // read parses only the events of pages rendered again (``TrailSelection``).
        var facts = prior.map { _ in TrailFacts(pageSize: options.pageSize) }
        options.progress?("verifying")
        let analysis = try analyze(source: source, trust: options.trust) { c in
            locator.observe(position: c.index, seq: c.event.seq)
            if let r = c.event.refs.event { referenced.insert(r) }
            lineage.observe(c)
            newLog?.observe(c)
            boundaries.observe(position: c.index, hash: c.hashDigest, event: c.event)
            facts?.observe(position: c.index, event: c.event)
        }
        let refs = referenced
        let lineageIndex = LineageIndex(lineage, pageSize: options.pageSize)
        var diff: ReleaseDiff?
        if let previous, let newLog { diff = try previous.diff(new: analysis, newLog: newLog, newLabel: path) }
        var pages = 0
        var bytes = 0
        // The status cache of the site being replaced, which also says whether that site is the
        // one this user last built there, as published.
        let cache = prior == nil ? nil : options.cacheFolder.flatMap { SiteStatCache.load(folder: $0, site: options.output) }
        let reuse = Reuse(prior: prior, cache: cache, boundaries: boundaries, analysis: analysis, output: options.output,
                          existed: options.incremental && FileManager.default.fileExists(atPath: options.output.path))
        var kept = (pages: 0, total: 0, readAgain: Int64(0))
        var pageFiles: [(path: String, digest: SHA256.Digest)] = []
        var sourceSegments: [(status: stat, digest: SHA256.Digest)] = []
        var sums = SHA256.Digest.zero
        let files = try SiteWriter.build(target: options.output, marks: Self.siteMarks, commit: !options.dryRun) { writer in
            var out = SiteOutput(writer)
            defer { writer = out.writer }
            let scratch = out.writer.temporary + "/.trailpack-scratch"
            guard mkdir(scratch, 0o700) == 0 else { throw SiteWriterError.io(operation: "creating", path: scratch, errno: errno) }
            let rendered = try render(analysis, locator: locator, referenced: refs, lineage: lineageIndex, scratch: scratch,
                                      options: options, previous: diff, reuse: reuse, facts: facts, output: &out)
            kept = (rendered.pages, rendered.total, rendered.readAgain)
            if options.cacheFolder != nil {
                pageFiles = out.digests.filter { f in
                    if Evidence.isLogSegmentCopy(f.path) { return true }
                    guard let dot = f.path.lastIndex(of: ".") else { return false }
                    return (f.path.hasSuffix(".html") || f.path.hasSuffix(".md")) && rendered.keyedPages.contains(String(f.path[..<dot]))
                }
                sourceSegments = rendered.segments
            }
            do { try FileManager.default.removeItem(atPath: scratch) } catch {
                throw SiteWriterError.io(operation: "removing the spool folder", path: scratch, errno: EIO)
            }
            let checksums = out.checksums()
            sums = SHA256.digest(Array(checksums.utf8))
            try out.writer.write("SHA256SUMS", string: checksums)
            pages = out.digests.filter { $0.path.hasSuffix(".html") && !$0.path.hasPrefix("evidence/") }.count
            bytes = out.bytes
        }
        // The status of the pages of events as published, for the next build (best effort).
        if !options.dryRun, let folder = options.cacheFolder {
            SiteStatCache.record(folder: folder, site: options.output, sums: sums, files: pageFiles, sources: sourceSegments)
        }
        var result = BuildResult(verifyReport: analysis.verifyReport, files: files, pages: pages, bytes: bytes, diff: diff)
        result.keptPages = kept.pages
        result.eventPages = kept.total
        result.linesReadAgain = kept.readAgain
        result.fullBuildReason = kept.pages == 0 ? reuse.reason : nil
        return result
    }

    /// The files that make a folder an earlier site, which a build may replace.
    static let siteMarks = ["SHA256SUMS", "report.json"]

    /// What the build may take from the site at its output folder, decided after the verify pass.
    struct Reuse: Sendable {
        let prior: PreviousSite?
        /// The status cache of `prior` (nil when nothing is kept).
        let cache: SiteStatCache?
        let boundaries: PageBoundaries
        /// False when the chain did not verify: page keys then prove nothing, none is recorded.
        let sound: Bool
        /// Why nothing can be kept (nil: pages may be kept, or there was no site).
        let reason: String?

        init(prior: PreviousSite?, cache: SiteStatCache?, boundaries: PageBoundaries, analysis: PackAnalysis, output: URL, existed: Bool) {
            self.boundaries = boundaries
            sound = !analysis.findings.contains { Trailpack.chainRules.contains($0.rule) }
            let dir = output.path
            if let prior {
                let old = prior.treeSize
                // The site in the output folder can be written by others: a page forged together
                // with its SHA256SUMS line must not be kept. Only the site this user's status
                // cache recorded, with the SHA256SUMS it published, is trusted.
                if cache?.sums != prior.sums {
                    reason = cache == nil
                        ? "full build: no build of the site at \(dir) is recorded in this user's cache (\(SiteStatCache.cacheName)), so none of its pages is trusted"
                        : "full build: the SHA256SUMS of the site at \(dir) is not the one this user's last build published there, so none of its pages is trusted"
                    self.prior = nil
                } else if !sound {
                    reason = "full build: the log's hash chain did not verify, so no page of the previous site at \(dir) is kept"
                    self.prior = nil
                } else if old > boundaries.count {
                    reason = "full build: the log has \(boundaries.count) events, fewer than the \(old) the site at \(dir) was built from (history was rewritten)"
                    self.prior = nil
                } else if old > 0 && boundaries.watched != prior.head {
                    reason = "full build: event \(old) differs from the one the site at \(dir) was built from, so the log does not extend that log (history was rewritten)"
                    self.prior = nil
                } else {
                    reason = nil
                    self.prior = prior
                }
            } else {
                reason = existed ? "full build: \(dir) holds no \(BuildState.fileName) this version reads (a first build, or one by another version)" : nil
                self.prior = nil
            }
            self.cache = self.prior == nil ? nil : cache
        }
    }

    /// Renders every page, the evidence, report.json and the assets into `output`: the trail
    /// first, which seals the site model's ``TrailIndex`` (from the verify pass's `locator` and
    /// its own read), then every other page from that model.
    /// Returns the pages of events kept from the previous site, the pages of events in all, the
    /// paths (without `.html` / `.md`) of every page with a key (pages of events, dataset pages),
    /// the lines the trail read again, and the log segments as they were copied.
    static func render(_ analysis: PackAnalysis, locator: EventLocator, referenced: Set<JSONString>, lineage: LineageIndex = LineageIndex(),
                       scratch: String, options: BuildOptions, previous: ReleaseDiff? = nil, reuse: Reuse, facts: TrailFacts? = nil,
                       output: inout SiteOutput) throws
        -> (pages: Int, total: Int, keyedPages: Set<String>, readAgain: Int64, segments: [(status: stat, digest: SHA256.Digest)]) {
        let progress = options.progress
        progress?("copying the evidence")
        // The status cache of the site being replaced (only when its pages may be kept).
        let cache = reuse.cache
        var previousEvidence: Evidence.Previous?
        if let prior = reuse.prior, let cache { previousEvidence = Evidence.Previous(root: prior.root, digests: prior.evidence, cache: cache) }
        let evidence = try Evidence.copy(source: analysis.source, output: &output, previous: previousEvidence)
        var context = SiteContext(analysis: analysis, theme: options.theme, pageSize: options.pageSize, locator: locator)
        context.previous = previous
        context.lineage = lineage
        let keys = PageKeys.compute(reuse.boundaries, context: context)
        let pages = reuse.prior.map { PageReuse(previous: $0, keys: keys, boundaries: reuse.boundaries, cache: cache) }
            ?? PageReuse(keys: keys)
        if pages.count > 0 { progress?("keeping \(pages.count) of \(keys.keys.count) pages of events from the previous build") }
        // Pages kept from a sound log: only the events of pages rendered again (and those the
        // GxP view, findings and anchors need) are parsed a second time.
        let selection = pages.count > 0
            ? facts.flatMap { TrailSelection(facts: $0, reuse: pages, boundaries: reuse.boundaries, context: context, referenced: referenced) }
            : nil
        var trail = AuditTrail(context: context, referenced: referenced, scratch: scratch, reuse: pages, selection: selection)
        let total = analysis.integrity.treeSize
        let index = try trail.run(output: &output) { done in progress?("audit trail: \(done) of \(total) events") }
        let c = context.sealed(with: index)
        progress?("pages by model, actor and action")
        let groups = try AuditIndex.writeGroups(trail.spool, reuse: pages, context: c, output: &output)
        progress?("GxP view of the trail")
        let gxp = try GxPView.write(trail.gxp, context: c, output: &output)
        try AuditIndex.writeIndex(c, groups: groups, gxp: gxp, output: &output)
        progress?("summary, models and reports")
        let narrative = try NarrativePages.write(c, evidence: evidence, output: &output)
        let (rows, csv) = TraceabilityPage.rows(c)
        try IndexPage.write(c, narrative: narrative, output: &output)
        try ModelPages.write(c, trace: rows, evidence: evidence, output: &output)
        try TraceabilityPage.write(c, rows: rows, csv: csv, output: &output)
        try SignaturesPage.write(c, output: &output)
        try IntegrityPage.write(c, evidence: evidence, output: &output)
        try FindingsPage.write(c, output: &output)
        try CapaPage.write(c, output: &output)
        try ChangesPage.write(c, output: &output)
        try DriftPages.write(c, output: &output)
        let datasetKeys = try DatasetPages.write(c, reuse: pages, output: &output)
        for asset in options.theme.assets { try output.write(asset.name, bytes: asset.bytes) }
        try output.write(PrintFooter.fileName, PrintFooter.css(title: c.analysis.config.title, release: c.analysis.config.release.name,
                                                               asOf: c.analysis.asOf))
        try output.write("report.json", JSONWriter.pretty(ReportJSON.build(c, groups: groups, evidence: evidence)))
        let b = reuse.boundaries
        let recorded = keys.keys.merging(datasetKeys) { a, _ in a }
        try output.write(BuildState.fileName, bytes: BuildState(treeSize: b.count, head: b.count > 0 ? b.lastHash : nil,
                                                                keys: reuse.sound ? recorded : [:]).encoded())
        return (pages.count, keys.keys.count, Set(recorded.keys), trail.parsedLines, evidence.copiedSegments)
    }

    /// Refuses an output folder (of `build`, `diff --out`, `export`) inside a folder of any of
    /// `sources` (pack sources or built sites, as given) that a site's evidence copies.
    public static func checkOutput(_ output: String, sources: [String]) throws {
        for s in sources { try checkOutput(URL(fileURLWithPath: output), source: try resolveSource(s)) }
    }

    /// Refuses an output folder inside a folder of the source that the evidence copies.
    static func checkOutput(_ output: URL, source: URL) throws {
        let out = output.standardizedFileURL.path
        let parent = ArtifactChecker.realPath((out as NSString).deletingLastPathComponent) ?? (out as NSString).deletingLastPathComponent
        let resolved = parent + "/" + (out as NSString).lastPathComponent
        let root = ArtifactChecker.realPath(source.path) ?? source.standardizedFileURL.path
        for folder in Evidence.folders where resolved == root + "/" + folder || resolved.hasPrefix(root + "/" + folder + "/") {
            throw BuildError.outputInsideSource(out, folder + "/")
        }
        if resolved == root { throw BuildError.outputInsideSource(out, "root folder") }
    }
}
