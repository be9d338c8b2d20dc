/// Someone or something that records events: a person (who may sign) or a service.
struct DemoActor: Sendable {
    var id: String
    var name: String
    var role: String
    var isService: Bool
    /// Key names (`keys/<name>.pem`) of a signing person, in the order they were issued.
    var keys: [String] = []
}

/// A user requirement of a model and the test that verifies it.
struct DemoRequirement: Sendable {
    var id: String
    var title: String
    var text: String
    var category: String
    var testID: String
    /// The metric the test reports, its passing range and the failing value used in the story.
    var metric: String
    var passing: ClosedRange<Double>
    var threshold: Double
    var higherIsBetter: Bool
}

/// A model version of the story: who trains it, who approves it, and how its life ends.
struct DemoVersionSpec: Sendable {
    enum Outcome: Sendable { case production, rejected, staging }
    var version: String
    var startDay: Int
    var trainer: String
    var approver: String
    var outcome: Outcome
    /// A requirement whose first test fails (fixed by a corrected re-test before approval).
    var failingRequirement: String?
    /// The training data's first quality check fails (exception, CAPA, re-curated dataset).
    var dataException = false
}

/// A model of the demo registry.
struct DemoModelSpec: Sendable {
    var id: String
    var name: String
    var owner: String
    var previousOwner: String?
    var risk: String
    var shortName: String
    var purpose: String
    var population: String
    var output: String
    var features: [(name: String, description: String)]
    var requirements: [DemoRequirement]
    var subgroups: [String]
    var versions: [DemoVersionSpec]
}

/// The fixed cast and models of the demo story (a hospital-AI team of a pharma company).
enum DemoCatalog {
    /// Appended to every free-text field in `--hostile` mode.
    static let hostilePayload = "<script>alert(1)</script> <img src=x onerror=alert(1)> [link](javascript:alert(1)) </td></table>"

    static let people: [DemoActor] = [
        DemoActor(id: "u:mkrause", name: "Dr. Maria Krause", role: "Head of Quality Assurance", isService: false,
                  keys: ["demo-mkrause", "demo-mkrause-2"]),
        DemoActor(id: "u:fberger", name: "Felix Berger", role: "QA Specialist, Computerised Systems", isService: false,
                  keys: ["demo-fberger"]),
        DemoActor(id: "u:abaptiste", name: "Dr. Amélie Baptiste", role: "Validation Lead", isService: false,
                  keys: ["demo-abaptiste"]),
        DemoActor(id: "u:rpatel", name: "Rahul Patel", role: "Senior Data Scientist", isService: false, keys: ["demo-rpatel"]),
        DemoActor(id: "u:tnguyen", name: "Thi Nguyen", role: "Data Scientist", isService: false, keys: ["demo-tnguyen"]),
        DemoActor(id: "u:lschmidt", name: "Lena Schmidt", role: "Data Scientist", isService: false, keys: ["demo-lschmidt"]),
        DemoActor(id: "u:kyilmaz", name: "Kemal Yılmaz", role: "ML Engineer", isService: false),
        DemoActor(id: "u:hweber", name: "Hanna Weber", role: "IT Security Officer", isService: false, keys: ["demo-hweber"]),
    ]

    static let services: [DemoActor] = [
        DemoActor(id: "svc:data-pipeline", name: "Clinical data pipeline (Airflow)", role: "ETL and data quality", isService: true),
        DemoActor(id: "svc:validation-ci", name: "Validation pipeline (GitLab CI)", role: "Automated verification", isService: true,
                  keys: ["demo-validation-ci"]),
        DemoActor(id: "svc:deploy-bot", name: "Deployment bot (Argo CD)", role: "Release automation", isService: true),
        DemoActor(id: "svc:drift-monitor", name: "Drift monitor (Evidently)", role: "Post-market monitoring", isService: true),
        DemoActor(id: "svc:scoring", name: "Batch scoring service", role: "Inference", isService: true),
        DemoActor(id: "svc:feature-store", name: "Feature store (Feast)", role: "Feature serving", isService: true),
    ]

    /// The key that signs checkpoints; registered to this service id.
    static let logOperatorKey = "demo-log-operator"
    static let logOperatorID = "svc:log-operator"

    static func actor(_ id: String) -> DemoActor {
        (people + services).first { $0.id == id } ?? DemoActor(id: id, name: id, role: "", isService: id.hasPrefix("svc:"))
    }

    /// Every key name, sorted.
    static var keyNames: [String] { (people.flatMap(\.keys) + services.flatMap(\.keys) + [logOperatorKey]).sorted() }

    /// The person or service a key belongs to (the log operator for the checkpoint key).
    static func keyOwner(_ name: String) -> DemoActor? { (people + services).first { $0.keys.contains(name) } }

    /// The policy of section 4.4: who approves, who administers keys, which records must be signed.
    static let approvers = ["u:fberger", "u:mkrause"]
    static let keyAdministrators = ["u:hweber"]
    static let requireSigned = ["test.executed"]

    static let models: [DemoModelSpec] = [sepsis, aki, readmission]

    static let sepsis = DemoModelSpec(
        id: "sepsis-risk", name: "Sepsis Early-Warning Risk Classifier", owner: "u:rpatel", previousOwner: "u:tnguyen",
        risk: "high", shortName: "SEP",
        purpose: "Estimates the risk that an adult inpatient develops sepsis within the next 12 hours, so that the rapid response team can review the patient earlier.",
        population: "Adults (18 years or older) on general wards; not validated for intensive care, paediatric or obstetric patients.",
        output: "A risk score between 0 and 1 and an alert when the score exceeds the configured threshold, with the five features that contributed most.",
        features: [("lactate", "Serum lactate, mmol/L"), ("heart_rate", "Heart rate, beats/min"), ("resp_rate", "Respiratory rate, breaths/min"),
                   ("temperature", "Body temperature, °C"), ("wbc", "White blood cell count, 10^9/L"), ("map", "Mean arterial pressure, mmHg"),
                   ("spo2", "Peripheral oxygen saturation, %"), ("age", "Age in years")],
        requirements: [
            DemoRequirement(id: "URS-01", title: "Discrimination", text: "AUROC of at least 0.80 on the locked validation set",
                            category: "performance", testID: "TC-SEP-01", metric: "auroc", passing: 0.835...0.872, threshold: 0.80, higherIsBetter: true),
            DemoRequirement(id: "URS-02", title: "Calibration", text: "Expected calibration error of at most 0.05 on the locked validation set",
                            category: "performance", testID: "TC-SEP-02", metric: "ece", passing: 0.018...0.041, threshold: 0.05, higherIsBetter: false),
            DemoRequirement(id: "URS-03", title: "Subgroup fairness", text: "AUROC differs by at most 0.05 between sexes and between age bands",
                            category: "fairness", testID: "TC-SEP-03", metric: "maxAurocGap", passing: 0.008...0.038, threshold: 0.05, higherIsBetter: false),
            DemoRequirement(id: "URS-04", title: "Robustness to missing vitals", text: "AUROC drops by at most 0.03 with 5 % of vital signs missing and 2 % measurement noise",
                            category: "robustness", testID: "TC-SEP-04", metric: "aurocDrop", passing: 0.006...0.024, threshold: 0.03, higherIsBetter: false),
            DemoRequirement(id: "URS-05", title: "Alert explanations", text: "Every alert shows its five strongest contributing features (SHAP)",
                            category: "explainability", testID: "TC-SEP-05", metric: "explainedAlerts", passing: 1.0...1.0, threshold: 1.0, higherIsBetter: true),
            DemoRequirement(id: "URS-06", title: "Training data quality", text: "Training data is at least 98 % complete and passes all range checks",
                            category: "data-quality", testID: "TC-SEP-06", metric: "completeness", passing: 0.984...0.998, threshold: 0.98, higherIsBetter: true),
        ],
        subgroups: ["sex=female", "sex=male", "age=18-64", "age=65+"],
        versions: [
            DemoVersionSpec(version: "1", startDay: 1, trainer: "u:rpatel", approver: "u:mkrause", outcome: .production),
            DemoVersionSpec(version: "2", startDay: 42, trainer: "u:tnguyen", approver: "u:fberger", outcome: .production,
                            failingRequirement: "URS-04"),
            DemoVersionSpec(version: "3", startDay: 118, trainer: "u:rpatel", approver: "u:mkrause", outcome: .production),
        ])

    static let aki = DemoModelSpec(
        id: "aki-predictor", name: "Acute Kidney Injury 48-Hour Predictor", owner: "u:tnguyen", previousOwner: nil,
        risk: "high", shortName: "AKI",
        purpose: "Predicts KDIGO stage 2 or 3 acute kidney injury within 48 hours so that nephrotoxic medication and fluid balance can be reviewed.",
        population: "Adult inpatients with at least one serum creatinine result; excludes patients on chronic dialysis.",
        output: "A probability of acute kidney injury within 48 hours and a three-level risk band (low, elevated, high).",
        features: [("creatinine", "Serum creatinine, µmol/L"), ("creatinine_delta", "Change of creatinine over 48 h"), ("urine_output", "Urine output, mL/kg/h"),
                   ("bun", "Blood urea nitrogen, mmol/L"), ("potassium", "Serum potassium, mmol/L"), ("nephrotoxic_meds", "Count of nephrotoxic drugs given"),
                   ("age", "Age in years")],
        requirements: [
            DemoRequirement(id: "URS-01", title: "Sensitivity at fixed specificity", text: "Sensitivity of at least 0.75 at a specificity of 0.85",
                            category: "performance", testID: "TC-AKI-01", metric: "sensitivity", passing: 0.771...0.812, threshold: 0.75, higherIsBetter: true),
            DemoRequirement(id: "URS-02", title: "Subgroup fairness", text: "Sensitivity differs by at most 0.05 between sexes and between age bands",
                            category: "fairness", testID: "TC-AKI-02", metric: "maxSensitivityGap", passing: 0.011...0.041, threshold: 0.05, higherIsBetter: false),
            DemoRequirement(id: "URS-03", title: "Robustness to laboratory units", text: "Predictions are unchanged when creatinine arrives in mg/dL instead of µmol/L",
                            category: "robustness", testID: "TC-AKI-03", metric: "maxScoreDelta", passing: 0.0...0.004, threshold: 0.005, higherIsBetter: false),
            DemoRequirement(id: "URS-04", title: "Explanations for clinicians", text: "A SHAP summary is produced for every released version and every high-risk prediction",
                            category: "explainability", testID: "TC-AKI-04", metric: "explainedPredictions", passing: 1.0...1.0, threshold: 1.0, higherIsBetter: true),
            DemoRequirement(id: "URS-05", title: "Training data quality", text: "Creatinine is present for at least 98 % of training encounters",
                            category: "data-quality", testID: "TC-AKI-05", metric: "completeness", passing: 0.982...0.997, threshold: 0.98, higherIsBetter: true),
        ],
        subgroups: ["sex=female", "sex=male", "age=18-64", "age=65+", "ckd=yes", "ckd=no"],
        versions: [
            DemoVersionSpec(version: "1", startDay: 4, trainer: "u:tnguyen", approver: "u:fberger", outcome: .production),
            DemoVersionSpec(version: "2", startDay: 68, trainer: "u:lschmidt", approver: "u:mkrause", outcome: .production,
                            dataException: true),
            DemoVersionSpec(version: "3", startDay: 163, trainer: "u:tnguyen", approver: "u:fberger", outcome: .staging),
        ])

    static let readmission = DemoModelSpec(
        id: "readmission-30d", name: "30-Day Readmission Risk Score", owner: "u:lschmidt", previousOwner: nil,
        risk: "medium", shortName: "RDM",
        purpose: "Ranks patients at discharge by their risk of an unplanned readmission within 30 days, to prioritise transitional-care calls.",
        population: "Adults discharged home from medical and surgical wards.",
        output: "A risk score between 0 and 1 and the decile of the score among last month's discharges.",
        features: [("prior_admissions", "Admissions in the past 12 months"), ("length_of_stay", "Length of stay, days"),
                   ("charlson_index", "Charlson comorbidity index"), ("polypharmacy", "Number of discharge medications"),
                   ("discharge_weekday", "Day of week of discharge"), ("age", "Age in years")],
        requirements: [
            DemoRequirement(id: "URS-01", title: "Discrimination", text: "AUROC of at least 0.70 on the locked validation set",
                            category: "performance", testID: "TC-RDM-01", metric: "auroc", passing: 0.716...0.744, threshold: 0.70, higherIsBetter: true),
            DemoRequirement(id: "URS-02", title: "Calibration across insurance types", text: "Calibration-in-the-large within 0.02 for every insurance type and sex",
                            category: "fairness", testID: "TC-RDM-02", metric: "maxCalibrationGap", passing: 0.005...0.017, threshold: 0.02, higherIsBetter: false),
            DemoRequirement(id: "URS-03", title: "Explanations", text: "Global and per-patient SHAP explanations are available to care coordinators",
                            category: "explainability", testID: "TC-RDM-03", metric: "explainedPredictions", passing: 1.0...1.0, threshold: 1.0, higherIsBetter: true),
            DemoRequirement(id: "URS-04", title: "Training data quality", text: "No duplicate encounters and at least 97 % complete discharge records",
                            category: "data-quality", testID: "TC-RDM-04", metric: "completeness", passing: 0.975...0.993, threshold: 0.97, higherIsBetter: true),
        ],
        subgroups: ["insurance=statutory", "insurance=private", "sex=female", "sex=male"],
        versions: [
            DemoVersionSpec(version: "1", startDay: 14, trainer: "u:lschmidt", approver: "u:mkrause", outcome: .production),
            DemoVersionSpec(version: "2", startDay: 84, trainer: "u:lschmidt", approver: "u:mkrause", outcome: .rejected),
            DemoVersionSpec(version: "3", startDay: 100, trainer: "u:rpatel", approver: "u:fberger", outcome: .production),
        ])

    /// The requirement text before the clarification recorded by a `record.modified` event.
    static let clarifiedRequirement = (model: "readmission-30d", requirement: "URS-02",
                                       old: "Calibration within 0.02 for every insurance type")
}
