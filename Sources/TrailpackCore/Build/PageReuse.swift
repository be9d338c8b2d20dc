import Foundation

/// `build-state.json`: what an incremental build needs of the build that wrote a site: the tree
/// size and the hash of the last event then, and the key of every page of events (``PageKeys``)
/// and dataset page (``DatasetPages/write(_:reuse:output:)``).
/// Written by every build (deterministically: a clean and an incremental build write the same);
/// not meant for inspectors.
struct BuildState: Sendable, Equatable {
    static let fileName = "build-state.json"
    static let format = "trailpack-build-state/1"

    var treeSize: Int64
    var head: SHA256.Digest?
    /// Page path -> key; empty when the log's chain did not verify (nothing may be kept then).
    /// Paths are the site's own (ASCII slugs, ``PathNames``), so `String` keys compare as bytes;
    /// a key read from a file that no page has never matches.
    var keys: [String: SHA256.Digest]

    /// The file's bytes: canonical JSON (RFC 8785), members in key order.
    func encoded() -> [UInt8] {
        var pages = JSONObject()
        for (path, key) in keys.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
            pages.members.append(JSONMember(key: JSONString(path), value: .string(JSONString(key.hex))))
        }
        let o = JSONObject([
            JSONMember(key: "format", value: .string(JSONString(Self.format))),
            JSONMember(key: "generator", value: .string(JSONString("trailpack \(Trailpack.version)"))),
            JSONMember(key: "head", value: head.map { .string(JSONString($0.hex)) } ?? .null),
            JSONMember(key: "pages", value: .object(pages)),
            JSONMember(key: "treeSize", value: .integer(treeSize)),
        ])
        return JCS.serialize(.object(o)) + [0x0A]
    }

    /// Reads the file's bytes; nil for anything not written by this format.
    static func decode(_ bytes: [UInt8]) -> BuildState? {
        guard let value = try? JSONReader(file: fileName).parse(bytes), let o = value.objectValue,
              o["format"]?.stringValue == format, let size = o["treeSize"]?.integerValue, size >= 0,
              let pages = o["pages"]?.objectValue
        else { return nil }
        var head: SHA256.Digest?
        if let h = o["head"], h != .null {
            guard let text = h.stringValue, let d = SHA256.Digest(hex: text) else { return nil }
            head = d
        }
        var keys: [String: SHA256.Digest] = [:]
        keys.reserveCapacity(pages.members.count)
        for m in pages.members {
            guard let text = m.value.stringValue, let d = SHA256.Digest(hex: text) else { return nil }
            keys[m.key.string] = d
        }
        return BuildState(treeSize: size, head: head, keys: keys)
    }
}

/// The site a build replaces, read before anything is written: the tree size and last hash of
/// its ``BuildState``, and for each page key it recorded, the digests `SHA256SUMS` lists for the
/// page's two files. Its files are read only through ``PageReuse/keep(_:sink:)``, which checks
/// each against that digest.
///
/// Pages are found by key, not by path: a key covers the page's path-specific inputs (its
/// chronological number, or its group and number), so two pages never share one. Held this way
/// (no path strings), a 1,000,000-event site's 36,000 pages take about 4 MB.
struct PreviousSite: Sendable {
    /// The digests of a page's `.html` and `.md` files.
    struct Files: Sendable {
        var html: SHA256.Digest
        var markdown: SHA256.Digest
    }

    let root: String
    let treeSize: Int64
    let head: SHA256.Digest?
    let pages: [SHA256.Digest: Files]
    /// The digests `SHA256SUMS` lists for the copies of the log's segments (`evidence/audit/…`).
    var evidence: [String: SHA256.Digest] = [:]
    /// SHA-256 of the site's `SHA256SUMS` as it is now.
    var sums = SHA256.Digest.zero

    /// The site at `root`, or nil when there is none, or it was not written with a build state
    /// this version reads (then everything is rendered).
    static func load(_ root: URL) -> PreviousSite? {
        let path = root.standardizedFileURL.path
        guard let stateBytes = InsideFolder.readInside(path, BuildState.fileName), let state = BuildState.decode(stateBytes),
              let sums = InsideFolder.readInside(path, "SHA256SUMS")
        else { return nil }
        let digests = digests(sums: sums)
        var pages: [SHA256.Digest: Files] = [:]
        pages.reserveCapacity(state.keys.count)
        for (page, key) in state.keys {
            guard let html = digests[page + ".html"], let md = digests[page + ".md"] else { continue }
            pages[key] = Files(html: html, markdown: md)
        }
        var site = PreviousSite(root: path, treeSize: state.treeSize, head: state.head, pages: pages)
        site.evidence = digests.filter { Evidence.isLogSegmentCopy($0.key) }
        site.sums = SHA256.digest(sums)
        return site
    }

    /// The `<64 hex>  <path>` lines of a `SHA256SUMS` file (``SiteOutput/checksumLine(_:)``) as
    /// path -> digest. Lines of any other form are left out (escaped names, with a leading
    /// backslash, are never pages of events); a path listed twice keeps its first digest.
    static func digests(sums: [UInt8]) -> [String: SHA256.Digest] {
        var digests: [String: SHA256.Digest] = [:]
        for line in sums.split(separator: 0x0A) {
            guard let (path, d) = SiteOutput.checksumLine(line) else { continue }
            if digests[path] == nil { digests[path] = d }
        }
        return digests
    }
}

/// Why a page of the previous site cannot be kept although its key matched (exit 2, nothing written).
enum ReuseError: LocalizedError, Sendable, Equatable {
    case changed(site: String, path: String)

    var errorDescription: String? {
        switch self {
        case .changed(let site, let path):
            return "\(site)/\(path): the previous site's file is missing or differs from its SHA256SUMS, so it was changed after it was built; "
                + "nothing was written. Fix: build again with --clean (renders every page), and find out who changed the site"
        }
    }
}

/// Which pages of events an incremental build keeps from the previous site: those whose
/// ``PageKeys`` key equals the one the previous build recorded for the same path.
struct PageReuse: Sendable {
    let previous: PreviousSite?
    let keys: PageKeys
    /// Chronological pages kept, by number.
    let trail: Set<Int>
    /// Per group: the positions that end its full pages (a later position is on the page after
    /// the last full one), and the page numbers kept.
    let groups: [GroupID: (ends: [Int64], kept: Set<Int>)]

    /// The status of the previous site's files when its build ended (nil: every kept file is hashed).
    let cache: SiteStatCache?

    /// No page kept (a clean build); `keys` are still recorded for the next build.
    init(keys: PageKeys) {
        self.previous = nil
        self.keys = keys
        self.trail = []
        self.groups = [:]
        self.cache = nil
    }

    /// Keeps every page whose key matches the previous site's; `cache`, when given, spares
    /// hashing a kept file whose status is the one recorded for its digest.
    init(previous: PreviousSite, keys: PageKeys, boundaries b: PageBoundaries, cache: SiteStatCache? = nil) {
        self.previous = previous
        self.keys = keys
        self.cache = cache
        func same(_ path: String) -> Bool { keys.keys[path].map { previous.pages[$0] != nil } ?? false }
        var trail = Set<Int>()
        for n in stride(from: 1, through: b.trailPages, by: 1) where same(SiteLinks.auditPage(n)) { trail.insert(n) }
        self.trail = trail
        var groups: [GroupID: (ends: [Int64], kept: Set<Int>)] = [:]
        for (id, g) in b.groups {
            var kept = Set<Int>()
            for k in 1...g.pages(b.pageSize) where same(SiteLinks.group(id.dimension.rawValue, id.key, page: k)) {
                kept.insert(k)
            }
            if !kept.isEmpty { groups[id] = (g.ends, kept) }
        }
        self.groups = groups
    }

    /// Pages kept.
    var count: Int { trail.count + groups.values.reduce(0) { $0 + $1.kept.count } }

    /// Whether the page of group `id` that holds the event at position `p` is kept.
    func isKept(_ id: GroupID, position p: Int64) -> Bool {
        guard let g = groups[id] else { return false }
        // The page is the first whose end is at or after p.
        return g.kept.contains(g.ends.lowerBound(of: p) + 1)
    }

    /// Whether page `k` of group `id` is kept.
    func isKept(_ id: GroupID, page k: Int) -> Bool { groups[id]?.kept.contains(k) ?? false }

    /// For each group of an event (in ``GroupID/each(of:_:)``'s order), whether the page that
    /// holds the event is kept; the event's compact row is needed unless all are.
    func keptPages(_ e: Event, position p: Int64) -> [Bool] {
        var kept: [Bool] = []
        kept.reserveCapacity(3)
        GroupID.each(of: e) { kept.append(!groups.isEmpty && isKept($0, position: p)) }
        return kept
    }

    /// Puts a kept page's two files into the new site as the previous site has them, through
    /// `sink` (on any thread), after checking each against the previous `SHA256SUMS` (by its
    /// bytes, or by its status when ``cache`` recorded that status for that digest): linked (no
    /// byte copied) where the file system allows it, else written.
    func keep(_ path: String, sink: PageSink) throws -> [WrittenFile] {
        guard let key = keys.keys[path] else { throw ReuseError.changed(site: previous?.root ?? "", path: path) }
        return try keep(path, key: key, sink: sink)
    }

    /// Whether the previous site has a page of this key (one other than a page of events, whose
    /// key the page's writer computed: ``keep(_:key:sink:)`` then keeps it).
    func has(_ key: SHA256.Digest) -> Bool { previous?.pages[key] != nil }

    /// ``keep(_:sink:)`` of a page whose key is given. The page's folder is opened once on each
    /// side for its two files.
    func keep(_ path: String, key: SHA256.Digest, sink: PageSink) throws -> [WrittenFile] {
        guard let previous, let files = previous.pages[key] else {
            throw ReuseError.changed(site: previous?.root ?? "", path: path)
        }
        let html = path + ".html"
        // The first file is opened from the site's root, component by component, without
        // following a link; its folder then serves for the second.
        guard let first = InsideFolder.openInside(previous.root, html) else { throw ReuseError.changed(site: previous.root, path: html) }
        defer { first.closeBoth() }
        let markdownName = first.name.dropLast(5) + ".md"
        guard let second = InsideFolder.openSibling(first.dir, String(markdownName)) else {
            throw ReuseError.changed(site: previous.root, path: path + ".md")
        }
        defer { close(second.file) }
        let target = try sink.writer.openFolder(of: html)
        defer { close(target) }
        var out: [WrittenFile] = []
        let both: [(name: String, file: Int32, status: stat, leaf: String, expected: SHA256.Digest)] = [
            (html, first.file, first.status, first.name, files.html),
            (path + ".md", second.file, second.status, String(markdownName), files.markdown),
        ]
        for f in both {
            /// The file's bytes, checked against the digest.
            func checkedBytes() throws -> [UInt8] {
                guard let bytes = InsideFolder.readAll(f.file, size: Int(f.status.st_size)), SHA256.digest(bytes) == f.expected else {
                    throw ReuseError.changed(site: previous.root, path: f.name)
                }
                return bytes
            }
            let unchanged = cache?.holds(f.status, digest: f.expected) ?? false
            let bytes = unchanged ? nil : try checkedBytes()
            let inode = (UInt64(f.status.st_dev), UInt64(f.status.st_ino))
            if try !sink.writer.linkReserved(f.name, into: target, from: first.dir, name: f.leaf, inode: inode) {
                try sink.writer.writeReserved(f.name, bytes: try bytes ?? checkedBytes())
            }
            out.append(WrittenFile(path: f.name, digest: f.expected, count: Int(f.status.st_size)))
        }
        return out
    }
}
