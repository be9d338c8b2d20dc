import Foundation

/// Terminal output conventions: errors and progress on stderr, progress only on a terminal,
/// colour only on a terminal and never with NO_COLOR.
enum Console {
    static let stderrIsTerminal = isatty(2) == 1
    static let useColor = isatty(1) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"].map { $0.isEmpty } ?? true

    static func error(_ message: String) {
        FileHandle.standardError.write(Data("trailpack: \(message)\n".utf8))
    }

    /// A progress line, shown only when stderr is a terminal.
    static func progress(_ message: String) {
        guard stderrIsTerminal else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K\(message)".utf8))
    }

    static func endProgress() {
        guard stderrIsTerminal else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }

    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
