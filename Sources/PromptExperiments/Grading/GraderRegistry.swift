import PromptLabCore

/// How one kind of grader is declared: the `type:` names it handles, what it needs, and how its
/// options are parsed.
struct GraderRegistration: Sendable {
    /// The `type:` names this registration handles, in the order error messages list them.
    let types: [GraderType]
    /// Whether grading needs the case's `expected` value when the grader gives no value of its own.
    let usesExpected: Bool
    /// The pass mark when the declaration sets no `threshold` (and the grader's configuration
    /// uses one, see ``Grader/thresholdApplies``); nil: `passed` is the grader's own.
    let defaultThreshold: Double?
    /// Whether the grader asks an LLM judge (it conforms to ``JudgeGrader``).
    let isJudge: Bool
    /// Whether grades come in pairs of presentation orders (``AsynchronousGrader/isPairwise``).
    let isPairwise: Bool
    /// Parses a declaration's options into the grader.
    let make: @Sendable (GraderOptions, GraderParseContext) throws(PromptLabError) -> any Grader

    init<G: Grader>(
        _ types: [GraderType], usesExpected: Bool = false, defaultThreshold: Double? = nil,
        make: @escaping @Sendable (GraderOptions, GraderParseContext) throws(PromptLabError) -> G
    ) {
        self.types = types
        self.usesExpected = usesExpected
        self.defaultThreshold = defaultThreshold
        self.isJudge = G.self is any JudgeGrader.Type
        self.isPairwise = (G.self as? any AsynchronousGrader.Type)?.isPairwise ?? false
        self.make = { (options, context) throws(PromptLabError) -> any Grader in try make(options, context) }
    }
}

/// What a grader's options may draw on besides its own declaration.
struct GraderParseContext: Sendable {
    /// The pattern of the experiment's first `regex` grader with a capture group, if any.
    var borrowedPattern: String?
}

/// Every kind of grader an experiment can declare. A new grader is one file in this folder
/// (its ``Grader`` type, its ``GraderType`` names and its ``GraderRegistration``) plus one line here.
enum GraderRegistry {
    static let registrations: [GraderRegistration] = [
        .equals,
        .contains,
        .icontains,
        .containsAny,
        .containsAll,
        .startsWith,
        .regex,
        .isJSON,
        .numeric,
        .similarity,
        .classification,
        .maxTokens,
        .maxLatency,
        .maxCost,
        .exec,
        .llmRubric,
        .pairwise,
    ]

    private static let byType: [GraderType: GraderRegistration] = {
        var index = [GraderType: GraderRegistration]()
        for registration in registrations {
            for type in registration.types where index[type] == nil { index[type] = registration }
        }
        return index
    }()

    /// The registration that handles `type`; nil for an unknown type.
    static func registration(for type: GraderType) -> GraderRegistration? {
        byType[type]
    }

    /// The known type names, in registry order, for messages.
    static var knownTypes: String {
        registrations.flatMap(\.types).map(\.rawValue).joined(separator: ", ")
    }
}
