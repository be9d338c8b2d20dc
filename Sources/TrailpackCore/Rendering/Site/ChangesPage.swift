/// The changes between two releases (``ReleaseDiff``) as one page, the only renderer of a diff's
/// HTML and Markdown: the integrity verdict with the consistency proof and how to re-check it,
/// then every change. One description (``values(_:links:)``) rendered by the theme's `changes`
/// templates in two places:
/// - in a site built with `--previous OLD` (`changes.html` and its twin `changes.md`), inside the
///   site's layout, linked to the pages of this (the NEW) site where one exists;
/// - standing alone (`trailpack diff --format html|markdown`, `--out`: ``ChangesDocument``), with
///   the theme's `layout-standalone` in place of the site's `layout`: no link, and NEW named by
///   its source where the site says "this site" (`standalone` is true).
/// Every string reaches the templates as a plain value, so the theme escapes it.
enum ChangesPage {
    static let path = "changes"

    /// Where the page's links lead: into a built site, or nowhere (standalone: a link is its label).
    struct Links {
        /// The site, nil when the page stands alone.
        let site: SiteContext?
        /// The actions and actors that have a page of the trail.
        let actions: Set<[UInt8]>, actors: Set<[UInt8]>

        /// No site: every link is plain text.
        static let none = Links(site: nil, actions: [], actors: [])

        /// The links of a site whose trail has been written (its index sealed in `c`).
        init(_ c: SiteContext) {
            func keys(_ dim: GroupDimension) -> Set<[UInt8]> { Set((c.trail.groups[dim] ?? []).map(\.key)) }
            self.init(site: c, actions: keys(.action), actors: keys(.actor))
        }

        private init(site: SiteContext?, actions: Set<[UInt8]>, actors: Set<[UInt8]>) {
            self.site = site
            self.actions = actions
            self.actors = actors
        }

        func event(position: Int, label: String) -> TemplateValue {
            site?.locator.link(position: Int64(position), label: label) ?? TV.text(label)
        }

        func event(seq: Int64, label: String) -> TemplateValue { site?.locator.link(seq: seq, label: label) ?? TV.text(label) }

        func version(_ v: VersionRef) -> TemplateValue {
            site?.versionPages.contains(v) == true ? TV.page(v.description, SiteLinks.version(v)) : TV.text(v.description)
        }

        func model(_ id: JSONString) -> TemplateValue {
            site?.analysis.registry.model(id) != nil ? TV.page(id.string, SiteLinks.model(id)) : TV.text(id.string)
        }

        func requirement(_ r: RequirementChange) -> TemplateValue {
            let known = site?.analysis.registry.model(r.model)?.requirements.contains { $0.id == r.requirement } ?? false
            return known ? TV.page(r.requirement.string, SiteLinks.model(r.model), anchor: SiteLinks.requirementAnchor(r.requirement))
                : TV.text(r.requirement.string)
        }

        /// A count's key, linked to its page of the trail by action or actor (an actor with its name in a site).
        func group(_ dim: GroupDimension, _ key: String) -> TemplateValue {
            let bytes = Array(key.utf8)
            guard let site else { return TV.text(key) }
            let label = dim == .actor ? AuditIndex.label(.actor, bytes, site.analysis) : key
            let known = (dim == .actor ? actors : actions).contains(bytes)
            return known ? TV.page(label, SiteLinks.group(dim.rawValue, bytes, page: 1)) : TV.text(label)
        }

        /// A drift window still in NEW, linked to the drift section of its version's page.
        func window(_ w: DriftChange) -> TemplateValue {
            site?.versionPages.contains(w.version) == true && w.new != nil
                ? TV.page(w.path, SiteLinks.version(w.version), anchor: "drift") : TV.text(w.path)
        }

        /// Findings opened and persisting link to their row of the findings page (`number`) and to
        /// where they point; resolved ones were OLD's and have neither.
        func findings(_ list: [Finding], inNew: Bool, numbers: inout [Finding: [Int]]) -> TemplateValue {
            .array(list.map { f in
                var number: TemplateValue = .null
                if inNew, let i = numbers[f]?.first {
                    numbers[f]?.removeFirst()
                    number = site?.findingLink(i, label: "\(i + 1)") ?? TV.page("\(i + 1)", "findings", anchor: SiteLinks.findingAnchor(i))
                }
                let location = inNew ? site.map { FindingsPage.locationLink(f, $0) } ?? TV.text(f.location) : TV.text(f.location)
                return ["number": number, "badge": FindingsPage.severityBadge(f.severity, waived: f.waiver != nil),
                        "rule": .string(f.rule.rawValue), "location": location,
                        "locationEvent": inNew ? site.map { FindingsPage.locationEvent(f, $0) } ?? .null : .null,
                        "message": .fragment(Tokens.marked(f.message))]
            })
        }
    }

    /// The verdict as a badge: words and symbol carry it, the tone only adds colour.
    static func verdictBadge(_ d: ReleaseDiff) -> TemplateValue {
        switch d.integrity.verdict {
        case .identical: return TV.badge("✔ IDENTICAL: the same log as release \(d.old.release)", "pass")
        case .extended: return TV.badge("✔ EXTENDED: this log extends release \(d.old.release)'s, proof verified", "pass")
        case .rewritten: return TV.badge("✖ REWRITTEN: history rewritten since release \(d.old.release)", "fail")
        }
    }

    /// The `previous` value of the summary page: null without `--previous`.
    static func summary(_ c: SiteContext) -> TemplateValue {
        guard let d = c.previous else { return .null }
        return summary(d, link: TV.page(d.title, path))
    }

    /// The verdict and counts, as the summary page and the page's regressions show them.
    static func summary(_ d: ReleaseDiff, link: TemplateValue) -> TemplateValue {
        let regressions = d.regressions.count
        return [
            "link": link, "title": .string(d.title), "release": .string(d.old.release),
            "label": .string(d.old.source), "badge": verdictBadge(d), "message": .string(d.integrity.message),
            "rewritten": .bool(d.integrity.verdict == .rewritten), "unchanged": .bool(d.isUnchanged),
            "sentence": .string(d.isUnchanged ? "No changes" : d.summarySentence),
            "regressions": .int(regressions),
            "regressionsBadge": regressions == 0 ? TV.badge("✔ No regression", "pass")
                : TV.badge("✖ \(ReleaseDiff.plural(regressions, "regression"))", "fail"),
        ]
    }

    /// Writes `changes.html` and `changes.md` when the build has a previous release.
    static func write(_ c: SiteContext, output: inout SiteOutput) throws {
        guard let d = c.previous else { return }
        let values = values(d, links: Links(c))
        try output.write(try c.render(.changes, path: path, title: d.title, section: .changes, values))
    }

    /// The page's values: which sections, tables, rows and words the templates show.
    static func values(_ d: ReleaseDiff, links: Links) -> [String: TemplateValue] {
        var values = integrityValues(d, links)
        values["standalone"] = .bool(links.site == nil)
        values["summary"] = summary(d, link: links.site == nil ? TV.text(d.title) : TV.page(d.title, path))
        values["regressions"] = .array(d.regressions.map { ["kind": .string($0.kind.rawValue), "message": .string($0.message)] })
        values["events"] = events(d, links)
        values["models"] = .array(d.models.map { m in
            ["link": links.model(m.model), "name": .string(m.name), "change": .string(m.change.rawValue)]
        })
        values["hasModels"] = .bool(!d.models.isEmpty)
        values["versions"] = .array(d.versions.map { v in
            ["link": links.version(v.version), "change": .string(v.change.rawValue),
             "old": .string(VersionState.cell(v.old)), "new": .string(VersionState.cell(v.new))]
        })
        values["approvals"] = .array(d.approvals.map { a in
            ["link": links.event(seq: a.approval.seq, label: "seq \(a.approval.seq)"), "version": links.version(a.version),
             "name": .string(a.approval.name), "actor": .string(a.approval.actor.string), "time": TV.time(a.approval.time),
             "badge": a.approval.isValidApproval ? TV.badge("✔ Valid approval", "pass") : TV.badge("✖ Not a valid approval", "fail")]
        })
        values["signatures"] = .array(d.signatures.map { s in
            ["link": links.event(seq: s.seq, label: "seq \(s.seq)"), "action": .string(s.action), "subject": .string(s.subject),
             "name": .string(s.signedBy), "signer": .string(s.signer), "meaning": .string(s.meaning),
             "badge": s.valid ? TV.badge("✔ Verified", "pass") : TV.badge("✖ \(s.status)", "fail")]
        })
        values["requirements"] = .array(d.requirements.map { r in
            ["model": links.model(r.model), "requirement": links.requirement(r),
             "title": .string(r.title), "change": .string(r.change.rawValue),
             "old": .string(RequirementState.cell(r.old)), "new": .string(RequirementState.cell(r.new)),
             "badge": r.change == .lost ? TV.badge("✖ lost", "fail") : r.change == .gained ? TV.badge("✔ gained", "pass")
                : TV.badge(r.change.rawValue, "neutral")]
        })
        func test(_ t: TestChange) -> TemplateValue {
            ["version": links.version(t.version), "test": .string(t.test.string),
             "old": .string(t.old.map { "\($0.result) (seq \($0.seq))" } ?? "not run"),
             "new": links.event(seq: t.new.seq, label: "\(t.new.result) (seq \(t.new.seq))")]
        }
        values["testsFailing"] = .array(d.testsNewlyFailing.map(test))
        values["testsPassing"] = .array(d.testsNewlyPassing.map(test))
        var numbers: [Finding: [Int]] = [:]
        for (i, f) in (links.site?.analysis.findings ?? []).enumerated() { numbers[f, default: []].append(i) }
        values["findings"] = [
            "opened": links.findings(d.findings.opened, inNew: true, numbers: &numbers),
            "resolved": links.findings(d.findings.resolved, inNew: false, numbers: &numbers),
            "persisting": links.findings(d.findings.persisting, inNew: true, numbers: &numbers),
            "persistingCount": .int(d.findings.persisting.count), "hasPersisting": .bool(!d.findings.persisting.isEmpty),
        ]
        values["drift"] = .array(d.drift.map { w in
            ["window": links.window(w), "version": links.version(w.version), "start": .string(w.start.description),
             "end": .string(w.end.description), "change": .string(w.change.rawValue),
             "old": .string(DriftState.cell(w.old)), "new": .string(DriftState.cell(w.new))]
        })
        return values
    }

    // MARK: - Parts

    /// The verdict, both logs, the proof and the first difference.
    static func integrityValues(_ d: ReleaseDiff, _ links: Links) -> [String: TemplateValue] {
        let i = d.integrity
        func side(_ s: DiffSide) -> TemplateValue {
            ["label": .string(s.source), "release": .string(s.release), "releaseModels": .string(s.releaseModels.joined(separator: ", ")),
             "origin": .string(s.origin), "asOf": TV.str(s.asOf), "treeSize": .int(s.treeSize), "root": .string(s.root.hex),
             "rootBase64": .string(Base64.encode(s.root.bytes))]
        }
        func pointer(_ p: EventPointer?, inNew: Bool) -> TemplateValue {
            guard let p else { return .null }
            let label = "event \(p.index)"
            return ["link": inNew ? links.event(position: p.index, label: label) : TV.text(label),
                    "seq": .string(p.seq.map(String.init) ?? "?"), "id": .string(p.id ?? "?"), "action": .string(p.action),
                    "location": .string(p.location), "hash": .string(p.hash)]
        }
        let difference: TemplateValue = i.firstDifference.map { f in
            ["index": .int(f.index), "new": pointer(f.new, inNew: true), "old": pointer(f.old, inNew: false)]
        } ?? .null
        return [
            "old": side(d.old), "new": side(d.new), "verdict": .string(i.verdict.rawValue), "badge": verdictBadge(d),
            "message": .string(i.message), "identical": .bool(i.verdict == .identical), "extended": .bool(i.verdict == .extended),
            "rewritten": .bool(i.verdict == .rewritten),
            "originsDiffer": i.originsDiffer ? ["oldOrigin": .string(d.old.origin), "newOrigin": .string(d.new.origin)] : .null,
            "proof": [
                "size1": .int(i.oldSize), "size2": .int(i.newSize), "root1": .string(i.oldRoot.hex), "root2": .string(i.newRoot.hex),
                "hashes": .array(i.proof.map { .string($0.hex) }), "count": .int(i.proof.count),
                "verified": .bool(i.proofVerified),
            ],
            "newRootAtOldSize": TV.str(i.newRootAtOldSize?.hex),
            "firstDifference": difference,
        ]
    }

    /// Events added: the range (linked to the trail) and counts by action and actor, each linked
    /// to its page of the trail by action or actor.
    static func events(_ d: ReleaseDiff, _ links: Links) -> TemplateValue {
        let e = d.events
        return [
            "count": .int(e.count),
            "first": e.firstIndex.map { links.event(position: $0, label: "event \($0)") } ?? .null,
            "last": e.lastIndex.map { links.event(position: $0, label: "event \($0)") } ?? .null,
            "byAction": .array(e.byAction.map { ["link": links.group(.action, $0.key), "key": .string($0.key), "count": .int($0.count)] }),
            "byActor": .array(e.byActor.map { ["link": links.group(.actor, $0.key), "key": .string($0.key), "count": .int($0.count)] }),
        ]
    }
}

/// A diff's changes page standing alone (`trailpack diff --format html|markdown`, `--out DIR`):
/// the theme's `changes` templates with `layout-standalone` in place of the site's layout, so
/// the diff command and the site's changes page word every section, table and row the same.
public struct ChangesDocument: Sendable {
    /// The HTML page: the body under the title, with the site's Content-Security-Policy and no script.
    public var html: String
    /// The HTML of the page's content alone (its `main` block), for embedding.
    public var htmlBody: String
    /// The Markdown page: `# <title>`, then the body.
    public var markdown: String
    /// The Markdown of the page's content alone, starting with level-2 headings.
    public var markdownBody: String

    /// The layout the standalone page renders in (`layout-standalone.html`, `.md`), standing in
    /// for the site's `layout` that the `changes` templates name as their parent.
    static let standaloneLayout = "layout-standalone", siteLayout = "layout"

    /// Renders `diff` through `theme`'s `changes` templates.
    /// - Throws: ``ThemeError/missingTemplate(_:folders:)`` when the theme has no standalone
    ///   layout; ``ThemeError/template(_:folder:)`` for an error while rendering.
    public init(_ diff: ReleaseDiff, theme: Theme) throws(ThemeError) {
        var values = ChangesPage.values(diff, links: .none)
        values["root"] = ""
        values["site"] = ["csp": ContentSecurityPolicy.templateValue]
        values["page"] = ["title": .string(diff.title)]
        let page = TemplateValue.object(values)
        func render(_ set: TemplateSet) throws(ThemeError) -> (page: String, body: String) {
            let ext = set.escaping == .html ? ".html" : ".md"
            let name = SitePageKind.changes.template(set.escaping), layout = Self.standaloneLayout + ext
            let folder = theme.origins[name + ".mustache"] ?? "the theme"
            guard set[layout] != nil else {
                throw .missingTemplate(layout, folders: [theme.origins[Self.siteLayout + ext + ".mustache"] ?? folder])
            }
            do {
                var standalone = set, bare = set
                standalone.alias(Self.siteLayout + ext, to: layout)
                bare.insert(try Template(source: "{{$main}}{{/main}}", name: Self.siteLayout + ext))
                return (try standalone.render(name, page), try bare.render(name, page))
            } catch {
                throw .template(error, folder: folder)
            }
        }
        (html, htmlBody) = try render(theme.html)
        (markdown, markdownBody) = try render(theme.markdown)
    }
}
