/// A name in a tag: the implicit iterator `.` or a dotted path such as `event.place.name`.
enum TemplateName: Sendable, Hashable, CustomStringConvertible {
    case implicit
    case path([String])

    /// Parses tag content already trimmed of whitespace; `nil` when it is not a valid name.
    init?(_ text: String) {
        if text == "." {
            self = .implicit
            return
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        for part in parts {
            if part.isEmpty || part.contains(where: { $0.isWhitespace }) { return nil }
        }
        self = .path(parts.map(String.init))
    }

    var description: String {
        switch self {
        case .implicit: return "."
        case .path(let parts): return parts.joined(separator: ".")
        }
    }
}

/// The template a partial or parent tag names: fixed, or `*name` looked up in the data.
enum PartialName: Sendable, Hashable, CustomStringConvertible {
    case fixed(String)
    case dynamic(TemplateName)

    var description: String {
        switch self {
        case .fixed(let name): return name
        case .dynamic(let name): return "*\(name)"
        }
    }
}

/// `{{>name}}`: another template rendered in place.
struct PartialNode: Sendable {
    var name: PartialName
    /// Whitespace before a standalone tag, prefixed to every line of the partial.
    var indentation: String
    /// The tag stood alone on its line, so the partial starts at the beginning of a line.
    var standalone: Bool
    var location: SourceLocation
}

/// `{{$name}}...{{/name}}`: a replaceable block, or an argument inside a parent tag.
struct BlockNode: Sendable {
    var name: String
    /// The default content (or the argument), with the block's own indentation removed from
    /// every line.
    var content: [TemplateNode]
    /// Indentation added to the lines of whatever content fills the block (the argument or the
    /// default), relative to the enclosing block: to every line when the block is standalone,
    /// otherwise from the second line on (the first follows the text before the tag).
    var indentation: String
    /// The opening tag stood alone on its line: content starts at the beginning of a line.
    var standalone: Bool
}

/// `{{<name}}{{$block}}...{{/block}}{{/name}}`: a parent template with arguments.
struct ParentNode: Sendable {
    var name: PartialName
    var arguments: [String: [TemplateNode]]
    var indentation: String
    var standalone: Bool
    var location: SourceLocation
}

/// One node of a parsed template.
///
/// The cases with several reference-counted fields are `indirect`: the renderer copies nodes as
/// it walks the tree, and a boxed payload costs one retain instead of one per field.
enum TemplateNode: Sendable {
    /// Literal text (standalone lines already removed).
    case text(String)
    /// `{{name}}` (escaped) or `{{{name}}}` / `{{&name}}` (not escaped).
    case variable(TemplateName, escaped: Bool)
    /// `{{#name}}...{{/name}}`, or `{{^name}}...{{/name}}` when inverted.
    indirect case section(TemplateName, [TemplateNode], inverted: Bool)
    indirect case partial(PartialNode)
    indirect case block(BlockNode)
    indirect case parent(ParentNode)
}
