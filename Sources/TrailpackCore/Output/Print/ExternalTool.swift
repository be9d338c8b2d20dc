import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A program trailpack runs (`chromium`, `pdftotext`): found on PATH, run with an argument list
/// (never a shell), its output captured in temporary files (not pipes, which a browser's
/// helper processes may hold open), stopped when it overruns its time limit.
struct ExternalTool: Sendable {
    /// The name in messages (`chromium`).
    var name: String
    /// The Debian package that provides it, named in the error when it is missing.
    var package: String
    var executable: URL

    /// Finds `names` (first match wins) on PATH, or uses `override` (a path) when given.
    static func find(_ names: [String], package: String, override: String? = nil) throws(PrintError) -> ExternalTool {
        let display = names.first ?? package
        if let override, !override.isEmpty {
            guard FileManager.default.isExecutableFile(atPath: override) else {
                throw .toolMissing(tool: override, package: package)
            }
            return ExternalTool(name: display, package: package, executable: URL(fileURLWithPath: override))
        }
        guard let found = locate(names) else { throw .toolMissing(tool: display, package: package) }
        return ExternalTool(name: display, package: package, executable: found)
    }

    /// The first of `names` that is an executable file in a folder of PATH (names tried in order).
    static func locate(_ names: [String]) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for name in names {
            for dir in path.split(separator: ":") where !dir.isEmpty {
                let candidate = URL(fileURLWithPath: String(dir)).appendingPathComponent(name)
                if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            }
        }
        return nil
    }

    /// The switches every headless Chromium run of trailpack uses: no first-run, extensions,
    /// background networking or GPU, a fresh profile in `profile`, and `--no-sandbox` only as root
    /// (Chromium refuses its sandbox there: containers, CI).
    static func headlessChromium(profile: URL) -> [String] {
        var args = ["--headless", "--disable-gpu", "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                    "--disable-background-networking", "--disable-sync", "--disable-component-update", "--mute-audio",
                    "--user-data-dir=" + profile.path]
        if geteuid() == 0 { args.append("--no-sandbox") }
        return args
    }

    /// Runs the program in `workFolder` (which must exist; its output files are written there)
    /// and returns its standard output. A non-zero exit is an error carrying its last line of
    /// standard error; a run longer than `timeout` seconds is stopped.
    func run(_ arguments: [String], in workFolder: URL, environment: [String: String] = [:],
             timeout: Int) throws(PrintError) -> [UInt8] {
        let out = workFolder.appendingPathComponent("\(name).out")
        let err = workFolder.appendingPathComponent("\(name).err")
        guard FileManager.default.createFile(atPath: out.path, contents: nil),
              FileManager.default.createFile(atPath: err.path, contents: nil),
              let outHandle = try? FileHandle(forWritingTo: out),
              let errHandle = try? FileHandle(forWritingTo: err) else {
            throw .toolFailed(tool: name, reason: "cannot create its output files in \(workFolder.path)")
        }
        defer {
            try? outHandle.close()
            try? errHandle.close()
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        process.currentDirectoryURL = workFolder
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = outHandle
        process.standardError = errHandle
        let done = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in done.signal() }
        do { try process.run() } catch {
            throw .toolFailed(tool: name, reason: "could not be started (\(executable.path))")
        }
        if done.wait(timeout: .now() + .seconds(timeout)) == .timedOut {
            process.terminate()
            if done.wait(timeout: .now() + .seconds(5)) == .timedOut {
                kill(process.processIdentifier, SIGKILL)
                done.wait()
            }
            throw .toolTimedOut(tool: name, seconds: timeout)
        }
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            let message = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
            let last = message.split(separator: "\n").last(where: { !$0.contains("dbus") }).map(String.init)
            let status = process.terminationReason == .exit ? "exit status \(process.terminationStatus)"
                                                            : "stopped by signal \(process.terminationStatus)"
            throw .toolFailed(tool: name, reason: last.map { "\(status): \($0)" } ?? status)
        }
        guard let data = try? Data(contentsOf: out) else {
            throw .toolFailed(tool: name, reason: "its output could not be read back")
        }
        return [UInt8](data)
    }
}
