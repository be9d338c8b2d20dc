import Foundation
import Testing

/// A throwaway PostgreSQL server for one test (or one suite): a fresh cluster made by Debian's
/// `postgresql` binaries in a temporary folder, listening only on a unix socket in that folder
/// (no TCP port), with `trust` authentication for the `postgres` user. Stopped and removed when
/// released. Started as the `postgres` user when the tests run as root (initdb refuses root).
///
/// Connect with `conninfo` (`host=<socket folder> port=5432 user=postgres dbname=…`).
final class PostgresCluster: @unchecked Sendable {
    /// The folder holding the data directory, the socket and the server log.
    let dir: TempDir
    let socketDir: URL
    let dataDir: URL
    let bin: URL
    private let runAs: String?
    private var server = Process()

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The newest `/usr/lib/postgresql/<major>/bin`, where Debian installs the server binaries.
    static func binFolder() throws -> URL {
        let root = URL(fileURLWithPath: "/usr/lib/postgresql")
        let majors = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        let best = majors.compactMap { Int($0) }.sorted().last
        guard let best, FileManager.default.isExecutableFile(atPath: root.path + "/\(best)/bin/initdb") else {
            throw Failure(description: "no PostgreSQL server under /usr/lib/postgresql: run `make deps` (Debian package postgresql)")
        }
        return root.appendingPathComponent("\(best)/bin")
    }

    init() throws {
        bin = try Self.binFolder()
        dir = try TempDir()
        socketDir = dir.url.appendingPathComponent("sock")
        dataDir = dir.url.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: socketDir, withIntermediateDirectories: true)
        runAs = getuid() == 0 ? "postgres" : nil
        if runAs != nil {
            try Self.run("/bin/chown", ["-R", "postgres:postgres", dir.url.path])
        }
        try runServerTool("initdb", ["-D", dataDir.path, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"])
        server = try startServer()
        try waitUntilReady()
    }

    /// The server runs as a direct child (not daemonized by `pg_ctl start`): a daemon would
    /// inherit the descriptors Foundation uses to notice a child's exit and hold them open.
    private func startServer() throws -> Process {
        let log = dir.url.appendingPathComponent("server.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        defer { try? handle.close() }
        let postgres = bin.appendingPathComponent("postgres").path
        let arguments = ["-D", dataDir.path, "-k", socketDir.path, "-c", "listen_addresses=", "-p", "5432", "-c", "fsync=off"]
        let p = Process()
        if let user = runAs {
            p.executableURL = URL(fileURLWithPath: "/sbin/runuser")
            p.arguments = ["-u", user, "--", postgres] + arguments
        } else {
            p.executableURL = URL(fileURLWithPath: postgres)
            p.arguments = arguments
        }
        p.standardOutput = handle
        p.standardError = handle
        p.standardInput = FileHandle.nullDevice
        try p.run()
        return p
    }

    /// Polls `pg_isready` until the server accepts connections (60 s at most).
    private func waitUntilReady() throws {
        for _ in 0..<600 {
            guard server.isRunning else {
                let log = (try? String(contentsOf: dir.url.appendingPathComponent("server.log"), encoding: .utf8)) ?? ""
                throw Failure(description: "the PostgreSQL server exited at start: \(log)")
            }
            if (try? Self.run(bin.appendingPathComponent("pg_isready").path, ["-q", "-h", socketDir.path, "-p", "5432"])) != nil {
                return
            }
            usleep(100_000)
        }
        throw Failure(description: "the PostgreSQL server did not accept connections within 60 s")
    }

    deinit {
        try? runServerTool("pg_ctl", ["-D", dataDir.path, "-m", "immediate", "-w", "stop"])
        if server.isRunning { server.terminate() }
        server.waitUntilExit()
    }

    /// A libpq connection string for a database of this cluster.
    func conninfo(database: String = "postgres") -> String {
        "host=\(socketDir.path) port=5432 user=postgres dbname=\(database)"
    }

    /// Creates an empty database.
    func createDatabase(_ name: String) throws {
        _ = try psql(database: "postgres", ["-c", "CREATE DATABASE \"\(name)\""])
    }

    /// Runs a SQL file (e.g. a `pg_dump`) into a database, stopping at the first error.
    func load(_ sqlFile: URL, into database: String) throws {
        _ = try psql(database: database, ["-f", sqlFile.path])
    }

    /// Runs `psql` against a database and returns its standard output (`-At`: unaligned, tuples only).
    @discardableResult
    func psql(database: String, _ arguments: [String]) throws -> String {
        try Self.run(bin.appendingPathComponent("psql").path,
                     ["-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-h", socketDir.path, "-p", "5432", "-U", "postgres", "-d", database]
                        + arguments)
    }

    /// Runs initdb or pg_ctl stop. Their output goes to a file, not a pipe: the server that pg_ctl
    /// starts would inherit a pipe and hold it open, so reading it to its end would never return.
    private func runServerTool(_ tool: String, _ arguments: [String]) throws {
        let path = bin.appendingPathComponent(tool).path
        let (program, args) = runAs.map { ("/sbin/runuser", ["-u", $0, "--", path] + arguments) } ?? (path, arguments)
        let output = dir.url.appendingPathComponent("\(tool).out")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        defer { try? handle.close() }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: program)
        p.arguments = args
        p.standardOutput = handle
        p.standardError = handle
        p.standardInput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            throw Failure(description: "\(tool) failed (\(p.terminationStatus)): \(text)")
        }
    }

    /// Runs a short-lived program to completion; throws with its standard error when it fails.
    @discardableResult
    static func run(_ program: String, _ arguments: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: program)
        p.arguments = arguments
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw Failure(description: "\(program) \(arguments.joined(separator: " ")) failed (\(p.terminationStatus)): "
                + (String(data: e, encoding: .utf8) ?? ""))
        }
        return String(data: o, encoding: .utf8) ?? ""
    }
}

struct PostgresClusterTests {
    @Test func aThrowawayClusterStartsAnswersAndLoadsSQL() throws {
        let cluster = try PostgresCluster()
        try cluster.createDatabase("probe")
        let sql = try cluster.dir.write("probe.sql", "CREATE TABLE t (n integer); INSERT INTO t VALUES (40), (2);\n")
        try cluster.load(sql, into: "probe")
        let sum = try cluster.psql(database: "probe", ["-c", "SELECT sum(n) FROM t"])
        #expect(sum.trimmingCharacters(in: .whitespacesAndNewlines) == "42")
        #expect(cluster.conninfo(database: "probe").contains("dbname=probe"))
        #expect(!cluster.conninfo().contains("password"))
    }
}
