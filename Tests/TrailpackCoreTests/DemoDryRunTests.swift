import Foundation
import Testing
@testable import TrailpackCore

/// `trailpack demo --dry-run`: OUT checked as the real command checks it, nothing written, and
/// what it says it would write checked against a real run with the same options.
struct DemoDryRunTests {
    @Test(arguments: [DemoOptions(events: 10, seed: 1), DemoOptions(), DemoOptions(events: 3000, seed: 5, hostile: true),
                      DemoOptions(events: 20000, seed: 43)])
    func whatADryRunSaysIsWhatTheDemoWrites(_ options: DemoOptions) throws {
        let dir = try TempDir()
        let out = dir.path("new/pack")
        let before = TreeListing.of(dir.url)
        let dry = try DemoGenerator.dryRun(into: out, options: options)
        #expect(TreeListing.of(dir.url) == before && before.isEmpty)
        #expect(dry.foldersCreated == [dir.path("new").path, out.path])

        let real = try DemoGenerator.generate(into: out, options: options)
        // Events asked for, written, the minimum, story, automated and signed events: all the same.
        #expect(dry.counts == real.counts)
        #expect(dry.segments == real.segments && dry.checkpoints == real.checkpointSizes.count)
        #expect(dry.driftWindows == real.driftWindows && dry.versions == real.versions)
        let written = TreeListing.of(out).filter { !$0.key.hasSuffix("/") }
        #expect(written.values.allSatisfy { $0.hasPrefix("file ") })
        #expect(Set(written.keys.filter { !$0.hasPrefix("checkpoints/") }) == Set(dry.files))
        #expect(written.keys.filter { $0.hasPrefix("checkpoints/") }.count == dry.checkpoints)
        #expect(dry.files.filter { $0.hasPrefix("drift/") }.count == dry.driftWindows)
        #expect(dry.text.contains("would write \(written.count) files:"))
        #expect(dry.text.contains("  audit/: \(real.segments.count) files (log segments, \(real.segments.first ?? "") to \(real.segments.last ?? ""))"))
        // Into an existing empty folder: no folder to create.
        let empty = dir.path("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: false)
        #expect(try DemoGenerator.dryRun(into: empty, options: options).foldersCreated.isEmpty)
    }

    /// Every refusal of the real command, made by the dry run with the same error; nothing written by either.
    @Test(arguments: ["not empty", "a file", "a file on the way", "a dangling link"])
    func aDryRunRefusesWhatTheDemoRefuses(_ situation: String) throws {
        let dir = try TempDir()
        var out = dir.path("out")
        switch situation {
        case "not empty": try dir.write("out/keep.txt", "user data")
        case "a file": try dir.write("out", "user data")
        case "a file on the way":
            try dir.write("file", "user data")
            out = dir.path("file/out")
        default: try FileManager.default.createSymbolicLink(atPath: out.path, withDestinationPath: dir.path("nowhere").path)
        }
        let before = TreeListing.of(dir.url)
        let dry = #expect(throws: DemoError.self) { try DemoGenerator.dryRun(into: out, options: DemoOptions()) }
        #expect(TreeListing.of(dir.url) == before)
        let real = #expect(throws: DemoError.self) { try DemoGenerator.generate(into: out, options: DemoOptions()) }
        #expect(dry != nil && dry == real, "\(String(describing: dry)) vs \(String(describing: real))")
        #expect(TreeListing.of(dir.url) == before)
        #expect(dry?.localizedDescription.hasPrefix(out.path) == true)
    }

    @Test func commandLineDryRun() throws {
        let dir = try TempDir()
        let out = dir.path("pack").path
        let dry = try TrailpackBinary.run(["demo", out, "--events", "4000", "--seed", "9", "--dry-run"])
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.hasPrefix("would write demo pack source to \(out)\nevents: 4000 ("), "\(dry.stdout)")
        #expect(dry.stdout.contains("would create folder \(out)\n") && dry.stdout.hasSuffix("dry run: nothing written\n"))
        #expect(TreeListing.of(dir.url).isEmpty)
        // A large log costs nothing to plan: the automated records are not made.
        let large = try TrailpackBinary.run(["demo", out, "--events", "1000000000", "--dry-run"])
        #expect(large.status == 0 && large.stdout.contains("events: 1000000000 ("), "\(large.stderr)")
        #expect(TreeListing.of(dir.url).isEmpty)
        try dir.write("pack/keep.txt", "user data")
        let before = TreeListing.of(dir.url)
        for args in [[out, "--dry-run"], [dir.path("other").path, "--events", "x", "--dry-run"]] {
            let r = try TrailpackBinary.run(["demo"] + args)
            #expect(r.status == 2 && r.stdout.isEmpty && !r.stderr.isEmpty, "\(args): \(r.stderr)")
        }
        #expect(TreeListing.of(dir.url) == before)
        let help = try TrailpackBinary.run(["demo", "--help"])
        #expect(help.stdout.contains("[--hostile] [--dry-run]") && help.stdout.contains("  --dry-run "))
    }
}
