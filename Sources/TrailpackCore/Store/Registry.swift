import Foundation

/// A requirement of a model (user requirement specification item).
public struct Requirement: Sendable, Hashable {
    public var id: JSONString
    public var title: String
    public var text: String
    public var category: String?
    /// Line of the requirement in its registry file.
    public var line: Int = 0
}

/// A model version as the registry records it.
public struct RegistryVersion: Sendable, Hashable {
    public var version: JSONString
    /// `none`, `staging`, `production` or `archived`.
    public var stage: String
    public var created: String?
    public var run: String?
    public var commit: String?
    public var datasets: [JSONString]
    /// *(v1.1)* The registry aliases the version holds now.
    public var aliases: [JSONString] = []
    /// Lines of the version entry and of its `stage` in the registry file.
    public var line: Int = 0
    public var stageLine: Int = 0
}

/// `registry/models/<id>.json`: one model's registry record (contract section 5).
public struct RegistryModel: Sendable, Hashable {
    public var id: JSONString
    public var name: String
    public var owner: String?
    /// Path of the intended-use Markdown, relative to the pack source.
    public var intendedUse: String?
    /// `intendedUseSummary` (contract v1.1): one or two sentences for the inspection summary.
    public var intendedUseSummary: String?
    public var risk: String?
    public var requirements: [Requirement]
    public var versions: [RegistryVersion]
    /// `registry/models/<id>.json`
    public var path: String

    /// The registry version record, if any.
    public func version(_ v: JSONString) -> RegistryVersion? { versions.first { $0.version == v } }
}

/// All registry records of a pack source, sorted by model id bytes.
public struct Registry: Sendable {
    public var models: [RegistryModel]

    public static let stages = ["none", "staging", "production", "archived"]

    public func model(_ id: JSONString) -> RegistryModel? { models.first { $0.id == id } }

    /// Reads `registry/models/*.json` strictly; a missing folder is an empty registry.
    public static func load(from source: URL) throws(SourceError) -> Registry {
        let dir = source.appendingPathComponent("registry/models")
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else { return Registry(models: []) }
        var models: [RegistryModel] = []
        for name in names.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
        where name.hasSuffix(".json") && !name.hasPrefix(".") {
            let path = "registry/models/\(name)"
            try PackFiles.checkInside(dir.appendingPathComponent(name), source: source, display: path)
            let (value, locations) = try StrictObject.load(dir.appendingPathComponent(name), displayPath: path)
            models.append(try parseModel(value, locations: locations, path: path, fileStem: String(name.dropLast(5)), source: source))
        }
        var seen = Set<JSONString>()
        for m in models where !seen.insert(m.id).inserted {
            throw .invalidValue("id", "\"\(m.id)\" is used by two registry files", SourceLocation(file: m.path, line: 1, column: 1))
        }
        return Registry(models: models.sorted { $0.id < $1.id })
    }

    static func parseModel(_ value: JSONValue, locations: JSONLocations, path: String, fileStem: String,
                           source: URL? = nil) throws(SourceError) -> RegistryModel {
        let o = try StrictObject(value, locations: locations, what: path)
        try o.allowOnly(["id", "name", "owner", "intendedUse", "intendedUseSummary", "risk", "requirements", "versions"])
        guard let id = try o.jsonString("id", required: true) else { throw .missingKey("id", o.location()) }
        if !id.equals(fileStem) {
            throw .invalidValue("id", "\"\(id)\" must equal the file name \"\(fileStem)\"", o.location("id"))
        }
        let intendedUse = try o.string("intendedUse")
        if let p = intendedUse, !ArtifactChecker.isSafeRelativePath(p) {
            throw .invalidValue("intendedUse", "must be a path inside the pack source (no .., not absolute)", o.location("intendedUse"))
        }
        if let p = intendedUse, let source, let why = unresolved(p, in: source) {
            throw .invalidValue("intendedUse", "names \"\(p)\", which \(why); "
                + "add the file to the pack source or correct the path (contract 5: registry paths must resolve)", o.location("intendedUse"))
        }
        var requirements: [Requirement] = []
        var reqIDs = Set<JSONString>()
        for r in try o.objects("requirements") {
            try r.allowOnly(["id", "title", "text", "category"])
            guard let rid = try r.jsonString("id", required: true) else { throw .missingKey("id", r.location()) }
            if !reqIDs.insert(rid).inserted { throw .invalidValue("id", "requirement \"\(rid)\" is listed twice", r.location("id")) }
            requirements.append(Requirement(id: rid, title: try r.string("title") ?? "", text: try r.string("text") ?? "",
                                            category: try r.string("category"), line: r.location().line))
        }
        var versions: [RegistryVersion] = []
        var verIDs = Set<JSONString>()
        for v in try o.objects("versions") {
            try v.allowOnly(["version", "stage", "created", "run", "commit", "datasets", "aliases"])
            guard let ver = try v.jsonString("version", required: true) else { throw .missingKey("version", v.location()) }
            if !verIDs.insert(ver).inserted { throw .invalidValue("version", "version \"\(ver)\" is listed twice", v.location("version")) }
            let stage = try v.string("stage") ?? "none"
            if !stages.contains(stage) {
                throw .invalidValue("stage", "must be one of \(stages.joined(separator: ", ")), found \"\(stage)\"", v.location("stage"))
            }
            if let c = try v.string("created"), case .valid = Timestamp.parse(c) {} else if try v.string("created") != nil {
                throw .invalidValue("created", "must be an RFC 3339 date-time with offset", v.location("created"))
            }
            var datasets: [JSONString] = []
            for (i, d) in (try v.array("datasets") ?? []).enumerated() {
                guard case .string(let s) = d else {
                    throw .wrongType("datasets", expected: "strings", found: d.typeName, locations.location(v.path + ["datasets", String(i)]))
                }
                datasets.append(s)
            }
            var aliases: [JSONString] = []
            for (i, a) in (try v.array("aliases") ?? []).enumerated() {
                guard case .string(let s) = a else {
                    throw .wrongType("aliases", expected: "strings", found: a.typeName, locations.location(v.path + ["aliases", String(i)]))
                }
                aliases.append(s)
            }
            versions.append(RegistryVersion(version: ver, stage: stage, created: try v.string("created"), run: try v.string("run"),
                                            commit: try v.string("commit"), datasets: datasets, aliases: aliases, line: v.location().line,
                                            stageLine: v.location(v.object["stage"] == nil ? nil : "stage").line))
        }
        return RegistryModel(id: id, name: try o.string("name") ?? id.string, owner: try o.string("owner"), intendedUse: intendedUse,
                             intendedUseSummary: try o.string("intendedUseSummary"),
                             risk: try o.string("risk"), requirements: requirements, versions: versions, path: path)
    }

    /// Why a registry path does not resolve to a readable file inside the pack source (nil when it does).
    static func unresolved(_ path: String, in source: URL) -> String? {
        let full = source.appendingPathComponent(path).path
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: full, isDirectory: &isDir) else { return "does not exist" }
        if isDir.boolValue { return "is a folder, not a file" }
        let root = ArtifactChecker.realPath(source.path) ?? source.standardizedFileURL.path
        guard let real = ArtifactChecker.realPath(full), real.hasPrefix(root + "/") else { return "lies outside the pack source (a symbolic link?)" }
        guard FileManager.default.isReadableFile(atPath: real) else { return "cannot be read (check its permissions)" }
        return nil
    }

    /// Fails when a drift window names a model without a registry record or a version that
    /// record does not list (contract 6, v1.1): a typo must not move a window off its version.
    public func checkDrift(_ windows: [DriftWindow]) throws(SourceError) {
        for w in windows {
            guard let m = model(w.model) else {
                let known = models.map { "\"\($0.id)\"" }.joined(separator: ", ")
                throw .invalidValue("model", "in \(w.path) names \"\(w.model)\", which has no registry/models/\(w.model).json "
                    + "(registry models: \(known.isEmpty ? "none" : known)); correct the model id", w.modelLocation ?? SourceLocation(file: w.path))
            }
            if m.version(w.version) == nil {
                let known = m.versions.map { "\"\($0.version)\"" }.joined(separator: ", ")
                throw .invalidValue("version", "in \(w.path) names version \"\(w.version)\" of \(w.model), which \(m.path) does not list "
                    + "(its versions: \(known.isEmpty ? "none" : known)); correct the version", w.versionLocation ?? SourceLocation(file: w.path))
            }
        }
    }

    /// Fails when the release names a model or version the registry does not have.
    public func checkRelease(_ config: Config) throws(SourceError) {
        for (model, version) in config.release.models {
            let loc = config.releaseLocations[model] ?? SourceLocation(file: Config.fileName)
            guard let m = self.model(model) else {
                throw .invalidValue("release.models", "names model \"\(model)\", which has no registry/models/\(model).json", loc)
            }
            if m.version(version) == nil {
                throw .invalidValue("release.models", "names version \"\(version)\" of \(model), which its registry record does not list", loc)
            }
        }
    }
}
