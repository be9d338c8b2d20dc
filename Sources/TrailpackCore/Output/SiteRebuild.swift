import Foundation

/// How `verify SITE --rebuild` builds the site again: the options the site was built with
/// (those that shape its bytes besides the evidence).
public struct RebuildOptions: Sendable {
    /// The theme (the default one, or the default with `--templates` overrides).
    public var theme: Theme
    /// `--page-size` of the build.
    public var pageSize: Int = 100
    /// `--previous OLD` of the build, if any.
    public var previous: String?

    public init(theme: Theme, pageSize: Int = 100, previous: String? = nil) {
        self.theme = theme
        self.pageSize = pageSize
        self.previous = previous
    }
}

/// `verify SITE --rebuild`: the site built again from its own `evidence/` (builds are
/// deterministic: same evidence, same options, same bytes) and compared file by file with the
/// site as published. `SHA256SUMS` is written by whoever publishes the site, so a page forged
/// together with its checksum line, or a `report.json` with findings removed, passes INT-SITE's
/// own check; it does not pass this one.
enum SiteRebuild {
    /// INT-SITE findings for each file of `site` that is not what this version of trailpack
    /// builds from the site's evidence with `options` (and `trust`), each missing or extra file.
    static func findings(site: URL, trust: TrustList?, options: RebuildOptions) throws -> [Finding] {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("trailpack-rebuild-\(getpid())-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        var build = BuildOptions(output: work.appendingPathComponent("site"), theme: options.theme, pageSize: options.pageSize, trust: trust)
        build.previous = options.previous
        build.incremental = false
        _ = try Trailpack.build(source: site.path, options: build)
        guard let rebuilt = InsideFolder.readInside(build.output.path, "SHA256SUMS") else {
            return [Finding(.intSite, "site: the site could not be built again from its evidence to compare it")]
        }
        let published = InsideFolder.readInside(site.standardizedFileURL.path, "SHA256SUMS") ?? []
        let expected = PreviousSite.digests(sums: rebuilt), shown = PreviousSite.digests(sums: published)
        let paths = Set(expected.keys).union(shown.keys).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        var problems: [String] = []
        for p in paths {
            switch (expected[p], shown[p]) {
            case let (e?, s?) where e != s:
                problems.append("\(p) is not what trailpack \(Trailpack.version) builds from the site's evidence with the options given")
            case (_?, nil):
                problems.append("\(p) is built from the site's evidence but not in the site's SHA256SUMS")
            case (nil, _?):
                problems.append("\(p) is in the site's SHA256SUMS but not built from the site's evidence with the options given")
            default:
                break
            }
        }
        var findings = problems.prefix(IntSite.maxNamed).map { Finding(.intSite, "site: " + $0) }
        if problems.count > IntSite.maxNamed {
            findings.append(Finding(.intSite, "site: \(problems.count - IntSite.maxNamed) more files are not what the site's evidence builds"))
        }
        return findings
    }
}

/// Why `verify --rebuild` cannot run (exit 2).
public enum RebuildError: LocalizedError, Sendable, Equatable {
    /// `--rebuild` was given a pack source, not a built site.
    case notASite(String)

    public var errorDescription: String? {
        switch self {
        case .notASite(let p):
            return "\(p): --rebuild checks a built site (a folder with SHA256SUMS and evidence/); this is a pack source. "
                + "Fix: give the site's folder, or leave --rebuild out"
        }
    }
}
