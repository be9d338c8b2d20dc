extension TemplateParser {
    /// A section being built.
    private struct Frame {
        enum Kind {
            case root
            case section(TemplateName, inverted: Bool)
            case block(name: String, indentation: String, standalone: Bool)
            case parent(PartialName, indentation: String, standalone: Bool, location: SourceLocation)
        }

        var kind: Kind
        var nodes: [TemplateNode] = []
        var text = ""
        /// Indentation removed from the start of every line inside (that of the innermost block).
        var strip: String
        /// Arguments of a parent tag: its direct block children.
        var arguments: [String: [TemplateNode]] = [:]

        var isParent: Bool {
            if case .parent = kind { return true }
            return false
        }

        mutating func flushText() {
            guard !text.isEmpty else { return }
            if !isParent { nodes.append(.text(text)) }
            text = ""
        }

        mutating func append(_ node: TemplateNode) {
            flushText()
            if isParent {
                // Inside a parent tag only blocks count; other content is ignored.
                if case .block(let block) = node { arguments[block.name] = block.content }
            } else {
                nodes.append(node)
            }
        }

        /// The finished node for this frame (never called on the root).
        mutating func finish() -> TemplateNode? {
            flushText()
            switch kind {
            case .root:
                return nil
            case .section(let name, let inverted):
                return .section(name, nodes, inverted: inverted)
            case .block(let name, let indentation, let standalone):
                return .block(BlockNode(name: name, content: nodes, indentation: indentation, standalone: standalone))
            case .parent(let name, let indentation, let standalone, let location):
                return .parent(ParentNode(name: name, arguments: arguments, indentation: indentation,
                                          standalone: standalone, location: location))
            }
        }
    }

    /// Builds the node tree; `pair()` and `layOut()` have run, so sections are balanced.
    func build() -> [TemplateNode] {
        var frames = [Frame(kind: .root, strip: "")]
        for k in tokens.indices where !removed[k] {
            let token = tokens[k]
            let strip = frames[frames.count - 1].strip
            let atLineStart = k == 0 || {
                if case .newline = tokens[k - 1].kind { return true }
                return false
            }()
            switch token.kind {
            case .text:
                var text = lexer.text(token.start, token.end)
                if atLineStart && !strip.isEmpty { text = Self.strip(strip, from: text) }
                frames[frames.count - 1].text += text
            case .newline:
                frames[frames.count - 1].text += lexer.text(token.start, token.end)
            case .variable(let name, let escaped):
                frames[frames.count - 1].append(.variable(name, escaped: escaped))
            case .sectionOpen(let name, let inverted):
                frames.append(Frame(kind: .section(name, inverted: inverted), strip: strip))
            case .blockOpen(let name):
                let own = blockIndentation(of: k)
                let relative = Self.strip(strip, from: own)
                frames.append(Frame(kind: .block(name: name, indentation: relative, standalone: standalone[k]), strip: own))
            case .parentOpen(let name):
                let indentation = standalone[k] ? Self.strip(strip, from: leadingWhitespace(of: k)) : ""
                let kind = Frame.Kind.parent(name, indentation: indentation, standalone: standalone[k], location: location(k))
                frames.append(Frame(kind: kind, strip: strip))
            case .close:
                var frame = frames.removeLast()
                if let node = frame.finish() { frames[frames.count - 1].append(node) }
            case .partial(let name):
                let indentation = standalone[k] ? Self.strip(strip, from: leadingWhitespace(of: k)) : ""
                let node = PartialNode(name: name, indentation: indentation, standalone: standalone[k], location: location(k))
                frames[frames.count - 1].append(.partial(node))
            case .comment, .delimiters:
                break
            }
        }
        frames[0].flushText()
        return frames[0].nodes
    }
}
