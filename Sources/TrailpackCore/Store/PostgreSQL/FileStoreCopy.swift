import Foundation

/// A temporary file-store copy of a pack source whose log is in PostgreSQL: the log exported as
/// segments into `audit/`, the other records copied, and `trailpack.json` without the `store`
/// key. `build` and `diff` read this copy, so a site's evidence is always segment files that
/// `trailpack verify SITE` checks with no database, and no host, database or user name is published.
struct FileStoreCopy {
    /// The copy's folder (a fresh temporary folder).
    let url: URL
    private let holder: URL

    /// A copy of `source` when its log is in PostgreSQL, else nil (the source is read as it is).
    static func make(_ source: URL) throws -> FileStoreCopy? {
        let configURL = source.appendingPathComponent(Config.fileName)
        guard try Config.load(from: source).store != nil else { return nil }
        let holder = FileManager.default.temporaryDirectory.appendingPathComponent("trailpack-store-\(UUID().uuidString)")
        let url = holder.appendingPathComponent("source")
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            for folder in Evidence.folders where folder != "audit" {
                let from = source.appendingPathComponent(folder)
                if FileManager.default.fileExists(atPath: from.path) {
                    try FileManager.default.copyItem(at: from, to: url.appendingPathComponent(folder))
                }
            }
            let data = try Data(contentsOf: configURL)
            let value = try JSONReader(file: Config.fileName).parse(Array(data))
            guard case .object(var object) = value else { throw SourceError.unreadable(Config.fileName, "not a JSON object") }
            object.members.removeAll { $0.key.string == "store" }
            try Data(JSONWriter.pretty(.object(object)).utf8).write(to: url.appendingPathComponent(Config.fileName))
        } catch {
            try? FileManager.default.removeItem(at: holder)
            throw PostgresStoreError.configUnwritable(url.path, reason: "copying the pack source for the site: \(error.localizedDescription)")
        }
        let copy = FileStoreCopy(url: url, holder: holder)
        do { _ = try Trailpack.export(source: source.path, out: url.appendingPathComponent("audit").path, dryRun: false) } catch {
            copy.remove()
            throw error
        }
        return copy
    }

    /// Removes the copy.
    func remove() { try? FileManager.default.removeItem(at: holder) }
}
