import Foundation

/// The navigation sections; each page marks its own as current.
enum NavSection: String, CaseIterable, Sendable {
    case summary, changes, audit, datasets, traceability, findings, signatures, integrity, capa

    var label: String {
        switch self {
        case .summary: return "Summary"
        case .changes: return "Changes"
        case .audit: return "Audit trail"
        case .datasets: return "Datasets"
        case .traceability: return "Traceability"
        case .findings: return "Findings"
        case .signatures: return "E-signatures"
        case .integrity: return "Integrity"
        case .capa: return "CAPA & drift"
        }
    }

    var path: String {
        switch self {
        case .summary: return "index"
        case .audit: return "audit/index"
        case .datasets: return SiteLinks.datasetIndex
        default: return rawValue
        }
    }
}

/// What every page shares (the analysis, theme, footer facts, event locations) and how a page
/// becomes its HTML file and Markdown twin.
struct SiteContext: Sendable {
    let analysis: PackAnalysis
    let theme: Theme
    let pageSize: Int
    /// The trail's index (``TrailIndex``): only the verify pass's positions while the trail is
    /// read, the whole index in the context of every page written after it (``sealed(with:)``).
    private(set) var trail: TrailIndex
    /// Where each event's full row is.
    var locator: EventLocator { trail.locator }
    /// Positions of events by id, for the ids that some event's refs.event names.
    var anchors: [JSONString: Int64] { trail.anchors }
    /// The events findings name, by seq: what the findings page says of each.
    var findingEvents: [Int64: FindingEvent] { trail.findingEvents }
    let status: StatusIndex
    /// Finding indices by the seq they name.
    let findingsBySeq: [Int64: [Int]]
    /// Each finding that closes a capped list (``Finding/omitted``), with the sorted `seq`s of
    /// the findings of its rule that are not listed.
    let closingFindings: [(index: Int, seqs: [Int64])]
    /// The findings in the findings pages' order (``FindingsPage/displayOrder(_:)``), and the
    /// page of each finding by its index (``FindingsPage/pageSize`` a page).
    let findingOrder: [Int]
    let findingPage: [Int32]
    /// Versions that have a page (every lifecycle of a registry model).
    let versionPages: Set<VersionRef>
    /// CAPA ids listed on the CAPA page.
    let capaIDs: Set<JSONString>
    /// The drift record of every version with windows (drift pages, summary, report.json).
    let drift: DriftIndex
    /// The `site` object of every page: title, organization, release, as-of, tree size, root.
    let site: TemplateValue
    /// The `site` object of the pages that show a range of events (chronological and group
    /// pages): the same without the values of the whole log (as-of time, tree size, root,
    /// `whole` false), so that such a page depends only on its own events (incremental builds).
    let rangeSite: TemplateValue
    /// What `rangeSite` holds, as text: part of every kept page's inputs (``PageKeys``).
    let rangeSiteText: [String]
    /// The diff from the release of `--previous` (nil without it: no changes page, no nav entry).
    var previous: ReleaseDiff?
    /// Datasets, runs and trainings (no datasets: no dataset pages, no nav entry).
    var lineage = LineageIndex()

    /// The context of a build; `locator` is the verify pass's (``EventLocator``).
    init(analysis a: PackAnalysis, theme: Theme, pageSize: Int, locator: EventLocator) {
        self.analysis = a
        self.theme = theme
        self.pageSize = pageSize
        self.trail = TrailIndex(locator: locator)
        self.status = StatusIndex(a)
        var bySeq: [Int64: [Int]] = [:]
        for (i, f) in a.findings.enumerated() { if let s = f.seq { bySeq[s, default: []].append(i) } }
        self.findingsBySeq = bySeq
        self.closingFindings = a.findings.indices.compactMap { i in
            let f = a.findings[i]
            guard f.omitted > 0, let seqs = a.omittedSeqs[f.rule], !seqs.isEmpty else { return nil }
            return (i, seqs)
        }
        let order = FindingsPage.displayOrder(a.findings)
        var pageOf = [Int32](repeating: 1, count: a.findings.count)
        for (position, i) in order.enumerated() { pageOf[i] = Int32(position / FindingsPage.pageSize + 1) }
        self.findingOrder = order
        self.findingPage = pageOf
        self.versionPages = Set(a.versions.filter { a.registry.model($0.ref.model) != nil }.map(\.ref))
        self.capaIDs = Set(a.capas.map(\.id))
        self.drift = DriftIndex(a, versionPages: versionPages)
        let release = a.config.release.models.map { "\($0.model.string)@\($0.version.string)" }.joined(separator: ", ")
        let shared: [String: TemplateValue] = [
            "title": .string(a.config.title), "organization": TV.str(a.config.organization), "origin": .string(a.config.origin),
            "release": .string(a.config.release.name), "releaseModels": .string(release),
            "generator": .string("trailpack \(Trailpack.version)"), "csp": ContentSecurityPolicy.templateValue,
        ]
        var whole = shared
        whole["whole"] = .bool(true)
        whole["asOf"] = TV.str(a.asOf.map { TimeDisplay.utc($0.description) })
        whole["treeSize"] = .int(a.integrity.treeSize)
        whole["merkleRoot"] = .string(a.integrity.root.hex)
        var range = shared
        for key in ["asOf", "treeSize", "merkleRoot"] { range[key] = .null }
        range["whole"] = .bool(false)
        self.site = .object(whole)
        self.rangeSite = .object(range)
        self.rangeSiteText = [a.config.title, a.config.organization ?? "\u{0}", a.config.origin, a.config.release.name, release,
                              "trailpack \(Trailpack.version)", "\(ContentSecurityPolicy.value)"]
    }

    /// This context with the trail's whole index, for the pages written after the trail.
    func sealed(with index: TrailIndex) -> SiteContext {
        var c = self
        c.trail = index
        return c
    }

    /// The navigation entries every page shows.
    var navSections: [NavSection] {
        NavSection.allCases.filter { ($0 != .changes || previous != nil) && ($0 != .datasets || !lineage.isEmpty) }
    }

    /// The template value of a page: `root`, `site`, `nav`, `page` (title, path, twin links) and
    /// the page's own values.
    /// A page that shows a range of events passes `range` (what it shows, in words): it then
    /// sees ``rangeSite`` instead of ``site``, and `page.dependsOn` says what its bytes depend on
    /// (`dependsOn`, by default "its own events").
    func pageValue(path: String, title: String, section: NavSection?, range: String? = nil, dependsOn: String? = nil,
                   _ values: [String: TemplateValue]) -> TemplateValue {
        var v = values
        v["root"] = .string(SiteLinks.root(of: path))
        v["site"] = range == nil ? site : rangeSite
        v["nav"] = .array(navSections.map { s -> TemplateValue in
            ["label": .string(s.label), "html": .string(s.path + ".html"), "md": .string(s.path + ".md"), "current": .bool(s == section)]
        })
        let name = path.split(separator: "/").last.map(String.init) ?? path
        v["page"] = ["title": .string(title), "path": .string(path), "html": .string(name + ".html"), "md": .string(name + ".md"),
                     "range": TV.str(range), "dependsOn": dependsOn.map { .string($0) } ?? (range == nil ? .null : .string("its own events"))]
        return .object(v)
    }

    /// Renders a page in both formats (`range`: see ``pageValue(path:title:section:range:_:)``).
    func render(_ kind: SitePageKind, path: String, title: String, section: NavSection?, range: String? = nil,
                _ values: [String: TemplateValue]) throws(TemplateError) -> RenderedPage {
        try render(kind, path: path, value: pageValue(path: path, title: title, section: section, range: range, values))
    }

    /// Renders a page in both formats from its whole value (``pageValue(path:title:section:range:_:)``).
    func render(_ kind: SitePageKind, path: String, value: TemplateValue) throws(TemplateError) -> RenderedPage {
        RenderedPage(path: path,
                     html: try theme.html.render(kind.template(.html), value),
                     markdown: try theme.markdown.render(kind.template(.markdown), value))
    }

    /// The path of the findings page that lists finding `i`.
    func findingPath(_ i: Int) -> String { SiteLinks.findingsPage(Int(findingPage[i])) }

    /// A link to finding `i` on its findings page.
    func findingLink(_ i: Int, label: String) -> TemplateValue {
        TV.page(label, findingPath(i), anchor: SiteLinks.findingAnchor(i))
    }

    /// Every seq that ``findings(ofSeq:)`` gives a finding for.
    var namedSeqs: Set<Int64> {
        var out = Set(findingsBySeq.keys)
        for c in closingFindings { out.formUnion(c.seqs) }
        return out
    }

    /// The findings an event's row links to: those that name its `seq`, and the closing finding
    /// of each rule that has a finding of the event among those not listed (``FindingCap``).
    func findings(ofSeq seq: Int64?) -> [Int] {
        guard let seq else { return [] }
        var list = findingsBySeq[seq] ?? []
        for c in closingFindings where !list.contains(c.index) && c.seqs.sortedContains(seq) { list.append(c.index) }
        return list
    }

    /// How an event's row names finding `i`: its rule, marked when waived.
    func findingLabel(_ i: Int) -> String {
        let f = analysis.findings[i]
        return f.rule.rawValue + (f.waiver == nil ? "" : " (waived)")
    }

    /// How an event's row shows an artifact: linked to its evidence copy when the path is one a
    /// page may link (``Evidence/linksArtifact(_:)``) and the verify pass read the file; else as
    /// text, with a note saying why where there is one. A missing or unreadable file is
    /// INT-ARTIFACT at the event, so a page's key (its findings) changes with this answer.
    func artifactShown(_ path: String) -> (linked: Bool, note: String?) {
        guard Evidence.linksArtifact(path) else { return (false, Evidence.opensAsDocument(path) ? Evidence.notLinked : nil) }
        guard case .success? = analysis.integrity.artifactDigests[path] else { return (false, Evidence.notInPack) }
        return (true, nil)
    }

    /// The `findings` links of an event or record: one per finding, to its findings page.
    func findingLinks(seq: Int64?) -> TemplateValue {
        .array(findings(ofSeq: seq).map { i in findingLink(i, label: findingLabel(i)) })
    }
}

/// A file written by a worker: its path, SHA-256 and size.
struct WrittenFile: Sendable {
    var path: String
    var digest: SHA256.Digest
    var count: Int
}

/// Where workers write the pages whose paths ``SiteOutput/reserve(pages:)`` reserved.
struct PageSink: Sendable {
    let writer: SiteWriter

    /// Makes a page's two files (bytes, digest) and writes them, in the calling thread.
    func write(_ page: RenderedPage) throws(SiteWriterError) -> [WrittenFile] {
        var out: [WrittenFile] = []
        for f in SiteOutput.prepare(page) {
            try writer.writeReserved(f.path, bytes: f.bytes)
            out.append(WrittenFile(path: f.path, digest: f.digest, count: f.bytes.count))
        }
        return out
    }
}

/// A file ready to be written: its bytes and their SHA-256.
struct PreparedFile: Sendable {
    var path: String
    var bytes: [UInt8]
    var digest: SHA256.Digest
}

/// A page rendered in both formats, not yet written.
struct RenderedPage: Sendable {
    var path: String
    var html: String
    var markdown: String
}

/// The files of the site being built: written through ``SiteWriter`` (atomic publication) with
/// the SHA-256 of each, for `SHA256SUMS`.
struct SiteOutput {
    var writer: SiteWriter
    private(set) var digests: [(path: String, digest: SHA256.Digest)] = []
    private(set) var bytes = 0

    init(_ writer: SiteWriter) { self.writer = writer }

    /// Writes a text file; HTML and Markdown pages show control characters as text
    /// (``Escape/visibleControls(_:)``): none but tab and line feed reaches a page.
    mutating func write(_ path: String, _ text: String) throws(SiteWriterError) {
        let shown = path.hasSuffix(".html") || path.hasSuffix(".md") ? Escape.visibleControls(text) : text
        try write(path, bytes: Array(shown.utf8))
    }

    mutating func write(_ path: String, bytes data: [UInt8]) throws(SiteWriterError) {
        try writer.write(path, bytes: data)
        digests.append((path, SHA256.digest(data)))
        bytes += data.count
    }

    mutating func write(_ page: RenderedPage) throws(SiteWriterError) {
        try write(page.path + ".html", page.html)
        try write(page.path + ".md", page.markdown)
    }

    /// A page's two files with their bytes and digests, made ready off the writing thread
    /// (in a worker, see ``Parallel``): the same bytes ``write(_:_:)`` would write.
    static func prepare(_ page: RenderedPage) -> [PreparedFile] {
        [prepare(page.path + ".html", page.html), prepare(page.path + ".md", page.markdown)]
    }

    /// A text file's bytes (controls shown as text in pages) and digest.
    static func prepare(_ path: String, _ text: String) -> PreparedFile {
        let shown = path.hasSuffix(".html") || path.hasSuffix(".md") ? Escape.visibleControls(text) : text
        let data = Array(shown.utf8)
        return PreparedFile(path: path, bytes: data, digest: SHA256.digest(data))
    }

    /// Reserves the two files (`.html`, `.md`) of each page path, for workers to write through
    /// the sink returned (rendering, hashing and writing then all run on the workers).
    mutating func reserve(pages paths: [String]) throws(SiteWriterError) -> PageSink {
        for p in paths {
            try writer.reserve(p + ".html")
            try writer.reserve(p + ".md")
        }
        return PageSink(writer: writer)
    }

    /// Notes files that workers wrote through a ``PageSink``, in order.
    mutating func record(_ files: [WrittenFile]) {
        for f in files {
            digests.append((f.path, f.digest))
            bytes += f.count
        }
    }

    /// Copies a file byte for byte, hashing it on the way; returns its SHA-256.
    @discardableResult
    mutating func copy(_ path: String, from source: String, scan: ((UnsafeRawBufferPointer) -> Void)? = nil) throws(SiteWriterError) -> SHA256.Digest {
        var hasher = SHA256.Hasher()
        var n = 0
        try writer.copy(path, from: source) { chunk in
            hasher.update(chunk)
            scan?(chunk)
            n += chunk.count
        }
        let d = hasher.finalizeDigest()
        digests.append((path, d))
        bytes += n
        return d
    }

    /// One line of `SHA256SUMS` as ``checksums()`` writes it for a plain path: 64 lowercase hex
    /// digits, two spaces, a safe relative path in UTF-8; nil for anything else (an escaped
    /// name, a damaged line). Read back by `trailpack pdf` and by incremental builds.
    static func checksumLine(_ line: ArraySlice<UInt8>) -> (path: String, digest: SHA256.Digest)? {
        let i = line.startIndex
        guard line.count > 66, line[i + 64] == 0x20, line[i + 65] == 0x20,
              let digest = SHA256.Digest(hexUTF8: line[i..<(i + 64)]),
              let path = String(validating: line[(i + 66)...], as: UTF8.self), ArtifactChecker.isSafeRelativePath(path)
        else { return nil }
        return (path, digest)
    }

    /// `SHA256SUMS` in `sha256sum -c` form: one `<hex>  <path>` line per file, sorted by the
    /// path's bytes. A path with a backslash or line break is written GNU-style (a leading `\`,
    /// with `\\` and `\n`).
    func checksums() -> String {
        var out = ""
        // Sorted by bytes: Swift's String order is by Unicode scalars after normalization, not
        // bytes; the byte arrays are made once, not per comparison.
        let keyed = digests.map { (key: Array($0.path.utf8), entry: $0) }.sorted { $0.key.lexicographicallyPrecedes($1.key) }
        for (path, digest) in keyed.map(\.entry) {
            // Bytes, not `String.contains` (Foundation's search, slow over 70,000 paths).
            if path.utf8.contains(where: { $0 == 0x5C || $0 == 0x0A || $0 == 0x0D }) {
                let escaped = path.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
                    .replacingOccurrences(of: "\r", with: "\\r")
                out += "\\\(digest.hex)  \(escaped)\n"
            } else {
                out += "\(digest.hex)  \(path)\n"
            }
        }
        return out
    }
}
