import Foundation

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
            // An event's canonical line is at most ``AuditStore/maxLineBytes``: a value many times
            // longer is refused before it is parsed (a 40 MB array took 1.4 GB to refuse after).
            let limit = 4 * AuditStore.maxLineBytes
            guard span.range.count <= limit else {
                throw .invalidField("event", SourceLocation(file: name, line: span.line, column: span.padding + 1),
                                    problem: "is \(span.range.count) bytes of JSON, more than the \(limit) an event of at most \(AuditStore.maxLineBytes) "
                                        + "canonical bytes can take; keep large data in an artifact file and name it in refs.artifacts")
            }
            // The reader starts counting at the value's line and column, so locations are exact
            // without copying anything before the value (linear in the input).
            let chunk = Array(bytes[span.range])
            let value: JSONValue
            let locations: JSONLocations
            do throws(JSONError) {
                var reader = JSONReader(file: name, firstLine: span.line, firstColumn: span.padding + 1)
                reader.exactNumbers = true
                (value, locations) = try reader.parseWithLocations(chunk)
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

    /// Reads one line of JSON Lines input (line `number` of `name`, without its `\n`; a `\r`
    /// before it is allowed): the event, or nil for a blank line.
    static func event(line: ArraySlice<UInt8>, number: Int, name: String) throws(RecordError) -> InputEvent? {
        var bytes = line
        if bytes.last == 0x0D { bytes = bytes.dropLast() }
        if number == 1 && bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            throw .invalidJSON(.syntax("byte order mark at the start of the input; write UTF-8 without a BOM",
                                       SourceLocation(file: name, line: 1, column: 1)))
        }
        var padding = 0
        while let b = bytes.first, b == 0x20 || b == 0x09 {
            bytes = bytes.dropFirst()
            padding += 1
        }
        while let b = bytes.last, b == 0x20 || b == 0x09 { bytes = bytes.dropLast() }
        if bytes.isEmpty { return nil }
        let start = SourceLocation(file: name, line: number, column: padding + 1)
        let value: JSONValue
        let locations: JSONLocations
        do throws(JSONError) {
            var reader = JSONReader(file: name, firstLine: number, firstColumn: padding + 1)
            reader.exactNumbers = true
            (value, locations) = try reader.parseWithLocations(Array(bytes))
        } catch {
            throw .invalidJSON(error)
        }
        guard case .object(let object) = value else { throw .notAnObject(start, found: value.typeName) }
        return InputEvent(object: object, location: start, locations: locations)
    }

    /// Reads JSON Lines from an open file descriptor as the bytes arrive (a pipe is read as soon
    /// as a line is complete, not at its end), handing each non-blank line's event to `body` with
    /// its line number. A line longer than `maxLineBytes` is refused before it is buffered whole.
    static func forEachLine(of fd: Int32, name: String, maxLineBytes: Int = 4 * AuditStore.maxLineBytes,
                            _ body: (InputEvent) throws -> Void) throws {
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var number = 0
        var ended = false
        while !ended {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw RecordError.inputUnreadable(name, reason: String(cString: strerror(errno)))
            }
            if n == 0 {
                ended = true
                if !pending.isEmpty { pending.append(0x0A) }
            } else {
                pending.append(contentsOf: chunk[0..<n])
            }
            var from = 0
            while let nl = pending[from...].firstIndex(of: 0x0A) {
                number += 1
                if let e = try event(line: pending[from..<nl], number: number, name: name) { try body(e) }
                from = nl + 1
            }
            pending.removeSubrange(0..<from)
            if pending.count > maxLineBytes {
                throw RecordError.invalidField("event", SourceLocation(file: name, line: number + 1, column: 1),
                                               problem: "is longer than \(maxLineBytes) bytes on one input line; with --batch-size each event is one line (JSON Lines)")
            }
        }
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
