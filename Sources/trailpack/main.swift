import Foundation
import TrailpackCore

/// One subcommand: its help text, the options it knows, and what it runs.
struct Command: Sendable {
    var name: String
    var summary: String
    var usage: String
    var options: Set<String> = []
    var flags: Set<String> = []
    var run: @Sendable (Arguments) throws -> Int32
}

let commands: [Command] = [
    verifyCommand, buildCommand, diffCommand, recordCommand, importCommand, checkpointCommand, storeCommand, exportCommand,
    pdfCommand, keygenCommand, demoCommand, rulesCommand,
]

let mainHelp = """
trailpack \(Trailpack.version): verified, inspection-ready static sites from ML audit records

Usage: trailpack COMMAND [options]

Commands:
\(commands.map { "  " + $0.name.padding(toLength: 12, withPad: " ", startingAt: 0) + $0.summary }.joined(separator: "\n"))

Run `trailpack COMMAND --help` for a command's options.
Exit status: 0 no finding at or above --fail-on, 1 findings at or above it, 2 the tool could not run.
"""

@MainActor
func runMain() -> Int32 {
    let words = CommandLine.arguments.dropFirst()
    guard let first = words.first else {
        FileHandle.standardError.write(Data((mainHelp + "\n").utf8))
        return 2
    }
    if first == "--help" || first == "-h" || first == "help" {
        print(mainHelp)
        return 0
    }
    if first == "--version" {
        guard words.count == 1 else {
            Console.error("--version takes nothing else (got \(words.count - 1) more argument\(words.count == 2 ? "" : "s")); run `trailpack --version`")
            return 2
        }
        print("trailpack \(Trailpack.version)")
        return 0
    }
    guard let command = commands.first(where: { $0.name == first }) else {
        Console.error("unknown command \"\(first)\"; run `trailpack --help`")
        return 2
    }
    let rest = words.dropFirst()
    if rest.contains("--help") || rest.contains("-h") {
        print(command.usage)
        return 0
    }
    do {
        let args = try Arguments(rest, options: command.options, flags: command.flags)
        return try command.run(args)
    } catch let e as UsageError {
        Console.error("\(command.name): \(e.message)\n\(command.usage)")
        return 2
    } catch {
        Console.error(error.localizedDescription)
        return 2
    }
}

exit(runMain())
