import Foundation

/// A setting of `trailpack.json` whose value differs between OLD and NEW: a key of `policy`, or
/// an `identities` entry (moved out of ReleaseDiff.swift unchanged but for this comment).
public struct PolicyChange: Sendable, Hashable {
    /// The key under `policy`, e.g. `approvers`.
    public var key: String
    /// OLD's and NEW's values as JSON text.
    public var old: String
    public var new: String

    /// The setting as trailpack.json names it: `policy.<key>`, or `identities["<name>"]`.
    public var setting: String { key.hasPrefix("identities[") ? key : "policy." + key }

    /// The `identities` entries that differ (added, removed or mapped to another actor), by
    /// name: a mapping decides who is one person for SIG-SOD and the self-waiver test, so
    /// changing one can clear a finding as surely as a policy change can.
    static func compare(identities a: [(name: JSONString, actor: JSONString)], _ b: [(name: JSONString, actor: JSONString)]) -> [PolicyChange] {
        var old: [JSONString: JSONString] = [:], new: [JSONString: JSONString] = [:]
        for i in a { old[i.name] = i.actor }
        for i in b { new[i.name] = i.actor }
        let names = Set(old.keys).union(new.keys).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        func shown(_ v: JSONString?) -> String { v.map { "\"\($0.string)\"" } ?? "(not mapped)" }
        return names.filter { n in
            switch (old[n], new[n]) {
            case let (x?, y?): return !x.utf8.elementsEqual(y.utf8)
            case (nil, nil): return false
            default: return true
            }
        }.map { PolicyChange(key: "identities[\"\($0.string)\"]", old: shown(old[$0]), new: shown(new[$0])) }
    }

    /// The policy keys that differ, sorted by key.
    static func compare(_ a: Config.Policy, _ b: Config.Policy) -> [PolicyChange] {
        func list(_ v: [JSONString]) -> String { "[" + v.map { "\"\($0.string)\"" }.joined(separator: ", ") + "]" }
        let pairs: [(String, String, String)] = [
            ("approvers", list(a.approvers), list(b.approvers)),
            ("capaDueDays", String(a.capaDueDays), String(b.capaDueDays)),
            ("clockSkewSeconds", String(a.clockSkewSeconds), String(b.clockSkewSeconds)),
            ("keyAdministrators", list(a.keyAdministrators), list(b.keyAdministrators)),
            ("productionAliases", list(a.productionAliases), list(b.productionAliases)),
            ("requireBiasEvaluation", String(a.requireBiasEvaluation), String(b.requireBiasEvaluation)),
            ("requireExplainability", String(a.requireExplainability), String(b.requireExplainability)),
            ("requireSigned", list(a.requireSigned), list(b.requireSigned)),
            ("revalidationDays", String(a.revalidationDays), String(b.revalidationDays)),
        ]
        return pairs.filter { $0.1 != $0.2 }.map { PolicyChange(key: $0.0, old: $0.1, new: $0.2) }
    }
}
