import Foundation

/// What the verify pass notes of every event for an incremental build, so that the trail's
/// second read parses only the events it renders or needs (``TrailSelection``): each month's
/// and chronological page's figures, and per position a 32-bit hash of the event's id, whether
/// it is signed, whether its actor is a person, and its action (as an index into `actions`).
/// About 6 bytes an event.
struct TrailFacts: Sendable {
    let pageSize: Int
    private(set) var figures: TrailFigures
    /// Per position (index p − 1): FNV-1a of the id's bytes (0 without an id).
    private(set) var idHashes: [UInt32] = []
    /// Per position: the action's index (low 14 bits), signed (bit 14), actor a person (bit 15).
    private(set) var marks: [UInt16] = []
    /// The actions seen, in order of first appearance.
    private(set) var actions: [String] = []
    private var actionIndex: [String: UInt16] = [:]
    /// The last event's action and its index (most events repeat the action before them).
    private var lastAction: (name: String, index: UInt16)?
    /// False once more than 16,383 actions were seen (then nothing is left unparsed).
    private(set) var usable = true

    static let signedBit: UInt16 = 1 << 14
    static let personBit: UInt16 = 1 << 15
    static let actionMask: UInt16 = (1 << 14) - 1

    init(pageSize: Int) {
        self.pageSize = pageSize
        figures = TrailFigures(pageSize: pageSize)
    }

    /// Notes the event at position `p` (1-based, in log order).
    mutating func observe(position p: Int64, event e: Event) {
        figures.note(position: p, event: e)
        guard usable else { return }
        guard p == Int64(idHashes.count) + 1 else {
            usable = false
            return
        }
        idHashes.append(e.id.map { Self.hash($0.utf8) } ?? 0)
        var mark: UInt16
        if let last = lastAction, last.name == e.action {
            mark = last.index
        } else if let known = actionIndex[e.action] {
            mark = known
            lastAction = (e.action, known)
        } else {
            guard actions.count <= Int(Self.actionMask) else {
                usable = false
                return
            }
            mark = UInt16(actions.count)
            actionIndex[e.action] = mark
            actions.append(e.action)
            lastAction = (e.action, mark)
        }
        if e.signature != nil { mark |= Self.signedBit }
        if !e.actor.isService { mark |= Self.personBit }
        marks.append(mark)
    }

    /// FNV-1a, 32 bits: a filter only (an equal hash sends the event to be parsed and its id
    /// compared), so a collision costs a parse, never a wrong anchor.
    static func hash<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
        var h: UInt32 = 2_166_136_261
        for b in bytes { h = (h ^ UInt32(b)) &* 16_777_619 }
        return h
    }
}

/// The figures of each month and chronological page, noted in log order: the same whether the
/// trail's read notes them (a full build) or the verify pass does (``TrailFacts``).
struct TrailFigures: Sendable {
    let pageSize: Int
    /// Figures of each month (UTC), by `yyyy-mm` (or `unknown`).
    var months: [String: MonthStat] {
        var all = earlier
        if let current { all[current.key] = current }
        return all
    }
    /// The months before the current one, and the current one (most events are in the month of
    /// the event before them: it is updated without a lookup).
    private var earlier: [String: MonthStat] = [:]
    private var current: MonthStat?
    private(set) var pages: [TrailPageStat] = []
    /// The last month key and the seconds it spans (UTC), so that most events need no new key.
    private var month: (key: String, start: Int64, end: Int64)?

    init(pageSize: Int) { self.pageSize = pageSize }

    /// The `yyyy-mm` key of a time (``Timestamp/monthKey``), from the last one when in its month.
    private mutating func monthKey(_ t: Timestamp?) -> String {
        guard let t else { return "unknown" }
        if let m = month, t.seconds >= m.start, t.seconds < m.end { return m.key }
        let key = t.monthKey
        let c = t.components
        guard (0...9999).contains(c.year) else { return key }
        let start = Int64(Timestamp.daysFromCivil(year: c.year, month: c.month, day: 1)) * 86_400
        let end = start + Int64(Timestamp.daysIn(month: c.month, year: c.year)) * 86_400
        month = (key, start, end)
        return key
    }

    mutating func note(position p: Int64, event e: Event) {
        let page = Int((p - 1) / Int64(pageSize)) + 1
        let key = monthKey(e.time)
        if var c = current, c.key == key {
            c.events += 1
            c.lastPage = page
            current = c
        } else {
            if let c = current { earlier[c.key] = c }
            if var m = earlier.removeValue(forKey: key) {
                m.events += 1
                m.lastPage = page
                current = m
            } else {
                current = MonthStat(key: key, events: 1, firstPosition: p, firstPage: page, lastPage: page)
            }
        }
        let time = e.timeText ?? ""
        if pages.count < page {
            pages.append(TrailPageStat(number: page, firstPosition: p, lastPosition: p, firstTime: time, lastTime: time))
        } else {
            pages[page - 1].lastPosition = p
            pages[page - 1].lastTime = time
        }
    }
}

/// Which events the trail's second read parses in an incremental build over a sound log (every
/// line an event, `seq` equal to position): those of the chronological pages and the pages by
/// model, actor and action that are rendered again; those a finding names; those the GxP view
/// may list (a person's, a signed one, or an action it lists); and those whose id some event's
/// `refs.event` names (anchors). Every other event lies only on kept pages, and what the trail
/// needs of it (its month and page figures, whether it is signed) came from the verify pass.
struct TrailSelection: Sendable {
    /// Positions to parse, as sorted, disjoint ranges.
    private let ranges: [ClosedRange<Int64>]
    private let named: Set<Int64>
    private let referenced: Set<UInt32>
    /// Per action index: whether the GxP view lists the action.
    private let listedActions: [Bool]
    let facts: TrailFacts
    /// Each group's event count (pages by model, actor and action).
    let groupCounts: [(GroupID, Int)]
    private var next = 0

    /// Nil when the verify pass could not note every event (``TrailFacts/usable``).
    init?(facts: TrailFacts, reuse: PageReuse, boundaries b: PageBoundaries, context: SiteContext, referenced ids: Set<JSONString>) {
        guard facts.usable, Int64(facts.idHashes.count) == b.count else { return nil }
        self.facts = facts
        var ranges: [ClosedRange<Int64>] = []
        let size = Int64(b.pageSize)
        for n in stride(from: 1, through: b.trailPages, by: 1) where !reuse.trail.contains(n) {
            let first = Int64(n - 1) * size + 1
            ranges.append(first...min(b.count, first + size - 1))
        }
        for (id, g) in b.groups {
            for k in 1...g.pages(b.pageSize) where !reuse.isKept(id, page: k) {
                let first = k == 1 ? g.firstPosition : g.ends[k - 2] + 1
                let last = k <= g.ends.count ? g.ends[k - 1] : g.lastPosition
                if first <= last { ranges.append(first...last) }
            }
        }
        ranges.sort { $0.lowerBound < $1.lowerBound }
        var merged: [ClosedRange<Int64>] = []
        for r in ranges {
            if let last = merged.last, r.lowerBound <= last.upperBound + 1 {
                merged[merged.count - 1] = last.lowerBound...max(last.upperBound, r.upperBound)
            } else {
                merged.append(r)
            }
        }
        self.ranges = merged
        groupCounts = b.groups.map { ($0.key, $0.value.count) }
        self.named = context.namedSeqs
        self.referenced = Set(ids.map { TrailFacts.hash($0.utf8) })
        let requireSigned = context.analysis.config.policy.requireSigned
        listedActions = facts.actions.map { a in
            GxPView.actions.contains(a) || GxPView.verbs.contains { a.hasSuffix($0) } || requireSigned.contains { $0.bytes.elementsEqual(a.utf8) }
        }
    }

    /// Whether the event at position `p` is signed.
    func isSigned(_ p: Int64) -> Bool { facts.marks[Int(p - 1)] & TrailFacts.signedBit != 0 }

    /// Whether the event at position `p` is to be parsed; positions are asked in increasing order.
    mutating func needs(_ p: Int64) -> Bool {
        while next < ranges.count && ranges[next].upperBound < p { next += 1 }
        if next < ranges.count && ranges[next].contains(p) { return true }
        let i = Int(p - 1)
        guard i >= 0 && i < facts.marks.count else { return true }
        let mark = facts.marks[i]
        if mark & (TrailFacts.signedBit | TrailFacts.personBit) != 0 { return true }
        if listedActions[Int(mark & TrailFacts.actionMask)] { return true }
        if named.contains(p) { return true }
        return facts.idHashes[i] != 0 && referenced.contains(facts.idHashes[i])
    }
}
