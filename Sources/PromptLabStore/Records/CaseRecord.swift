/// One test case of a run: the variables a prompt is rendered with, and what a good answer is.
public struct CaseRecord: Sendable, Hashable, Codable {
    /// The run this case belongs to.
    public var runID: String
    /// The case's stable identifier from the dataset, unique within the run.
    public var caseID: String
    /// The case's 0-based position in the dataset, used to list cases in dataset order.
    public var position: Int
    /// The template variables as a JSON object.
    public var variablesJSON: String
    /// The expected answer, when the dataset gives one.
    public var expected: String?
    /// Any other per-case data from the dataset (tags, difficulty, ...) as a JSON object.
    public var metadataJSON: String?

    /// Creates a case record.
    public init(
        runID: String,
        caseID: String,
        position: Int,
        variablesJSON: String,
        expected: String? = nil,
        metadataJSON: String? = nil
    ) {
        self.runID = runID
        self.caseID = caseID
        self.position = position
        self.variablesJSON = variablesJSON
        self.expected = expected
        self.metadataJSON = metadataJSON
    }
}
