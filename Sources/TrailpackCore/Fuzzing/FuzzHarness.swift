/// One fuzz harness: a parser's entry point for libFuzzer (`make fuzz`) and for the regression tests.
///
/// `body` must never crash on any input; it checks the harness's properties with `precondition`.
public struct FuzzHarness: Sendable {
    /// The name `make fuzz` and the corpus folder use, e.g. `json-reader`.
    public let name: String
    /// Seed corpus: files or folders, relative to the repository root (`../shared/...` allowed).
    public let seeds: [String]
    /// Runs one input.
    public let body: @Sendable ([UInt8]) -> Void

    public init(name: String, seeds: [String], body: @escaping @Sendable ([UInt8]) -> Void) {
        self.name = name
        self.seeds = seeds
        self.body = body
    }
}
