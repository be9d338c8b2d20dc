/// One event object read from `record`'s input, with the places of its fields.
public struct InputEvent: Sendable {
    /// The object as given (without `seq`, `prev`, `hash`).
    public var object: JSONObject
    /// Where the object starts in the input (input name, line, column).
    public var location: SourceLocation
    let locations: JSONLocations

    /// The place of a field, e.g. `field("signature", "sig")`, or of its nearest enclosing value.
    public func field(_ path: String...) -> SourceLocation { field(path) }

    /// The place of the member at `path` (where its key starts), or of its nearest enclosing one.
    func field(_ path: [String]) -> SourceLocation {
        var p = path
        while !p.isEmpty {
            let pointer = "/" + p.map { $0.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1") }
                .joined(separator: "/")
            if let l = locations.byPointer[pointer] { return l }
            p.removeLast()
        }
        return location
    }
}

/// Reads `record`'s input: one JSON object, possibly pretty-printed over several lines, or
/// several objects, one per line (JSON Lines) or separated by whitespace. Errors name the input
/// line and column.
public enum EventInput {
    /// Splits `bytes` into JSON values and parses each strictly; `name` is the input's name in
    /// messages (a file path or `<stdin>`).
    public static func parse(_ bytes: [UInt8], name: String) throws(RecordError) -> [InputEvent] {
        var events: [InputEvent] = []
        try forEach(bytes, name: name) { (e: InputEvent) throws(RecordError) in events.append(e) }
        return events
    }

    /// Reads the values one at a time and hands each event to `body` before reading the next, so
    /// that a caller that refuses an event stops the reading there (time and memory linear in
    /// what was read, not in the whole input).
    public static func forEach(_ bytes: [UInt8], name: String, _ body: (InputEvent) throws(RecordError) -> Void) throws(RecordError) {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            throw .invalidJSON(.syntax("byte order mark at the start of the input; write UTF-8 without a BOM",
                                       SourceLocation(file: name, line: 1, column: 1)))
        }
        var count = 0
        try split(bytes) { (span: Span) throws(RecordError) in
            // The reader starts counting at the value's line and column, so locations are exact
            // without copying anything before the value (linear in the input).
            let chunk = Array(bytes[span.range])
            let value: JSONValue
            let locations: JSONLocations
            do throws(JSONError) {
                (value, locations) = try JSONReader(file: name, firstLine: span.line, firstColumn: span.padding + 1)
                    .parseWithLocations(chunk)
            } catch {
                throw .invalidJSON(error)
            }
            let start = SourceLocation(file: name, line: span.line, column: span.padding + 1)
            guard case .object(let object) = value else { throw .notAnObject(start, found: value.typeName) }
            count += 1
            try body(InputEvent(object: object, location: start, locations: locations))
        }
        if count == 0 { throw .emptyInput(name) }
    }

    /// One top-level value's bytes, its first line, and how many characters precede it on that line.
    struct Span {
        var range: Range<Int>
        var line: Int
        var padding: Int
    }

    /// Finds the top-level values: an object or array runs to its matching bracket (strings and
    /// escapes respected); anything else runs to the end of its line, for the reader to judge.
    /// Each value's span goes to `body` in input order.
    static func split<E: Error>(_ b: [UInt8], _ body: (Span) throws(E) -> Void) throws(E) {
        var i = 0
        var line = 1
        // Characters (not continuation bytes) from the line's start up to `counted`, advanced
        // incrementally so that many values on one line cost linear time.
        var counted = 0
        var column = 0
        let n = b.count
        while true {
            while i < n, b[i] == 0x20 || b[i] == 0x09 || b[i] == 0x0A || b[i] == 0x0D {
                if b[i] == 0x0A { line += 1; counted = i + 1; column = 0 }
                i += 1
            }
            guard i < n else { break }
            let start = i
            let startLine = line
            while counted < start {
                if b[counted] & 0xC0 != 0x80 { column += 1 }
                counted += 1
            }
            let padding = column
            if b[i] == UInt8(ascii: "{") || b[i] == UInt8(ascii: "[") {
                var depth = 0
                var inString = false
                var escaped = false
                scan: while i < n {
                    let c = b[i]
                    i += 1
                    if c == 0x0A { line += 1; counted = i; column = 0 }
                    if inString {
                        if escaped { escaped = false } else if c == UInt8(ascii: "\\") { escaped = true } else if c == UInt8(ascii: "\"") { inString = false }
                        continue
                    }
                    switch c {
                    case UInt8(ascii: "\""): inString = true
                    case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                    case UInt8(ascii: "}"), UInt8(ascii: "]"):
                        depth -= 1
                        if depth == 0 { break scan }
                    default: break
                    }
                }
            } else {
                while i < n, b[i] != 0x0A { i += 1 }
            }
            try body(Span(range: start..<i, line: startLine, padding: padding))
        }
    }
}
