/// The e-signature manifest (21 CFR 11.50): every signature with printed name, signer id, time,
/// meaning, key name and fingerprint, verification result, linked to its event.
enum SignaturesPage {
    static func write(_ c: SiteContext, output: inout SiteOutput) throws {
        let a = c.analysis
        let rows = a.signatures.map { s -> TemplateValue in
            [
                "link": c.locator.link(seq: s.seq, label: "seq \(s.seq)"), "eventTime": TV.time(s.eventTime),
                "action": .string(s.action), "subject": .string(s.subject), "subjectType": .string(s.subjectType), "subjectID": .string(s.subjectID), "signer": .string(s.signer), "name": .string(s.name),
                "meaning": .string(s.meaning), "time": TV.time(s.time), "key": .string(s.key),
                // In short beside the key: the full fingerprint is in the integrity page's key table and the Markdown twin.
                "fingerprint": TV.str(s.fingerprint), "fingerprintShort": TV.str(s.fingerprint.map(Tokens.short)),
                "badge": s.valid ? TV.badge("✔ Verified", "pass") : TV.badge("✖ " + s.status, "fail"),
            ]
        }
        let valid = a.signatures.filter(\.valid).count
        let page = try c.render(.signatures, path: "signatures", title: "Electronic signature manifest", section: .signatures, [
            "signatures": .array(rows), "total": .int(a.signatures.count), "valid": .int(valid),
            "invalid": .int(a.signatures.count - valid), "trust": .string(a.integrity.keyring.trustStatement),
        ])
        try output.write(page)
    }
}
