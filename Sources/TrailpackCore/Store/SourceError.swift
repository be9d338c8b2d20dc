import Foundation

/// Why a pack source's records (trailpack.json, registry, drift files) cannot be read.
/// Each case carries the place and says how to fix it; the CLI exits 2 on these.
public enum SourceError: LocalizedError, Sendable, Equatable {
    case missingFolder(String)
    /// The path names a file (or something else) where a pack source folder is expected.
    case notAFolder(String)
    case unreadable(String, String)
    case json(JSONError)
    case unknownKey(String, allowed: [String], SourceLocation)
    case missingKey(String, SourceLocation)
    case wrongType(String, expected: String, found: String, SourceLocation)
    case invalidValue(String, String, SourceLocation)

    public var errorDescription: String? {
        switch self {
        case .missingFolder(let p):
            return "\(p): no such folder; give the path of a pack source (a folder with trailpack.json and audit/)"
        case .notAFolder(let p):
            return "\(p): not a folder; give the path of the pack source folder (the one that holds trailpack.json and audit/), not a file in it"
        case .unreadable(let p, let why):
            return "\(p): cannot be read: \(why)"
        case .json(let e):
            return "\(e.location): invalid JSON: \(e.reason)"
        case .unknownKey(let k, let allowed, let l):
            return "\(l): unknown key \"\(k)\"; allowed here: \(allowed.joined(separator: ", ")) (check its spelling)"
        case .missingKey(let k, let l):
            return "\(l): missing required key \"\(k)\""
        case .wrongType(let k, let expected, let found, let l):
            return "\(l): \"\(k)\" must be \(expected), found \(found)"
        case .invalidValue(let k, let why, let l):
            return "\(l): \"\(k)\" \(why)"
        }
    }
}

/// Reads one JSON object of a record strictly: only known keys, each of the right type,
/// with errors that name the key and its line.
struct StrictObject {
    let object: JSONObject
    let path: [String]
    let locations: JSONLocations

    init(_ value: JSONValue, path: [String] = [], locations: JSONLocations, what: String = "value") throws(SourceError) {
        guard case .object(let o) = value else {
            throw .wrongType(path.last ?? what, expected: "an object", found: value.typeName, locations.location(path))
        }
        self.object = o
        self.path = path
        self.locations = locations
    }

    func location(_ key: String? = nil) -> SourceLocation {
        locations.location(key.map { path + [$0] } ?? path)
    }

    /// Fails on any key not in `allowed`.
    func allowOnly(_ allowed: [String]) throws(SourceError) {
        for m in object.members where !allowed.contains(where: { m.key.equals($0) }) {
            throw .unknownKey(m.key.string, allowed: allowed, location(m.key.string))
        }
    }

    func value(_ key: String, required: Bool) throws(SourceError) -> JSONValue? {
        guard let v = object[key] else {
            if required { throw .missingKey(key, location()) }
            return nil
        }
        return v
    }

    func string(_ key: String, required: Bool = false) throws(SourceError) -> String? {
        try jsonString(key, required: required)?.string
    }

    func jsonString(_ key: String, required: Bool = false) throws(SourceError) -> JSONString? {
        guard let v = try value(key, required: required) else { return nil }
        guard case .string(let s) = v else { throw .wrongType(key, expected: "a string", found: v.typeName, location(key)) }
        if required && s.isEmpty { throw .invalidValue(key, "must not be empty", location(key)) }
        return s
    }

    func integer(_ key: String, required: Bool = false, min: Int64 = 0) throws(SourceError) -> Int64? {
        guard let v = try value(key, required: required) else { return nil }
        guard case .integer(let i) = v else { throw .wrongType(key, expected: "an integer", found: v.typeName, location(key)) }
        if i < min { throw .invalidValue(key, "must be at least \(min)", location(key)) }
        return i
    }

    /// A whole number within `range`; anything else (a decimal, a string, a number out of range)
    /// is an error naming the key and the range.
    func integer(_ key: String, in range: ClosedRange<Int64>, unit: String) throws(SourceError) -> Int64? {
        guard let v = try value(key, required: false) else { return nil }
        let allowed = "must be a whole number from \(range.lowerBound) to \(range.upperBound) (\(unit))"
        guard case .integer(let i) = v else {
            throw .invalidValue(key, "\(allowed), found \(v.typeName == "number" ? "a non-integer number" : v.typeName)", location(key))
        }
        guard range.contains(i) else { throw .invalidValue(key, "\(allowed), found \(i)", location(key)) }
        return i
    }

    func bool(_ key: String, required: Bool = false) throws(SourceError) -> Bool? {
        guard let v = try value(key, required: required) else { return nil }
        guard case .bool(let b) = v else { throw .wrongType(key, expected: "true or false", found: v.typeName, location(key)) }
        return b
    }

    func number(_ key: String, required: Bool = false) throws(SourceError) -> Double? {
        guard let v = try value(key, required: required) else { return nil }
        guard let d = v.numberValue else { throw .wrongType(key, expected: "a number", found: v.typeName, location(key)) }
        return d
    }

    func child(_ key: String, required: Bool = false) throws(SourceError) -> StrictObject? {
        guard let v = try value(key, required: required) else { return nil }
        return try StrictObject(v, path: path + [key], locations: locations, what: key)
    }

    func array(_ key: String, required: Bool = false) throws(SourceError) -> [JSONValue]? {
        guard let v = try value(key, required: required) else { return nil }
        guard case .array(let a) = v else { throw .wrongType(key, expected: "an array", found: v.typeName, location(key)) }
        return a
    }

    /// The elements of an array member as strict objects.
    func objects(_ key: String, required: Bool = false) throws(SourceError) -> [StrictObject] {
        guard let a = try array(key, required: required) else { return [] }
        var out: [StrictObject] = []
        for (i, v) in a.enumerated() {
            out.append(try StrictObject(v, path: path + [key, String(i)], locations: locations, what: key))
        }
        return out
    }

    /// Reads and parses a JSON file with locations.
    static func load(_ url: URL, displayPath: String) throws(SourceError) -> (JSONValue, JSONLocations) {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            let fix = displayPath == Config.fileName
                ? "give the path of a pack source: a folder with trailpack.json and audit/ (docs/format.md)"
                : "check that the file exists and is readable"
            throw .unreadable(displayPath, FileProblem.reading(url.path, fix: fix))
        }
        do {
            return try JSONReader(file: displayPath).parseWithLocations(Array(data))
        } catch {
            throw .json(error)
        }
    }
}
