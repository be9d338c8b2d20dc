import Foundation

/// Why the site's templates could not be found or read (the CLI exits 2).
public enum ThemeError: LocalizedError, Sendable, Equatable {
    /// No default theme next to the executable; lists the folders tried.
    case notFound(tried: [String])
    /// A theme folder or file that cannot be read.
    case unreadable(String, String)
    /// A template with a syntax error, with its file, line and column.
    case template(TemplateError, folder: String)
    /// A template the site needs is in neither folder.
    case missingTemplate(String, folders: [String])

    /// The message, naming the file or folders and the fix.
    public var errorDescription: String? {
        switch self {
        case .notFound(let tried):
            return "cannot find the default templates; tried: \(tried.joined(separator: ", ")). "
                + "Fix: pass --templates DIR with a complete theme (a copy of the project's templates/), or install the theme as <prefix>/share/trailpack/templates beside <prefix>/bin/trailpack"
        case .unreadable(let p, let why):
            return "\(p): cannot be read: \(why)"
        case .template(let e, let folder):
            return "\(folder)/\(e.location.file).mustache:\(e.location.line):\(e.location.column): \(e.reason)"
        case .missingTemplate(let name, let folders):
            return "no template \(name).mustache in \(folders.joined(separator: " or "))"
        }
    }
}

/// The site's theme: Mustache templates for HTML pages and their Markdown twins, and static
/// assets (style sheets, images) copied to the site root.
///
/// A theme folder holds `NAME.html.mustache` (HTML, `{{x}}` HTML-escaped), `NAME.md.mustache`
/// (Markdown twins, `{{x}}` escaped as Markdown text) and assets (`*.css`, `*.png`, `*.svg`,
/// `*.jpg`, `*.jpeg`, `*.gif`, `*.webp`). Templates are named by file name without `.mustache`
/// (`page.html`) and include each other as partials (`{{> nav.html}}`) or parents
/// (`{{< layout.html}}`). An override folder replaces files of the same name and may add new ones.
public struct Theme: Sendable {
    /// Templates of the HTML pages (HTML escaping, strict partials).
    public var html: TemplateSet
    /// Templates of the Markdown twins (Markdown escaping, strict partials).
    public var markdown: TemplateSet
    /// Static files by file name, copied to the site root.
    public var assets: [(name: String, bytes: [UInt8])]
    /// Where each template and asset came from (file name -> folder), for error messages and docs.
    public var origins: [String: String]
    /// Whether the rows of the audit trail are rendered by typed code (``EventRows``): true when
    /// the theme leaves every template that shapes a row at its default (``typedRowTemplates``);
    /// an override of any of them renders the rows through Mustache instead.
    public var typedRows = false
    /// SHA-256 over every template's name and text and every asset's name and bytes: what an
    /// incremental build compares to know that the theme did not change (``PageKeys``).
    public var fingerprint = SHA256.Digest.zero

    /// The templates whose default output ``EventRows`` writes (each `.html` and `.md`).
    public static let typedRowTemplates = ["event-row", "compact-row", "link", "badge", "audit-page", "audit-group", "audit-gxp"]

    /// The file extensions copied as assets.
    public static let assetExtensions: Set<String> = ["css", "png", "svg", "jpg", "jpeg", "gif", "webp"]

    /// Reads the default theme folder, then the override folder's files of the same or new names.
    public static func load(defaultFolder: URL, overrides: URL? = nil) throws(ThemeError) -> Theme {
        var files: [String: (folder: String, url: URL)] = [:]
        for folder in [defaultFolder] + (overrides.map { [$0] } ?? []) {
            for name in try listFiles(folder) { files[name] = (folder.path, folder.appendingPathComponent(name)) }
        }
        var htmlSources: [(String, String, String)] = []
        var mdSources: [(String, String, String)] = []
        var assets: [(name: String, bytes: [UInt8])] = []
        var origins: [String: String] = [:]
        for name in files.keys.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }) {
            guard let (folder, url) = files[name] else { continue }
            let ext = name.split(separator: ".").last.map(String.init)?.lowercased() ?? ""
            if name.hasSuffix(".html.mustache") || name.hasSuffix(".md.mustache") {
                let data = try read(folder, name, url)
                let templateName = String(name.dropLast(".mustache".count))
                let entry = (templateName, String(decoding: data, as: UTF8.self), folder)
                if name.hasSuffix(".html.mustache") { htmlSources.append(entry) } else { mdSources.append(entry) }
                origins[name] = folder
            } else if assetExtensions.contains(ext) {
                if reservedNames.contains(name) {
                    throw .unreadable(url.path, "\(name) is a name the build writes itself (the print style sheet); rename the asset")
                }
                assets.append((name, try read(folder, name, url)))
                origins[name] = folder
            }
        }
        var html = TemplateSet(strict: true)
        var markdown = TemplateSet(strict: true)
        markdown.escaping = .markdown
        // Even `{{{name}}}` cannot send a record's text out raw (docs/site.md, "Escaping").
        html.escapesRawText = true
        markdown.escapesRawText = true
        for (name, source, folder) in htmlSources {
            do { try html.add(source: source, name: name) } catch { throw .template(error, folder: folder) }
        }
        for (name, source, folder) in mdSources {
            do { try markdown.add(source: source, name: name) } catch { throw .template(error, folder: folder) }
        }
        let folders = [defaultFolder.path] + (overrides.map { [$0.path] } ?? [])
        for page in SitePageKind.allCases {
            for set in [html, markdown] where set[page.template(set.escaping)] == nil {
                throw .missingTemplate(page.template(set.escaping), folders: folders)
            }
        }
        var theme = Theme(html: html, markdown: markdown, assets: assets, origins: origins)
        var hasher = SHA256.Hasher()
        for (name, source, _) in htmlSources + mdSources { PageKeys.feed(&hasher, name, source) }
        for a in assets { PageKeys.feed(&hasher, a.name); PageKeys.feed(&hasher, bytes: a.bytes) }
        theme.fingerprint = hasher.finalizeDigest()
        theme.typedRows = typedRowTemplates.allSatisfy { name in
            [".html.mustache", ".md.mustache"].allSatisfy { origins[name + $0] == defaultFolder.path }
        }
        if theme.typedRows {
            theme.html.fragmentPartials = ["event-row.html", "compact-row.html"]
            theme.markdown.fragmentPartials = ["event-row.md", "compact-row.md"]
        }
        return theme
    }

    /// The folders where the default theme is looked for, given the running executable:
    /// `<exe dir>/../../templates` and `<exe dir>/../../../templates` (a SwiftPM build,
    /// `.build/debug/trailpack` or `.build/<triple>/debug/trailpack`, in a checkout) and
    /// `<exe dir>/../share/trailpack/templates` (an installed layout, `<prefix>/bin/trailpack`).
    public static func defaultFolderCandidates(executable: URL) -> [URL] {
        let dir = executable.deletingLastPathComponent()
        return [
            dir.appendingPathComponent("../../templates"),
            dir.appendingPathComponent("../../../templates"),
            dir.appendingPathComponent("../share/trailpack/templates"),
        ].map(\.standardizedFileURL)
    }

    /// The theme a command uses: the default one found beside `executable` with `overrides` over
    /// it; where no default theme is installed (a binary copied on its own), a complete theme
    /// given as `overrides` (one with `layout.html.mustache`) is the whole theme.
    public static func forCommand(executable: URL, overrides: URL?) throws(ThemeError) -> Theme {
        let folder: URL
        do throws(ThemeError) {
            folder = try findDefaultFolder(executable: executable)
        } catch {
            guard case .notFound = error, let overrides,
                  FileManager.default.fileExists(atPath: overrides.appendingPathComponent("layout.html.mustache").path) else { throw error }
            return try load(defaultFolder: overrides)
        }
        return try load(defaultFolder: folder, overrides: overrides)
    }

    /// The first candidate folder that holds the default theme (recognised by `layout.html.mustache`).
    public static func findDefaultFolder(executable: URL) throws(ThemeError) -> URL {
        let candidates = defaultFolderCandidates(executable: executable)
        for c in candidates where FileManager.default.fileExists(atPath: c.appendingPathComponent("layout.html.mustache").path) {
            return c
        }
        throw .notFound(tried: candidates.map(\.path))
    }

    /// Asset names the build writes itself.
    static let reservedNames: Set<String> = [PrintFooter.fileName]

    /// A theme file's bytes: a regular file in its folder, read without following a link (a
    /// theme's files go into the site, so a link could publish a file from outside the theme),
    /// and refused when it holds a private key (a site never publishes one).
    private static func read(_ folder: String, _ name: String, _ url: URL) throws(ThemeError) -> [UInt8] {
        let bytes: [UInt8]
        do throws(InsideFolder.Problem) { bytes = try InsideFolder.read(folder, name) } catch {
            switch error {
            case .symbolicLink:
                throw .unreadable(url.path, "a symbolic link, which a theme may not hold: its target would be published with the site. "
                                  + "Fix: copy the file itself into the theme folder")
            case .notAFile:
                throw .unreadable(url.path, "not a regular file (a named pipe, socket or device); a theme holds templates and assets only")
            default:
                throw .unreadable(url.path, "\(error.reason); check the file and its permissions")
            }
        }
        var finder = PrivateKeyFinder()
        bytes.withUnsafeBytes { finder.scan($0) }
        if finder.found {
            throw .unreadable(url.path, "holds a private key (a PEM \"PRIVATE KEY\" block), which the site would publish. "
                              + "Fix: remove it from the theme; if it was ever published or shared, revoke the key (key.revoked) and make a new one")
        }
        return bytes
    }

    /// Files directly in `folder` (links and special files too, refused when read), hidden
    /// files and folders left out.
    private static func listFiles(_ folder: URL) throws(ThemeError) -> [String] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDir), isDir.boolValue else {
            throw .unreadable(folder.path, "no such folder")
        }
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: folder.path) } catch {
            throw .unreadable(folder.path, FileProblem.reading(folder.path, folder: true, fix: "give --templates a readable folder of *.mustache files"))
        }
        return names.filter { name in
            // The entry's own type: a link is listed (and refused when read), never followed.
            var st = stat()
            return !name.hasPrefix(".") && lstat(folder.appendingPathComponent(name).path, &st) == 0 && (st.st_mode & S_IFMT) != S_IFDIR
        }
    }
}
