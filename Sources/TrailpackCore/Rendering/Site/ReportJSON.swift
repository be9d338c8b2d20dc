/// `report.json`: the machine-readable model of everything the site shows (schema
/// `trailpack-report/1`, documented in docs/report-json.md). Members are in a fixed order, absent
/// values are `null`, and no wall-clock time appears: the same source gives the same bytes.
enum ReportJSON {
    static let schema = "trailpack-report/1"

    static func j(_ s: String?) -> JSONValue { s.map { JSONValue($0) } ?? .null }
    static func j(_ s: JSONString?) -> JSONValue { s.map { .string($0) } ?? .null }
    static func j(_ i: Int64?) -> JSONValue { i.map { .integer($0) } ?? .null }
    static func j(_ i: Int) -> JSONValue { .integer(Int64(i)) }
    static func obj(_ members: [(String, JSONValue)]) -> JSONValue {
        .object(JSONObject(members.map { JSONMember(key: JSONString($0.0), value: $0.1) }))
    }

    static func build(_ c: SiteContext, trail: AuditTrail, groups: [GroupDimension: [AuditIndex.GroupEntry]], evidence: Evidence) -> JSONValue {
        let a = c.analysis
        let cfg = a.config
        let p = cfg.policy
        let counts = FindingCounts(a.findings)
        let pack = obj([
            ("title", j(cfg.title)), ("organization", j(cfg.organization)), ("origin", j(cfg.origin)),
            ("preparedBy", j(cfg.preparedBy)),
            ("release", obj([("name", j(cfg.release.name)),
                             ("models", .array(cfg.release.models.map { obj([("model", .string($0.model)), ("version", .string($0.version))]) }))])),
            ("policy", obj([("revalidationDays", j(p.revalidationDays)), ("capaDueDays", j(p.capaDueDays)),
                            ("clockSkewSeconds", j(p.clockSkewSeconds)), ("requireBiasEvaluation", .bool(p.requireBiasEvaluation)),
                            ("requireExplainability", .bool(p.requireExplainability))])),
        ])
        let verify = a.verifyReport
        let integrity = obj([
            ("treeSize", j(a.integrity.treeSize)), ("root", j(a.integrity.root.hex)), ("lines", j(a.integrity.lineCount)),
            ("bytes", j(a.integrity.byteCount)), ("eventsAfterLastCheckpoint", j(a.integrity.eventsAfterLastCheckpoint)),
            ("checkpoints", verify.checkpointsJSON),
            ("segments", .array(a.integrity.segments.map { s in
                obj([("path", j(s.path)), ("lines", j(s.lines)), ("events", j(s.events)), ("bytes", j(s.bytes)), ("sha256", j(evidence.digest(s.path)))])
            })),
            ("keys", verify.keysJSON), ("trust", j(a.integrity.keyring.trustStatement)), ("trustList", j(a.integrity.keyring.trust?.path)),
            ("limits", .array(TrustLimits.integrity(a).map { j($0) })),
        ])
        let models = a.registry.models.map { m in
            obj([
                ("id", .string(m.id)), ("name", j(m.name)), ("owner", j(m.owner)), ("risk", j(m.risk)), ("intendedUse", j(m.intendedUse)),
                ("intendedUseSummary", j(m.intendedUseSummary)), ("record", j(m.path)),
                ("requirements", .array(m.requirements.map { r in
                    obj([("id", .string(r.id)), ("title", j(r.title)), ("text", j(r.text)), ("category", j(r.category))])
                })),
                ("versions", .array(a.versions.filter { $0.ref.model == m.id }.map { version($0, c) })),
                ("findings", .array((c.status.modelFindings[m.id] ?? []).map { j($0 + 1) })),
            ])
        }
        var checker = ArtifactChecker(source: a.source, digests: a.integrity.artifactDigests)
        let trace = obj([
            ("rows", .array(a.matrix.map { r in
                let evidence = (r.latest?.artifacts ?? []).map { art in
                    obj([("path", j(art.path)), ("sha256", j(art.sha256)), ("state", j(TraceabilityPage.state(art, checker: &checker)))])
                }
                return obj([
                    ("model", .string(r.version.model)), ("version", .string(r.version.version)), ("requirement", .string(r.requirement.id)),
                    ("title", j(r.requirement.title)), ("status", j(r.status)), ("tests", .array(r.tests.map { test($0) })),
                    ("latest", r.latest.map { test($0) } ?? .null), ("evidence", .array(evidence)),
                    ("approval", r.approval.map { approval($0) } ?? .null),
                ])
            })),
            ("coverage", .array(a.coverage.map { cv in
                obj([("model", .string(cv.version.model)), ("version", .string(cv.version.version)), ("requirements", j(cv.requirements)),
                     ("tested", j(cv.tested)), ("passed", j(cv.passed)), ("failed", j(cv.failed)), ("untested", j(cv.untested))])
            })),
        ])
        let signatures = a.signatures.map { s in
            obj([("seq", j(s.seq)), ("eventTime", j(s.eventTime)), ("action", j(s.action)), ("subject", j(s.subject)),
                 ("signer", j(s.signer)), ("name", j(s.name)), ("meaning", j(s.meaning)), ("time", j(s.time)), ("key", j(s.key)),
                 ("fingerprint", j(s.fingerprint)), ("valid", .bool(s.valid)), ("status", j(s.status))])
        }
        let exceptions = a.exceptions.map { e in
            obj([("id", .string(e.id)), ("seq", j(e.seq)), ("time", j(e.time)), ("subject", j(e.subject)),
                 ("description", j(e.description)), ("actor", j(e.actor)), ("capas", .array(e.capas.map { .string($0) }))])
        }
        let capas = a.capas.map { x in
            obj([("id", .string(x.id)), ("title", j(x.title)), ("owner", j(x.owner)), ("openedSeq", j(x.openedSeq)), ("opened", j(x.openedText)),
                 ("exception", j(x.exception)), ("model", j(x.model?.description)), ("due", j(x.due?.description)),
                 ("closedSeq", j(x.closedSeq)), ("closed", j(x.closedText)), ("overdue", .bool(x.overdue))])
        }
        let drift = a.driftStatus.map { d in
            obj([("model", .string(d.window.model)), ("version", .string(d.window.version)), ("file", j(d.window.path)),
                 ("format", j(d.window.format)), ("start", j(d.window.start.description)), ("end", j(d.window.end.description)),
                 ("drift", .bool(d.window.drift)),
                 ("metrics", .array(d.window.metrics.map { m in
                     obj([("name", j(m.name)), ("feature", j(m.feature)), ("value", .decimal(m.value)),
                          ("threshold", m.threshold.map { .decimal($0) } ?? .null), ("direction", j(m.direction)), ("breach", .bool(m.breach))])
                 })),
                 ("state", j(d.state)), ("deadline", j(d.deadline.description)), ("answeredBy", j(d.answeredBy)),
                 ("answeredAction", j(d.answeredAction))])
        }
        func groupList(_ d: GroupDimension, _ key: String) -> JSONValue {
            .array((trail.spool.groups[d] ?? []).sorted { $0.key.lexicographicallyPrecedes($1.key) }.map { g in
                obj([(key, .string(JSONString(bytes: g.key))), ("events", j(g.count))])
            })
        }
        let audit = obj([
            ("events", j(trail.position)), ("pageSize", j(c.pageSize)), ("pages", j(trail.pageCount)),
            ("months", .array(trail.months.values.sorted { $0.key < $1.key }.map { m in
                obj([("month", j(m.key)), ("events", j(m.events)), ("firstPage", j(m.firstPage)), ("lastPage", j(m.lastPage))])
            })),
            ("models", groupList(.model, "model")), ("actors", groupList(.actor, "actor")), ("actions", groupList(.action, "action")),
        ])
        let ev = obj([
            ("files", .array(evidence.files.map { f in obj([("path", j(f.path)), ("sha256", j(f.sha256)), ("bytes", j(f.bytes))]) })),
            ("skipped", .array(evidence.skipped.map { s in obj([("path", j(s.path)), ("reason", j(s.reason))]) })),
        ])
        return obj([
            ("schema", j(schema)), ("generator", obj([("name", j("trailpack")), ("version", j(Trailpack.version))])),
            ("pack", pack), ("asOf", j(a.asOf?.description)),
            ("summary", obj([("findings", counts.json), ("events", j(a.integrity.treeSize)),
                             ("signatures", j(a.signatures.count)), ("validSignatures", j(a.signatures.filter(\.valid).count)),
                             ("openCapas", j(a.capas.filter { $0.closedSeq == nil }.count)), ("overdueCapas", j(a.capas.filter(\.overdue).count))])),
            ("integrity", integrity), ("models", .array(models)), ("traceability", trace), ("signatures", .array(signatures)),
            ("exceptions", .array(exceptions)), ("capas", .array(capas)), ("drift", .array(drift)),
            ("driftSeries", DriftOverview.json(c)),
            ("findings", .array(a.findings.enumerated().map { i, f in
                guard case .object(var o) = f.json else { return f.json }
                o.members.insert(JSONMember(key: "number", value: j(i + 1)), at: 0)
                return .object(o)
            })),
            ("unusedWaivers", .array(a.unusedWaivers.map { w in
                obj([("seq", j(w.seq)), ("signer", j(w.signer)), ("name", j(w.name)), ("time", j(w.time)), ("reason", j(w.reason))])
            })),
            ("audit", audit), ("evidence", ev), ("previous", PreviousReport.json(c)),
        ])
    }

    static func test(_ t: TestRecord) -> JSONValue {
        obj([("seq", j(t.seq)), ("test", .string(t.test)), ("time", j(t.time)), ("result", j(t.result)), ("actor", j(t.actor)),
             ("requirements", .array(t.requirements.map { .string($0) })),
             ("artifacts", .array(t.artifacts.map { obj([("path", j($0.path)), ("sha256", j($0.sha256))]) }))])
    }

    static func approval(_ ap: ApprovalRecord) -> JSONValue {
        obj([("seq", j(ap.seq)), ("time", j(ap.time)), ("actor", .string(ap.actor)), ("name", j(ap.name)), ("meaning", j(ap.meaning)),
             ("signatureValid", .bool(ap.signatureValid)), ("person", .bool(ap.isPerson)), ("valid", .bool(ap.isValidApproval))])
    }

    static func version(_ v: VersionLifecycle, _ c: SiteContext) -> JSONValue {
        let s = c.status.status(v.ref)
        let reg = v.registry
        return obj([
            ("version", .string(v.ref.version)), ("inRelease", .bool(v.inRelease)), ("inRegistry", .bool(reg != nil)),
            ("stage", j(s?.stage)), ("created", j(reg?.created)), ("run", j(reg?.run)), ("commit", j(reg?.commit)),
            ("datasets", .array((reg?.datasets ?? []).map { .string($0) })),
            ("status", obj([
                ("validated", .bool(s?.validated ?? false)), ("requirements", j(s?.requirements ?? 0)), ("passed", j(s?.passed ?? 0)),
                ("failed", j(s?.failed ?? 0)), ("untested", j(s?.untested ?? 0)),
                ("approval", s?.approval.map { approval($0) } ?? .null), ("deployments", .array(v.deployments.map { .integer($0) })),
                ("openFindings", j(s?.openFindings ?? 0)), ("openCapas", .array((s?.openCapas ?? []).map { .string($0) })),
                ("drift", j(s?.drift)),
            ])),
            ("steps", .array(v.steps.map { st in
                obj([("seq", j(st.seq)), ("time", j(st.time)), ("action", j(st.action)), ("actor", j(st.actor)),
                     ("summary", j(st.summary)), ("signature", j(st.signature))])
            })),
            ("tests", .array(v.tests.map { test($0) })), ("approvals", .array(v.approvals.map { approval($0) })),
            ("findings", .array((s?.findings ?? []).map { j($0 + 1) })),
        ])
    }
}
