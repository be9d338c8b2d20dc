import Foundation

/// A group of the pages by model, actor or action: its dimension and key bytes.
struct GroupID: Hashable, Sendable {
    var dimension: GroupDimension
    var key: [UInt8]

    /// Calls `body` with each group an event is listed in, in this order: its model (if it is
    /// about one), its actor, its action. The one definition the spool, the page keys and the
    /// kept pages share.
    static func each(of e: Event, _ body: (GroupID) throws -> Void) rethrows {
        if let m = EventView.model(of: e) { try body(GroupID(dimension: .model, key: m.bytes)) }
        try body(GroupID(dimension: .actor, key: e.actor.id.bytes))
        try body(GroupID(dimension: .action, key: Array(e.action.utf8)))
    }
}

/// What the verify pass records of the pages of events, for incremental builds: the hash of the
/// event that ends each chronological page and each page of a group (model, actor, action).
///
/// In a log whose chain verified, the `hash` of the event at position p commits to every event
/// up to p (each event's hash covers its `prev`). So a page's events are the ones an earlier
/// build rendered when the page ends at the same position with the same hash.
struct PageBoundaries: Sendable {
    /// One group's figures.
    struct Group: Sendable {
        var count = 0
        /// The position and hash of the last event of each full page, in order.
        var ends: [Int64] = []
        var endHashes: [SHA256.Digest] = []
        var firstPosition: Int64 = 0
        var lastPosition: Int64 = 0
        var lastHash = SHA256.Digest.zero

        /// The group's pages (at least one).
        func pages(_ pageSize: Int) -> Int { max(1, (count + pageSize - 1) / pageSize) }

        mutating func observe(_ p: Int64, _ hash: SHA256.Digest, pageSize: Int) {
            if count == 0 { firstPosition = p }
            count += 1
            lastPosition = p
            lastHash = hash
            if count % pageSize == 0 {
                ends.append(p)
                endHashes.append(hash)
            }
        }
    }

    let pageSize: Int
    /// The hash of the event at each position n × pageSize.
    private(set) var trailEnds: [SHA256.Digest] = []
    private(set) var count: Int64 = 0
    private(set) var lastHash = SHA256.Digest.zero
    private(set) var groups: [GroupID: Group] = [:]
    /// The previous build's tree size, and the hash this log has there (nil: shorter).
    let watch: Int64?
    private(set) var watched: SHA256.Digest?

    /// The chronological pages (none for an empty log).
    var trailPages: Int { count == 0 ? 0 : Int((count - 1) / Int64(pageSize)) + 1 }

    init(pageSize: Int, watch: Int64?) {
        self.pageSize = pageSize
        self.watch = watch
    }

    /// Notes the event at position `p` (1-based, in log order) with its recorded hash.
    mutating func observe(position p: Int64, hash: SHA256.Digest, event e: Event) {
        count = p
        lastHash = hash
        if p % Int64(pageSize) == 0 { trailEnds.append(hash) }
        if p == watch { watched = hash }
        GroupID.each(of: e) { groups[$0, default: Group()].observe(p, hash, pageSize: pageSize) }
    }
}

/// The key of every page of events (chronological pages, pages by model, actor and action):
/// SHA-256 over everything its bytes depend on. A page whose key equals the one the previous
/// build recorded for the same path is kept as that build wrote it (``PageReuse``).
///
/// What goes in: the trailpack version, the theme (every template and asset), the page size,
/// the `site` values a range page shows, the navigation, the registry's models and
/// requirements, the versions with pages, the CAPA ids (rows link to them); then, per page, its
/// number, whether a later page exists, the position and hash of its last event (which commit
/// to every event up to it), and for chronological pages the signature results and the findings
/// (index, rule, waived) of its events; for group pages the group's label and other names.
struct PageKeys: Sendable {
    /// Page path (without `.html`/`.md`) -> key.
    var keys: [String: SHA256.Digest] = [:]

    /// Feeds strings, each with its length, so that no two lists feed the same bytes.
    static func feed(_ h: inout SHA256.Hasher, _ strings: String...) {
        for s in strings { feed(&h, s) }
    }

    /// Feeds one string's UTF-8 bytes with their length, without copying them out.
    static func feed(_ h: inout SHA256.Hasher, _ string: String) {
        var s = string
        s.withUTF8 { b in
            withUnsafeBytes(of: UInt64(b.count).littleEndian) { h.update($0) }
            h.update(UnsafeRawBufferPointer(b))
        }
    }

    /// Feeds bytes with their length.
    static func feed(_ h: inout SHA256.Hasher, bytes: [UInt8]) {
        withUnsafeBytes(of: UInt64(bytes.count).littleEndian) { h.update($0) }
        h.update(bytes)
    }

    /// Feeds integers.
    static func feed(_ h: inout SHA256.Hasher, ints: Int64...) {
        for i in ints { withUnsafeBytes(of: i.littleEndian) { h.update($0) } }
    }

    /// What every page's key starts from.
    static func common(_ c: SiteContext) -> SHA256.Digest {
        var h = SHA256.Hasher()
        feed(&h, "trailpack-page-keys/1", Trailpack.version, c.theme.fingerprint.hex, c.theme.typedRows ? "typed" : "templates", String(c.pageSize))
        for s in c.rangeSiteText { feed(&h, s) }
        for s in c.navSections { feed(&h, s.label, s.path) }
        for v in c.versionPages.sorted() { feed(&h, bytes: v.model.bytes); feed(&h, bytes: v.version.bytes) }
        for id in c.capaIDs.sorted() { feed(&h, bytes: id.bytes) }
        for m in c.analysis.registry.models {
            feed(&h, bytes: m.id.bytes)
            feed(&h, m.name, String(m.requirements.count))
            for r in m.requirements { feed(&h, bytes: r.id.bytes) }
        }
        return h.finalizeDigest()
    }

    /// The key of a page rendered from `value` (``SiteContext/pageValue(path:title:section:range:_:)``)
    /// through the template of `kind`: `base` (``common(_:)``, which covers the theme) and every
    /// member of the value, objects in key order. Equal keys render equal bytes.
    static func key(base: SHA256.Digest, kind: String, value: TemplateValue) -> SHA256.Digest {
        var h = SHA256.Hasher()
        feed(&h, base.hex, "value", kind)
        feed(&h, value: value)
        return h.finalizeDigest()
    }

    /// Feeds a template value: a tag byte per case, then its contents.
    static func feed(_ h: inout SHA256.Hasher, value: TemplateValue) {
        switch value {
        case .null: h.update(byte: 0)
        case .bool(let b): h.update(byte: b ? 2 : 1)
        case .string(let s):
            h.update(byte: 3)
            feed(&h, s)
        case .int(let i):
            h.update(byte: 4)
            feed(&h, ints: Int64(i))
        case .double(let d):
            h.update(byte: 5)
            feed(&h, ints: Int64(bitPattern: d.bitPattern))
        case .array(let a):
            h.update(byte: 6)
            feed(&h, ints: Int64(a.count))
            for v in a { feed(&h, value: v) }
        case .object(let o):
            h.update(byte: 7)
            feed(&h, ints: Int64(o.count))
            for (k, v) in o.sorted(by: { $0.key.utf8Precedes($1.key) }) {
                feed(&h, k)
                feed(&h, value: v)
            }
        case .fragment(let f):
            h.update(byte: 8)
            feed(&h, bytes: f.html.bytes)
            feed(&h, bytes: f.markdown.bytes)
        }
    }

    /// The keys of every page of events of the site being built.
    static func compute(_ b: PageBoundaries, context c: SiteContext) -> PageKeys {
        let base = common(c)
        let size = Int64(c.pageSize)
        let total = b.count
        var out = PageKeys()
        // Signature results and findings of the events of each chronological page.
        var pageExtras: [Int: SHA256.Hasher] = [:]
        func page(_ seq: Int64) -> Int? { seq >= 1 && seq <= total ? Int((seq - 1) / size) + 1 : nil }
        for s in c.analysis.signatures {
            guard let n = page(s.seq) else { continue }
            feed(&pageExtras[n, default: SHA256.Hasher()], ints: s.seq)
            feed(&pageExtras[n, default: SHA256.Hasher()], s.fingerprint ?? "\u{0}", s.valid ? "valid" : "invalid", s.status)
        }
        for (i, f) in c.analysis.findings.enumerated() {
            guard let seq = f.seq, let n = page(seq) else { continue }
            feed(&pageExtras[n, default: SHA256.Hasher()], ints: seq, Int64(i), Int64(c.findingPage[i]))
            feed(&pageExtras[n, default: SHA256.Hasher()], f.rule.rawValue, f.waiver == nil ? "" : "waived")
        }
        // The findings not listed (``FindingCap``) of each event: a row links their rule's closing
        // finding, and an artifact a row links is one without an INT-ARTIFACT finding.
        for (rule, seqs) in c.analysis.omittedSeqs.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            for seq in seqs {
                guard let n = page(seq) else { continue }
                feed(&pageExtras[n, default: SHA256.Hasher()], ints: seq)
                feed(&pageExtras[n, default: SHA256.Hasher()], rule.rawValue, "omitted")
            }
        }
        let pages = b.trailPages
        for n in stride(from: 1, through: pages, by: 1) {
            let end = min(Int64(n) * size, total)
            let hash = end == Int64(n) * size && n <= b.trailEnds.count ? b.trailEnds[n - 1] : b.lastHash
            var h = SHA256.Hasher()
            feed(&h, base.hex, "trail")
            feed(&h, ints: Int64(n), end, n < pages ? 1 : 0)
            feed(&h, hash.hex, pageExtras[n]?.finalizeDigest().hex ?? "")
            out.keys[SiteLinks.auditPage(n)] = h.finalizeDigest()
        }
        for (id, g) in b.groups {
            let label = AuditIndex.label(id.dimension, id.key, c.analysis)
            let names = id.dimension == .actor ? AuditIndex.systemNames(JSONString(bytes: id.key), c.analysis) : []
            let count = g.pages(c.pageSize)
            for k in 1...count {
                let full = k <= g.ends.count
                var h = SHA256.Hasher()
                feed(&h, base.hex, "group", id.dimension.rawValue)
                feed(&h, bytes: id.key)
                feed(&h, label, String(names.count))
                for n in names { feed(&h, n.system, n.name) }
                feed(&h, ints: Int64(k), full ? g.ends[k - 1] : g.lastPosition, k < count ? 1 : 0, Int64(full ? c.pageSize : g.count % c.pageSize))
                feed(&h, (full ? g.endHashes[k - 1] : g.lastHash).hex)
                out.keys[SiteLinks.group(id.dimension.rawValue, id.key, page: k)] = h.finalizeDigest()
            }
        }
        return out
    }
}
