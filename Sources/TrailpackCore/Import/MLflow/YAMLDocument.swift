internal import CYAML
import Foundation

/// A YAML value as MLflow's `meta.yaml` files hold it: scalars (with whether they were plain,
/// so that a plain `null` is told from a quoted `'null'`), mappings and sequences.
indirect enum YAMLNode: Sendable, Equatable {
    case scalar(String, plain: Bool)
    case mapping([(key: String, value: YAMLNode)])
    case sequence([YAMLNode])

    static func == (a: YAMLNode, b: YAMLNode) -> Bool {
        switch (a, b) {
        case let (.scalar(x, p), .scalar(y, q)): return x == y && p == q
        case let (.sequence(x), .sequence(y)): return x == y
        case let (.mapping(x), .mapping(y)): return x.map(\.key) == y.map(\.key) && x.map(\.value) == y.map(\.value)
        default: return false
        }
    }

    /// The member `key` of a mapping.
    subscript(key: String) -> YAMLNode? {
        guard case .mapping(let m) = self else { return nil }
        return m.first { $0.key == key }?.value
    }

    /// The text of a scalar; nil for a plain null (`null`, `~`, empty) and for non-scalars.
    var text: String? {
        guard case .scalar(let s, let plain) = self else { return nil }
        if plain && (s == "null" || s == "~" || s == "Null" || s == "NULL" || s.isEmpty) { return nil }
        return s
    }
}

/// Parses one YAML document with libyaml, owning its `yaml_parser_t`; bounded in depth and size.
final class YAMLParser {
    private var parser = yaml_parser_t()
    private let input: [UInt8]
    static let maxBytes = 4 << 20
    static let maxDepth = 64
    static let maxNodes = 100_000

    struct Failure: Error, Equatable {
        /// One line: what libyaml found and where (1-based line and column).
        var message: String
    }

    init(_ bytes: [UInt8]) throws(Failure) {
        guard bytes.count <= Self.maxBytes else { throw Failure(message: "larger than \(Self.maxBytes) bytes") }
        input = bytes
        guard yaml_parser_initialize(&parser) == 1 else { throw Failure(message: "libyaml could not start (out of memory)") }
    }

    deinit { yaml_parser_delete(&parser) }

    /// A mapping or sequence being read.
    private struct Frame {
        var isMapping: Bool
        var members: [(key: String, value: YAMLNode)] = []
        var items: [YAMLNode] = []
        var key: String?
        /// The keys of a mapping so far, as bytes.
        var keys = Set<[UInt8]>()
        init(isMapping: Bool) { self.isMapping = isMapping }
    }

    /// The 1-based line and column (in bytes) of byte `offset` of `buf`.
    static func place(ofOffset offset: Int, in buf: UnsafeBufferPointer<UInt8>) -> (line: Int, column: Int) {
        var line = 1
        var start = 0
        for i in 0..<min(max(0, offset), buf.count) where buf[i] == 0x0A {
            line += 1
            start = i + 1
        }
        return (line, max(0, offset) - start + 1)
    }

    /// The first document's root (an empty mapping for an empty document).
    func parse() throws(Failure) -> YAMLNode {
        try input.withUnsafeBufferPointer { (buf: UnsafeBufferPointer<UInt8>) throws(Failure) -> YAMLNode in
            yaml_parser_set_input_string(&parser, buf.baseAddress ?? UnsafePointer(bitPattern: 1), buf.count)
            var stack: [Frame] = []
            var root: YAMLNode?
            var nodes = 0
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else {
                    let problem = parser.problem.map { String(cString: $0) } ?? "not valid YAML"
                    // A reader error (bad UTF-8, a control character) has only a byte offset.
                    if parser.error == YAML_READER_ERROR {
                        let (line, column) = Self.place(ofOffset: parser.problem_offset, in: buf)
                        throw Failure(message: "\(problem) at line \(line), column \(column)")
                    }
                    throw Failure(message: "\(problem) at line \(parser.problem_mark.line + 1), column \(parser.problem_mark.column + 1)")
                }
                defer { yaml_event_delete(&event) }
                nodes += 1
                if nodes > Self.maxNodes { throw Failure(message: "more than \(Self.maxNodes) YAML nodes") }
                var finished: YAMLNode?
                switch event.type {
                case YAML_STREAM_END_EVENT, YAML_DOCUMENT_END_EVENT:
                    return root ?? .mapping([])
                case YAML_ALIAS_EVENT:
                    throw Failure(message: "YAML alias at line \(event.start_mark.line + 1): MLflow does not write aliases")
                case YAML_SCALAR_EVENT:
                    let s = event.data.scalar
                    let text = s.value.map { String(decoding: UnsafeBufferPointer(start: $0, count: s.length), as: UTF8.self) } ?? ""
                    finished = .scalar(text, plain: s.style == YAML_PLAIN_SCALAR_STYLE)
                case YAML_MAPPING_START_EVENT, YAML_SEQUENCE_START_EVENT:
                    guard stack.count < Self.maxDepth else { throw Failure(message: "nested deeper than \(Self.maxDepth)") }
                    stack.append(Frame(isMapping: event.type == YAML_MAPPING_START_EVENT))
                case YAML_MAPPING_END_EVENT, YAML_SEQUENCE_END_EVENT:
                    if let f = stack.popLast() { finished = f.isMapping ? .mapping(f.members) : .sequence(f.items) }
                default:
                    break
                }
                guard let node = finished else { continue }
                let i = stack.count - 1
                guard i >= 0 else {
                    if root == nil { root = node }
                    continue
                }
                if !stack[i].isMapping {
                    stack[i].items.append(node)
                } else if let key = stack[i].key {
                    stack[i].members.append((key, node))
                    stack[i].key = nil
                } else {
                    guard case .scalar(let k, _) = node else {
                        throw Failure(message: "a mapping key that is not a scalar at line \(event.start_mark.line + 1)")
                    }
                    // MLflow writes each key once; YAML loaders disagree on which of two wins.
                    guard stack[i].keys.insert(Array(k.utf8)).inserted else {
                        throw Failure(message: "the key \"\(k)\" appears twice at line \(event.start_mark.line + 1), column \(event.start_mark.column + 1)")
                    }
                    stack[i].key = k
                }
            }
        }
    }
}
