import Foundation

/// INT-SITE: a built site given to `verify` matches its own `SHA256SUMS` (``SiteSeal``): no page
/// was changed, removed or added after the build.
enum IntSite: RuleDefinition {
    static let rule = Rule(id: .intSite, severity: .critical, clause: "21 CFR 11.10(a); EU GMP Annex 11 §7.1",
        what: "A file of a built site (checked when `verify` is given a site) that differs from the site's own SHA256SUMS, is missing, or is not listed in it.",
        why: "Inspectors read the site's pages; a page changed after the build no longer shows what its evidence holds, though the evidence itself may verify.",
        remedy: "Build the site again from the pack source with `trailpack build` and publish it read-only; find out who changed it.")

    /// At most this many files are named; one more finding counts the rest.
    static let maxNamed = 100

    /// The findings for the site at `site` (none when it matches its SHA256SUMS).
    static func check(site: URL) -> [Finding] {
        let problems = SiteSeal.problems(site: site)
        var findings = problems.prefix(maxNamed).map { Finding(.intSite, "site: " + $0.message) }
        if problems.count > maxNamed {
            findings.append(Finding(.intSite, "site: \(problems.count - maxNamed) more files differ from the site's SHA256SUMS"))
        }
        return findings
    }
}
