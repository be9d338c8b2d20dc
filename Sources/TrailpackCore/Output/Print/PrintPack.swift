import Foundation

/// A built site gathered into one printable document: a cover with the verdict, the contents,
/// and the pages of the site in reading order, except the complete audit trail (month pages
/// and its model, actor and action slices), which stays in the site and its evidence.
///
/// Only files listed in the site's `SHA256SUMS` are read, and each is checked against its
/// digest first: a site edited after its build is refused, not printed.
public struct PrintPack: Sendable {
    /// One page of the site, as it appears in the pack.
    public struct Section: Sendable, Equatable {
        /// The page's path in the site (`models/aki-predictor/versions/2.html`).
        public var path: String
        /// The page's title as HTML text (already escaped by the build).
        public var titleHTML: String
        /// The page is printed landscape (its `<body>` has the `wide` class).
        public var wide: Bool
        /// The inner HTML of the page's `<main>`, links made inert.
        var bodyHTML: String

        /// The title as plain text.
        public var title: String { PrintPack.unescape(titleHTML) }
    }

    /// What the cover says, from `report.json`.
    public struct Cover: Sendable, Equatable {
        public var title: String
        public var organization: String
        public var origin: String
        /// `preparedBy` of trailpack.json, when stated.
        public var preparedBy: String?
        public var release: String
        public var releaseModels: [String]
        public var asOf: String
        public var critical: Int64
        public var major: Int64
        public var minor: Int64
        public var waived: Int64
        public var events: Int64
        public var signatures: Int64
        public var validSignatures: Int64
        public var openCapas: Int64
        public var overdueCapas: Int64
        public var root: String
        public var checkpoints: Int
        public var eventsAfterLastCheckpoint: Int64
        public var trust: String
        /// A trust list was given at build time (else keys were trusted as found).
        public var trustList: Bool
        public var generator: String

        /// The verdict in words.
        public var verdict: String {
            let total = critical + major + minor
            if total == 0 { return waived == 0 ? "No findings" : "No open findings (\(waived) waived)" }
            var s = "\(total) finding\(total == 1 ? "" : "s"): \(critical) critical, \(major) major, \(minor) minor"
            if waived > 0 { s += " (\(waived) waived)" }
            return s
        }
    }

    public var cover: Cover
    public var sections: [Section]
    /// The site's style sheet, inlined so that the document needs no other file.
    var stylesheet: String

    /// Reads the site at `site`, checking each file it uses against `SHA256SUMS`. Files are read
    /// as incremental builds read the previous site (``InsideFolder``): paths kept inside the
    /// site, no symbolic link followed, only regular files; a link (even to a file with the right
    /// digest) is refused.
    public static func read(site: String) throws(PrintError) -> PrintPack {
        let root = URL(fileURLWithPath: site).standardizedFileURL.path
        let sums = try checksums(root: root, display: site)
        func file(_ path: String) throws(PrintError) -> [UInt8] {
            guard let expected = sums[path] else { throw .checksumMismatch(site: site, file: path) }
            let bytes: [UInt8]
            do throws(InsideFolder.Problem) { bytes = try InsideFolder.read(root, path) } catch {
                if error == .missing { throw .checksumMismatch(site: site, file: path) }
                throw .unsafeFile(site: site, file: path, reason: error.reason)
            }
            guard SHA256.digest(bytes).hex == expected else { throw .checksumMismatch(site: site, file: path) }
            return bytes
        }
        let cover = try readCover(try file("report.json"), display: site + "/report.json")
        let stylesheet = sums["style.css"] == nil ? "" : String(decoding: try file("style.css"), as: UTF8.self)
        var sections: [Section] = []
        for path in sums.keys.filter(included).sorted(by: readingOrder) {
            sections.append(try section(path, bytes: try file(path), display: site + "/" + path))
        }
        return PrintPack(cover: cover, sections: sections, stylesheet: stylesheet)
    }

    // MARK: Which pages, in which order

    /// Whether a site file belongs in the printed pack: HTML pages, except the complete trail.
    static func included(_ path: String) -> Bool {
        guard path.hasSuffix(".html"), !path.hasPrefix("evidence/") else { return false }
        if path.hasPrefix("audit/action/") || path.hasPrefix("audit/actor/") || path.hasPrefix("audit/model/") { return false }
        if path.hasPrefix("audit/page-") && !path.dropFirst(6).contains("/") { return false }
        return true
    }

    /// The reading order: the summary, the site-wide pages, models and their versions, other
    /// page families, the narrative, then the trail's index; by path (numbers compared as
    /// numbers) within each.
    static func readingOrder(_ a: String, _ b: String) -> Bool {
        let (ra, rb) = (rank(a), rank(b))
        if ra != rb { return ra < rb }
        return naturalPrecedes(Array(a.utf8), Array(b.utf8))
    }

    static func rank(_ path: String) -> Int {
        let fixed = ["index.html", "findings.html", "integrity.html", "signatures.html", "traceability.html", "capa.html",
                     "changes.html"]
        if let i = fixed.firstIndex(of: path) { return i }
        // The findings' further pages follow their first (``SiteLinks/findingsPage(_:)``).
        if path.hasPrefix("findings/") { return 1 }
        if path.hasPrefix("models/") { return 10 }
        if path.hasPrefix("narrative/") { return 30 }
        if path.hasPrefix("audit/") { return 40 }
        return 20
    }

    /// Byte order, except that runs of digits compare by their value.
    static func naturalPrecedes(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
        var i = 0, j = 0
        while i < a.count && j < b.count {
            if isDigit(a[i]) && isDigit(b[j]) {
                var ei = i, ej = j
                while ei < a.count && isDigit(a[ei]) { ei += 1 }
                while ej < b.count && isDigit(b[ej]) { ej += 1 }
                let da = a[i..<ei].drop { $0 == 0x30 }, db = b[j..<ej].drop { $0 == 0x30 }
                if da.count != db.count { return da.count < db.count }
                if !da.elementsEqual(db) { return da.lexicographicallyPrecedes(db) }
                if ei - i != ej - j { return ei - i < ej - j }
                i = ei; j = ej
                continue
            }
            if a[i] != b[j] { return a[i] < b[j] }
            i += 1; j += 1
        }
        return a.count - i < b.count - j
    }

    // MARK: Reading the site's files

    /// `SHA256SUMS` as path -> hex digest. Paths must stay inside the site. A site without
    /// `report.json` or `SHA256SUMS` is not a site; either as a symbolic link or another kind of
    /// file is refused (``InsideFolder``).
    static func checksums(root: String, display: String) throws(PrintError) -> [String: String] {
        let name = display + "/SHA256SUMS"
        // report.json is read (and checked against its digest) later; here only whether it is there.
        do throws(InsideFolder.Problem) { try InsideFolder.open(root, "report.json").closeBoth() } catch {
            if error == .missing { throw .notASite(display) }
            throw .unsafeFile(site: display, file: "report.json", reason: error.reason)
        }
        let data: [UInt8]
        do throws(InsideFolder.Problem) { data = try InsideFolder.read(root, "SHA256SUMS") } catch {
            if error == .missing { throw .notASite(display) }
            throw .unsafeFile(site: display, file: "SHA256SUMS", reason: error.reason)
        }
        var sums: [String: String] = [:]
        for (n, line) in data.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
            guard let (path, digest) = SiteOutput.checksumLine(line) else {
                // A well-formed line whose path leaves the site (`..`, absolute) says so.
                if line.count > 66, let path = String(validating: line.dropFirst(66), as: UTF8.self),
                   SHA256.Digest(hexUTF8: line.prefix(64)) != nil, !ArtifactChecker.isSafeRelativePath(path) {
                    throw .unsafeChecksumPath(file: name, line: n + 1, path: path)
                }
                throw .badChecksumLine(file: name, line: n + 1)
            }
            sums[path] = digest.hex
        }
        return sums
    }

    static func readCover(_ bytes: [UInt8], display: String) throws(PrintError) -> Cover {
        let value: JSONValue
        do { value = try JSONReader(file: display).parse(bytes) } catch {
            throw .badReport(file: display, reason: "not JSON (\(error.reason))")
        }
        func at(_ path: [String]) -> JSONValue? {
            path.reduce(value as JSONValue?) { v, key in v?.objectValue?[key] }
        }
        func member(_ path: String...) throws(PrintError) -> JSONValue {
            guard let v = at(path) else { throw .badReport(file: display, reason: "no \(path.joined(separator: ".")) member") }
            return v
        }
        func string(_ path: String...) throws(PrintError) -> String {
            guard let s = at(path)?.stringValue else { throw .badReport(file: display, reason: "no string \(path.joined(separator: "."))") }
            return s
        }
        func int(_ path: String...) throws(PrintError) -> Int64 {
            guard let i = at(path)?.integerValue else { throw .badReport(file: display, reason: "no integer \(path.joined(separator: "."))") }
            return i
        }
        guard try string("schema") == "trailpack-report/1" else {
            throw .badReport(file: display, reason: "schema is not trailpack-report/1")
        }
        var models: [String] = []
        for m in try member("pack", "release", "models").arrayValue ?? [] {
            if let id = m.objectValue?["model"]?.stringValue, let v = m.objectValue?["version"]?.stringValue { models.append("\(id)@\(v)") }
        }
        let integrity = try member("integrity").objectValue
        return Cover(
            title: try string("pack", "title"), organization: try string("pack", "organization"),
            origin: try string("pack", "origin"),
            preparedBy: at(["pack", "preparedBy"])?.stringValue, release: try string("pack", "release", "name"), releaseModels: models,
            asOf: try string("asOf"),
            critical: try int("summary", "findings", "critical"), major: try int("summary", "findings", "major"),
            minor: try int("summary", "findings", "minor"), waived: try int("summary", "findings", "waived"),
            events: try int("summary", "events"), signatures: try int("summary", "signatures"),
            validSignatures: try int("summary", "validSignatures"), openCapas: try int("summary", "openCapas"),
            overdueCapas: try int("summary", "overdueCapas"), root: try string("integrity", "root"),
            checkpoints: integrity?["checkpoints"]?.arrayValue?.count ?? 0,
            eventsAfterLastCheckpoint: try int("integrity", "eventsAfterLastCheckpoint"),
            trust: try string("integrity", "trust"),
            trustList: integrity?["trustList"]?.stringValue != nil,
            generator: "\(try string("generator", "name")) \(try string("generator", "version"))")
    }

    /// A page's `<main>` content, title and width, as the build wrote them.
    static func section(_ path: String, bytes: [UInt8], display: String) throws(PrintError) -> Section {
        guard let html = String(validating: bytes, as: UTF8.self),
              let open = html.range(of: "<main id=\"main\">"),
              let close = html.range(of: "</main>", options: .backwards), open.upperBound <= close.lowerBound else {
            throw .notATrailpackPage(display)
        }
        var body = String(html[open.upperBound..<close.lowerBound])
        var title = path
        if let h1 = body.range(of: "<h1>"), let end = body.range(of: "</h1>", range: h1.upperBound..<body.endIndex) {
            title = String(body[h1.upperBound..<end.lowerBound])
        }
        var wide = false
        if let b = html.range(of: "<body class=\""), let q = html.range(of: "\"", range: b.upperBound..<html.endIndex) {
            wide = html[b.upperBound..<q.lowerBound].split(separator: " ").contains("wide")
        }
        // Links between pages of the site do not resolve inside one document: keep their text, drop the link.
        // (Text is escaped by the build, so ` href="` only occurs as an attribute.)
        body = body.replacingOccurrences(of: " href=\"", with: " data-href=\"")
        return Section(path: path, titleHTML: title, wide: wide, bodyHTML: body)
    }

    /// Reverses the five escapes the build writes in text (`&amp;` `&lt;` `&gt;` `&quot;` `&#39;`).
    static func unescape(_ s: String) -> String {
        guard s.contains("&") else { return s }
        return s.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}
