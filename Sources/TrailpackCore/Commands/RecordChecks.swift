import Foundation

/// The checks of a batch against the log's tail, made under the lock.
extension Recorder {
    /// The checks that need the log: unique ids, time order within the clock skew, and keys
    /// registered to their signer and not revoked (state advancing through the input in order).
    func check(_ events: [PreparedEvent], against tail: LogTail, skew: Int64) throws(RecordError) {
        var latest = tail.maxTime
        var owners = tail.keyOwners
        var names = tail.keyNames
        var revoked = tail.revoked
        // Through indices: an event is large to copy.
        for i in events.indices {
            if tail.hasID(events[i].idKey) { throw .duplicateID(events[i].id.string, events[i].input.field("id"), earlier: nil) }
            if events[i].time > now.adding(seconds: skew) {
                throw .timeAhead(events[i].input.field("time"), time: events[i].timeText, now: now.description, skewSeconds: skew)
            }
            if let o = events[i].occurred, o.time > events[i].time.adding(seconds: skew) {
                throw .invalidField("occurred", events[i].input.field("occurred"), problem: "\(o.text) is later than \"time\" \(events[i].timeText) by more than "
                    + "policy.clockSkewSeconds (\(skew) s); occurred is when the fact happened, at most when it is recorded")
            }
            if let m = latest, events[i].time.adding(seconds: skew) < m.time {
                throw .timeGoesBack(events[i].input.field("time"), time: events[i].timeText, latest: m.text, skewSeconds: skew)
            }
            if latest.map({ events[i].time > $0.time }) ?? true { latest = (events[i].time, events[i].timeText) }
            if let sig = events[i].signature {
                guard let owner = owners[sig.key] else {
                    throw .keyNotRegistered(sig.location, key: sig.key, signer: sig.signer.string)
                }
                guard owner.bytes == sig.signer.bytes else {
                    throw .keyOwnedByOther(sig.location, key: sig.key, owner: owner.string, signer: sig.signer.string)
                }
                if revoked.contains(sig.key) { throw .keyRevoked(sig.location, key: sig.key) }
                if let printed = names[sig.key] {
                    for (field, given) in [("signature.name", events[i].signatureName), ("actor.name", events[i].actorName)] {
                        if let given, !given.utf8.elementsEqual(printed.utf8) {
                            throw .signatureManifest(events[i].input.field(field.split(separator: ".").map(String.init)),
                                                     problem: "\(field) \"\(given)\" is not \"\(printed)\", the printed name registered for key \(sig.key)")
                        }
                    }
                }
                if let st = events[i].signatureTime, st.adding(seconds: skew) < events[i].time || events[i].time.adding(seconds: skew) < st {
                    throw .signatureManifest(events[i].input.field("signature", "time"),
                                             problem: "signature.time is more than \(skew) s away from the event's time \(events[i].timeText)")
                }
            }
            // As in the verifier, a key event takes effect after the event itself.
            if events[i].action == "key.registered", let owner = events[i].keyOwner, owners[events[i].subjectID.string] == nil {
                owners[events[i].subjectID.string] = owner
                if let name = events[i].keyOwnerName { names[events[i].subjectID.string] = name }
            }
            if events[i].action == "key.revoked" { revoked.insert(events[i].subjectID.string) }
        }
    }
}
