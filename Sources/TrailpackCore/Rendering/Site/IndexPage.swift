/// The inspection summary. Its first screen answers "can I rely on this release?": the verdict,
/// findings by severity with a "look at first" list, integrity in one line, warnings, each
/// version's status; then what the system is for (each model's `intendedUseSummary`), who
/// prepared the pack, the as-of time, and the contents.
enum IndexPage {
    /// Critical and major unwaived findings listed on the summary; the rest are on the findings page.
    static let lookFirstLimit = 50

    static func write(_ c: SiteContext, narrative: [TemplateValue], output: inout SiteOutput) throws {
        let a = c.analysis
        let counts = FindingCounts(a.findings)
        let serious = a.findings.indices.filter { a.findings[$0].waiver == nil && a.findings[$0].severity >= .major }
            .sorted { (a.findings[$0].severity == .critical ? 0 : 1, $0) < (a.findings[$1].severity == .critical ? 0 : 1, $1) }
        let integrityFindings = a.findings.filter { $0.waiver == nil && $0.rule.rawValue.hasPrefix("INT-") }.count
        let consistent = a.integrity.checkpoints.filter { $0.consistent == true && !$0.validSigners.isEmpty }
        // The release's versions first (what the inspection is about), then the others.
        let ordered = a.versions.filter(\.inRelease) + a.versions.filter { !$0.inRelease }
        let versions = ordered.compactMap { c.status.status($0.ref)?.value(a, locator: c.locator) }
        let release = a.config.release.models.map { m -> TemplateValue in
            let ref = VersionRef(model: m.model, version: m.version)
            return TV.page(ref.description, SiteLinks.version(ref))
        }
        let models = a.registry.models.map { m -> TemplateValue in
            // The intended-use document's page, when the narrative has it.
            let document = m.intendedUse.flatMap { use in
                narrative.first { $0["path"] == .string(use) }?["link"]
            }
            return [
                "link": TV.page(m.name, SiteLinks.model(m.id)), "id": .string(m.id.string), "risk": TV.str(m.risk),
                "owner": TV.str(m.owner), "versions": .int(m.versions.count), "requirements": .int(m.requirements.count),
                "intendedUseSummary": TV.str(m.intendedUseSummary), "intendedUseLink": document ?? .null,
            ]
        }
        let integrity: TemplateValue = [
            "treeSize": .int(a.integrity.treeSize), "merkleRoot": .string(a.integrity.root.hex),
            "checkpoints": .int(a.integrity.checkpoints.count), "consistentCheckpoints": .int(consistent.count),
            "largestCheckpoint": .int(consistent.map(\.size).max() ?? 0),
            "eventsAfterLastCheckpoint": .int(a.integrity.eventsAfterLastCheckpoint),
            "badge": integrityFindings == 0 ? TV.badge("✔ No integrity findings", "pass")
                : TV.badge("✖ \(integrityFindings) integrity findings", "fail"),
            "signatures": .int(a.signatures.count), "validSignatures": .int(a.signatures.filter(\.valid).count),
            "rootShort": .string(String(a.integrity.root.hex.prefix(12)) + "…"),
        ]
        let openCapas = a.capas.filter { $0.closedSeq == nil }.count
        let overdue = a.capas.filter(\.overdue).count
        let page = try c.render(.index, path: "index", title: "Inspection summary", section: .summary, [
            "release": ["name": .string(a.config.release.name), "versions": .array(release)],
            "versions": .array(versions), "models": .array(models), "integrity": integrity,
            "counts": FindingsPage.countsValue(counts), "verdict": verdict(counts),
            "lookFirst": .array(serious.prefix(lookFirstLimit).map { FindingsPage.value($0, c) }),
            "lookFirstMore": .int(max(0, serious.count - lookFirstLimit)),
            "capas": ["open": .int(openCapas), "overdue": .int(overdue), "total": .int(a.capas.count),
                      "exceptions": .int(a.exceptions.count)],
            "narrative": .array(narrative),
            "preparedBy": TV.str(a.config.preparedBy),
            "driftOverview": DriftOverview.value(c),
            "trust": .string(a.integrity.keyring.trustStatement),
            "limits": .array(TrustLimits.summary(a).map { .string($0) }),
            "previous": ChangesPage.summary(c),
            "datasets": c.lineage.isEmpty ? .null : ["count": .int(c.lineage.datasets.count)],
        ])
        try output.write(page)
    }

    /// One line on the state of the pack, carried by words and symbol, not colour.
    static func verdict(_ c: FindingCounts) -> TemplateValue {
        if c.critical > 0 { return TV.badge("✖ \(c.critical) critical findings: not inspection-ready", "fail") }
        if c.major > 0 { return TV.badge("! \(c.major) major findings to resolve", "attention") }
        if c.minor > 0 { return TV.badge("✔ No critical or major findings (\(c.minor) minor)", "pass") }
        return TV.badge("✔ No findings", "pass")
    }
}
