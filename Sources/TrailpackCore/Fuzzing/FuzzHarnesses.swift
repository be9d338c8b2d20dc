import Foundation

/// Every fuzz harness: one per parser that input can reach. `make fuzz` runs each under libFuzzer;
/// `FuzzRegressionTests` runs each over its seeds and over `Tests/Fuzz/regressions/<name>/`.
public enum FuzzHarnesses {
    public static let all: [FuzzHarness] = core + mlflow + openLineage
    static let core: [FuzzHarness] = [
        FuzzHarness(name: "json-reader", seeds: ["../shared/suites/jcs/input", "Tests/Fuzz/seeds/json"], body: jsonReader),
        FuzzHarness(name: "canonical-scanner", seeds: ["../shared/suites/jcs/output", "Tests/Fuzz/seeds/events"], body: canonicalScanner),
        FuzzHarness(name: "event-input", seeds: ["Tests/Fuzz/seeds/events"], body: eventInput),
        FuzzHarness(name: "signed-note", seeds: ["Tests/Fuzz/seeds/notes"], body: signedNote),
        FuzzHarness(name: "pem", seeds: ["Tests/Fuzz/seeds/pem"], body: pem),
        FuzzHarness(name: "timestamp", seeds: ["Tests/Fuzz/seeds/timestamps"], body: timestamp),
        FuzzHarness(name: "mustache", seeds: ["templates"], body: mustache),
        FuzzHarness(name: "markdown", seeds: ["docs", "Tests/Fuzz/seeds/markdown"], body: markdown),
        FuzzHarness(name: "drift", seeds: ["../shared/samples/evidently", "Tests/Fuzz/seeds/drift"], body: drift),
        FuzzHarness(name: "config", seeds: ["Tests/Fuzz/seeds/config"], body: config),
        FuzzHarness(name: "record-state", seeds: ["Tests/Fuzz/seeds/state"], body: recordState),
        FuzzHarness(name: "build-state", seeds: ["Tests/Fuzz/seeds/build-state"], body: buildState),
    ]

    /// The previous site's `build-state.json` and `SHA256SUMS` (written by an earlier build, but
    /// editable by anyone who can write the site): never a crash; what reads back writes the same.
    static func buildState(_ bytes: [UInt8]) {
        if let state = BuildState.decode(bytes) {
            precondition(BuildState.decode(state.encoded()) == state, "a decoded build state does not read back as itself")
        }
        for (path, _) in PreviousSite.digests(sums: bytes) {
            precondition(!path.isEmpty, "an empty path from SHA256SUMS")
        }
    }

    /// The harness with this name.
    public static func named(_ name: String) -> FuzzHarness? { all.first { $0.name == name } }

    // MARK: Harness bodies

    /// The strict reader: whatever it accepts serializes canonically, and that reads back as itself.
    static func jsonReader(_ bytes: [UInt8]) {
        guard let value = try? JSONReader().parse(bytes) else { return }
        let canonical = JCS.serialize(value)
        guard let back = try? JSONReader().parse(canonical) else {
            preconditionFailure("the canonical form of an accepted value does not read back")
        }
        precondition(JCS.serialize(back) == canonical, "canonical form is not stable")
        precondition(JCS.canonical(json: bytes[...]) == canonical, "JCS.canonical(json:) differs from the serialized value")
        guard let both = try? JSONReader().parseWritingCanonical(bytes[...]) else { preconditionFailure("parseWritingCanonical refuses what parse reads") }
        precondition(JCS.serialize(both.value) == canonical, "parseWritingCanonical reads another value")
        precondition(both.canonical.map { $0 == canonical } ?? true, "parseWritingCanonical writes other bytes than JCS.serialize")
        if case .object = value, let located = try? JSONReader().parseWithLocations(bytes) {
            precondition(JCS.serialize(located.0) == canonical, "parseWithLocations reads another value")
        }
    }

    /// The fast scanner agrees with the full reader: every line it accepts, the reader reads as a
    /// canonical object whose members are the scanner's.
    static func canonicalScanner(_ bytes: [UInt8]) {
        let members = bytes.withUnsafeBufferPointer { CanonicalScanner.scan($0) }
        let full = try? JSONReader().parseCanonical(bytes, member: "hash")
        guard let members else { return }
        guard let full else { preconditionFailure("the scanner accepts what the reader rejects") }
        precondition(full.isCanonical, "the scanner accepts a line the reader finds not canonical")
        guard case .object(let object) = full.value else { preconditionFailure("the scanner accepts a non-object") }
        precondition(object.members.count == members.count, "member counts differ")
        for (m, r) in zip(object.members, members) {
            precondition(m.key.bytes.elementsEqual(bytes[r.key]), "member keys differ")
            precondition(JCS.serialize(m.value).elementsEqual(bytes[r.value]), "member values differ")
        }
        if let hash = members.first(where: { bytes[$0.key].elementsEqual("hash".utf8) }) {
            precondition(full.memberSpan == hash.whole, "the hash member's span differs")
        }
    }

    /// `record`'s input reader: never a crash; accepted events are objects whose fields it locates.
    static func eventInput(_ bytes: [UInt8]) {
        // The JSON Lines reader of `record --batch-size`, line by line.
        for (n, line) in bytes.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            guard let e = try? EventInput.event(line: line, number: n + 1, name: "<fuzz>") else { continue }
            precondition(e.location.line == n + 1 && e.location.column >= 1, "a JSON Lines event located off its line")
        }
        guard let events = try? EventInput.parse(bytes, name: "<fuzz>") else { return }
        precondition(!events.isEmpty, "no events and no error")
        for e in events {
            precondition(e.location.line >= 1 && e.location.column >= 1, "location before the input")
            _ = e.field("actor", "id")
        }
    }

    /// `audit/.trailpack-state` (record's cache): parsing never crashes, and a state it accepts
    /// serializes to bytes that parse to the same state.
    static func recordState(_ bytes: [UInt8]) {
        guard let state = LogState.parse(bytes) else { return }
        precondition(LogState.parse(state.serialized()) == state, "a state does not survive serialization")
    }

    /// Signed notes and checkpoints: parsing never crashes; a parsed checkpoint formats back to
    /// text that parses to the same checkpoint.
    static func signedNote(_ bytes: [UInt8]) {
        _ = try? SignedNote(parsing: bytes)
        _ = try? SignedNote(parsing: bytes, asciiOnly: true)
        guard let checkpoint = try? Checkpoint(textBytes: bytes) else { return }
        let again = try? Checkpoint(text: checkpoint.text)
        precondition(again == checkpoint, "a checkpoint does not survive formatting")
    }

    /// PEM keys through OpenSSL: never a crash, whatever the bytes.
    static func pem(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        if let key = try? Ed25519PublicKey(pem: text), let again = try? Ed25519PublicKey(pem: key.pemString) {
            precondition(again == key, "a public key does not survive PEM")
        }
        _ = try? Ed25519PrivateKey(pem: text)
    }

    /// RFC 3339: a valid time formats (in UTC) to text that parses to the same instant.
    static func timestamp(_ bytes: [UInt8]) {
        guard case .valid(let t) = Timestamp.parse(String(decoding: bytes, as: UTF8.self)) else { return }
        precondition(t.description == t.paddedDescription, "the fast time text differs from the padded one")
        let c = t.components
        guard (0...9999).contains(c.year) else { return }
        precondition(Timestamp.parse(t.description) == .valid(t), "a time does not survive formatting")
        _ = t.display
        _ = t.monthKey
    }

    /// Mustache: the input is a template (and its own partial `p`), rendered against nested data
    /// with a small work limit; it ends with output or an error, and `{{x}}` stays escaped.
    static func mustache(_ bytes: [UInt8]) {
        let source = String(decoding: bytes, as: UTF8.self)
        guard let template = try? Template(source: source, name: "t") else { return }
        var set = TemplateSet([template, (try? Template(source: source, name: "p")) ?? template], strict: false)
        set.workLimit = 20_000
        var data: TemplateValue = ["x": "<script>&\"'", "a": [1, 2, 3], "p": "p"]
        for _ in 0..<4 { data = ["a": data, "x": "<b>", "list": [data, data]] }
        if let out = try? set.render(template, data), !source.contains("{{{"), !source.contains("{{&"), !source.contains("{{=") {
            precondition(!out.contains("<script>") || source.contains("<script>"), "interpolation not escaped")
        }
        _ = template.render(["x": "y"])
    }

    /// Markdown: the HTML holds only the elements and attributes libcmark writes for Markdown (no
    /// raw HTML, no event handler, no unsafe URL); the Markdown twin is inert.
    static func markdown(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        let html = Markdown.html(text)
        if let problem = activeContent(html) { preconditionFailure("active content in Markdown HTML: \(problem)") }
        let twin = Markdown.commonmark(text)
        precondition(Markdown.isInert(twin), "the Markdown twin is not inert")
        _ = Markdown.plainText(text)
    }

    static let markdownElements: Set<String> = [
        "p", "a", "img", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "hr", "br",
        "h1", "h2", "h3", "h4", "h5", "h6",
    ]
    static let markdownAttributes: Set<String> = ["href", "src", "alt", "title", "start", "class"]

    /// The first tag or attribute in `html` that libcmark's safe rendering of Markdown would not
    /// write, or an `href`/`src` whose scheme is not allowed; nil when there is none.
    static func activeContent(_ html: String) -> String? {
        let b = Array(html.utf8)
        var i = 0
        while i < b.count {
            guard b[i] == UInt8(ascii: "<") else { i += 1; continue }
            guard let end = b[i...].firstIndex(of: UInt8(ascii: ">")) else { return "unterminated tag" }
            let tag = String(decoding: b[(i + 1)..<end], as: UTF8.self)
            i = end + 1
            if tag == "!-- raw HTML omitted --" { continue }
            let body = tag.hasPrefix("/") ? String(tag.dropFirst()) : tag
            let parts = body.split(separator: " ", maxSplits: 1).map(String.init)
            let name = (parts.first ?? "").hasSuffix("/") ? String((parts.first ?? "").dropLast()) : parts.first ?? ""
            guard markdownElements.contains(name) else { return "element <\(tag)>" }
            guard parts.count == 2 else { continue }
            // Attributes: name="value" pairs with escaped values (no quote or angle bracket inside).
            var rest = Substring(parts[1])
            while let eq = rest.firstIndex(of: "=") {
                let attr = rest[..<eq].trimmingCharacters(in: .whitespaces)
                guard markdownAttributes.contains(attr) else { return "attribute \(attr) in <\(tag)>" }
                let afterEq = rest[rest.index(after: eq)...]
                guard afterEq.first == "\"", let close = afterEq.dropFirst().firstIndex(of: "\"") else { return "unquoted attribute in <\(tag)>" }
                let value = String(afterEq[afterEq.index(after: afterEq.startIndex)..<close])
                if attr == "href" || attr == "src" {
                    // As a browser reads it (a scheme is [a-z][a-z0-9+.-]* before ":"), and again
                    // after percent-decoding; entities in the attribute are decoded first.
                    let raw = value.replacingOccurrences(of: "&amp;", with: "&").lowercased()
                    for candidate in [raw, raw.removingPercentEncoding ?? raw] {
                        let trimmed = candidate.drop { $0.asciiValue.map { $0 <= 0x20 } ?? false }.filter { $0 != "\t" && $0 != "\n" && $0 != "\r" }
                        guard let colon = trimmed.firstIndex(of: ":") else { continue }
                        let scheme = trimmed[..<colon]
                        guard let first = scheme.first, first.isASCII, first.isLetter,
                              scheme.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == ".") })
                        else { continue }
                        let ok = ["http", "https", "mailto"].contains(String(scheme))
                            || (scheme == "data" && attr == "src"
                                && ["image/png", "image/gif", "image/jpeg", "image/webp"].contains { trimmed.dropFirst(5).hasPrefix($0) })
                        if !ok { return "\(attr)=\"\(value)\"" }
                    }
                }
                rest = afterEq[afterEq.index(after: close)...]
            }
        }
        return nil
    }

    /// Drift windows (native and Evidently): a window or an error, never a crash; a window ends after it starts.
    static func drift(_ bytes: [UInt8]) {
        guard let (value, locations) = try? JSONReader(file: "drift/fuzz.json").parseWithLocations(bytes) else { return }
        let sidecar = URL(fileURLWithPath: "/nonexistent/trailpack-fuzz/fuzz.meta.json")
        guard let w = try? DriftReader.window(value, locations: locations, path: "drift/fuzz.json", sidecar: sidecar) else { return }
        precondition(w.start < w.end, "a window that does not end after it starts")
    }

    /// `trailpack.json`: a configuration or an error; accepted policy numbers are in range.
    static func config(_ bytes: [UInt8]) {
        guard let (value, locations) = try? JSONReader(file: Config.fileName).parseWithLocations(bytes),
              let c = try? Config.parse(value, locations: locations) else { return }
        precondition(Config.Policy.dayRange.contains(c.policy.revalidationDays), "revalidationDays out of range")
        precondition(Config.Policy.dayRange.contains(c.policy.capaDueDays), "capaDueDays out of range")
        precondition(Config.Policy.skewRange.contains(c.policy.clockSkewSeconds), "clockSkewSeconds out of range")
    }
}
