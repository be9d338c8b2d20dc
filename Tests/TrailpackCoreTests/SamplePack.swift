import Foundation
@testable import TrailpackCore

/// Free-text payloads that must never become active content.
enum Hostile {
    static let payload = #"<script>alert(1)</script> <img src=x onerror=alert(1)> [click](javascript:alert(1)) </td></table> | *x* `y`"#
}

extension PackBuilder {
    /// A small, sound pack: one model in the release with two requirements, tested, evaluated for
    /// bias, explained, approved with a signature, moved to production and deployed; an exception
    /// with a closed CAPA, a modified record, a drift window answered by a revalidation, and a
    /// signed checkpoint. With `hostile`, every free-text field (and one actor id) carries
    /// ``Hostile/payload``.
    static func sample(hostile: Bool = false) throws -> PackBuilder {
        func t(_ s: String) -> String { hostile ? s + " " + Hostile.payload : s }
        func j(_ s: String) -> JSONValue { .string(JSONString(t(s))) }
        var f = try PackBuilder.source()
        f.title = t("Sepsis early-warning models: inspection pack")
        f.organization = t("Example Pharma GmbH")
        f.releaseName = "2026.2"
        f.release = [("sepsis-risk", "3")]
        f.model("sepsis-risk", name: t("Sepsis Risk Classifier"), owner: "u:tnguyen", intendedUse: "docs/sepsis-risk/intended-use.md",
                requirements: [("URS-01", t("Discrimination"), t("AUROC of at least 0.80 on the locked validation set")),
                               ("URS-02", t("Calibration"), t("Brier score below 0.15"))],
                versions: [("3", "production")], commit: "9b1e2f0aa")
        f.file("docs/sepsis-risk/intended-use.md", """
            # Intended use

            \(t("Early warning of sepsis in adult ICU patients."))

            - Not for paediatric use. [Protocol](https://example.com/protocol) [bad](javascript:alert(1))

            <script>alert(1)</script>
            """)
        f.file("docs/overview.md", "# Overview\n\n\(t("The validation approach."))\n")
        let report = f.file("artifacts/t01-report.txt", "AUROC 0.84 on the locked set\n")
        try f.registerKey("qa-lead", owner: "u:mkrause", by: "u:security", registrarName: "Security Officer")
        try f.registerKey("log-signer", owner: "svc:logger", by: "u:security", registrarName: "Security Officer")
        let krause = t("Dr. Maria Krause")
        let nguyen = t("Tuan Nguyen")
        try f.event("dataset.registered", actor: "u:tnguyen", name: nguyen, subject: subject("dataset", "sepsis-train@7"))
        try f.event("code.changed", actor: "u:tnguyen", name: nguyen, subject: subject("repo", "sepsis"), refs: ["commit": "9b1e2f0aa"])
        try f.event("model.trained", actor: "u:tnguyen", name: nguyen, subject: modelSubject("sepsis-risk", "3"),
                refs: ["datasets": ["sepsis-train@7"], "commit": "9b1e2f0aa", "run": "mlflow:4f1c"], data: ["metrics": ["auroc": 0.84]])
        try f.event("model.registered", actor: "u:tnguyen", name: nguyen, subject: modelSubject("sepsis-risk", "3"))
        try f.event("test.executed", actor: "svc:ci", name: t("CI runner"), service: true, subject: subject("test", "T-01"),
                refs: ["model": "sepsis-risk@3", "requirements": ["URS-01"],
                       "artifacts": [["path": "artifacts/t01-report.txt", "sha256": .string(JSONString(report))]]],
                data: ["result": "pass", "metrics": ["auroc": 0.84]])
        try f.event("test.executed", actor: "svc:ci", name: t("CI runner"), service: true, subject: subject("test", "T-02"),
                refs: ["model": "sepsis-risk@3", "requirements": ["URS-02"]], data: ["result": "pass"])
        try f.event("bias.evaluated", actor: "u:tnguyen", name: nguyen, subject: modelSubject("sepsis-risk", "3"),
                data: ["result": "pass", "note": j("subgroups within 0.02")])
        try f.event("explanation.generated", actor: "u:tnguyen", name: nguyen, subject: modelSubject("sepsis-risk", "3"), data: ["method": "shap"])
        let exception = try f.event("exception.raised", actor: "u:tnguyen", name: nguyen, subject: subject("exception", "EXC-1"),
                                data: ["description": j("Validation set refreshed late")])
        try f.event("capa.opened", actor: "u:mkrause", name: krause, subject: subject("capa", "CAPA-1"),
                refs: ["event": .string(JSONString(exception))],
                data: ["title": j("Lock validation data earlier"), "due": "2026-03-01T00:00:00Z", "owner": j("QA")])
        try f.event("record.modified", actor: "u:mkrause", name: krause, role: t("QA lead"), subject: subject("record", "URS-02"),
                refs: ["event": .string(JSONString(exception))], reason: t("Typo in the requirement"),
                changes: [["field": "text", "old": j("Brier score below 0.2"), "new": j("Brier score below 0.15")]])
        try f.event("model.approved", actor: "u:mkrause", name: krause, subject: modelSubject("sepsis-risk", "3"),
                reason: t("Validation complete"), sign: "qa-lead", signatureName: krause)
        try f.event("model.stage_changed", actor: "u:mkrause", name: krause, subject: modelSubject("sepsis-risk", "3"),
                data: ["from": "staging", "to": "production"], reason: t("Release 2026.2"))
        try f.event("model.deployed", actor: "svc:deploy", name: "Deployer", service: true, subject: modelSubject("sepsis-risk", "3"))
        try f.checkpoint("0001", key: "log-signer")
        try f.event("capa.closed", actor: "u:mkrause", name: krause, subject: subject("capa", "CAPA-1"), reason: t("Done"))
        let drift = try f.event("drift.detected", actor: "svc:monitor", name: "Monitor", service: true,
                            subject: modelSubject("sepsis-risk", "3"), data: ["metric": "psi"])
        try f.event("revalidation.triggered", actor: "u:mkrause", name: krause, subject: modelSubject("sepsis-risk", "3"),
                refs: ["event": .string(JSONString(drift))], reason: t("PSI breach on lactate"))
        if hostile {
            try f.event("note.added", actor: "u:<img src=x onerror=alert(1)>", name: t("Mallory"), subject: subject("note", "</td></table>"),
                    data: ["text": j("payload")], reason: t("free text"))
        }
        f.file("drift/sepsis-risk-3-w1.json", """
            {"model": "sepsis-risk", "version": "3",
             "window": {"start": "2026-01-05T08:00:00Z", "end": "2026-01-05T09:00:00Z"},
             "metrics": [{"name": "psi", "feature": "lactate", "value": 0.31, "threshold": 0.2, "breach": true}],
             "drift": true}
            """)
        try f.write()
        return f
    }
}
