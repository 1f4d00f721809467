/// One prompt variant of a run, pinned to the exact prompt text that was sent.
///
/// Variants are stored in the order given to
/// ``ResultsStore/createRun(_:variants:cases:)`` and returned in that order.
public struct RunVariantRecord: Sendable, Hashable, Codable {
    /// The run this variant belongs to.
    public var runID: String
    /// The variant's name in the experiment file, unique within the run (for example `control`).
    public var name: String
    /// Whether this is the variant the others are compared against.
    public var isControl: Bool
    /// The prompt reference as written in the experiment, such as `support/triage@v1`.
    public var promptReference: String
    /// The prompt's name, such as `support/triage`.
    public var promptName: String
    /// The resolved version number, or `nil` when the reference named a commit or label without one.
    public var version: Int?
    /// The git commit the prompt text was read from.
    public var commitSHA: String
    /// A content hash of the template text that was rendered (hex).
    public var templateHash: String
    /// The model the variant calls, as `provider/model` or however the caller names it.
    public var model: String
    /// The variant's effective model parameters (temperature, max tokens, ...) as a JSON object.
    public var configJSON: String

    /// Creates a variant record.
    public init(
        runID: String,
        name: String,
        isControl: Bool,
        promptReference: String,
        promptName: String,
        version: Int?,
        commitSHA: String,
        templateHash: String,
        model: String,
        configJSON: String
    ) {
        self.runID = runID
        self.name = name
        self.isControl = isControl
        self.promptReference = promptReference
        self.promptName = promptName
        self.version = version
        self.commitSHA = commitSHA
        self.templateHash = templateHash
        self.model = model
        self.configJSON = configJSON
    }
}
