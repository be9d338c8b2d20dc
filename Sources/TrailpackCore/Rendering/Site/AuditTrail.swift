import Foundation

/// One line of the log as the trail shows it: an event at its position, or lines that are not
/// events (INT-PARSE findings), shown where they stand: consecutive ones of a segment as one
/// row (`line` through `last`), so a damaged segment of many lines stays one row in memory and
/// on its page.
enum TrailItem: Sendable {
    case event(Event, position: Int64, signature: SignatureRecord?)
    case note(file: String, line: Int, last: Int)
}

/// The chronological audit trail: reads the log a second time, in batches, and writes each page
/// of `pageSize` events as soon as it is complete (pages are rendered a few at a time on all
/// cores); returns the rest of the site model's ``TrailIndex``, which its pages do not read
/// (a row links only to an earlier event's anchor). Memory holds only the pages being rendered, the ids that other events reference, and
/// small per-month, per-page and per-group figures; compact rows for the pages by model, actor
/// and action go to spool files.
struct AuditTrail {
    /// The context before the trail's index is complete (its locator is the verify pass's).
    let context: SiteContext
    /// Ids named by some event's refs.event (from the analysis pass).
    let referenced: Set<JSONString>
    private var anchors: [JSONString: Int64] = [:]
    /// The events that findings name (at most one per finding).
    private var findingEvents: [Int64: FindingEvent] = [:]
    private var position: Int64 = 0
    var pending: [TrailItem] = []
    var signatureCursor = 0
    /// Month and page figures: noted here, or by the verify pass when `selection` is given.
    private var figures: TrailFigures
    /// In an incremental build over a sound log: the events to parse (nil: every line).
    private var selection: TrailSelection?
    /// The next chronological page to write (pages are written in order).
    private var nextPage = 1
    /// Lines parsed by this read (every line without a selection).
    private(set) var parsedLines: Int64 = 0
    var spool: GroupSpool
    /// The events of the GxP view (``GxPView``), by month, as their lines.
    var gxp: RowSpool<GxPView.SpoolKey>
    let pageCount: Int
    /// The findings of lines that are not events.
    let lineFindings: LineFindings
    /// The pages of events kept from the previous build (none in a clean build).
    let reuse: PageReuse

    init(context: SiteContext, referenced: Set<JSONString>, scratch: String, reuse: PageReuse, selection: TrailSelection? = nil) {
        self.context = context
        self.selection = selection
        self.figures = selection?.facts.figures ?? TrailFigures(pageSize: context.pageSize)
        self.referenced = referenced
        self.reuse = reuse
        self.spool = GroupSpool(folder: scratch, framed: context.theme.typedRows)
        self.gxp = RowSpool(folder: scratch)
        self.pageCount = max(1, (context.analysis.integrity.treeSize + context.pageSize - 1) / context.pageSize)
        lineFindings = LineFindings(context.analysis.findings)
        // Group counts come from the verify pass when not every event is read here.
        if let selection { for (id, n) in selection.groupCounts { spool.declare(id.dimension, key: id.key, count: n) } }
    }

    /// Reads the log and writes the chronological pages; `progress` sees the events done.
    /// Returns the trail's whole index (``TrailIndex``), sealed.
    mutating func run(output: inout SiteOutput, progress: (Int64) -> Void) throws -> TrailIndex {
        let store = try AuditStore(source: context.analysis.source)
        let segments = store.segments.map(\.path)
        try store.readLines { batch in
            if selection != nil {
                try readSelected(batch)
                try flush(output: &output, final: false)
                progress(position)
                return
            }
            let parsed = try Parallel.map(batch.lines.count) { i in Self.parse(batch.lines[i], in: batch) }
            parsedLines += Int64(batch.lines.count)
            for (i, event) in parsed.enumerated() {
                if let event {
                    try add(event, line: batch.bytes(batch.lines[i]))
                } else {
                    let raw = batch.lines[i]
                    let file = segments[raw.segment]
                    if case .note(let f, let first, let last)? = pending.last, f == file, last + 1 == raw.line {
                        pending[pending.count - 1] = .note(file: f, line: first, last: raw.line)
                    } else {
                        pending.append(.note(file: file, line: raw.line, last: raw.line))
                    }
                }
            }
            try flush(output: &output, final: false)
            progress(position)
        }
        if let selection, position != Int64(selection.facts.idHashes.count) { throw SpoolError.logChanged(position: position + 1) }
        try flush(output: &output, final: true)
        try spool.flushAll()
        try gxp.flushAll()
        let groups = spool.groups.mapValues { $0.map { TrailIndex.GroupCount(key: $0.key, events: $0.count) } }
        return TrailIndex(locator: context.locator, anchors: anchors, findingEvents: findingEvents, months: figures.months,
                          pages: figures.pages, events: position, pageCount: pageCount, groups: groups)
    }

    /// A batch of a sound log read in an incremental build: only the events the selection wants
    /// are parsed (on all cores); of the others only the signature cursor moves. A line wanted
    /// that is not the event the verify pass saw there means the log changed meanwhile.
    private mutating func readSelected(_ batch: LineBatch) throws {
        guard var selection else { return }
        let start = position
        var chosen: [Int] = []
        for i in batch.lines.indices where selection.needs(start + Int64(i) + 1) { chosen.append(i) }
        self.selection = selection
        let wanted = chosen
        let parsed = try Parallel.map(wanted.count) { k in Self.parse(batch.lines[wanted[k]], in: batch) }
        parsedLines += Int64(wanted.count)
        let sigs = context.analysis.signatures.count
        var w = 0
        for i in batch.lines.indices {
            let p = start + Int64(i) + 1
            if w < wanted.count && wanted[w] == i {
                guard let e = parsed[w], e.seq == p else { throw SpoolError.logChanged(position: p) }
                try add(e, line: batch.bytes(batch.lines[i]))
                w += 1
            } else {
                guard p <= Int64(selection.facts.idHashes.count) else { throw SpoolError.logChanged(position: p) }
                position = p
                if selection.isSigned(p) && signatureCursor < sigs { signatureCursor += 1 }
            }
        }
    }

    /// The event on a line, read as the verifier reads it (a JSON object after an optional BOM),
    /// or nil for a line that is not an event.
    static func parse(_ raw: RawLine, in batch: LineBatch) -> Event? {
        if raw.tooLong { return nil }
        return parse(line: batch.bytes(raw), number: raw.line)
    }

    /// The event on a line's bytes (line `number` of its segment, for the reader's locations).
    static func parse(line: ArraySlice<UInt8>, number: Int) -> Event? {
        var body = line
        if body.isEmpty { return nil }
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        // A canonical line (the usual case) is scanned as the verifier scans it, without
        // building its value; anything else is read with the full reader.
        if let members = body.withUnsafeBufferPointer({ CanonicalScanner.scan($0) }) {
            return Event(line: body, members: members)
        }
        guard let value = try? JSONReader(file: "", firstLine: number).parse(body), case .object(let o) = value else { return nil }
        return Event(o)
    }

    /// Notes an event in log order: its position, anchor, month, signature and group rows, and
    /// spools its `line` for the GxP view when it belongs there.
    private mutating func add(_ e: Event, line: ArraySlice<UInt8>) throws {
        position += 1
        let p = position
        if let id = e.id, referenced.contains(id), anchors[id] == nil { anchors[id] = p }
        if let seq = e.seq, context.findingsBySeq[seq] != nil, findingEvents[seq] == nil {
            let who = e.actor.name.map { "\($0) (\(e.actor.id.string))" } ?? e.actor.id.string
            findingEvents[seq] = FindingEvent(seq: seq, action: e.action, actor: who, time: e.timeText ?? "")
        }
        var signature: SignatureRecord?
        var signatureIndex: Int?
        let sigs = context.analysis.signatures
        if e.signature != nil, signatureCursor < sigs.count {
            if sigs[signatureCursor].seq == (e.seq ?? p) {
                signature = sigs[signatureCursor]
                signatureIndex = signatureCursor
            }
            signatureCursor += 1
        }
        if selection == nil { figures.note(position: p, event: e) }
        let key = e.time?.monthKey ?? "unknown"
        pending.append(.event(e, position: p, signature: signature))
        if GxPView.isListed(e, context: context) {
            try gxp.add(.month, key: Array(key.utf8), row: GxPView.spoolRow(position: p, signature: signatureIndex, line: line))
        }
    }

    /// Appends an event's compact row (rendered with its page) to its model, actor and action;
    /// a group page kept from the previous build (`kept`, from ``PageReuse/keptPages(_:position:)``)
    /// only counts the row (`row` is nil when all of them are).
    private mutating func spoolRow(_ e: Event, _ row: [UInt8]?, kept: [Bool]) throws {
        var n = 0
        try GroupID.each(of: e) { id in
            let isKept = n < kept.count && kept[n]
            n += 1
            guard isKept || row != nil else { throw SpoolError.unreadableRow(group: "\(id.dimension.rawValue)/" + String(decoding: id.key, as: UTF8.self)) }
            try spool.add(id.dimension, key: id.key, row: isKept ? nil : row, counted: selection == nil)
        }
    }

    /// The spool form of an event's compact row: its typed rendering (``EventRows``), or the
    /// values that the `compact-row` templates render (a JSON array) under a theme that overrides them.
    static func compactSpoolRow(_ e: Event, position: Int64, pageSize: Int, typed: Bool) -> [UInt8] {
        typed ? GroupSpool.frame(EventRows.compact(e, position: position, pageSize: pageSize))
            : JCS.serialize(EventView.compactRow(e, position: position))
    }

    /// Renders and writes the complete pending pages (all of them when `final`), a few in parallel.
    private mutating func flush(output: inout SiteOutput, final: Bool) throws {
        var firstPending = 0
        for item in pending { if case .event(_, let p, _) = item { firstPending = context.locator.page(ofPosition: p); break } }
        // With a selection, every page is written in turn, kept ones with no events parsed too.
        if selection != nil { firstPending = nextPage }
        if firstPending == 0 && !final { return }
        // A page is complete once an event of a later page arrived (lines after its last event
        // that are not events still belong to it).
        let lastComplete = context.locator.page(ofPosition: max(position, 1)) - (final ? 0 : 1)
        guard lastComplete >= max(firstPending, 1), final || lastComplete - firstPending + 1 >= Parallel.workers else { return }
        // Split pending items into pages; a note belongs to the page of the event before it.
        var groups: [(number: Int, items: [TrailItem])] = []
        if selection != nil { groups = (firstPending...lastComplete).map { ($0, []) } }
        var rest: [TrailItem] = []
        var current = max(firstPending, 1)
        for item in pending {
            if case .event(_, let p, _) = item { current = context.locator.page(ofPosition: p) }
            if current <= lastComplete {
                if selection != nil {
                    // Pages are written in order, so an item is never on a page written before.
                    guard groups.indices.contains(current - firstPending) else { throw SpoolError.logChanged(position: position) }
                    groups[current - firstPending].items.append(item)
                } else if groups.last?.number == current {
                    groups[groups.count - 1].items.append(item)
                } else {
                    groups.append((current, [item]))
                }
            } else {
                rest.append(item)
            }
        }
        pending = rest
        nextPage = lastComplete + 1
        let context = self.context
        let view = EventView(context: context, anchors: anchors)
        let pageCount = self.pageCount
        let lineFindings = self.lineFindings
        let jobs = groups
        let typed = context.theme.typedRows
        let pageSize = context.pageSize
        let reuse = self.reuse
        // Each worker renders a page (or keeps the previous build's) and the compact rows its
        // events need, and hashes and writes the page's files.
        let sink = try output.reserve(pages: jobs.map { SiteLinks.auditPage($0.number) })
        let rendered = try Parallel.map(jobs.count) { i -> ([WrittenFile], [(row: [UInt8]?, kept: [Bool])]) in
            let number = jobs[i].number
            let files = reuse.trail.contains(number)
                ? try reuse.keep(SiteLinks.auditPage(number), sink: sink)
                : try sink.write(try Self.renderPage(number, jobs[i].items, view: view, pageCount: pageCount, lineFindings: lineFindings))
            let compact = jobs[i].items.compactMap { item -> (row: [UInt8]?, kept: [Bool])? in
                guard case .event(let e, let p, _) = item else { return nil }
                let kept = reuse.keptPages(e, position: p)
                let row = kept.allSatisfy { $0 } ? nil : Self.compactSpoolRow(e, position: p, pageSize: pageSize, typed: typed)
                return (row, kept)
            }
            return (files, compact)
        }
        for (i, (files, compact)) in rendered.enumerated() {
            output.record(files)
            var next = 0
            for case .event(let e, _, _) in jobs[i].items {
                try spoolRow(e, compact[next].row, kept: compact[next].kept)
                next += 1
            }
        }
    }

    /// Links to findings shown on the row of a run of lines that are not events.
    static let noteLinks = 20

    /// One chronological page: month sections of full rows, with a pager.
    static func renderPage(_ number: Int, _ items: [TrailItem], view: EventView, pageCount: Int,
                           lineFindings: LineFindings) throws(TemplateError) -> RenderedPage {
        let typed = view.context.theme.typedRows
        let typedRows = EventRows(view: view)
        var sections: [TemplateValue] = []
        var rows: [TemplateValue] = []
        var month: String?
        var seen: [String: Int] = [:]
        var first: Int64?
        var last: Int64?
        func close() {
            guard let m = month else { return }
            let n = seen[m, default: 0] + 1
            seen[m] = n
            sections.append(["month": .string(AuditIndex.monthLabel(m)), "anchor": .string("m-" + m + (n > 1 ? "-\(n)" : "")),
                             "rows": .array(rows)])
            rows = []
        }
        for item in items {
            switch item {
            case .event(let e, let p, let sig):
                let m = e.time?.monthKey ?? "unknown"
                if month != m { close(); month = m }
                first = first ?? p
                last = p
                let row = typed ? .fragment(typedRows.full(e, position: p, signature: sig)) : view.full(e, position: p, signature: sig)
                rows.append(["event": row, "note": .null])
            case .note(let file, let line, let last):
                if month == nil { month = "unknown" }
                // The findings of the run's lines, at most `noteLinks` of them (all of a single line).
                let links = lineFindings.indices(file: file, lines: line...last, limit: Self.noteLinks).map { i in
                    view.context.findingLink(i, label: view.context.analysis.findings[i].rule.rawValue)
                }
                let location = last == line ? "\(file):\(line)" : "\(file):\(line)–\(last)"
                rows.append(["event": .null, "note": [
                    "location": .string(location), "findings": .array(links),
                    "run": .bool(last > line), "count": .int(last - line + 1),
                    "evidence": TV.file(location, "evidence/" + file),
                ]])
            }
        }
        close()
        let path = SiteLinks.auditPage(number)
        let range = first.map { f in "events \(f)–\(last ?? f)" } ?? "no events"
        // The page names its own events, never the log's length: an append leaves it as it is.
        return try view.context.render(.auditPage, path: path, title: "Audit trail, page \(number)", section: .audit,
                                       range: range + " of the audit trail", [
            "sections": .array(sections), "range": .string(range),
            "pager": AuditIndex.pager(number: number, count: pageCount, open: true) { SiteLinks.auditPage($0) },
        ])
    }
}

/// The findings of lines that are not events (no `seq`), by file in line order, for the trail's
/// rows of such lines. A finding covers `line` through `lastLine` (a run of lines with the same
/// problem, ``Finding/lastLine``).
struct LineFindings: Sendable {
    private var byFile: [String: [(first: Int, last: Int, index: Int)]] = [:]

    /// From the sorted findings of the analysis (indices are theirs).
    init(_ findings: [Finding]) {
        for (i, f) in findings.enumerated() where f.seq == nil {
            guard let file = f.file, let line = f.line else { continue }
            byFile[file, default: []].append((line, max(line, f.lastLine ?? line), i))
        }
    }

    /// The indices of the findings on any of `lines` of `file`, in order, at most `limit`.
    func indices(file: String, lines: ClosedRange<Int>, limit: Int) -> [Int] {
        guard let list = byFile[file] else { return [] }
        // The runs of a file do not overlap, so their last lines do not decrease: find the first
        // that reaches the range, then take those that start in it.
        var out: [Int] = []
        var i = list.partitionIndex { $0.last < lines.lowerBound }
        while i < list.count, list[i].first <= lines.upperBound, out.count < limit {
            out.append(list[i].index)
            i += 1
        }
        return out
    }
}
