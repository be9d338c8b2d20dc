import Foundation

extension FuzzHarnesses {
    /// The OpenLineage reader and mapping: JSON Lines of RunEvents as the FileTransport writes them.
    static let openLineage: [FuzzHarness] = [
        FuzzHarness(name: "openlineage-events", seeds: ["../shared/samples/openlineage/openlineage_events.jsonl"]) { bytes in
            let events: [OpenLineageEvent]
            do throws(ImportError) { events = try OpenLineageReader.parse(bytes, file: "fuzz", wholeFile: false) } catch {
                // A refusal names the line it found wrong.
                guard case .badEvent(let place, _) = error else { preconditionFailure("unexpected \(error)") }
                precondition(place.hasPrefix("fuzz:"), "a refusal that names no line: \(place)")
                return
            }
            for e in events {
                precondition(OpenLineageReader.isUUID(e.runID) && OpenLineageReader.eventTypes.contains(e.type), "an accepted event breaks the spec")
            }
            // Every fact of the events accepted is written from fields whose JCS reads back as itself.
            let (facts, _) = OpenLineageMapping.facts(events)
            for f in facts {
                let line = JCS.serialize(.object(f.sourceFields))
                precondition((try? JSONReader().parse(line)).map { JCS.serialize($0) == line } ?? false, "source fields do not round-trip")
                precondition(f.sourceDigest.utf8.count == 64)
                precondition(f.sourceDigest == SHA256.digest(line).hex, "the digest is not that of the source fields")
                let data = JCS.serialize(.object(f.data))
                precondition((try? JSONReader().parse(data)) != nil, "data does not read back")
            }
        },
    ]
}
