/// Bounded memory for the findings of a damaged or hostile log: a pass keeps at most
/// ``perRule`` findings of each rule and only counts the rest, then adds one finding per rule
/// saying how many it left out and where the last of them was.
///
/// Without it, a log whose writer appended a few million blank lines (one byte each) or `{}`
/// lines made `verify` and `build` hold a finding per line: gigabytes of memory from megabytes
/// of input, until the machine ran out. Runs of the same problem on consecutive lines that are
/// not events are one finding already (``Finding/lastLine``); the cap holds for everything else.
struct FindingCap: Sendable {
    /// Findings of one rule kept by one pass (the verify pass and the compliance pass each).
    static let perRule = 10_000

    private var kept: [RuleID: Int] = [:]
    private var dropped: [RuleID: (count: Int, last: Finding)] = [:]
    /// The `seq` of every finding left out that names an event, by rule (8 bytes each), so that
    /// the event's row can still link to its rule's closing finding.
    private(set) var droppedSeqs: [RuleID: [Int64]] = [:]

    /// Whether `f` is kept (counted against its rule); a finding left out is counted instead.
    mutating func admit(_ f: Finding) -> Bool {
        let n = kept[f.rule, default: 0]
        if n < Self.perRule {
            kept[f.rule] = n + 1
            return true
        }
        let count = dropped[f.rule]?.count ?? 0
        dropped[f.rule] = (count + 1, f)
        if let seq = f.seq { droppedSeqs[f.rule, default: []].append(seq) }
        return false
    }

    /// Appends the findings of `new` that are kept to `list`.
    mutating func append(_ new: [Finding], to list: inout [Finding]) {
        for f in new where admit(f) { list.append(f) }
    }

    /// Keeps, of `list[start...]`, the findings within the cap (in order); counts the others.
    mutating func filter(_ list: inout [Finding], from start: Int) {
        guard start < list.count else { return }
        var write = start
        for read in start..<list.count where admit(list[read]) {
            if write != read { list[write] = list[read] }
            write += 1
        }
        list.removeLast(list.count - write)
    }

    /// One finding per rule that had findings left out, located where the last of them was, in
    /// rule order; its ``Finding/omitted`` is how many (counted, never waived).
    var summaries: [Finding] {
        dropped.sorted { $0.key.rawValue.utf8.lexicographicallyPrecedes($1.key.rawValue.utf8) }.map { rule, d in
            var f = Finding(rule, "\(d.count) more \(rule.rawValue) findings are not listed: at most \(Self.perRule) findings of one rule are "
                            + "listed, so that a damaged or hostile log cannot exhaust memory; the last one left out is at \(d.last.location): "
                            + "\(d.last.message). Fix the cause of the first ones listed, then verify again to see the rest")
            f.file = d.last.file
            f.line = d.last.line
            f.lastLine = d.last.lastLine
            f.seq = d.last.seq
            f.omitted = d.count
            return f
        }
    }
}
