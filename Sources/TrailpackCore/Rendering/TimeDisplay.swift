/// One way to show a time (issue 13 item 3): UTC to the second in tables, the recorded offset
/// beside it only where it differs from UTC, and the recorded text in full (fraction and
/// offset) on the event itself. A page writes the UTC time as one `<time>` element, never
/// broken, and the offset beside it (``TV/time(_:)``).
enum TimeDisplay {
    /// `2026-01-05 06:02:59Z` for a time that parses, else the recorded text as it is.
    static func utc(_ recorded: String) -> String {
        guard case .valid(let t) = Timestamp.parse(recorded) else { return recorded }
        return t.secondsText + "Z"
    }

    /// The recorded offset (`+01:00`) when it is not UTC (`Z`, `+00:00`), else nil.
    static func offset(_ recorded: String) -> String? {
        guard case .valid = Timestamp.parse(recorded) else { return nil }
        let b = Array(recorded.utf8)
        guard b.count >= 6, let last = b.last, last != UInt8(ascii: "Z"), last != UInt8(ascii: "z") else { return nil }
        let tail = String(decoding: b.suffix(6), as: UTF8.self)
        return tail == "+00:00" || tail == "-00:00" ? nil : tail
    }

    /// A table cell: `2026-01-05 06:02:59Z (+01:00)`, the offset only where it is not UTC.
    static func cell(_ recorded: String) -> String {
        offset(recorded).map { utc(recorded) + " (" + $0 + ")" } ?? utc(recorded)
    }

    /// The recorded text in full, split into date, time and offset (`2026-01-05 07:02:59.855 +01:00`),
    /// or nil when the cell already shows all of it (UTC, no fraction).
    static func recordedInFull(_ recorded: String) -> String? {
        guard case .valid = Timestamp.parse(recorded), recorded.utf8.count > 10 else { return nil }
        var s = recorded.replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "t", with: " ")
        if s.hasSuffix("Z") || s.hasSuffix("z") {
            s.removeLast()
            s += " Z"
        } else if s.utf8.count > 6 {
            s.insert(" ", at: s.index(s.endIndex, offsetBy: -6))
        }
        return utc(recorded) == s.replacingOccurrences(of: " Z", with: "Z") ? nil : s
    }
}
