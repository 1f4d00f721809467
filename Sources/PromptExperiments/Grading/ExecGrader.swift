import Foundation
import PromptFormat
import PromptLabCore
import PromptLabProviders
import PromptVersioning

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `exec`: an external program grades each response.
///
/// ```yaml
/// - type: exec
///   command: python3 graders/tone.py --strict   # shell-style quoting, no expansion
///   timeout: 10                                 # seconds (default 30)
/// ```
///
/// The program gets one JSON object on stdin and prints one on stdout:
///
/// ```text
/// stdin:  {"output": "...", "expected": "..." or null, "variables": {...}, "metadata": {...} or null,
///          "variant": "few-shot", "case_id": "t017"}
/// stdout: {"score": 0.8, "pass": true, "reason": "polite and on topic"}
/// ```
///
/// `score` (a number) and `pass` (true or false) may each be null or left
/// out, but not both; `reason` is optional. With a `threshold`, `pass` is
/// score ≥ threshold. A non-zero exit, death by a signal, the time limit or
/// output that is not such an object is a grading failure (nothing is
/// stored, so the next `promptlab grade` retries it), reported with the first
/// line of the program's stderr. The program runs in PromptLab's working
/// directory with its environment; it is killed with everything it started
/// when the time limit passes.
struct ExecGrader: AsynchronousGrader {
    var command: String
    var arguments: [String]
    var timeout: Duration

    init(options: GraderOptions) throws(PromptLabError) {
        command = try options.requiredString("command", example: "./graders/check.sh")
        do {
            arguments = try ModelReference(provider: .exec, model: command).commandLine()
        } catch {
            throw options.problem("'command' cannot be split into words: \(error.description)")
        }
        let seconds = try options.number("timeout") ?? 30
        guard seconds > 0, seconds <= 3600 else { throw options.problem("'timeout' must be between 0 and 3600 seconds") }
        timeout = .milliseconds(Int((seconds * 1000).rounded()))
    }

    private var programName: String { (arguments.first.map { ($0 as NSString).lastPathComponent }) ?? "command" }

    /// A content hash of the program file, when the command names one by path (so editing the script re-grades).
    func programFileHash() -> String? {
        guard let program = arguments.first, program.contains("/"),
            let data = FileManager.default.contents(atPath: program)
        else { return nil }
        return ContentHash.hex(of: String(decoding: data, as: UTF8.self))
    }

    /// The JSON object sent on stdin.
    static func input(for sample: GradingSample) -> PromptValue {
        .object([
            ("output", .string(sample.output)), ("expected", sample.expected.map(PromptValue.string) ?? .null),
            ("variables", sample.variables), ("metadata", sample.metadata ?? .null), ("variant", .string(sample.variant)),
            ("case_id", .string(sample.caseID)),
        ])
    }

    func evaluate(_ sample: GradingSample) async throws(GradeProblem) -> GradeOutcome {
        let input = Array(Self.input(for: sample).jsonText(pretty: false).utf8) + [0x0A]
        let output: ChildProcess.Output
        do {
            output = try await ChildProcess(arguments: arguments, timeout: timeout).run(input: input)
        } catch {
            switch error {
            case .spawnFailed(let program, let code):
                throw GradeProblem("cannot start '\(program)': \(String(cString: strerror(code)))")
            case .systemCall(let call, let code):
                throw GradeProblem("\(call) failed: \(String(cString: strerror(code)))")
            }
        }
        let stderrLine =
            String(decoding: output.stderr, as: UTF8.self)
            .split(whereSeparator: \.isNewline).first { !$0.allSatisfy(\.isWhitespace) }
            .map { ": " + String($0.prefix(200)) } ?? " (stderr was empty)"
        if output.cancelled { throw GradeProblem("\(programName) was stopped: grading was cancelled") }
        if output.timedOut {
            throw GradeProblem("\(programName) did not finish within \(PromptValue.format(timeout.seconds)) s and was killed")
        }
        switch output.termination {
        case .signaled(let signal):
            throw GradeProblem("\(programName) was killed by \(ChildProcess.signalName(signal))\(stderrLine)")
        case .exited(let status) where status != 0:
            throw GradeProblem("\(programName) exited with status \(status)\(stderrLine)")
        case .exited:
            break
        }
        let text = String(decoding: output.stdout, as: UTF8.self).trimmedOfWhitespace
        guard !text.isEmpty else { throw GradeProblem("\(programName) printed nothing on stdout\(stderrLine)") }
        guard let value = try? PromptValue.parseJSON(text), case .object = value else {
            throw GradeProblem(
                "\(programName) did not print a JSON object such as {\"score\": 1, \"pass\": true}; stdout starts with \(text.quotedPreview(60))"
            )
        }
        var score: Double?
        switch value["score"] {
        case nil, .null?: break
        case let number? where number.number != nil: score = number.number
        case let other?: throw GradeProblem("\(programName) printed a \"score\" that is not a number: \(other.shortJSON)")
        }
        var passed: Bool?
        switch value["pass"] {
        case nil, .null?: break
        case .bool(let b)?: passed = b
        case let other?: throw GradeProblem("\(programName) printed a \"pass\" that is not true or false: \(other.shortJSON)")
        }
        guard score != nil || passed != nil else {
            throw GradeProblem("\(programName) printed neither \"score\" nor \"pass\"")
        }
        var reason: String?
        switch value["reason"] {
        case nil, .null?: break
        case .string(let s)?: reason = s
        case let other?: reason = other.jsonText(pretty: false)
        }
        return GradeOutcome(score: score, passed: passed, reason: reason)
    }
}

// MARK: - Registration

extension ExecGrader {
    func evaluate(_ job: GradingJob, runtime: JudgeRuntime?) async throws(GradeProblem) -> GradeOutcome {
        try await evaluate(job.sample)
    }

    /// Editing the program file re-grades.
    func resolvedConfiguration(repository: PromptRepository?, label: String) throws(PromptLabError) -> [(
        key: String, value: PromptValue
    )] {
        programFileHash().map { [("program", .string($0))] } ?? []
    }
}

extension GraderType {
    public static let exec: GraderType = "exec"
}

extension GraderRegistration {
    static let exec = GraderRegistration([.exec]) { (options, _) throws(PromptLabError) in try ExecGrader(options: options) }
}
