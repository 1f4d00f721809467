import Foundation

/// One execution of an experiment: what was run, with which inputs, and how it ended.
///
/// A run is created once, before any request is sent, together with its
/// variants (``RunVariantRecord``) and test cases (``CaseRecord``). Everything
/// needed to reproduce it is kept here as text: the experiment file as it was,
/// the hashes of the experiment and dataset, and the effective settings.
public struct RunRecord: Sendable, Hashable, Codable {
    /// The run's identifier, such as `r-20261130-014512-3fa9`; see ``makeID(at:)``.
    public var id: String
    /// The experiment's name, used to group runs (`promptlab runs --experiment NAME`).
    public var experimentName: String
    /// The experiment file's path, relative to the repository root.
    public var experimentPath: String
    /// The full text of the experiment file when the run started.
    public var experimentYAML: String
    /// A content hash of the experiment file (hex), chosen by the caller.
    public var experimentHash: String
    /// A content hash of the dataset the cases came from (hex), chosen by the caller.
    public var datasetHash: String
    /// The effective run settings (concurrency, repeats, seed, ...) as a JSON object.
    public var settingsJSON: String
    /// The `promptlab` version that made the run.
    public var toolVersion: String
    /// Where the run is in its life.
    public var status: RunStatus
    /// When the run was created.
    public var createdAt: Date
    /// When the run last stopped; `nil` while it is ``RunStatus/running``.
    public var finishedAt: Date?
    /// How many cells (variants × cases × repeats) the run plans to record.
    public var cellCount: Int
    /// A one-line note about the latest status, such as why the run failed.
    public var note: String?

    /// Creates a run record.
    ///
    /// - Parameters:
    ///   - id: A unique identifier; ``makeID(at:)`` makes a time-sortable one.
    ///   - status: Normally ``RunStatus/running`` for a new run.
    ///   - createdAt: When the run started; stored with millisecond precision.
    public init(
        id: String,
        experimentName: String,
        experimentPath: String,
        experimentYAML: String,
        experimentHash: String,
        datasetHash: String,
        settingsJSON: String,
        toolVersion: String,
        status: RunStatus = .running,
        createdAt: Date = Date(),
        finishedAt: Date? = nil,
        cellCount: Int,
        note: String? = nil
    ) {
        self.id = id
        self.experimentName = experimentName
        self.experimentPath = experimentPath
        self.experimentYAML = experimentYAML
        self.experimentHash = experimentHash
        self.datasetHash = datasetHash
        self.settingsJSON = settingsJSON
        self.toolVersion = toolVersion
        self.status = status
        self.createdAt = createdAt
        self.finishedAt = finishedAt
        self.cellCount = cellCount
        self.note = note
    }
}
