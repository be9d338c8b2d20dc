import Foundation

/// The OpenLineage files read as a stream of runs (moved out of OpenLineageMapping.swift unchanged).
extension OpenLineageMapping {
    /// `transform` of each run of the files and folders given, with the run's events in order
    /// (``inOrder(_:)``), in the order runs are first seen: what ``facts(_:digest:)`` maps, read as
    /// a stream. The files are read a block at a time; each block's events are parsed and
    /// checked on all cores (the first bad event in input order is the error); a run is mapped,
    /// on all cores with the others of its block, as soon as a block holds its terminal event
    /// (COMPLETE, FAIL, ABORT), and its events are freed. Only runs still open are held, up to
    /// `heldBytes` of their JSON; beyond that the oldest open runs are let go and, like a run
    /// that gets another event after it was mapped, mapped again at the end from their events
    /// read a second time at their places (mapping must see all of a run's events). Runs that
    /// never ended are mapped at the end.
    static func stream<T: Sendable>(paths: [String], heldBytes: Int = 8 << 20, blockBytes: Int = OpenLineageReader.blockBytes,
                                    _ transform: @escaping @Sendable (_ runID: String, _ events: [OpenLineageEvent]) -> T) throws(ImportError) -> [T] {
        let names = try OpenLineageReader.files(paths)
        var runs: [Run] = []
        var index: [String: Int] = [:]
        var places: [Place] = []
        var results: [T?] = []
        var held = 0
        var oldestOpen = 0

        // Maps the runs given from their held events, on all cores; the events are handed to the
        // workers, which free them.
        func map(_ ks: [Int]) {
            let chunk = 64
            var jobs: [[(String, [(Int, OpenLineageEvent)])]] = []
            for start in stride(from: 0, to: ks.count, by: chunk) {
                jobs.append(ks[start..<min(ks.count, start + chunk)].map { k in
                    defer {
                        held -= runs[k].heldBytes
                        runs[k].held = []
                        runs[k].heldBytes = 0
                        runs[k].status = .mapped
                    }
                    return (runs[k].id, runs[k].held)
                })
            }
            let parts = (try? Parallel.map(taking: consume jobs) { job -> [T] in
                var job = job
                return job.indices.map { i in
                    let events = job[i].1
                    job[i].1 = []
                    return transform(job[i].0, inOrder(events))
                }
            }) ?? []
            for (k, r) in zip(ks, parts.joined()) { results[k] = r }
        }

        // Each block's events are parsed in the background while the block before is sorted into
        // runs and its ended runs mapped.
        for (fileIndex, f) in names.enumerated() {
            do {
                var reader = try OpenLineageReader.BlockReader(f, blockBytes: blockBytes)
                var next = try reader.next().map { ($0, OpenLineageReader.parseInBackground($0, file: f)) }
                while let (block, parsing) = next {
                    // The parsed events go into their runs (the parts let go right after, so that
                    // the runs' copies are the last and the workers mapping them free them).
                    guard var parsed = try parsing.wait().first else { break }
                    next = try reader.next().map { ($0, OpenLineageReader.parseInBackground($0, file: f)) }
                    let spans = parsed.spans
                    var parts = parsed.parts
                    parsed.parts = []
                    var ready: [Int] = []
                    var n = 0
                    // Each event is moved (not copied) from its part into its run.
                    var part: [OpenLineageEvent] = []
                    var p = 0
                    while true {
                        if part.isEmpty {
                            guard p < parts.count else { break }
                            part = parts[p]
                            parts[p] = []
                            part.reverse()
                            p += 1
                            continue
                        }
                        guard let e = part.popLast() else { continue }
                        let span = spans[n]
                        n += 1
                        let terminal = e.isTerminal
                        let at = places.count
                        places.append(Place(file: fileIndex, offset: block.offset + span.range.lowerBound, count: span.range.count, line: span.line))
                        let k: Int
                        if let known = index[e.runID] {
                            k = known
                        } else {
                            k = runs.count
                            index[e.runID] = k
                            runs.append(Run(id: e.runID))
                            results.append(nil)
                        }
                        runs[k].places.append(at)
                        switch runs[k].status {
                        case .open:
                            runs[k].held.append((at, e))
                            runs[k].heldBytes += span.range.count
                            held += span.range.count
                            if terminal && !runs[k].ends {
                                runs[k].ends = true
                                ready.append(k)
                            }
                        case .mapped:
                            // A late event: the run is mapped again at the end, with all its events.
                            runs[k].status = .again
                            results[k] = nil
                        case .again:
                            break
                        }
                    }
                    parts = []
                    map(ready)
                    // Past the bound, the oldest open runs are let go, to be read again at the end.
                    if held > heldBytes {
                        while oldestOpen < runs.count && held > heldBytes / 2 {
                            if runs[oldestOpen].status == .open {
                                held -= runs[oldestOpen].heldBytes
                                runs[oldestOpen].held = []
                                runs[oldestOpen].heldBytes = 0
                                runs[oldestOpen].status = .again
                            }
                            oldestOpen += 1
                        }
                    }
                    while oldestOpen < runs.count && runs[oldestOpen].status != .open { oldestOpen += 1 }
                }
            } catch let e as ImportError {
                throw e
            } catch {
                throw .unreadable(f, reason: "\(error)")
            }
        }
        // Runs that never ended, from their held events.
        map(runs.indices.filter { runs[$0].status == .open })
        // Runs let go or seen again after they were mapped: their events read again, a chunk of
        // runs at a time on all cores.
        let again = runs.indices.filter { runs[$0].status == .again }
        if !again.isEmpty {
            let jobs = again.map { k in (runs[k].id, runs[k].places.map { places[$0] }, runs[k].places) }
            let files = names
            let chunk = 64
            do {
                let parts = try Parallel.map((jobs.count + chunk - 1) / chunk) { c throws -> [T] in
                    try jobs[(c * chunk)..<min(jobs.count, (c + 1) * chunk)].map { job throws -> T in
                        var evs: [(Int, OpenLineageEvent)] = []
                        for (p, at) in zip(job.1, job.2) {
                            let f = files[p.file]
                            guard let bytes = try OpenLineageReader.reread(f, [(p.offset, p.count)]).first else {
                                throw ImportError.unreadable(f, reason: "it changed while it was imported; import it again")
                            }
                            let e = try OpenLineageReader.event(bytes[...], file: f, line: p.line)
                            guard e.runID == job.0 else {
                                throw ImportError.unreadable(f, reason: "it changed while it was imported; import it again")
                            }
                            evs.append((at, e))
                        }
                        return transform(job.0, inOrder(evs))
                    }
                }
                for (k, r) in zip(again, parts.joined()) { results[k] = r }
            } catch let e as ImportError {
                throw e
            } catch {
                throw .unreadable(names.first ?? "", reason: "\(error)")
            }
        }
        return results.compactMap { $0 }
    }

    /// Where ``stream(paths:heldBytes:blockBytes:_:)`` read an event: file, byte offset and count, line.
    private struct Place {
        var file: Int
        var offset: Int
        var count: Int
        var line: Int
    }

    /// A run while ``stream(paths:heldBytes:blockBytes:_:)`` reads: its events' places, and the events
    /// themselves while it is open (not yet mapped, nor let go to be mapped again at the end).
    private struct Run {
        enum Status { case open, mapped, again }
        var id: String
        var places: [Int] = []
        var held: [(Int, OpenLineageEvent)] = []
        var heldBytes = 0
        var status = Status.open
        /// Its terminal event was seen (it was queued for mapping).
        var ends = false
    }
}
