/// The Markdown narrative of the demo (`docs/`): intended use per model, the validation plan
/// and a summary of the ML lifecycle SOP. Free text carries the payload in hostile mode.
struct DemoDocs {
    let hostile: Bool
    let policy: (revalidationDays: Int, capaDueDays: Int)

    private func t(_ s: String) -> String { hostile ? s + " " + DemoCatalog.hostilePayload : s }

    /// Every document: path and text.
    func all() -> [(path: String, text: String)] {
        DemoCatalog.models.map { ("docs/\($0.id)/intended-use.md", intendedUse($0)) }
            + [("docs/validation-plan.md", validationPlan()), ("docs/sop-ml-lifecycle.md", sop())]
    }

    /// Table cells may not hold a bare `|`.
    private func cell(_ s: String) -> String { t(s).replacingOccurrences(of: "|", with: "\\|") }

    func intendedUse(_ m: DemoModelSpec) -> String {
        var s = "# \(t(m.name)): intended use\n\n"
        s += "Model id `\(m.id)`, risk class **\(m.risk)**. Owner: \(t(DemoCatalog.actor(m.owner).name)).\n\n"
        s += "## Purpose\n\n\(t(m.purpose))\n\n"
        s += "## Intended users and setting\n\n"
        s += "- \(t("Clinicians and nurses of the participating wards, through the electronic health record"))\n"
        s += "- \(t("The model supports, and never replaces, clinical judgement"))\n"
        s += "- \(t("Scores are shown only to staff trained on this instruction for use"))\n\n"
        s += "## Patient population\n\n\(t(m.population))\n\n"
        s += "## Inputs\n\n| Feature | Description |\n|---|---|\n"
        for f in m.features { s += "| `\(f.name)` | \(cell(f.description)) |\n" }
        s += "\n## Output\n\n\(t(m.output))\n\n"
        s += "## Requirements\n\n| Id | Category | Requirement |\n|---|---|---|\n"
        for r in m.requirements { s += "| \(r.id) | \(r.category) | \(cell(r.text)) |\n" }
        s += "\n## Limitations\n\n"
        s += "1. \(t("Not validated outside the population above; do not use for children"))\n"
        s += "2. \(t("Performance may degrade when laboratory methods or documentation practice change; drift is monitored weekly"))\n"
        s += "3. \(t("Subgroup performance is reported in each release's bias evaluation"))\n\n"
        s += "See the [validation plan](../validation-plan.md) for how each requirement is verified.\n"
        return s
    }

    func validationPlan() -> String {
        var s = "# \(t("Validation plan for the clinical ML models"))\n\n"
        s += "Revision 1.0. This plan follows a risk-based approach in line with GAMP 5 (second edition) and covers "
        s += "the models below throughout their life: initial validation, release, monitoring and revalidation.\n\n"
        s += "## Scope\n\n| Model | Name | Risk |\n|---|---|---|\n"
        for m in DemoCatalog.models { s += "| `\(m.id)` | \(cell(m.name)) | \(m.risk) |\n" }
        s += "\n## Roles\n\n| Role | Person | Responsibility |\n|---|---|---|\n"
        for p in DemoCatalog.people { s += "| \(cell(p.role)) | \(cell(p.name)) | \(cell(responsibility(p))) |\n" }
        s += "\n## Acceptance criteria\n\nEach user requirement (URS) has one automated test. A version may be approved only when "
        s += "the latest run of every test for that version passes.\n\n"
        for m in DemoCatalog.models {
            s += "### \(t(m.name))\n\n| Requirement | Test | Criterion |\n|---|---|---|\n"
            for r in m.requirements { s += "| \(r.id) \(cell(r.title)) | \(r.testID) | \(cell(r.text)) |\n" }
            s += "\n"
        }
        s += "## Fairness and explainability\n\n"
        s += "- \(t("A bias evaluation over the subgroups named in the intended use is required before approval"))\n"
        s += "- \(t("A SHAP summary of every released version is kept as evidence"))\n\n"
        s += "## Monitoring and revalidation\n\n"
        s += "Drift is evaluated in weekly windows without gaps. A window with drift is answered by a revalidation, or by a CAPA, "
        s += "within \(policy.revalidationDays) days of the window's end. \(t("Revalidation repeats the performance and robustness tests on recent data."))\n\n"
        s += "## Deviations\n\nEvery deviation is recorded as an exception and gets a CAPA, due within \(policy.capaDueDays) days.\n"
        return s
    }

    private func responsibility(_ p: DemoActor) -> String {
        switch p.id {
        case "u:mkrause", "u:fberger": return "Reviews evidence and approves releases; never approves a version they trained"
        case "u:abaptiste": return "Owns this plan, triggers and concludes revalidations"
        case "u:kyilmaz": return "Maintains pipelines, stages releases, retires versions"
        case "u:hweber": return "Registers and revokes signing keys"
        default: return "Curates data, trains models and writes explanations"
        }
    }

    func sop() -> String {
        var s = "# \(t("SOP ML-004: lifecycle of clinical ML models (summary)"))\n\n"
        s += "Revision 3.2. \(t("This summary is for inspectors; the controlled SOP is in the quality management system."))\n\n"
        s += "## Steps\n\n"
        let steps = [
            "Register, curate and quality-check the training data; a failed check is a deviation.",
            "Change code under version control; every training run names its commit and datasets.",
            "Train and register the version; the data scientist signs the training record (authorship).",
            "Stage the version and run every URS test, the bias evaluation and the SHAP summary.",
            "QA reviews the evidence and signs the approval; nobody approves their own work.",
            "Promote to production and deploy; archive and retire the superseded version.",
            "Monitor drift weekly; answer drift with a revalidation or a CAPA.",
        ]
        for (i, step) in steps.enumerated() { s += "\(i + 1). \(t(step))\n" }
        s += "\n## Electronic signatures\n\n| Meaning | Used for |\n|---|---|\n"
        s += "| authorship | \(cell("Training records")) |\n| review | \(cell("Document reviews, rejections")) |\n"
        s += "| approval | \(cell("Releases, CAPA closure, documents")) |\n| responsibility | \(cell("Revalidation conclusions")) |\n\n"
        s += "Signing keys are registered to one person by IT security and revoked when replaced.\n\n"
        s += "> \(t("Records are never edited: corrections are new events giving the reason and the old and new values."))\n"
        return s
    }
}
