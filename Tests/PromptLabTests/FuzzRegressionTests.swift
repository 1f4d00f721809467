import Foundation
import PromptLabFuzzTargets
import Testing

/// Replays the committed fuzz inputs through their targets in the ordinary
/// test build: the seeds (`Fuzz/Corpus/TARGET/`) and every input a fuzzer
/// once crashed on (`Fuzz/Regressions/TARGET/`). A target returns for any
/// input; a regression here is a trap, which ends the test process.
@Suite struct FuzzRegressionTests {
    static let fuzzRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz")

    /// The files under `Fuzz/FOLDER/TARGET/`.
    static func inputs(_ folder: String, _ target: FuzzTarget) -> [URL] {
        let directory = fuzzRoot.appendingPathComponent(folder).appendingPathComponent(target.name)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.sorted().filter { !$0.hasPrefix(".") }.map { directory.appendingPathComponent($0) }
    }

    @Test func everyTargetHasSeeds() {
        for target in FuzzTarget.all {
            #expect(!Self.inputs("Corpus", target).isEmpty, "add seeds under Fuzz/Corpus/\(target.name)/")
        }
    }

    @Test func targetNamesAreUnique() {
        #expect(Set(FuzzTarget.all.map(\.name)).count == FuzzTarget.all.count)
    }

    @Test(arguments: FuzzTarget.all.map(\.name))
    func committedInputsRunCleanly(_ name: String) throws {
        let target = try #require(FuzzTarget.named(name))
        for url in Self.inputs("Corpus", target) + Self.inputs("Regressions", target) {
            target.run(Array(try Data(contentsOf: url)))
        }
    }
}
