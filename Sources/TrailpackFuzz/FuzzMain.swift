import CFuzzDriver
import Foundation
import TrailpackCore

/// The executable's entry point. SwiftPM links executables with `--defsym main=TrailpackFuzz_main`;
/// libFuzzer's own `main` is therefore not used, and this one hands over to `LLVMFuzzerRunDriver`.
///
/// `TRAILPACK_FUZZ_HARNESS=NAME trailpack-fuzz [libFuzzer options] [corpus folders]`. Built
/// without `-sanitize=fuzzer` (as by `swift build`), it runs the harness once over each file named
/// on the command line instead (a regression run) and lists the harnesses without one.
@_cdecl("TrailpackFuzz_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    // `--list` and `--seeds NAME` serve `make fuzz`, which runs every harness with its seeds.
    if argc >= 2, let first = argv?[1].map({ String(cString: $0) }) {
        if first == "--list" {
            print(FuzzHarnesses.all.map(\.name).joined(separator: "\n"))
            return 0
        }
        if first == "--seeds", argc >= 3, let name = argv?[2].map({ String(cString: $0) }) {
            guard let harness = FuzzHarnesses.named(name) else { return 2 }
            print(harness.seeds.joined(separator: "\n"))
            return 0
        }
    }
    guard let harness = selectedHarness else {
        let names = FuzzHarnesses.all.map(\.name).joined(separator: ", ")
        FileHandle.standardError.write(Data("trailpack-fuzz: set TRAILPACK_FUZZ_HARNESS to one of: \(names)\n".utf8))
        return 2
    }
    var count = argc
    var arguments = argv
    let rc = trailpack_fuzz_run_driver(&count, &arguments) { data, size in runOne(data, size) }
    guard rc == -1 else { return rc }
    // Built without libFuzzer: a regression run over the files named.
    var ran = 0
    for i in 1..<Int(max(argc, 1)) {
        guard let arg = argv?[i], case let path = String(cString: arg), !path.hasPrefix("-") else { continue }
        guard let data = FileManager.default.contents(atPath: path) else {
            FileHandle.standardError.write(Data("trailpack-fuzz: \(path): cannot be read\n".utf8))
            return 2
        }
        harness.body(Array(data))
        ran += 1
    }
    print("\(harness.name): \(ran) input\(ran == 1 ? "" : "s") ran without a failure (built without libFuzzer)")
    return 0
}
