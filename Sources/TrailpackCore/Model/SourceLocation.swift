/// A place in an input file, for error messages and findings.
public struct SourceLocation: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Path as shown to the user (relative to the pack source where possible).
    public var file: String
    /// 1-based line, or 0 when unknown.
    public var line: Int
    /// 1-based column, or 0 when unknown.
    public var column: Int

    public init(file: String, line: Int = 0, column: Int = 0) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String {
        if line == 0 { return file }
        if column == 0 { return "\(file):\(line)" }
        return "\(file):\(line):\(column)"
    }
}
