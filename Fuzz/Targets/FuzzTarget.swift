/// One fuzz target: a name and a function that feeds bytes to one of
/// PromptLab's readers.
///
/// A target returns normally for every input, whether the reader accepted it
/// or threw: a thrown ``PromptLabError`` is the reader doing its job. Only a
/// trap (a crash, an overflowed stack, a runaway allocation) is a finding.
///
/// To add a target, write a file beside this one with
/// `extension FuzzTarget { static let myTarget = FuzzTarget(name: "my-target") { bytes in ... } }`,
/// list it in ``all``, and add seeds under `Fuzz/Corpus/my-target/`.
public struct FuzzTarget: Sendable {
    public let name: String
    /// One-line description, for `scripts/fuzz.sh --list`.
    public let summary: String
    public let run: @Sendable ([UInt8]) -> Void

    public init(name: String, summary: String, run: @escaping @Sendable ([UInt8]) -> Void) {
        self.name = name
        self.summary = summary
        self.run = run
    }

    /// Every target, in the order `scripts/fuzz.sh` runs them.
    public static let all: [FuzzTarget] = [
        .promptFile, .template, .experimentFile, .datasetYAML, .variables, .datasetCSV, .datasetJSONL, .providerResponse,
        .rolloutFile, .streamedAnswer,
    ]

    public static func named(_ name: String) -> FuzzTarget? {
        all.first { $0.name == name }
    }
}
