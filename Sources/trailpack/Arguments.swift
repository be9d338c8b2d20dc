import TrailpackCore

/// A command-line usage problem (exit 2).
struct UsageError: Error {
    var message: String
}

/// The parsed words of one command: positionals, options with values, and flags.
struct Arguments: Sendable {
    var positionals: [String] = []
    var options: [String: String] = [:]
    /// Every value of each option, in order (for options that may repeat, e.g. `--model`).
    var repeated: [String: [String]] = [:]
    var flags: Set<String> = []

    /// The options that may be given more than once (each value counts); any other given twice
    /// is a usage error, never "the last one wins".
    static let repeatable: Set<String> = ["--model", "--paths"]

    /// Parses `words` given the options that take a value and the flags a command knows.
    init(_ words: ArraySlice<String>, options known: Set<String>, flags knownFlags: Set<String>) throws {
        var i = words.startIndex
        var onlyPositionals = false
        while i < words.endIndex {
            let w = words[i]
            i += 1
            if onlyPositionals || !w.hasPrefix("-") || w == "-" {
                positionals.append(w)
                continue
            }
            if w == "--" { onlyPositionals = true; continue }
            var name = w
            var inline: String?
            if let eq = w.firstIndex(of: "=") {
                name = String(w[..<eq])
                inline = String(w[w.index(after: eq)...])
            }
            if knownFlags.contains(name) {
                if inline != nil { throw UsageError(message: "\(name) takes no value") }
                flags.insert(name)
            } else if known.contains(name) {
                // An empty value is a slip (an unset shell variable), never a path or a name.
                if inline == "" || (inline == nil && i < words.endIndex && words[i].isEmpty) {
                    throw UsageError(message: "\(name) needs a value; it was given an empty one")
                }
                if options[name] != nil && !Self.repeatable.contains(name) {
                    throw UsageError(message: "\(name) was given twice; give it once")
                }
                if let inline {
                    options[name] = inline
                    repeated[name, default: []].append(inline)
                } else {
                    guard i < words.endIndex else { throw UsageError(message: "\(name) needs a value") }
                    // `--model --dry-run`: the next word is one of the command's own options, not
                    // a value (taken as one, a dry run would become a write). `--model=--dry-run`
                    // still gives that value.
                    let next = words[i]
                    let nextName = next.firstIndex(of: "=").map { String(next[..<$0]) } ?? next
                    if next.hasPrefix("--") && (known.contains(nextName) || knownFlags.contains(nextName) || nextName == "--help") {
                        throw UsageError(message: "\(name) needs a value; \(nextName) is an option (write \(name)=\(next) if you mean that value)")
                    }
                    options[name] = words[i]
                    repeated[name, default: []].append(words[i])
                    i += 1
                }
            } else {
                throw UsageError(message: "unknown option \(name)")
            }
        }
    }

    func int(_ name: String, default d: Int, min: Int = 1) throws -> Int {
        guard let s = options[name] else { return d }
        guard let v = Int(s), v >= min else { throw UsageError(message: "\(name) must be a whole number of at least \(min)") }
        return v
    }

    func severity(_ name: String, default d: Severity) throws -> Severity {
        guard let s = options[name] else { return d }
        guard let v = Severity(rawValue: s) else { throw UsageError(message: "\(name) must be critical, major or minor") }
        return v
    }

    func format(_ allowed: [OutputFormat]) throws -> OutputFormat {
        guard let s = options["--format"] else { return .text }
        guard let f = OutputFormat(rawValue: s), allowed.contains(f) else {
            throw UsageError(message: "--format must be one of: \(allowed.map(\.rawValue).joined(separator: ", "))")
        }
        return f
    }

    func onePositional(_ what: String) throws -> String {
        guard positionals.count == 1, let p = positionals.first else {
            throw UsageError(message: positionals.isEmpty ? "missing \(what)" : "expected one \(what), got \(positionals.count) arguments")
        }
        return p
    }
}
