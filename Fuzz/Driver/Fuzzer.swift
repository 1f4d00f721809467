import Foundation
import PromptLabFuzzTargets

// libFuzzer's entry points. The target is chosen by name in the environment
// (PROMPTLAB_FUZZ_TARGET), so one build serves every target; see scripts/fuzz.sh.
// Only links with -sanitize=fuzzer, which brings libFuzzer's LLVMFuzzerRunDriver.

nonisolated(unsafe) private var selected: FuzzTarget?

@_cdecl("LLVMFuzzerInitialize")
public func initialize(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>
) -> CInt {
    let name = ProcessInfo.processInfo.environment["PROMPTLAB_FUZZ_TARGET"] ?? ""
    if name == "list" {
        for target in FuzzTarget.all { print("\(target.name)\t\(target.summary)") }
        exit(0)
    }
    guard let target = FuzzTarget.named(name) else {
        let known = FuzzTarget.all.map(\.name).joined(separator: ", ")
        FileHandle.standardError.write(Data("error: set PROMPTLAB_FUZZ_TARGET to one of: \(known)\n".utf8))
        exit(2)
    }
    selected = target
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    selected?.run(bytes)
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
private func runDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// The executable's entry point under the name SwiftPM gives it (it links `main` to
/// `<module>_main`); it hands over to libFuzzer's driver.
@_cdecl("PromptLabFuzzer_main")
public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    var argc = argc
    var argv = argv
    return runDriver(&argc, &argv, testOneInput)
}
