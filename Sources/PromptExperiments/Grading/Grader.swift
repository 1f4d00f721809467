import Foundation
import PromptFormat
import PromptLabCore
import PromptLabStore
import PromptVersioning

/// The name of a kind of grader, as written after `type:` in an experiment's `graders:` list.
///
/// The known names are those of ``GraderRegistry/registrations``; each grader's file declares its
/// own (``equals``, ``similarity``, ``pairwise``, ...). A name no registration handles is not an
/// error until a declaration uses it.
public struct GraderType: RawRepresentable, Sendable, Hashable, CaseIterable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    public let rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public init(stringLiteral value: String) {
        self.init(rawValue: value)
    }

    /// Every registered type, in registry order.
    public static var allCases: [GraderType] { GraderRegistry.registrations.flatMap(\.types) }

    public var description: String { rawValue }

    /// The registration that handles this type; nil for an unknown type.
    var registration: GraderRegistration? { GraderRegistry.registration(for: self) }

    /// Whether the grader asks an LLM judge (a network call per grade).
    public var isJudge: Bool { registration?.isJudge ?? false }

    /// Whether grades come in pairs of presentation orders (``GradeRecord/order`` is set).
    public var isPairwise: Bool { registration?.isPairwise ?? false }

    /// Whether grading needs the case's `expected` value when the grader gives no value of its own.
    var usesExpected: Bool { registration?.usesExpected ?? false }
}

// MARK: - Graders

/// A parsed, checked grader configuration: what one entry of `graders:` becomes.
///
/// Conform through ``DeterministicGrader`` (decides at once, without I/O) or
/// ``AsynchronousGrader`` (a program or a request; the ``GradingEngine`` runs
/// these concurrently), and add a ``GraderRegistration`` to ``GraderRegistry/registrations``.
protocol Grader: Sendable {
    /// Whether a threshold (the declaration's, else the registration's default) decides `passed`
    /// from the score. Default true; false for pairwise judges and pass-fail rubrics.
    var thresholdApplies: Bool { get }

    /// Settings the grader took from elsewhere in the experiment (a `numeric` grader's borrowed
    /// regex); added to ``GraderDefinition/canonicalJSON`` so that they change the configuration hash.
    var borrowedConfiguration: [(key: String, value: PromptValue)] { get }

    /// What the configuration resolves to outside the experiment file (a judge prompt's version,
    /// an `exec` program's content), hashed into ``GraderDefinition/configHash(repository:)``.
    ///
    /// - Parameters:
    ///   - repository: Resolves judge prompts; nil when there is no repository.
    ///   - label: The grader, for messages (`grader 3 (llm-rubric)`).
    func resolvedConfiguration(repository: PromptRepository?, label: String) throws(PromptLabError) -> [(
        key: String, value: PromptValue
    )]
}

extension Grader {
    var thresholdApplies: Bool { true }
    var borrowedConfiguration: [(key: String, value: PromptValue)] { [] }
    func resolvedConfiguration(repository: PromptRepository?, label: String) throws(PromptLabError) -> [(
        key: String, value: PromptValue
    )] { [] }
}

/// A grader that decides from the sample alone, at once, with no I/O: the engine runs it inline.
protocol DeterministicGrader: Grader {
    func evaluate(_ sample: GradingSample) throws(GradeProblem) -> GradeOutcome
}

/// A grader whose grades take time (an external program, an LLM judge): the engine runs its jobs
/// concurrently, at most ``GradingOptions/concurrency`` at a time, and cancels them with the pass.
protocol AsynchronousGrader: Grader {
    /// Whether each job compares a variant's response with the control's, once per presentation order.
    static var isPairwise: Bool { get }

    /// Grades one job.
    ///
    /// - Parameter runtime: The judge prompt and provider, for a ``JudgeGrader``; nil otherwise.
    func evaluate(_ job: GradingJob, runtime: JudgeRuntime?) async throws(GradeProblem) -> GradeOutcome
}

extension AsynchronousGrader {
    static var isPairwise: Bool { false }
}

/// An asynchronous grader that asks an LLM judge: the engine resolves the judge prompt and prepares
/// its provider before the first request, and the judge prompt's version is part of the configuration hash.
protocol JudgeGrader: AsynchronousGrader {
    /// The judge prompt in the repository.
    var judge: PromptReference { get }
    /// The grader's `model:`; nil uses the judge prompt's own model.
    var model: String? { get }
}

extension JudgeGrader {
    func resolvedConfiguration(repository: PromptRepository?, label: String) throws(PromptLabError) -> [(
        key: String, value: PromptValue
    )] {
        [("judge", .string(try GraderDefinition.resolvedJudge(judge, repository: repository, label: label)))]
    }
}

/// One grade for an ``AsynchronousGrader`` to compute.
struct GradingJob: Sendable {
    /// The response to grade (for pairwise judges: the variant's).
    var sample: GradingSample
    /// Pairwise judges: the order in which the two responses are shown.
    var order: GradeRecord.PairOrder?
    /// Pairwise judges: the control's response to the same case and repeat.
    var controlOutput: String?
}
