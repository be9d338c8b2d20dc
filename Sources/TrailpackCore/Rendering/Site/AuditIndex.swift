import Foundation

/// The audit trail's index page (months, chronological pages, and the lists by model, actor and
/// action) and the paginated pages of each group, rendered from the spool files.
enum AuditIndex {
    static let monthNames = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                             "October", "November", "December"]

    /// `2026-02` -> `February 2026`; `unknown` -> a note that the time could not be read.
    static func monthLabel(_ key: String) -> String {
        let parts = key.split(separator: "-")
        guard parts.count == 2, let m = Int(parts[1]), (1...12).contains(m) else { return "Time not readable" }
        return "\(monthNames[m - 1]) \(parts[0])"
    }

    /// Previous/next links of page `number` of `count`. An `open` pager (pages of a range of
    /// events, which an append must leave as they are) names neither the count nor the last page.
    static func pager(number: Int, count: Int, open: Bool = false, path: (Int) -> String) -> TemplateValue {
        [
            "number": .int(number), "count": open ? .null : .int(count), "multiple": .bool(count > 1),
            "prev": number > 1 ? TV.page("Previous page", path(number - 1)) : .null,
            "next": number < count ? TV.page("Next page", path(number + 1)) : .null,
            "first": number > 1 ? TV.page("First page", path(1)) : .null,
            "last": number < count && !open ? TV.page("Last page", path(count)) : .null,
        ]
    }

    /// How a group is named on pages: the model's name, the actor's name, the action.
    static func label(_ d: GroupDimension, _ key: [UInt8], _ a: PackAnalysis) -> String {
        let id = String(decoding: key, as: UTF8.self)
        switch d {
        case .model:
            if let m = a.registry.model(JSONString(bytes: key)), m.name != id { return "\(m.name) (\(id))" }
            return id
        case .actor:
            if let name = a.actors[JSONString(bytes: key)]?.name, !name.utf8.elementsEqual(id.utf8) { return "\(name) (\(id))" }
            return id
        case .action:
            return id
        }
    }

    /// Every name an actor had in each system (issue 14, contract section 9): the `identities`
    /// keys `<system>:<name>` mapped to the actor id, and the id itself when it is the unmapped
    /// `<system>:<name>` of events brought in from that system; sorted by system, then name (bytes).
    static func systemNames(_ actor: JSONString, _ a: PackAnalysis) -> [(system: String, name: String)] {
        var out: [(system: String, name: String)] = []
        for m in a.config.identities where m.actor == actor {
            let key = m.name.string
            guard let colon = key.firstIndex(of: ":") else { continue }
            out.append((String(key[..<colon]), String(key[key.index(after: colon)...])))
        }
        let id = actor.string
        if let u = a.unmappedNames.first(where: { $0.name == id }), id.hasPrefix(u.system + ":") {
            out.append((u.system, String(id.dropFirst(u.system.count + 1))))
        }
        var seen = Set<[String]>()
        return out.filter { seen.insert([$0.system, $0.name]).inserted }.sorted {
            $0.system != $1.system ? $0.system.utf8.lexicographicallyPrecedes($1.system.utf8) : $0.name.utf8.lexicographicallyPrecedes($1.name.utf8)
        }
    }

    /// One group as listed on the index page.
    struct GroupEntry: Sendable {
        var label: String
        var count: Int
        var link: TemplateValue
    }

    /// Writes the pages of every group, `pageSize` compact rows each, a few at a time in
    /// parallel; a page kept from the previous build (``PageReuse``) is copied, not rendered.
    static func writeGroups(_ spool: GroupSpool, reuse: PageReuse, context: SiteContext, output: inout SiteOutput) throws -> [GroupDimension: [GroupEntry]] {
        let size = context.pageSize
        var entries: [GroupDimension: [GroupEntry]] = [:]
        struct Job {
            var path: String
            var title: String
            var range: String
            var rows: [TemplateValue]
            var number: Int
            var count: Int
            var dim: GroupDimension
            var key: [UInt8]
            var kept: Bool
        }
        var jobs: [Job] = []
        var rendered = 0
        func run(_ output: inout SiteOutput) throws {
            let batch = jobs
            jobs = []
            rendered = 0
            let sink = try output.reserve(pages: batch.map(\.path))
            let pages = try Parallel.map(batch.count) { i -> [WrittenFile] in
                let j = batch[i]
                if j.kept { return try reuse.keep(j.path, sink: sink) }
                let names = j.dim == .actor ? systemNames(JSONString(bytes: j.key), context.analysis) : []
                return try sink.write(try context.render(.auditGroup, path: j.path, title: j.title, section: .audit, range: j.range, [
                    "rows": .array(j.rows), "dimension": .string(j.dim.title),
                    "hasNames": .bool(!names.isEmpty),
                    "names": .array(names.map { ["system": .string($0.system), "name": .string($0.name)] }),
                    "pager": pager(number: j.number, count: j.count, open: true) { SiteLinks.group(j.dim.rawValue, j.key, page: $0) },
                ]))
            }
            for p in pages { output.record(p) }
        }
        for d in GroupDimension.allCases {
            let groups = (spool.groups[d] ?? []).sorted { $0.key.lexicographicallyPrecedes($1.key) }
            for g in groups {
                let label = label(d, g.key, context.analysis)
                let count = max(1, (g.count + size - 1) / size)
                let id = GroupID(dimension: d, key: g.key)
                entries[d, default: []].append(GroupEntry(label: label, count: g.count,
                                                          link: TV.page(label, SiteLinks.group(d.rawValue, g.key, page: 1))))
                var rows: [TemplateValue] = []
                var number = 1
                // A group page names its own place, never the group's length: an append leaves it as it is.
                func job(kept: Bool) throws {
                    jobs.append(Job(path: SiteLinks.group(d.rawValue, g.key, page: number), title: "Events by \(d.title): \(label), page \(number)",
                                    range: "page \(number) of the events by \(d.title) \(label)", rows: rows, number: number, count: count,
                                    dim: d, key: g.key, kept: kept))
                    rows = []
                    number += 1
                    // Pages rendered hold their rows: a few at a time. Kept pages hold none, and
                    // each is a small job (link and hash): many at a time, so that the workers
                    // are not stopped and started for every two of them.
                    if !kept { rendered += 1 }
                    if rendered >= Parallel.workers * 2 || jobs.count >= 512 { try run(&output) }
                }
                // Pages kept from the previous build take no rows from the spool.
                func skipKept() throws { while number <= count && reuse.isKept(id, page: number) { try job(kept: true) } }
                func add(_ row: TemplateValue) throws {
                    try skipKept()
                    rows.append(row)
                    if rows.count == size { try job(kept: false) }
                }
                if g.stored > 0 {
                    if spool.framed {
                        // Rows rendered once by typed code, reused as they are.
                        try spool.forEachFragment(d, g.number, group: "\(d.rawValue)/\(label)") { try add(.fragment($0)) }
                    } else {
                        try spool.forEachRow(d, g.number) { line in
                            // The spool is written by this build: a row that does not read back is a fault
                            // (a full disk, a damaged temp file), never a row to drop silently.
                            try add(try spoolRow(line, group: "\(d.rawValue)/\(label)", locator: context.locator))
                        }
                    }
                }
                try skipKept()
                if !rows.isEmpty || number == 1 { try job(kept: false) }
            }
        }
        try run(&output)
        return entries
    }

    /// The trail's index: months, chronological pages, and the groups.
    static func writeIndex(_ c: SiteContext, groups: [GroupDimension: [GroupEntry]], gxp: [GxPView.Month], output: inout SiteOutput) throws {
        let trail = c.trail
        let months = trail.months.values.sorted { $0.key < $1.key }.map { m -> TemplateValue in
            [
                "label": .string(monthLabel(m.key)), "events": .int(m.events),
                "first": TV.page("page \(m.firstPage)", SiteLinks.auditPage(m.firstPage), anchor: "m-" + m.key),
                "pages": .string(m.firstPage == m.lastPage ? "\(m.firstPage)" : "\(m.firstPage)–\(m.lastPage)"),
            ]
        }
        let pages = trail.pages.map { p -> TemplateValue in
            [
                "link": TV.page("Page \(p.number)", SiteLinks.auditPage(p.number)),
                "events": .string("\(p.firstPosition)–\(p.lastPosition)"), "from": TV.time(p.firstTime), "to": TV.time(p.lastTime),
            ]
        }
        func list(_ d: GroupDimension) -> TemplateValue {
            .array((groups[d] ?? []).map { ["link": $0.link, "events": .int($0.count)] })
        }
        let gxpMonths = gxp.map { m -> TemplateValue in
            [
                "label": .string(monthLabel(m.key)), "events": .int(m.events), "of": .int(trail.months[m.key]?.events ?? 0),
                "link": TV.page(monthLabel(m.key), SiteLinks.gxpPage(month: m.key, 1)), "pages": .int(m.pages),
            ]
        }
        let page = try c.render(.auditIndex, path: "audit/index", title: "Audit trail", section: .audit, [
            "gxp": .array(gxpMonths), "gxpEvents": .int(gxp.reduce(0) { $0 + $1.events }),
            "events": .int(Int(trail.events)), "pageSize": .int(c.pageSize), "pageCount": .int(trail.pageCount),
            "months": .array(months), "pages": .array(pages),
            "models": list(.model), "actors": list(.actor), "actions": list(.action),
        ])
        try output.write(page)
    }
}

extension AuditIndex {
    /// One row of the group spool as a template value. The spool is written by this build: a
    /// row that does not read back is a fault (a full disk, a damaged temp file), never a row to
    /// drop silently, so it is an error that stops the build before anything is published.
    static func spoolRow(_ line: ArraySlice<UInt8>, group: String, locator: EventLocator) throws(SpoolError) -> TemplateValue {
        guard let value = try? JSONReader(file: "").parse(line), let row = EventView.compactValue(value, locator: locator) else {
            throw .unreadableRow(group: group)
        }
        return row
    }
}

/// A row of the build's own group spool that does not read back.
enum SpoolError: LocalizedError, Equatable {
    case unreadableRow(group: String)
    /// The event the trail's read found at a position is not the one the verify pass saw there.
    case logChanged(position: Int64)

    var errorDescription: String? {
        switch self {
        case .unreadableRow(let g):
            return "a row of the temporary event spool for group \(g) could not be read back; nothing was published. "
                + "Fix: check free space and the temporary folder (TMPDIR), then build again"
        case .logChanged(let p):
            return "event \(p) of the audit log is not the one verified at the start of the build: the log changed while it was built; "
                + "nothing was published. Fix: find out what wrote to audit/ without the store's lock, then build again"
        }
    }
}
