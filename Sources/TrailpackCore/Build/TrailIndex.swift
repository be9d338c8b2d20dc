import Foundation

/// The site model's index of the audit trail: where each event is shown (position, page,
/// anchor), where the events that `refs.event` names are, what the findings page says of the
/// events findings name, and the figures of each month, chronological page and group.
///
/// The verify pass gives the positions (``EventLocator``); the trail's read of the log gives the
/// rest, and ``AuditTrail/run(output:progress:)`` returns it sealed. Every page written after the
/// trail (pages by group, the GxP view, the trail's index, summary, findings, CAPA, changes,
/// report.json) reads it through ``SiteContext/trail``, and nothing changes it after that.
struct TrailIndex: Sendable {
    /// Where each event's full row is, from its position or `seq`.
    let locator: EventLocator
    /// Positions of events by id, for the ids that some event's refs.event names.
    let anchors: [JSONString: Int64]
    /// The events findings name, by seq.
    let findingEvents: [Int64: FindingEvent]
    /// Figures of each month (UTC), by `yyyy-mm` (or `unknown`).
    let months: [String: MonthStat]
    /// Figures of each chronological page, in order.
    let pages: [TrailPageStat]
    /// Events in the trail.
    let events: Int64
    /// Chronological pages (at least 1).
    let pageCount: Int
    /// The groups of each dimension (model, actor, action), in order of first appearance.
    let groups: [GroupDimension: [GroupCount]]

    /// One group of the pages by model, actor or action: its key and how many events it lists.
    struct GroupCount: Sendable {
        var key: [UInt8]
        var events: Int
    }

    /// The index before the trail is read: the verify pass's positions, nothing else.
    init(locator: EventLocator) {
        self.init(locator: locator, anchors: [:], findingEvents: [:], months: [:], pages: [], events: 0, pageCount: 1, groups: [:])
    }

    init(locator: EventLocator, anchors: [JSONString: Int64], findingEvents: [Int64: FindingEvent], months: [String: MonthStat],
         pages: [TrailPageStat], events: Int64, pageCount: Int, groups: [GroupDimension: [GroupCount]]) {
        self.locator = locator
        self.anchors = anchors
        self.findingEvents = findingEvents
        self.months = months
        self.pages = pages
        self.events = events
        self.pageCount = pageCount
        self.groups = groups
    }

    /// The groups of a dimension, sorted by key bytes.
    func sortedGroups(_ d: GroupDimension) -> [GroupCount] {
        (groups[d] ?? []).sorted { $0.key.lexicographicallyPrecedes($1.key) }
    }
}

/// Where each event's full row is: chronological page and anchor, found from its `seq`.
///
/// Anchors are `e<N>` with N the event's position in the log, which is its `seq` in a sound log.
/// Only events whose `seq` differs from their position (INT-SEQ) are remembered, so memory
/// stays small for a sound log of any length.
struct EventLocator: Sendable {
    var pageSize: Int
    /// Events in the log.
    var count: Int64 = 0
    /// Positions whose event's seq is missing or differs from the position.
    var irregularPositions: Set<Int64> = []
    /// Seq -> first position, for events whose seq differs from their position.
    var irregularSeqs: [Int64: Int64] = [:]

    init(pageSize: Int) { self.pageSize = pageSize }

    /// Notes the event at `position` (1-based), in log order (the verify pass's `CheckedEvent.index`).
    mutating func observe(position: Int64, seq: Int64?) {
        count = position
        if seq != position {
            irregularPositions.insert(position)
            if let seq, irregularSeqs[seq] == nil { irregularSeqs[seq] = position }
        }
    }

    /// The chronological page (1-based) of a position.
    func page(ofPosition p: Int64) -> Int { Int((p - 1) / Int64(pageSize)) + 1 }

    /// The position of the event with this seq, if the log has one.
    func position(ofSeq seq: Int64) -> Int64? {
        if seq >= 1 && seq <= count && !irregularPositions.contains(seq) { return seq }
        return irregularSeqs[seq]
    }

    /// A link to the full row of the event with this seq (plain text if there is none).
    func link(seq: Int64, label: String) -> TemplateValue {
        guard let p = position(ofSeq: seq) else { return TV.text(label) }
        return TV.page(label, SiteLinks.auditPage(page(ofPosition: p)), anchor: SiteLinks.eventAnchor(p))
    }

    /// A link to the full row of the event at a position.
    func link(position p: Int64, label: String) -> TemplateValue {
        TV.page(label, SiteLinks.auditPage(page(ofPosition: p)), anchor: SiteLinks.eventAnchor(p))
    }
}

/// Figures of one month (UTC) of the trail.
struct MonthStat: Sendable {
    var key: String
    var events = 0
    var firstPosition: Int64
    var firstPage: Int
    var lastPage: Int
}

/// Figures of one chronological page.
struct TrailPageStat: Sendable {
    var number: Int
    var firstPosition: Int64
    var lastPosition: Int64
    var firstTime: String
    var lastTime: String
}

/// What the findings page says of the event a finding names: seq, action, who, when.
struct FindingEvent: Sendable, Hashable {
    var seq: Int64
    var action: String
    /// `Name (id)`, or the id when the event gives no name.
    var actor: String
    /// The time as the event recorded it (shown through ``TV/time(_:)``).
    var time: String
}
