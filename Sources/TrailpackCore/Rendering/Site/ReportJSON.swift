/// `report.json`: the machine-readable model of everything the site shows (schema
/// `trailpack-report/1`, documented in docs/report-json.md). Members are in a fixed order, absent
/// values are `null`, and no wall-clock time appears: the same source gives the same bytes.
/// Written with ``JSONBuilder``; each model type is projected by its one `json` property
/// (Output/ModelJSON.swift), the same that `verify --format json` and the diff JSON use.
enum ReportJSON {
    static let schema = "trailpack-report/1"

    static func build(_ c: SiteContext, groups: [GroupDimension: [AuditIndex.GroupEntry]], evidence: Evidence) -> JSONValue {
        let a = c.analysis
        let counts = FindingCounts(a.findings)
        var checker = ArtifactChecker(source: a.source, digests: a.integrity.artifactDigests)
        return JSONBuilder.build { b in
            b.set("schema", schema)
            b.set("generator", JSONBuilder.build { g in
                g.set("name", "trailpack")
                g.set("version", Trailpack.version)
            })
            b.set("pack", pack(a.config))
            b.set("asOf", a.asOf?.description)
            b.set("summary", JSONBuilder.build { s in
                s.set("findings", counts.json)
                s.set("events", a.integrity.treeSize)
                s.set("signatures", a.signatures.count)
                s.set("validSignatures", a.signatures.filter(\.valid).count)
                s.set("openCapas", a.capas.filter { $0.closedSeq == nil }.count)
                s.set("overdueCapas", a.capas.filter(\.overdue).count)
            })
            b.set("integrity", integrity(a, evidence: evidence))
            b.set("models", .array(a.registry.models.map { model($0, c) }))
            b.set("traceability", traceability(a, checker: &checker))
            b.set("signatures", .array(a.signatures.map(\.json)))
            b.set("exceptions", .array(a.exceptions.map(\.json)))
            b.set("capas", .array(a.capas.map(\.json)))
            b.set("drift", .array(a.driftStatus.map(\.json)))
            b.set("driftSeries", DriftOverview.json(c))
            b.set("findings", .array(a.findings.enumerated().map { i, f in
                JSONBuilder.build { fb in
                    fb.set("number", i + 1)
                    fb.append(membersOf: f.json)
                }
            }))
            b.set("unusedWaivers", .array(a.unusedWaivers.map(\.json)))
            b.set("audit", audit(c))
            b.set("evidence", JSONBuilder.build { e in
                e.set("files", .array(evidence.files.map { f in
                    JSONBuilder.build { fb in
                        fb.set("path", f.path)
                        fb.set("sha256", f.sha256)
                        fb.set("bytes", f.bytes)
                    }
                }))
                e.set("skipped", .array(evidence.skipped.map { s in
                    JSONBuilder.build { sb in
                        sb.set("path", s.path)
                        sb.set("reason", s.reason)
                    }
                }))
            })
            b.set("previous", PreviousReport.json(c))
        }
    }

    static func pack(_ cfg: Config) -> JSONValue {
        let p = cfg.policy
        return JSONBuilder.build { b in
            b.set("title", cfg.title)
            b.set("organization", cfg.organization)
            b.set("origin", cfg.origin)
            b.set("preparedBy", cfg.preparedBy)
            b.set("release", JSONBuilder.build { r in
                r.set("name", cfg.release.name)
                r.set("models", .array(cfg.release.models.map { m in
                    JSONBuilder.build { mb in
                        mb.set("model", .string(m.model))
                        mb.set("version", .string(m.version))
                    }
                }))
            })
            b.set("policy", JSONBuilder.build { pb in
                pb.set("revalidationDays", p.revalidationDays)
                pb.set("capaDueDays", p.capaDueDays)
                pb.set("clockSkewSeconds", p.clockSkewSeconds)
                pb.set("requireBiasEvaluation", p.requireBiasEvaluation)
                pb.set("requireExplainability", p.requireExplainability)
                pb.set("productionAliases", .array(p.productionAliases.map { .string($0) }))
                pb.set("approvers", .array(p.approvers.map { .string($0) }))
                pb.set("keyAdministrators", .array(p.keyAdministrators.map { .string($0) }))
                pb.set("requireSigned", .array(p.requireSigned.map { .string($0) }))
            })
        }
    }

    /// The log's figures; checkpoints and keys are `verify --format json`'s own projections.
    static func integrity(_ a: PackAnalysis, evidence: Evidence) -> JSONValue {
        let verify = a.verifyReport
        let i = a.integrity
        return JSONBuilder.build { b in
            b.set("treeSize", i.treeSize)
            b.set("root", i.root.hex)
            b.set("lines", i.lineCount)
            b.set("bytes", i.byteCount)
            b.set("eventsAfterLastCheckpoint", i.eventsAfterLastCheckpoint)
            b.set("checkpoints", verify.checkpointsJSON)
            b.set("segments", .array(i.segments.map { s in
                JSONBuilder.build { sb in
                    sb.set("path", s.path)
                    sb.set("lines", s.lines)
                    sb.set("events", s.events)
                    sb.set("bytes", s.bytes)
                    sb.set("sha256", evidence.digest(s.path))
                }
            }))
            b.set("keys", verify.keysJSON)
            b.set("trust", i.keyring.trustStatement)
            b.set("trustList", i.keyring.trust?.path)
            b.set("limits", .array(TrustLimits.integrity(a).map { JSONValue($0) }))
        }
    }

    static func model(_ m: RegistryModel, _ c: SiteContext) -> JSONValue {
        JSONBuilder.build { b in
            b.set("id", .string(m.id))
            b.set("name", m.name)
            b.set("owner", m.owner)
            b.set("risk", m.risk)
            b.set("intendedUse", m.intendedUse)
            b.set("intendedUseSummary", m.intendedUseSummary)
            b.set("record", m.path)
            b.set("requirements", .array(m.requirements.map { r in
                JSONBuilder.build { rb in
                    rb.set("id", .string(r.id))
                    rb.set("title", r.title)
                    rb.set("text", r.text)
                    rb.set("category", r.category)
                }
            }))
            b.set("versions", .array(c.analysis.versions.filter { $0.ref.model == m.id }.map { version($0, c) }))
            b.set("findings", .array((c.status.modelFindings[m.id] ?? []).map { .integer(Int64($0 + 1)) }))
        }
    }

    static func traceability(_ a: PackAnalysis, checker: inout ArtifactChecker) -> JSONValue {
        var rows: [JSONValue] = []
        for r in a.matrix {
            var evidence: [JSONValue] = []
            for art in r.latest?.artifacts ?? [] {
                var e = JSONBuilder()
                e.append(membersOf: art.json)
                e.set("state", TraceabilityPage.state(art, checker: &checker))
                evidence.append(e.value)
            }
            rows.append(JSONBuilder.build { b in
                b.set("model", .string(r.version.model))
                b.set("version", .string(r.version.version))
                b.set("requirement", .string(r.requirement.id))
                b.set("title", r.requirement.title)
                b.set("status", r.status)
                b.set("tests", .array(r.tests.map(\.json)))
                b.set("latest", r.latest?.json ?? .null)
                b.set("evidence", .array(evidence))
                b.set("approval", r.approval?.json ?? .null)
            })
        }
        return JSONBuilder.build { b in
            b.set("rows", .array(rows))
            b.set("coverage", .array(a.coverage.map { cv in
                JSONBuilder.build { cb in
                    cb.set("model", .string(cv.version.model))
                    cb.set("version", .string(cv.version.version))
                    cb.set("requirements", cv.requirements)
                    cb.set("tested", cv.tested)
                    cb.set("passed", cv.passed)
                    cb.set("failed", cv.failed)
                    cb.set("untested", cv.untested)
                }
            }))
        }
    }

    static func audit(_ c: SiteContext) -> JSONValue {
        let trail = c.trail
        func groupList(_ d: GroupDimension, _ key: String) -> JSONValue {
            .array(trail.sortedGroups(d).map { g in
                JSONBuilder.build { b in
                    b.set(key, .string(JSONString(bytes: g.key)))
                    b.set("events", g.events)
                }
            })
        }
        return JSONBuilder.build { b in
            b.set("events", trail.events)
            b.set("pageSize", c.pageSize)
            b.set("pages", trail.pageCount)
            b.set("months", .array(trail.months.values.sorted { $0.key < $1.key }.map { m in
                JSONBuilder.build { mb in
                    mb.set("month", m.key)
                    mb.set("events", m.events)
                    mb.set("firstPage", m.firstPage)
                    mb.set("lastPage", m.lastPage)
                }
            }))
            b.set("models", groupList(.model, "model"))
            b.set("actors", groupList(.actor, "actor"))
            b.set("actions", groupList(.action, "action"))
        }
    }

    static func version(_ v: VersionLifecycle, _ c: SiteContext) -> JSONValue {
        let s = c.status.status(v.ref)
        let reg = v.registry
        return JSONBuilder.build { b in
            b.set("version", .string(v.ref.version))
            b.set("inRelease", v.inRelease)
            b.set("inRegistry", reg != nil)
            b.set("stage", s?.stage)
            b.set("created", reg?.created)
            b.set("run", reg?.run)
            b.set("commit", reg?.commit)
            b.set("datasets", .array((reg?.datasets ?? []).map { .string($0) }))
            b.set("status", JSONBuilder.build { sb in
                sb.set("validated", s?.validated ?? false)
                sb.set("requirements", s?.requirements ?? 0)
                sb.set("passed", s?.passed ?? 0)
                sb.set("failed", s?.failed ?? 0)
                sb.set("untested", s?.untested ?? 0)
                sb.set("approval", s?.approval?.json ?? .null)
                sb.set("deployments", .array(v.deployments.map { .integer($0) }))
                sb.set("openFindings", s?.openFindings ?? 0)
                sb.set("openCapas", .array((s?.openCapas ?? []).map { .string($0) }))
                sb.set("drift", s?.drift)
            })
            b.set("steps", .array(v.steps.map { st in
                JSONBuilder.build { stb in
                    stb.set("seq", st.seq)
                    stb.set("time", st.time)
                    stb.set("action", st.action)
                    stb.set("actor", st.actor)
                    stb.set("summary", st.summary)
                    stb.set("signature", st.signature)
                }
            }))
            b.set("tests", .array(v.tests.map(\.json)))
            b.set("approvals", .array(v.approvals.map(\.json)))
            b.set("findings", .array((s?.findings ?? []).map { .integer(Int64($0 + 1)) }))
        }
    }
}
