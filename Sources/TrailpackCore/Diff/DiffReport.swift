import Foundation

/// The Markdown and HTML forms of a diff, and `--out DIR`.
extension ReleaseDiff {
    /// The diff as Markdown, starting with level-2 headings (`title` is the page title).
    public var markdown: String { document.markdown }

    /// The diff as an HTML fragment (a `<div class="diff">` of `<section>`s with `<h2>`
    /// headings), every input string escaped, for embedding in a site page.
    public var htmlBody: String { document.html }

    /// The standalone `changes.html` page: `htmlBody` under `title`, with the site's
    /// Content-Security-Policy and no script.
    public var html: String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta http-equiv="Content-Security-Policy" content="\(Self.contentSecurityPolicy)">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(Escape.html(title))</title>
        </head>
        <body>
        <main>
        <h1>\(Escape.html(title))</h1>
        \(htmlBody)</main>
        </body>
        </html>

        """
    }

    /// The Content-Security-Policy of every page of the site (``ContentSecurityPolicy``).
    public static let contentSecurityPolicy = ContentSecurityPolicy.value.description

    /// Writes `changes.html`, `changes.md` and `changes.json` into `folder`, replacing it
    /// atomically (`SiteWriter`). Returns the files written.
    @discardableResult
    public func write(to folder: URL) throws -> [String] {
        try SiteWriter.build(target: folder) { w in
            try w.write("changes.html", string: html)
            try w.write("changes.md", string: "# " + Escape.markdownText(title) + "\n\n" + markdown)
            try w.write("changes.json", string: JSONWriter.pretty(json))
        }
    }

    // MARK: - Sections

    var document: DiffDocument {
        DiffDocument(sections: [summarySection, integritySection, regressionsSection, eventsSection, versionsSection,
                                signaturesSection, requirementsSection, testsSection, findingsSection, driftSection])
    }

    private typealias Span = DiffDocument.Span

    private var summarySection: DiffDocument.Section {
        var s = DiffDocument.Section(title: "Summary")
        func row(_ name: String, _ f: (DiffSide) -> Span) -> [[Span]] { [[.text(name)], [f(old)], [f(new)]] }
        s.table(["", "OLD", "NEW"], [
            row("source") { .text($0.source) },
            row("release") { .text($0.release) },
            row("release versions") { .text($0.releaseModels.joined(separator: ", ")) },
            row("origin") { .text($0.origin) },
            row("as of") { .text($0.asOf ?? "–") },
            row("events") { .text(String($0.treeSize)) },
            row("Merkle root") { .code($0.root.hex) },
        ])
        s.paragraph(.strong("Integrity: \(integrity.verdict.rawValue)."), .text(" " + integrity.message))
        if integrity.originsDiffer {
            s.paragraph(.strong("Different logs:"), .text(" OLD's origin is \(old.origin), NEW's is \(new.origin)."))
        }
        s.paragraph(.text(isUnchanged ? "No changes: NEW is identical to OLD." : summarySentence))
        return s
    }

    private var integritySection: DiffDocument.Section {
        var s = DiffDocument.Section(title: "Consistency proof")
        if let d = integrity.firstDifference {
            s.paragraph(.text("NEW's log does not extend OLD's. The first position where they differ is event \(d.index):"))
            func cells(_ p: EventPointer?) -> [[Span]] {
                guard let p else { return [[.text("–")], [.text("no event")], [.text("")], [.text("")], [.text("")]] }
                return [[.text(p.seq.map(String.init) ?? "?")], [.text(p.id ?? "?")], [.text(p.action)], [.text(p.location)], [.code(p.hash)]]
            }
            s.table(["log", "seq", "id", "action", "file:line", "hash"],
                    [[[.text("NEW")]] + cells(d.new), [[.text("OLD")]] + cells(d.old)])
            return s
        }
        if integrity.verdict == .identical {
            s.paragraph(.text("Both logs have \(integrity.oldSize) events and the same root; the proof is empty."))
            return s
        }
        s.paragraph(.text("RFC 9162 consistency proof from size \(integrity.oldSize) (OLD's root) to size \(integrity.newSize) (NEW's root), computed from NEW's log and verified: \(integrity.proofVerified ? "yes" : "no"). Leaves are SHA-256(0x00 || the 32 raw bytes of each event's hash). Any RFC 9162 verifier can re-check it from the two sizes and roots above and these hashes, which the JSON form of this diff (schema "),
                    .code(Self.schema), .text(") also lists."))
        s.add(.list(integrity.proof.map { [.code($0.hex)] }))
        return s
    }

    private var regressionsSection: DiffDocument.Section {
        var s = DiffDocument.Section(title: "Regressions")
        let list = regressions
        if list.isEmpty { s.paragraph(.text("None.")) } else {
            s.add(.list(list.map { [.strong($0.kind.rawValue + ":"), .text(" " + $0.message)] }))
        }
        return s
    }

    private var eventsSection: DiffDocument.Section {
        var s = DiffDocument.Section(title: "Events added")
        if let a = events.firstIndex, let b = events.lastIndex {
            s.paragraph(.text("\(Self.plural(events.count, "event")) after OLD's \(integrity.oldSize), at positions \(a)–\(b) of NEW's log."))
        } else {
            s.paragraph(.text("None."))
            return s
        }
        s.table(["action", "events"], events.byAction.map { [[.text($0.key)], [.text(String($0.count))]] })
        s.table(["actor", "events"], events.byActor.map { [[.text($0.key)], [.text(String($0.count))]] })
        return s
    }

    private var versionsSection: DiffDocument.Section {
        var s = DiffDocument.Section(title: "Models and versions")
        if !models.isEmpty {
            s.table(["model", "name", "change"], models.map { [[.text($0.model.string)], [.text($0.name)], [.text($0.change.rawValue)]] })
        }
        func stage(_ v: VersionState?) -> [Span] { [.text(VersionState.cell(v))] }
        s.table(["version", "change", "OLD", "NEW"],
                versions.map { [[.text($0.version.description)], [.text($0.change.rawValue)], stage($0.old), stage($0.new)] },
                none: models.isEmpty ? "None." : "No version changed.")
        return s
    }

    private var signaturesSection: DiffDocument.Section {
        var s = DiffDocument.Section(title: "Approvals and signatures added")
        s.table(["seq", "version", "approved by", "time", "valid approval"], approvals.map { a in
            [[.text(String(a.approval.seq))], [.text(a.version.description)], [.text(a.approval.name)], [.text(a.approval.time)],
             [.text(a.approval.isValidApproval ? "yes" : "no")]]
        }, none: "No approvals added.")
        s.table(["seq", "action", "subject", "signer", "meaning", "status"], signatures.map { g in
            [[.text(String(g.seq))], [.text(g.action)], [.text(g.subject)], [.text(g.signedBy)],
             [.text(g.meaning)], [.text(g.status)]]
        }, none: "No signatures added.")
        return s
    }

    private var requirementsSection: DiffDocument.Section {
        var s = DiffDocument.Section(title: "Requirement coverage")
        func side(_ r: RequirementState?) -> [Span] { [.text(RequirementState.cell(r))] }
        s.table(["model", "requirement", "change", "OLD", "NEW"], requirements.map { r in
            [[.text(r.model.string)], [.text(r.requirement.string + (r.title.isEmpty ? "" : " " + r.title))],
             [.text(r.change.rawValue)], side(r.old), side(r.new)]
        })
        return s
    }

    private var testsSection: DiffDocument.Section {
        var s = DiffDocument.Section(title: "Tests")
        func rows(_ list: [TestChange]) -> [[[Span]]] {
            list.map { [[.text($0.version.description)], [.text($0.test.string)], [.text($0.transition)]] }
        }
        s.table(["version", "test newly failing", "result"], rows(testsNewlyFailing), none: "No test newly fails.")
        s.table(["version", "test newly passing", "result"], rows(testsNewlyPassing), none: "No test newly passes.")
        return s
    }

    private var findingsSection: DiffDocument.Section {
        var s = DiffDocument.Section(title: "Findings")
        func rows(_ list: [Finding]) -> [[[Span]]] {
            list.map { f in
                [[.text(f.severity.rawValue + (f.waiver == nil ? "" : " (waived)"))], [.text(f.rule.rawValue)], [.text(f.location)], [.text(f.message)]]
            }
        }
        s.table(["severity", "opened", "location", "message"], rows(findings.opened), none: "No finding opened.")
        s.table(["severity", "resolved", "location", "message"], rows(findings.resolved), none: "No finding resolved.")
        s.paragraph(.text("\(findings.persisting.count) findings persist (same rule and location in both)."))
        return s
    }

    private var driftSection: DiffDocument.Section {
        var s = DiffDocument.Section(title: "Drift monitoring")
        func state(_ d: DriftState?) -> [Span] { [.text(DriftState.cell(d))] }
        s.table(["window", "version", "period", "change", "OLD", "NEW"], drift.map { d in
            [[.text(d.path)], [.text(d.version.description)], [.text("\(d.start) – \(d.end)")], [.text(d.change.rawValue)],
             state(d.old), state(d.new)]
        })
        return s
    }
}
