/// Renders node trees into one growing string: a context stack for name lookup, the current
/// indentation of standalone partials and blocks, and the block arguments of parent tags.
struct TemplateRenderer {
    /// How deeply partials and parents may nest before rendering stops with an error.
    static let maxDepth = 200
    /// How many nodes one rendering may visit (each node of each template, partial and section
    /// pass counts one). A page of the largest site renders a few million; recursive partials
    /// in a user-supplied theme could otherwise take exponential time within the depth bound.
    static let defaultWorkLimit = 50_000_000

    var out: String
    let templates: [String: Template]
    let strict: Bool
    /// How `{{name}}` escapes interpolated text.
    let escaping: TemplateEscaping
    /// Partials that emit the fragment on top of the context stack instead of rendering
    /// (see ``TemplateSet/fragmentPartials``).
    var fragmentPartials: Set<String> = []
    /// ``TemplateSet/escapesRawText``: an unescaped tag HTML-escapes a text value anyway.
    var escapesRawText = false
    private var stack: [TemplateValue] = []
    /// Prefixed to every template line rendered from here on (standalone partials and blocks).
    private var indentation = ""
    /// The output is at the start of a template line that has not received its indentation yet.
    private var atLineStart = false
    /// Block arguments in force: the outermost parent tag that names a block wins.
    private var arguments: [String: [TemplateNode]] = [:]
    private var depth = 0
    /// Nodes still allowed to be visited.
    private var budget: Int
    /// The template being rendered (for the message when the budget runs out).
    private var current: String

    init(out: String, templates: [String: Template], strict: Bool, escaping: TemplateEscaping = .html,
         name: String = "template", workLimit: Int = TemplateRenderer.defaultWorkLimit) {
        self.out = out
        self.templates = templates
        self.strict = strict
        self.escaping = escaping
        self.budget = workLimit
        self.current = name
    }

    mutating func render(_ nodes: [TemplateNode], context: TemplateValue) throws(TemplateError) {
        stack = [context]
        try render(nodes)
    }

    private mutating func render(_ nodes: [TemplateNode]) throws(TemplateError) {
        // Walks by index (each node read is one retain: the multi-field cases are indirect).
        var index = 0
        let count = nodes.count
        budget -= count
        if budget < 0 { throw .tooMuchWork(current) }
        while index < count {
            switch nodes[index] {
            case .text(let text):
                write(text: text)
            case .variable(let name, let escaped):
                if let value = lookup(name) { write(value: value, escaped: escaped) }
            case .section(let name, let children, let inverted):
                try section(lookup(name), children, inverted: inverted)
            case .partial(let partial):
                try include(partial.name, indentation: partial.indentation, standalone: partial.standalone,
                            arguments: [:], at: partial.location)
            case .parent(let parent):
                try include(parent.name, indentation: parent.indentation, standalone: parent.standalone,
                            arguments: parent.arguments, at: parent.location)
            case .block(let block):
                try expand(block)
            }
            index += 1
        }
    }

    /// `{{#name}}` or `{{^name}}` with the value found (`nil` when the name is missing).
    private mutating func section(_ found: TemplateValue?, _ children: [TemplateNode], inverted: Bool) throws(TemplateError) {
        guard let value = found else {
            if inverted { try render(children) }
            return
        }
        if inverted {
            if !value.isTruthy { try render(children) }
        } else if case .array(let items) = value {
            for item in items {
                stack.append(item)
                try render(children)
                stack.removeLast()
            }
        } else if value.isTruthy {
            stack.append(value)
            try render(children)
            stack.removeLast()
        }
    }

    // MARK: Partials, parents and blocks

    /// Renders another template in place: a partial, or a parent with its block arguments.
    private mutating func include(_ name: PartialName, indentation extra: String, standalone: Bool,
                                  arguments new: [String: [TemplateNode]], at location: SourceLocation) throws(TemplateError) {
        let resolved: String
        switch name {
        case .fixed(let fixed):
            resolved = fixed
        case .dynamic(let dynamic):
            resolved = lookup(dynamic)?.interpolationText ?? ""
            if resolved.isEmpty { return }
        }
        if case .fragment(let fragment)? = stack.last, fragmentPartials.contains(resolved) {
            if standalone { atLineStart = true }
            write(text: String(decoding: fragment.bytes(escaping), as: UTF8.self))
            return
        }
        guard let template = templates[resolved] else {
            if strict { throw .missingPartial(resolved, location) }
            return
        }
        guard depth < Self.maxDepth else { throw .recursionTooDeep(resolved, location) }

        if standalone { atLineStart = true }
        depth += 1
        let caller = current
        current = resolved
        defer { current = caller }
        // Indentation and arguments are saved and restored only when this include changes them
        // (rendering leaves both as it found them).
        if extra.isEmpty && new.isEmpty {
            try render(template.nodes)
        } else {
            let savedIndentation = indentation
            let savedArguments = arguments
            indentation += extra
            if !new.isEmpty { arguments = new.merging(arguments) { _, outer in outer } }
            try render(template.nodes)
            indentation = savedIndentation
            arguments = savedArguments
        }
        depth -= 1
    }

    /// Renders a block: the argument passed for it, or its default content.
    private mutating func expand(_ block: BlockNode) throws(TemplateError) {
        let savedIndentation = indentation
        let savedArguments = arguments
        let content: [TemplateNode]
        if let argument = arguments[block.name] {
            content = argument
            // An argument that mentions its own block gets the default there, not itself again.
            arguments[block.name] = nil
        } else {
            content = block.content
        }
        indentation += block.indentation
        if block.standalone { atLineStart = true }
        try render(content)
        indentation = savedIndentation
        arguments = savedArguments
    }

    // MARK: Names

    /// Resolves a name against the context stack; `nil` when any part is missing.
    ///
    /// The first part is looked up once per context level, top down; the others descend from
    /// the value found (dotted names were split when the template was parsed).
    private func lookup(_ name: TemplateName) -> TemplateValue? {
        switch name {
        case .implicit:
            return stack.last
        case .path(let parts):
            guard let first = parts.first else { return nil }
            var level = stack.count - 1
            while level >= 0 {
                if case .object(let members) = stack[level], let value = members[first] {
                    return parts.count == 1 ? value : Self.descend(value, parts)
                }
                level -= 1
            }
            return nil
        }
    }

    /// The member at `parts[1...]` below `value`; `nil` when any part is missing.
    private static func descend(_ value: TemplateValue, _ parts: [String]) -> TemplateValue? {
        var value = value
        var index = 1
        while index < parts.count {
            guard case .object(let members) = value, let next = members[parts[index]] else { return nil }
            value = next
            index += 1
        }
        return value
    }

    // MARK: Output

    /// Appends template text, indenting each line that starts with something to indent.
    private mutating func write(text: String) {
        guard let last = text.utf8.last else { return }
        if indentation.isEmpty {
            out += text
            atLineStart = last == UInt8(ascii: "\n")
            return
        }
        let utf8 = text.utf8
        var lineStart = utf8.startIndex
        var i = utf8.startIndex
        while i < utf8.endIndex {
            let next = utf8.index(after: i)
            if utf8[i] == UInt8(ascii: "\n") {
                writeLine(text[lineStart..<next])
                lineStart = next
            }
            i = next
        }
        if lineStart < utf8.endIndex { writeLine(text[lineStart...]) }
    }

    private mutating func writeLine(_ line: Substring) {
        if atLineStart {
            let first = line.utf8.first
            let blank = first == UInt8(ascii: "\n") || (first == UInt8(ascii: "\r") && line.utf8.dropFirst().first == UInt8(ascii: "\n"))
            if !blank { out += indentation }
        }
        out += line
        atLineStart = line.utf8.last == UInt8(ascii: "\n")
    }

    /// Appends the interpolation text of a value (see ``TemplateValue/interpolationText``).
    private mutating func write(value: TemplateValue, escaped: Bool) {
        switch value {
        case .null, .array, .object: return
        case .fragment(let fragment):
            // Escaped by construction: the bytes are written as they are, whatever the tag.
            write(value: String(decoding: fragment.bytes(escaping), as: UTF8.self), escaping: nil)
        case .string(let text):
            // With `escapesRawText` text is never sent out raw, in either format (raw markup comes
            // only as a fragment; HTML escaping keeps a Markdown link target working: CommonMark decodes it).
            write(value: text, escaping: escaped ? escaping : escapesRawText ? .html : nil)
        default: write(value: value.interpolationText, escaping: escaped ? escaping : nil)
        }
    }

    /// Appends interpolated data, escaped as `mode` says (nil: as it is).
    private mutating func write(value: String, escaping mode: TemplateEscaping?) {
        guard !value.isEmpty else { return }
        if atLineStart {
            out += indentation
            atLineStart = false
        }
        switch mode {
        case nil: out += value
        case .html: HTMLEscaping.append(value, to: &out)
        case .markdown: out += Escape.markdownTableCell(value)
        }
    }
}

/// HTML escaping for `{{name}}`.
enum HTMLEscaping {
    /// Appends `text` with `&`, `<`, `>`, `"` and `'` replaced by character references.
    static func append(_ text: String, to out: inout String) {
        let utf8 = text.utf8
        var start = utf8.startIndex
        var i = utf8.startIndex
        while i < utf8.endIndex {
            let replacement: String
            switch utf8[i] {
            case UInt8(ascii: "&"): replacement = "&amp;"
            case UInt8(ascii: "<"): replacement = "&lt;"
            case UInt8(ascii: ">"): replacement = "&gt;"
            case UInt8(ascii: "\""): replacement = "&quot;"
            case UInt8(ascii: "'"): replacement = "&#39;"
            default:
                i = utf8.index(after: i)
                continue
            }
            if start < i { out += text[start..<i] }
            out += replacement
            i = utf8.index(after: i)
            start = i
        }
        if start == utf8.startIndex {
            out += text
        } else if start < utf8.endIndex {
            out += text[start...]
        }
    }
}
