// swift-tools-version:6.0
import PackageDescription

let strict: [SwiftSetting] = [.unsafeFlags(["-warnings-as-errors"])]

let package = Package(
    name: "trailpack",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "trailpack", targets: ["trailpack"]),
        .executable(name: "trailpack-fuzz", targets: ["TrailpackFuzz"]),
        .library(name: "TrailpackCore", targets: ["TrailpackCore"]),
    ],
    targets: [
        // One C library per C* target; no C type leaks into TrailpackCore's public API.
        .systemLibrary(name: "CCrypto", path: "Sources/CCrypto"),
        .systemLibrary(name: "CCmark", path: "Sources/CCmark"),
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite"),
        .systemLibrary(name: "CYAML", path: "Sources/CYAML"),
        .systemLibrary(name: "CPostgres", path: "Sources/CPostgres"),
        .target(name: "CSysShim", path: "Sources/CSysShim"),
        .target(
            name: "TrailpackCore",
            dependencies: ["CCrypto", "CCmark", "CSQLite", "CYAML", "CPostgres", "CSysShim"],
            path: "Sources/TrailpackCore",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "trailpack",
            dependencies: ["TrailpackCore"],
            path: "Sources/trailpack",
            swiftSettings: strict
        ),
        // libFuzzer harnesses (`make fuzz` builds them with -sanitize=fuzzer,address in .build/fuzz).
        .target(name: "CFuzzDriver", path: "Sources/CFuzzDriver"),
        .executableTarget(
            name: "TrailpackFuzz",
            dependencies: ["TrailpackCore", "CFuzzDriver"],
            path: "Sources/TrailpackFuzz",
            swiftSettings: strict
        ),
        .testTarget(
            name: "TrailpackCoreTests",
            dependencies: ["TrailpackCore"],
            path: "Tests/TrailpackCoreTests"
        ),
    ],
    swiftLanguageModes: [.v6]
)
