/// A diff laid out as titled sections of paragraphs, lists and tables, rendered to Markdown and
/// HTML from the same structure so the two never disagree. Every string is escaped at rendering.
struct DiffDocument {
    /// A run of inline text.
    enum Span {
        case text(String), code(String), strong(String)
    }

    struct Table {
        var headers: [String]
        var rows: [[[Span]]]
    }

    /// One block of a section, in order.
    enum Block {
        case paragraph([Span])
        case list([[Span]])
        case table(Table)
    }

    struct Section {
        var title: String
        var blocks: [Block] = []

        mutating func add(_ block: Block) { blocks.append(block) }
        mutating func paragraph(_ spans: Span...) { blocks.append(.paragraph(spans)) }
        /// A table, or the paragraph `none` when it has no rows.
        mutating func table(_ headers: [String], _ rows: [[[Span]]], none: String = "None.") {
            blocks.append(rows.isEmpty ? .paragraph([.text(none)]) : .table(Table(headers: headers, rows: rows)))
        }
    }

    var sections: [Section]

    // MARK: Markdown

    static func markdown(_ spans: [Span], cell: Bool) -> String {
        spans.enumerated().map { i, span in
            switch span {
            case .text(let s) where i > 0 && s.hasPrefix(" "):
                // Inside a line a leading space needs no escape (the escaper guards line starts).
                let rest = String(s.drop { $0 == " " })
                return String(repeating: " ", count: s.count - rest.count) + (cell ? Escape.markdownTableCell(rest) : Escape.markdownText(rest))
            case .text(let s): return cell ? Escape.markdownTableCell(s) : Escape.markdownText(s)
            case .code(let s): return codeSpan(s, cell: cell)
            case .strong(let s): return "**" + (cell ? Escape.markdownTableCell(s) : Escape.markdownText(s)) + "**"
            }
        }.joined()
    }

    /// A Markdown code span holding `s` literally: a backtick fence longer than any run inside,
    /// padded with spaces when `s` starts or ends with a backtick or space; line breaks become
    /// spaces; in a table cell `|` is written `\|`, which GFM tables turn back into `|`.
    static func codeSpan(_ s: String, cell: Bool) -> String {
        let flat = s.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        var longest = 0, run = 0
        for c in flat.utf8 {
            run = c == UInt8(ascii: "`") ? run + 1 : 0
            longest = max(longest, run)
        }
        let fence = String(repeating: "`", count: longest + 1)
        let body = cell ? flat.replacingOccurrences(of: "|", with: "\\|") : flat
        let pad = body.hasPrefix("`") || body.hasSuffix("`") || body.hasPrefix(" ") || body.hasSuffix(" ") ? " " : ""
        return fence + pad + body + pad + fence
    }

    var markdown: String {
        var out = ""
        for section in sections {
            out += "## " + Escape.markdownText(section.title) + "\n\n"
            for block in section.blocks {
                switch block {
                case .paragraph(let spans):
                    out += Self.markdown(spans, cell: false) + "\n\n"
                case .list(let items):
                    for item in items { out += "- " + Self.markdown(item, cell: false) + "\n" }
                    out += "\n"
                case .table(let t):
                    out += "| " + t.headers.map(Escape.markdownTableCell).joined(separator: " | ") + " |\n"
                    out += "|" + String(repeating: " --- |", count: t.headers.count) + "\n"
                    for row in t.rows {
                        out += "| " + row.map { Self.markdown($0, cell: true) }.joined(separator: " | ") + " |\n"
                    }
                    out += "\n"
                }
            }
        }
        return out
    }

    // MARK: HTML

    static func html(_ spans: [Span]) -> String {
        spans.map { span in
            switch span {
            case .text(let s): return Escape.html(s)
            case .code(let s): return "<code>" + Escape.html(s) + "</code>"
            case .strong(let s): return "<strong>" + Escape.html(s) + "</strong>"
            }
        }.joined()
    }

    var html: String {
        var out = "<div class=\"diff\">\n"
        for section in sections {
            out += "<section>\n<h2>" + Escape.html(section.title) + "</h2>\n"
            for block in section.blocks {
                switch block {
                case .paragraph(let spans):
                    out += "<p>" + Self.html(spans) + "</p>\n"
                case .list(let items):
                    out += "<ul>\n" + items.map { "<li>" + Self.html($0) + "</li>\n" }.joined() + "</ul>\n"
                case .table(let t):
                    out += "<table>\n<thead><tr>" + t.headers.map { "<th scope=\"col\">" + Escape.html($0) + "</th>" }.joined()
                        + "</tr></thead>\n<tbody>\n"
                    for row in t.rows { out += "<tr>" + row.map { "<td>" + Self.html($0) + "</td>" }.joined() + "</tr>\n" }
                    out += "</tbody>\n</table>\n"
                }
            }
            out += "</section>\n"
        }
        return out + "</div>\n"
    }
}
