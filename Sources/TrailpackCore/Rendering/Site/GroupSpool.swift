import Foundation

/// The ways the trail is also listed: by model, by actor and by action.
enum GroupDimension: String, CaseIterable, Sendable {
    case model, actor, action

    var title: String {
        switch self {
        case .model: return "model"
        case .actor: return "actor"
        case .action: return "action"
        }
    }
}

/// The spool of the pages by model, actor and action.
typealias GroupSpool = RowSpool<GroupDimension>

/// Rows appended to one spool file per group while the log is read, so memory holds only small
/// buffers whatever the log's length: the compact rows of the pages by model, actor and action
/// (``GroupSpool``), the events of the GxP view by month (``GxPPages``).
///
/// Files are `<folder>/<dimension>-<n>.jsonl`, one row per line (or framed, ``frame(_:)``), in log
/// order; n numbers groups in order of first appearance, so no id ever becomes a file name here.
struct RowSpool<Dimension: Hashable & CaseIterable & RawRepresentable & Sendable> where Dimension.RawValue == String {
    /// One group: its key (model id, actor id or action), row count and unwritten rows.
    struct Group: Sendable {
        var number: Int
        var key: [UInt8]
        var count = 0
        /// Rows stored (rows of pages kept from the previous build are only counted).
        var stored = 0
        var buffer: [UInt8] = []
    }

    let folder: String
    /// Whether rows are framed typed renderings (``frame(_:)``, read by ``forEachFragment``)
    /// rather than lines (JSON arrays, read by ``forEachRow``).
    let framed: Bool
    private(set) var groups: [Dimension: [Group]] = [:]
    private var index: [Dimension: [[UInt8]: Int]] = [:]
    private var buffered = 0
    /// A group's buffer is written out when it reaches this size…
    static var groupLimit: Int { 256 << 10 }
    /// …and every buffer when all of them together reach this size.
    static var totalLimit: Int { 16 << 20 }

    init(folder: String, framed: Bool = false) {
        self.folder = folder
        self.framed = framed
    }

    /// A typed row as one spool record: the byte counts of its HTML and Markdown forms (8 bytes
    /// each, little-endian), then the two forms.
    static func frame(_ f: TemplateFragment) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(16 + f.html.bytes.count + f.markdown.bytes.count)
        for n in [f.html.bytes.count, f.markdown.bytes.count] {
            withUnsafeBytes(of: UInt64(n).littleEndian) { out.append(contentsOf: $0) }
        }
        out.append(contentsOf: f.html.bytes)
        out.append(contentsOf: f.markdown.bytes)
        return out
    }

    /// The index of the group `key` of `dimension`, made when new.
    private mutating func group(_ dimension: Dimension, _ key: [UInt8]) -> Int {
        if let found = index[dimension]?[key] { return found }
        let i = groups[dimension, default: []].count
        groups[dimension, default: []].append(Group(number: i, key: key))
        index[dimension, default: [:]][key] = i
        return i
    }

    /// Makes the group `key` of `dimension` with `count` rows, for rows then added uncounted
    /// (an incremental build knows each group's count from the verify pass).
    mutating func declare(_ dimension: Dimension, key: [UInt8], count: Int) {
        let i = group(dimension, key)
        groups[dimension]?[i].count = count
    }

    /// Appends a row to the group `key` of `dimension`; a nil row is counted, not stored (a row
    /// of a page kept from the previous build). Not `counted`: the group's count was declared.
    mutating func add(_ dimension: Dimension, key: [UInt8], row: [UInt8]?, counted: Bool = true) throws {
        let i = group(dimension, key)
        if counted { groups[dimension]?[i].count += 1 }
        guard let row else { return }
        groups[dimension]?[i].stored += 1
        groups[dimension]?[i].buffer.append(contentsOf: row)
        if !framed { groups[dimension]?[i].buffer.append(0x0A) }
        buffered += row.count + (framed ? 0 : 1)
        if (groups[dimension]?[i].buffer.count ?? 0) >= Self.groupLimit { try flush(dimension, i) }
        if buffered >= Self.totalLimit { try flushAll() }
    }

    /// The spool file of a group.
    func path(_ dimension: Dimension, _ number: Int) -> String { "\(folder)/\(dimension.rawValue)-\(number).jsonl" }

    /// Writes every buffered row out.
    mutating func flushAll() throws {
        for d in Dimension.allCases {
            for i in (groups[d] ?? []).indices { try flush(d, i) }
        }
    }

    private mutating func flush(_ d: Dimension, _ i: Int) throws {
        guard let g = groups[d]?[i], !g.buffer.isEmpty else { return }
        let file = path(d, g.number)
        let fd = open(file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SiteWriterError.io(operation: "opening the spool file", path: file, errno: errno) }
        defer { close(fd) }
        try g.buffer.withUnsafeBytes { buf in
            var off = 0
            while off < buf.count {
                let n = write(fd, buf.baseAddress.map { $0 + off }, buf.count - off)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw SiteWriterError.io(operation: "writing the spool file", path: file, errno: errno) }
                off += n
            }
        }
        buffered -= g.buffer.count
        groups[d]?[i].buffer = []
    }

    /// Calls `body` with each line of a group's spool file, in order, reading 1 MiB at a time.
    func forEachRow(_ d: Dimension, _ number: Int, _ body: (ArraySlice<UInt8>) throws -> Void) throws {
        let file = path(d, number)
        let fd = open(file, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SiteWriterError.io(operation: "opening the spool file", path: file, errno: errno) }
        defer { close(fd) }
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var carry: [UInt8] = []
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw SiteWriterError.io(operation: "reading the spool file", path: file, errno: errno) }
            if n == 0 { break }
            var start = 0
            for j in 0..<n where chunk[j] == 0x0A {
                if carry.isEmpty {
                    try body(chunk[start..<j])
                } else {
                    carry.append(contentsOf: chunk[start..<j])
                    try body(carry[...])
                    carry.removeAll(keepingCapacity: true)
                }
                start = j + 1
            }
            carry.append(contentsOf: chunk[start..<n])
        }
        if !carry.isEmpty { try body(carry[...]) }
    }

    /// Calls `body` with each framed row of a group's spool file, in order, reading 1 MiB at a
    /// time; a record cut short or of impossible size is ``SpoolError/unreadableRow(group:)``.
    func forEachFragment(_ d: Dimension, _ number: Int, group: String, _ body: (TemplateFragment) throws -> Void) throws {
        let file = path(d, number)
        let fd = open(file, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SiteWriterError.io(operation: "opening the spool file", path: file, errno: errno) }
        defer { close(fd) }
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var pending: [UInt8] = []
        func length(_ at: Int) -> Int? {
            var v: UInt64 = 0
            for k in 0..<8 { v |= UInt64(pending[at + k]) << (8 * UInt64(k)) }
            return v <= UInt64(Int32.max) ? Int(v) : nil
        }
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw SiteWriterError.io(operation: "reading the spool file", path: file, errno: errno) }
            if n == 0 { break }
            pending.append(contentsOf: chunk[0..<n])
            var start = 0
            while pending.count - start >= 16 {
                guard let h = length(start), let m = length(start + 8) else { throw SpoolError.unreadableRow(group: group) }
                let end = start + 16 + h + m
                guard end <= pending.count else { break }
                try body(TemplateFragment(html: SafeHTML(spooled: pending[(start + 16)..<(start + 16 + h)]),
                                          markdown: SafeMarkdown(spooled: pending[(start + 16 + h)..<end])))
                start = end
            }
            pending.removeFirst(start)
        }
        if !pending.isEmpty { throw SpoolError.unreadableRow(group: group) }
    }
}
