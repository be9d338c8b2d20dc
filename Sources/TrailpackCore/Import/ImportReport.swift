import Foundation

extension ImportResult {
    /// The text `import` prints.
    public var text: String {
        var out = ""
        let verb = dryRun ? "would add" : "added"
        if events.isEmpty && alreadyPresent == 0 {
            out += "\(system) \(uri): nothing to add: no fact was read from it (check that it is the store or the files you meant)\n"
        } else if events.isEmpty {
            out += "\(system) \(uri): nothing to add; the trail already holds every fact imported (\(alreadyPresent) already present)\n"
        } else {
            let counts = countsByAction.map { "\($0.1) \($0.0)" }.joined(separator: ", ")
            out += "\(system) \(uri): \(verb) \(events.count) event\(events.count == 1 ? "" : "s") (\(counts)); \(alreadyPresent) already present\n"
            // One line per event, written on all cores a range at a time.
            let all = events, system = system
            for part in Parallel.chunks(all.count, { range -> String in
                var text = ""
                for e in all[range] {
                    // Names from the other system stay on the event's line (``Escape/oneLine(_:)``).
                    var line = "  \(verb) \(e.action) \(e.subject) (\(system) \(e.sourceID), occurred \(e.occurred), actor \(e.actor)"
                    if !e.actorMapped { line += ", not mapped by identities" }
                    line += ")"
                    if !e.detail.isEmpty { line += ": \(e.detail)" }
                    text += Escape.oneLine(line) + "\n"
                }
                return text
            }) {
                out += part
            }
        }
        if let r = record {
            out += "recorded seq \(r.firstSeq)-\(r.lastSeq) in \(r.segment); tree size \(r.treeSize)\n"
        }
        if dryRun && !events.isEmpty {
            out += "dry run: nothing written; \(system) has moved away from what the trail explains\n"
        }
        for n in notes { out += Escape.oneLine("note: \(n)") + "\n" }
        return out
    }

    /// The JSON `import --format json` prints.
    public var json: JSONValue {
        var o = JSONBuilder()
        o.set("system", system)
        o.set("uri", uri)
        o.set("dryRun", dryRun)
        o.set("alreadyPresent", alreadyPresent)
        o.set("counts", .object(JSONObject(countsByAction.map { JSONMember(key: JSONString($0.0), value: .integer(Int64($0.1))) })))
        o.set("events", .array(events.map { e in
            var b = JSONBuilder()
            b.set("action", e.action)
            b.set("subject", e.subject)
            b.set("occurred", e.occurred)
            b.set("sourceId", e.sourceID)
            b.set("actor", e.actor)
            b.set("actorMapped", e.actorMapped)
            b.set("detail", e.detail)
            return b.value
        }))
        if let r = record {
            o.set("firstSeq", r.firstSeq)
            o.set("lastSeq", r.lastSeq)
            o.set("treeSize", r.treeSize)
        }
        o.set("notes", .array(notes.map { JSONValue($0) }))
        return o.value
    }
}
