import Foundation

/// The HTML and Markdown forms of a diff, and `--out DIR`.
extension ReleaseDiff {
    /// The diff as its standalone changes page: the site's `changes` templates of `theme`, with
    /// the standalone layout and no link (``ChangesDocument``).
    public func document(theme: Theme) throws(ThemeError) -> ChangesDocument { try ChangesDocument(self, theme: theme) }

    /// Writes `changes.html`, `changes.md` (``document(theme:)``) and `changes.json` into
    /// `folder`, replacing it atomically (`SiteWriter`). Returns the files written.
    @discardableResult
    public func write(to folder: URL, theme: Theme) throws -> [String] {
        let page = try document(theme: theme)
        return try SiteWriter.build(target: folder) { w in
            try w.write("changes.html", string: page.html)
            try w.write("changes.md", string: page.markdown)
            try w.write("changes.json", string: JSONWriter.pretty(json))
        }
    }
}
