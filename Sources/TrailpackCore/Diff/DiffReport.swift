import Foundation

/// The HTML and Markdown forms of a diff, and `--out DIR`.
extension ReleaseDiff {
    /// The diff as its standalone changes page: the site's `changes` templates of `theme`, with
    /// the standalone layout and no link (``ChangesDocument``).
    public func document(theme: Theme) throws(ThemeError) -> ChangesDocument { try ChangesDocument(self, theme: theme) }

    /// Writes `changes.html`, `changes.md` (``document(theme:)``) and `changes.json` into
    /// `folder`, replacing it atomically (`SiteWriter`). Returns the files written.
    ///
    /// With `dryRun`, everything is rendered and `folder` checked as ``SiteWriter`` checks it
    /// (``SiteWriter/check(target:)``), and nothing is written, not even a temporary folder:
    /// returns the files it would write.
    /// The files that make a folder an earlier `diff --out` output, which may be replaced.
    static let outputMarks = ["changes.json", "changes.html"]
    /// Everything `diff --out` writes: an earlier output holds nothing else.
    static let outputFiles: Set<String> = ["changes.html", "changes.md", "changes.json"]

    @discardableResult
    public func write(to folder: URL, theme: Theme, dryRun: Bool = false) throws -> [String] {
        let page = try document(theme: theme)
        let files = [("changes.html", page.html), ("changes.md", page.markdown), ("changes.json", JSONWriter.pretty(json))]
        if dryRun {
            _ = try SiteWriter.check(target: folder, marks: Self.outputMarks, only: Self.outputFiles)
            return files.map(\.0).sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        }
        return try SiteWriter.build(target: folder, marks: Self.outputMarks, only: Self.outputFiles) { w in
            for (name, text) in files { try w.write(name, string: text) }
        }
    }
}
