/// The one JSON projection of each model type, shared by every output that shows it: report.json
/// (docs/report-json.md), `verify --format json` (docs/commands.md) and the diff JSON
/// (docs/diff.md). Members are in a fixed order and absent values are `null`. A place that needs
/// a record in context (the diff's approvals name their version) puts its own members first and
/// then the record's, never a second shape of the record.

extension SignatureRecord {
    /// `{seq, eventTime, action, subject, signer, name, meaning, time, key, fingerprint, valid, status}`.
    public var json: JSONValue {
        JSONBuilder.build { b in
            b.set("seq", seq)
            b.set("eventTime", eventTime)
            b.set("action", action)
            b.set("subject", subject)
            b.set("signer", signer)
            b.set("name", name)
            b.set("meaning", meaning)
            b.set("time", time)
            b.set("key", key)
            b.set("fingerprint", fingerprint)
            b.set("valid", valid)
            b.set("status", status)
        }
    }
}

extension ApprovalRecord {
    /// `{seq, time, actor, name, meaning, signatureValid, person, valid}`; `valid` is whether it
    /// counts as the version's approval.
    public var json: JSONValue {
        JSONBuilder.build { b in
            b.set("seq", seq)
            b.set("time", time)
            b.set("actor", .string(actor))
            b.set("name", name)
            b.set("meaning", meaning)
            b.set("signatureValid", signatureValid)
            b.set("person", isPerson)
            b.set("valid", isValidApproval)
        }
    }
}

extension ArtifactRef {
    /// `{path, sha256}` as the event names the file.
    public var json: JSONValue {
        JSONBuilder.build { b in
            b.set("path", path)
            b.set("sha256", sha256)
        }
    }
}

extension TestRecord {
    /// `{seq, test, time, result, actor, requirements, artifacts}`.
    public var json: JSONValue {
        JSONBuilder.build { b in
            b.set("seq", seq)
            b.set("test", .string(test))
            b.set("time", time)
            b.set("result", result)
            b.set("actor", actor)
            b.set("requirements", .array(requirements.map { .string($0) }))
            b.set("artifacts", .array(artifacts.map(\.json)))
        }
    }
}

extension Waiver {
    /// `{seq, signer, name, time, reason}`: a finding's waiver and an unused waiver alike.
    public var json: JSONValue {
        JSONBuilder.build { b in
            b.set("seq", seq)
            b.set("signer", signer)
            b.set("name", name)
            b.set("time", time)
            b.set("reason", reason)
        }
    }
}

extension ExceptionRecord {
    /// `{id, seq, time, subject, description, actor, capas}`.
    public var json: JSONValue {
        JSONBuilder.build { b in
            b.set("id", .string(id))
            b.set("seq", seq)
            b.set("time", time)
            b.set("subject", subject)
            b.set("description", description)
            b.set("actor", actor)
            b.set("capas", .array(capas.map { .string($0) }))
        }
    }
}

extension CapaRecord {
    /// `{id, title, owner, openedSeq, opened, exception, model, due, closedSeq, closed, overdue}`.
    public var json: JSONValue {
        JSONBuilder.build { b in
            b.set("id", .string(id))
            b.set("title", title)
            b.set("owner", owner)
            b.set("openedSeq", openedSeq)
            b.set("opened", openedText)
            b.set("exception", exception)
            b.set("model", model?.description)
            b.set("due", due?.description)
            b.set("closedSeq", closedSeq)
            b.set("closed", closedText)
            b.set("overdue", overdue)
        }
    }
}

extension DriftStatus {
    /// The window, its metrics and what answered it.
    public var json: JSONValue {
        JSONBuilder.build { b in
            b.set("model", .string(window.model))
            b.set("version", .string(window.version))
            b.set("file", window.path)
            b.set("format", window.format)
            b.set("start", window.start.description)
            b.set("end", window.end.description)
            b.set("drift", window.drift)
            b.set("metrics", .array(window.metrics.map { m in
                JSONBuilder.build { mb in
                    mb.set("name", m.name)
                    mb.set("feature", m.feature)
                    mb.set("value", .decimal(m.value))
                    mb.set("threshold", m.threshold.map { .decimal($0) } ?? .null)
                    mb.set("direction", m.direction)
                    mb.set("breach", m.breach)
                }
            }))
            b.set("state", state)
            b.set("deadline", deadline.description)
            b.set("answeredBy", answeredBy)
            b.set("answeredAction", answeredAction)
        }
    }
}

extension Regression {
    /// `{kind, message}`: in the diff JSON and report.json's `previous` alike.
    public var json: JSONValue {
        JSONBuilder.build { b in
            b.set("kind", kind.rawValue)
            b.set("message", message)
        }
    }
}
