/// Turns a template's tokens into a node tree in three passes: pairing opening and closing tags,
/// deciding which tags stand alone on their lines (and so take their line's whitespace and line
/// break with them), and building the tree.
///
/// Standalone rules, per the spec and its inheritance extension:
/// - Section, inverted, closing, comment, partial and set-delimiter tags, and blocks outside a
///   parent, stand alone when they are the only non-blank thing on their line.
/// - A parent tag pair stands alone when nothing but whitespace precedes `{{<name}}` on its line
///   and nothing but whitespace follows `{{/name}}` on its line, whatever lies between.
/// - Inside a parent, where text is ignored, a block's opening tag only needs a clear right side
///   (the line break after it is not content) and its closing tag a clear left side (the
///   whitespace before it is not content).
struct TemplateParser {
    let lexer: TemplateLexer
    let tokens: [TemplateToken]
    /// Index of the matching closing tag of an opening tag, and vice versa; -1 otherwise.
    var partner: [Int]
    /// The innermost open section around the token is a parent tag (for a closing tag: the
    /// innermost open section around its opening tag).
    var inParentBody: [Bool]
    /// Token indices where each token's line begins and ends (the newline token, or the count).
    var lineBegin: [Int]
    var lineEnd: [Int]
    /// Tags with only blank text between them and the start / end of their line.
    var leftClear: [Bool]
    var rightClear: [Bool]
    /// Tokens dropped from the output because a standalone tag claimed them.
    var removed: [Bool]
    /// Partial, parent and block tags that stand alone (see the type's documentation).
    var standalone: [Bool]

    static func parse(source: String, name: String) throws(TemplateError) -> [TemplateNode] {
        let lexer = TemplateLexer(source: source, templateName: name)
        var parser = TemplateParser(lexer: lexer, tokens: try lexer.tokenize())
        try parser.pair()
        parser.layOut()
        return parser.build()
    }

    init(lexer: TemplateLexer, tokens: [TemplateToken]) {
        self.lexer = lexer
        self.tokens = tokens
        let n = tokens.count
        partner = Array(repeating: -1, count: n)
        inParentBody = Array(repeating: false, count: n)
        lineBegin = Array(repeating: 0, count: n)
        lineEnd = Array(repeating: n, count: n)
        leftClear = Array(repeating: false, count: n)
        rightClear = Array(repeating: false, count: n)
        removed = Array(repeating: false, count: n)
        standalone = Array(repeating: false, count: n)
    }

    func location(_ index: Int) -> SourceLocation { lexer.location(tokens[index].start) }

    // MARK: Pairing

    private func isParentOpen(_ index: Int) -> Bool {
        if case .parentOpen = tokens[index].kind { return true }
        return false
    }

    /// Matches closing tags to opening tags; reports unbalanced and mismatched sections.
    mutating func pair() throws(TemplateError) {
        var open: [(index: Int, key: String)] = []
        for k in tokens.indices {
            if let top = open.last { inParentBody[k] = isParentOpen(top.index) }
            switch tokens[k].kind {
            case .sectionOpen(let name, _): open.append((k, name.description))
            case .blockOpen(let name): open.append((k, name))
            case .parentOpen(let name): open.append((k, name.description))
            case .close(let key):
                guard let top = open.popLast() else { throw .unexpectedClose(key, location(k)) }
                guard top.key == key else { throw .mismatchedClose(found: key, open: top.key, location(k)) }
                partner[k] = top.index
                partner[top.index] = k
                inParentBody[k] = inParentBody[top.index]
            default: break
            }
        }
        if let top = open.last { throw .unclosedSection(top.key, location(top.index)) }
    }

    // MARK: Standalone lines

    /// Decides which tags stand alone and removes the whitespace and line breaks they claim.
    mutating func layOut() {
        var begin = 0
        for k in 0...tokens.count where k == tokens.count || isNewline(k) {
            measureLine(begin, k)
            begin = k + 1
        }
        for k in tokens.indices where tokens[k].isTag { decide(k) }
    }

    private func isNewline(_ k: Int) -> Bool {
        if case .newline = tokens[k].kind { return true }
        return false
    }

    private func isBlankText(_ k: Int) -> Bool {
        if case .text = tokens[k].kind { return tokens[k].isBlank }
        return false
    }

    private mutating func measureLine(_ begin: Int, _ end: Int) {
        var first = -1
        var last = -1
        for k in begin..<end {
            lineBegin[k] = begin
            lineEnd[k] = end
            if !isBlankText(k) {
                if first < 0 { first = k }
                last = k
            }
        }
        if first >= 0 && tokens[first].isTag { leftClear[first] = true }
        if last >= 0 && tokens[last].isTag { rightClear[last] = true }
    }

    private mutating func removeLeft(of k: Int) {
        for j in lineBegin[k]..<k { removed[j] = true }
    }

    private mutating func removeRight(of k: Int) {
        for j in (k + 1)..<lineEnd[k] { removed[j] = true }
        if lineEnd[k] < tokens.count { removed[lineEnd[k]] = true }
    }

    private mutating func decide(_ k: Int) {
        let alone = leftClear[k] && rightClear[k]
        switch tokens[k].kind {
        case .text, .newline, .variable:
            return
        case .sectionOpen, .comment, .delimiters, .partial:
            if alone {
                standalone[k] = true
                removeLeft(of: k)
                removeRight(of: k)
            }
        case .blockOpen:
            if inParentBody[k] {
                if rightClear[k] {
                    standalone[k] = true
                    removeRight(of: k)
                }
            } else if alone {
                standalone[k] = true
                removeLeft(of: k)
                removeRight(of: k)
            }
        case .parentOpen:
            if leftClear[k] && rightClear[partner[k]] {
                standalone[k] = true
                removeLeft(of: k)
            }
        case .close:
            let open = partner[k]
            if isParentOpen(open) {
                if leftClear[open] && rightClear[k] { removeRight(of: k) }
            } else if case .blockOpen = tokens[open].kind, inParentBody[open] {
                if leftClear[k] { removeLeft(of: k) }
            } else if alone {
                removeLeft(of: k)
                removeRight(of: k)
            }
        }
    }

    // MARK: Indentation

    /// The whitespace between the start of a tag's line and the tag.
    func leadingWhitespace(of k: Int) -> String {
        let begin = lineBegin[k]
        let start = begin < k ? tokens[begin].start : tokens[k].start
        return lexer.text(start, tokens[k].start)
    }

    /// A block's own indentation, in the source: for content starting on the next line, the
    /// indentation of its first non-blank line; for content starting on the tag's line, the
    /// whitespace before the tag when only whitespace precedes it.
    func blockIndentation(of k: Int) -> String {
        if rightClear[k] {
            var j = lineEnd[k] + 1
            while j < tokens.count {
                if isNewline(j) {
                    j += 1
                } else if isBlankText(j) && j + 1 < tokens.count && isNewline(j + 1) {
                    j += 2
                } else if case .text = tokens[j].kind {
                    let line = lexer.bytes[tokens[j].start..<tokens[j].end]
                    let width = line.prefix(while: { $0 == 0x20 || $0 == 0x09 }).count
                    return lexer.text(tokens[j].start, tokens[j].start + width)
                } else {
                    return ""
                }
            }
            return ""
        }
        return leftClear[k] ? leadingWhitespace(of: k) : ""
    }

    /// `text` without the part of `indentation` it starts with.
    static func strip(_ indentation: String, from text: String) -> String {
        if indentation.isEmpty { return text }
        var t = text.utf8.startIndex
        var i = indentation.utf8.startIndex
        while t < text.utf8.endIndex, i < indentation.utf8.endIndex, text.utf8[t] == indentation.utf8[i] {
            t = text.utf8.index(after: t)
            i = indentation.utf8.index(after: i)
        }
        return String(text[t...])
    }
}
