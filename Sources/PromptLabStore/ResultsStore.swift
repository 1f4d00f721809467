import Foundation

/// Where experiment results are recorded: runs, their variants and cases,
/// every response, the response cache, grades and human review verdicts.
///
/// ``SQLiteResultsStore`` is the implementation used by the CLI; the protocol
/// exists so that another backend (such as PostgreSQL for a shared team
/// store) can be added without touching the runner.
///
/// Every method is one short database operation. None of them waits on
/// anything but the database, so a caller must do its network I/O between
/// calls, never inside one: a batch of responses is collected first and then
/// recorded with ``insertResponses(_:)``.
///
/// All methods throw ``StoreError`` (or `CancellationError` when the calling
/// task is cancelled before the operation starts).
public protocol ResultsStore: Sendable {
    // MARK: - Runs

    /// Records a new run with its variants and cases, all or nothing.
    ///
    /// - Parameters:
    ///   - run: The run; its ``RunRecord/id`` must be new.
    ///   - variants: The run's variants, in experiment order; names must be unique.
    ///   - cases: The run's cases; case ids must be unique.
    /// - Throws: ``StoreError/Kind/runAlreadyExists`` when the id is taken,
    ///   ``StoreError/Kind/invalidRecord`` when a variant or case names
    ///   another run or repeats a name.
    func createRun(_ run: RunRecord, variants: [RunVariantRecord], cases: [CaseRecord]) async throws

    /// Changes a run's status, finish time and note.
    ///
    /// - Parameters:
    ///   - id: The run's id.
    ///   - status: The new status; the change must be allowed by ``RunStatus/canChange(to:)``
    ///     (only a completed run cannot change).
    ///   - finishedAt: When the run stopped. Ignored for ``RunStatus/running``
    ///     (the finish time is cleared); now when `nil` for any other status.
    ///   - note: Replaces the run's note (`nil` clears it), for example the reason it failed.
    /// - Throws: ``StoreError/Kind/runNotFound``, or ``StoreError/Kind/invalidStatusTransition``.
    func updateRunStatus(_ id: String, _ status: RunStatus, finishedAt: Date?, note: String?) async throws

    // MARK: - Leases

    /// Takes the lease that lets one process execute `lease.runID`.
    ///
    /// Succeeds when no lease is recorded for the run, when the recorded one expired before `now`,
    /// or when `canTakeOver` says its holder is gone (for example a dead process on this host); the
    /// check and the take-over are one transaction, so two processes can never both succeed.
    ///
    /// - Parameters:
    ///   - lease: The new lease: run, token, holder and times.
    ///   - now: The current time, compared with the recorded lease's expiry.
    ///   - canTakeOver: Called with a live lease held by someone else.
    /// - Throws: ``StoreError/Kind/leaseHeld`` naming the holder, or ``StoreError/Kind/runNotFound``.
    func acquireLease(_ lease: RunLease, now: Date, canTakeOver: @escaping @Sendable (RunLease) -> Bool) async throws

    /// Moves a held lease's expiry to `expiresAt`.
    ///
    /// - Throws: ``StoreError/Kind/leaseHeld`` when the lease was lost to another process.
    func renewLease(_ lease: RunLease, expiresAt: Date) async throws

    /// Gives the lease up; does nothing when it was already lost or released.
    func releaseLease(_ lease: RunLease) async throws

    /// The lease recorded for a run, live or expired, or `nil`.
    func lease(runID: String) async throws -> RunLease?

    /// Returns the run with the given id.
    ///
    /// - Throws: ``StoreError/Kind/runNotFound`` when there is none.
    func run(id: String) async throws -> RunRecord

    /// Returns the run with the given id and its response counts.
    ///
    /// - Throws: ``StoreError/Kind/runNotFound`` when there is none.
    func summary(runID: String) async throws -> RunSummary

    /// Lists runs, newest first, with their response counts and cost.
    ///
    /// - Parameters:
    ///   - experiment: Only runs of this experiment name; all runs when `nil`.
    ///   - limit: The most runs to return.
    func runs(experiment: String?, limit: Int) async throws -> [RunSummary]

    /// Lists runs newest first like ``runs(experiment:limit:)``, without counting their responses.
    func runRecords(experiment: String?, limit: Int) async throws -> [RunRecord]

    /// Returns the newest run of an experiment, or `nil` if it was never run.
    func latestRun(experiment: String) async throws -> RunRecord?

    /// Returns a run's variants in the order they were recorded.
    ///
    /// - Throws: ``StoreError/Kind/runNotFound``.
    func variants(runID: String) async throws -> [RunVariantRecord]

    /// Returns a run's cases ordered by ``CaseRecord/position``.
    ///
    /// - Throws: ``StoreError/Kind/runNotFound``.
    func cases(runID: String) async throws -> [CaseRecord]

    // MARK: - Responses

    /// Records a batch of responses in one transaction.
    ///
    /// A response whose ``ResponseRecord/idempotencyKey`` is already recorded
    /// is skipped, so retrying a batch (or resuming a run) never creates a
    /// second row for a cell; the first recorded response wins.
    ///
    /// - Parameter batch: Responses of any runs; may be empty.
    /// - Returns: How many rows were actually inserted.
    /// - Throws: ``StoreError/Kind/invalidRecord`` when a response names a run,
    ///   variant or case that was not recorded with ``createRun(_:variants:cases:)``
    ///   (nothing of the batch is recorded then).
    @discardableResult
    func insertResponses(_ batch: [ResponseRecord]) async throws -> Int

    /// Returns the idempotency keys of every cell recorded for a run, successful or not.
    ///
    /// A resumed run skips these cells.
    ///
    /// - Throws: ``StoreError/Kind/runNotFound``.
    func completedCells(runID: String) async throws -> Set<String>

    /// Returns every response of a run, in the order they were recorded.
    ///
    /// For large runs prefer ``forEachResponse(runID:pageSize:isolation:_:)``.
    ///
    /// - Throws: ``StoreError/Kind/runNotFound``.
    func responses(runID: String) async throws -> [ResponseRecord]

    /// Calls `body` with every response of a run, in the order they were
    /// recorded, reading `pageSize` rows at a time.
    ///
    /// At most one page is in memory at once, and no database transaction is
    /// open while `body` runs, so `body` may do slow I/O (such as writing an
    /// export file). Responses recorded while the iteration is under way may
    /// or may not be seen.
    ///
    /// - Parameters:
    ///   - runID: The run to read.
    ///   - pageSize: How many rows to read per database access (at least 1).
    ///   - isolation: The caller's actor; `body` runs there.
    ///   - body: Called once per response; throwing stops the iteration.
    /// - Throws: ``StoreError/Kind/runNotFound``, or what `body` throws.
    func forEachResponse(
        runID: String,
        pageSize: Int,
        isolation: isolated (any Actor)?,
        _ body: (ResponseRecord) async throws -> Void
    ) async throws

    // MARK: - Response cache

    /// Looks up many cache keys at once.
    ///
    /// - Parameter keys: Cache keys (duplicates are fine).
    /// - Returns: The entries found, by cache key; missing keys are absent.
    func cachedResponses(keys: [String]) async throws -> [String: CacheEntry]

    /// Stores cache entries in one transaction, replacing entries with the same key.
    ///
    /// Only successful responses can be cached: see ``CacheEntry``.
    func storeCache(_ entries: [CacheEntry]) async throws

    /// Deletes cache entries.
    ///
    /// - Parameter createdBefore: Only entries stored before this date; all entries when `nil`.
    /// - Returns: How many entries were deleted.
    @discardableResult
    func clearCache(createdBefore: Date?) async throws -> Int

    // MARK: - Grades and reviews

    /// Records grades in one transaction.
    ///
    /// A grade for the same response, grader, configuration hash and order
    /// as an existing one is skipped.
    ///
    /// - Returns: How many rows were actually inserted.
    /// - Throws: ``StoreError/Kind/invalidRecord`` when a grade names a response
    ///   that is not recorded (nothing of the batch is recorded then).
    @discardableResult
    func insertGrades(_ grades: [GradeRecord]) async throws -> Int

    /// Returns every grade of a run, in the order they were recorded.
    ///
    /// - Throws: ``StoreError/Kind/runNotFound``.
    func grades(runID: String) async throws -> [GradeRecord]

    /// Records a reviewer's verdict, replacing their earlier verdict on the same pair and case.
    ///
    /// - Throws: ``StoreError/Kind/invalidRecord`` when the run, case or
    ///   variants are unknown, the variants are the same, or ``VerdictRecord/shownLeft``
    ///   names neither variant.
    func insertVerdict(_ verdict: VerdictRecord) async throws

    /// Returns a run's review verdicts, oldest first.
    ///
    /// - Parameters:
    ///   - runID: The run.
    ///   - reviewer: Only this reviewer's verdicts; everyone's when `nil`.
    /// - Throws: ``StoreError/Kind/runNotFound``.
    func verdicts(runID: String, reviewer: String?) async throws -> [VerdictRecord]

    // MARK: - Pages of cases

    /// A token that changes whenever a run's status, responses, grades or review verdicts change,
    /// read without scanning them, so front ends can cache what they compute from a run.
    ///
    /// - Throws: ``StoreError/Kind/runNotFound``.
    func stateToken(runID: String) async throws -> String

    /// Returns the responses of some cases of a run (every variant and repeat), in no set order.
    ///
    /// - Throws: ``StoreError/Kind/runNotFound``.
    func responses(runID: String, caseIDs: [String]) async throws -> [ResponseRecord]

    /// Returns every grade of the given responses (by idempotency key), oldest first.
    ///
    /// - Throws: ``StoreError/Kind/runNotFound``.
    func grades(runID: String, responseKeys: [String]) async throws -> [GradeRecord]

    /// The ids of a run's cases with `text` in a variable, the expected value or an output,
    /// ignoring the case of ASCII letters.
    ///
    /// - Throws: ``StoreError/Kind/runNotFound``.
    func caseIDs(runID: String, containing text: String) async throws -> Set<String>

    // MARK: - Report aggregates

    /// Lists the graders (one entry per configuration hash) that graded responses of a run.
    ///
    /// - Returns: Entries ordered by grader name, then configuration hash.
    /// - Throws: ``StoreError/Kind/runNotFound``.
    func graderConfigurations(runID: String) async throws -> [GraderConfiguration]

    /// Sums one grader's grades per variant, case and presentation order, without
    /// loading a record per grade: memory grows with variants × cases, not with grades.
    ///
    /// - Parameters:
    ///   - runID: The run.
    ///   - grader: The grader's name.
    ///   - configHash: Only grades made with this configuration.
    /// - Throws: ``StoreError/Kind/runNotFound``.
    func caseGrades(runID: String, grader: String, configHash: String) async throws -> CaseGradeTable

    /// Counts responses, errors and cache hits, and sums tokens, cost and latency, per variant.
    ///
    /// - Returns: One entry per variant, in run order (variants without responses have zero counts).
    /// - Throws: ``StoreError/Kind/runNotFound``.
    func variantUsage(runID: String) async throws -> [VariantUsage]

    // MARK: - Lifetime

    /// Closes the store; later calls fail.
    func close() async throws
}

// MARK: - Conveniences

extension ResultsStore {
    /// Changes a run's status, with the finish time chosen by ``updateRunStatus(_:_:finishedAt:note:)`` (now, or none while running).
    public func updateRunStatus(_ id: String, _ status: RunStatus, note: String? = nil) async throws {
        try await updateRunStatus(id, status, finishedAt: nil, note: note)
    }

    /// Lists the newest 50 runs, optionally of one experiment.
    public func runs(experiment: String? = nil) async throws -> [RunSummary] {
        try await runs(experiment: experiment, limit: 50)
    }

    /// Calls `body` with every response of a run, 1,000 rows per database access.
    ///
    /// See ``forEachResponse(runID:pageSize:isolation:_:)``.
    public func forEachResponse(
        runID: String,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (ResponseRecord) async throws -> Void
    ) async throws {
        try await forEachResponse(runID: runID, pageSize: 1000, isolation: isolation, body)
    }

    /// Deletes every cache entry.
    @discardableResult
    public func clearCache() async throws -> Int {
        try await clearCache(createdBefore: nil)
    }

    /// Returns every reviewer's verdicts on a run.
    public func verdicts(runID: String) async throws -> [VerdictRecord] {
        try await verdicts(runID: runID, reviewer: nil)
    }
}
