import Foundation

/// Entry points of trailpack's commands; the executable only parses arguments and maps exit codes.
public enum Trailpack {
    /// The tool's version.
    public static let version = "0.1.0"

    /// The pack source to read: `path` itself, or the evidence copy inside a built site
    /// (a folder with `report.json` and `evidence/trailpack.json`).
    public static func resolveSource(_ path: String) throws(SourceError) -> URL {
        let url = URL(fileURLWithPath: path)
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) else { throw .missingFolder(path) }
        guard isDir.boolValue else { throw .notAFolder(path) }
        let evidence = url.appendingPathComponent("evidence")
        if !FileManager.default.fileExists(atPath: url.appendingPathComponent(Config.fileName).path),
           FileManager.default.fileExists(atPath: evidence.appendingPathComponent(Config.fileName).path) {
            return evidence
        }
        return url
    }

    /// Reads the trust list given with `--trust`, if any.
    public static func trustList(_ path: String?) throws(SourceError) -> TrustList? {
        guard let path else { return nil }
        return try TrustList(path: path)
    }

    /// `trailpack verify`: integrity and compliance findings of a pack source or built site. A
    /// built site's files are also checked against its own `SHA256SUMS` (INT-SITE): a page edited
    /// after the build is a finding, not hidden behind a clean report about its evidence.
    /// With `rebuild` (only for a built site), the site is also built again from its evidence
    /// and compared with what was published (``SiteRebuild``).
    public static func verify(source path: String, trust: String?, rebuild: RebuildOptions? = nil) throws -> VerifyReport {
        let source = try resolveSource(path)
        let trustList = try trustList(trust)
        var report = try analyze(source: source, trust: trustList).verifyReport
        // resolveSource answers the site's evidence/ folder for a built site, the path itself otherwise.
        let isSite = source.standardizedFileURL.path != URL(fileURLWithPath: path).standardizedFileURL.path
        if rebuild != nil && !isSite { throw RebuildError.notASite(path) }
        if isSite {
            report.findings += IntSite.check(site: URL(fileURLWithPath: path))
            if let rebuild { report.findings += try SiteRebuild.findings(site: URL(fileURLWithPath: path), trust: trustList, options: rebuild) }
            report.findings.sort(by: Finding.ordered)
        }
        return report
    }
}
