/// The integrity page: what was checked and how, tree size and Merkle root, each checkpoint,
/// each segment's SHA-256, the keys with fingerprints and the trust statement, and the evidence.
enum IntegrityPage {
    static func write(_ c: SiteContext, evidence: Evidence, output: inout SiteOutput) throws {
        let r = c.analysis.integrity
        // Events whose content does not match their recorded hash: the tree is built from the
        // recorded hashes, so a checkpoint over them stays consistent; say so beside it.
        let hashMismatches = TrustLimits.hashMismatches(c.analysis)
        let checkpoints = r.checkpoints.map { cp -> TemplateValue in
            let changed = TrustLimits.changedEvents(hashMismatches, covered: cp)
            let badge: TemplateValue
            if cp.consistent == true && changed > 0 {
                badge = TV.badge("⚠ Consistent, but \(changed) event\(changed == 1 ? "" : "s") in its range do\(changed == 1 ? "es" : "") not match \(changed == 1 ? "its" : "their") hash", "warning")
            } else if cp.consistent == true {
                badge = TV.badge("✔ Consistent with the log", "pass")
            } else {
                badge = TV.badge(cp.consistent == false ? "✖ Not consistent" : "– Not checked", "fail")
            }
            return [
                "file": TV.file(cp.file, "evidence/" + cp.file), "size": .int(cp.size), "rootHash": .string(cp.root.hex),
                "signers": .string(cp.validSigners.joined(separator: ", ")), "badge": badge,
                "reason": changed > 0 && cp.consistent == true
                    ? .string("The Merkle tree is built from the hashes the events recorded, so the checkpoint still matches; "
                        + "the content of \(changed == 1 ? "that event was" : "those events were") changed after it was hashed (INT-HASH on the findings page).")
                    : .null,
            ]
        }
        let segments = r.segments.map { s -> TemplateValue in
            [
                "file": TV.file(s.path, "evidence/" + s.path), "lines": .int(s.lines), "events": .int(Int(s.events)),
                "bytes": .int(s.bytes), "sha256": TV.str(evidence.digest(s.path)),
            ]
        }
        let keys = r.keyring.keys.map { k -> TemplateValue in
            // The owner as the trust list names it and as the log registered it, side by side.
            let logOwner = r.keyOwners[k.name]
            let registered = r.registrations[k.name]
            var owner = logOwner.map { o in registered.flatMap(\.name).map { "\($0) (\(o.string))" } ?? o.string } ?? "not registered"
            if let o = logOwner, registered == nil { owner = "\(o.string): registration does not count (see findings)" }
            let asFound = r.keyring.trust == nil
            let trusted: TemplateValue = !k.trusted ? TV.badge("✖ Not trusted", "fail")
                : asFound ? TV.badge("⚠ Trusted as found (no trust list)", "warning")
                : k.checkpointOnly ? TV.badge("✔ Trusted for checkpoints only", "pass") : TV.badge("✔ Trusted", "pass")
            return [
                "name": .string(k.name), "fingerprint": .string(k.fingerprint), "file": TV.file("keys/\(k.name).pem", "evidence/keys/\(k.name).pem"),
                "trusted": trusted,
                "trustOwner": .string(r.keyring.trust == nil ? "no trust list" : k.trustOwner?.string ?? (k.trusted ? "not named" : "–")),
                "owner": .string(owner), "revoked": r.revokedAt[k.name].map { c.locator.link(seq: $0, label: "revoked, seq \($0)") } ?? .null,
            ]
        }
        var byRule: [String: Int] = [:]
        for f in c.analysis.findings where f.waiver == nil && (f.rule.rawValue.hasPrefix("INT-") || f.rule.rawValue.hasPrefix("SIG-")) {
            byRule[f.rule.rawValue, default: 0] += 1
        }
        let checks = ["INT-PARSE", "INT-HASH", "INT-CHAIN", "INT-SEQ", "INT-CHECKPOINT", "INT-CHECKPOINT-SIG", "INT-ARTIFACT",
                      "INT-TIME", "SIG-INVALID", "SIG-KEY", "SIG-REQUIRED", "SIG-SIGNER", "SIG-MANIFEST"].map { id -> TemplateValue in
            let n = byRule[id] ?? 0
            return ["rule": TV.page(id, "findings", anchor: "rule-" + id), "count": .int(n),
                    "badge": n == 0 ? TV.badge("✔ No findings", "pass") : TV.badge("✖ \(n) findings", "fail")]
        }
        let page = try c.render(.integrity, path: "integrity", title: "Integrity of the audit trail", section: .integrity, [
            "treeSize": .int(r.treeSize), "merkleRoot": .string(r.root.hex), "lines": .int(r.lineCount), "bytes": .int(r.byteCount),
            "eventsAfterLastCheckpoint": .int(r.eventsAfterLastCheckpoint), "origin": .string(r.config.origin),
            "checkpoints": .array(checkpoints), "segments": .array(segments), "keys": .array(keys), "checks": .array(checks),
            "trust": .string(r.keyring.trustStatement), "trustList": TV.str(r.keyring.trust?.path),
            "limits": .array(TrustLimits.integrityWarnings(c.analysis).map { .string($0) }),
            "signing": .string(TrustLimits.signing(c.analysis.config)),
            "trees": .array(r.trustTrees.map { t -> TemplateValue in
                ["size": .int(t.tree.size), "rootHash": .string(t.tree.root.hex), "line": .int(t.tree.line),
                 "badge": t.consistent == true ? TV.badge("✔ The log is consistent with it", "pass") : TV.badge("✖ Not consistent", "fail")]
            }),
            "unmappedCount": .int(c.analysis.unmappedNames.count),
            "unmapped": .array(c.analysis.unmappedNames.map { u -> TemplateValue in
                ["name": .string(u.name), "system": .string(u.system), "events": .int(u.events),
                 "first": c.locator.link(seq: u.firstSeq, label: "seq \(u.firstSeq)")]
            }),
            "evidenceFiles": .int(evidence.files.count), "evidenceBytes": .int(evidence.files.reduce(0) { $0 + $1.bytes }),
            "skipped": .array(evidence.skipped.map { ["path": .string($0.path), "reason": .string($0.reason)] }),
        ])
        try output.write(page)
    }
}
