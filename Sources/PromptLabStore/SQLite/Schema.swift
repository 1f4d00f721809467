internal import GRDB

/// The results database schema, as a list of named migrations.
///
/// Migrations are applied in order when a store is opened and recorded in
/// GRDB's `grdb_migrations` table. A released migration is never edited: a
/// schema change is a new migration appended to ``migrator``. The schema is
/// documented for users in `docs/results-schema.md`; keep the two in step.
///
/// Related SQLite documentation: <https://www.sqlite.org/lang_createtable.html>,
/// <https://www.sqlite.org/foreignkeys.html>, <https://www.sqlite.org/lang_upsert.html>.
enum Schema {
    /// The `PRAGMA application_id` that marks a file as a PromptLab results
    /// database: the ASCII bytes `PLRS` ("PromptLab results store").
    static let applicationID: Int32 = 0x504C_5253

    /// The store's migrations.
    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-runs-responses", migrate: createRunsAndResponses)
        migrator.registerMigration("v1-cache", migrate: createCache)
        migrator.registerMigration("v1-grades", migrate: createGrades)
        migrator.registerMigration("v1-review-verdicts", migrate: createReviewVerdicts)
        migrator.registerMigration("v2-report-indexes", migrate: createReportIndexes)
        migrator.registerMigration("v3-run-leases", migrate: createRunLeases)
        migrator.registerMigration("v4-rollouts", migrate: createRollouts)
        return migrator
    }()

    // MARK: - v1

    private static func createRunsAndResponses(_ db: Database) throws {
        try db.execute(sql: "PRAGMA application_id = \(applicationID)")
        try db.execute(
            sql: """
                CREATE TABLE runs (
                    id              TEXT    NOT NULL PRIMARY KEY,
                    experiment_name TEXT    NOT NULL,
                    experiment_path TEXT    NOT NULL,
                    experiment_yaml TEXT    NOT NULL,
                    experiment_hash TEXT    NOT NULL,
                    dataset_hash    TEXT    NOT NULL,
                    settings_json   TEXT    NOT NULL,
                    tool_version    TEXT    NOT NULL,
                    status          TEXT    NOT NULL
                        CHECK (status IN ('running', 'completed', 'interrupted', 'failed')),
                    created_at      TEXT    NOT NULL,
                    finished_at     TEXT,
                    cell_count      INTEGER NOT NULL CHECK (cell_count >= 0),
                    note            TEXT
                );
                CREATE INDEX runs_by_experiment ON runs (experiment_name, created_at);

                CREATE TABLE run_variants (
                    run_id           TEXT    NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
                    name             TEXT    NOT NULL,
                    position         INTEGER NOT NULL,
                    is_control       INTEGER NOT NULL CHECK (is_control IN (0, 1)),
                    prompt_reference TEXT    NOT NULL,
                    prompt_name      TEXT    NOT NULL,
                    version          INTEGER,
                    commit_sha       TEXT    NOT NULL,
                    template_hash    TEXT    NOT NULL,
                    model            TEXT    NOT NULL,
                    config_json      TEXT    NOT NULL,
                    PRIMARY KEY (run_id, name)
                );

                CREATE TABLE run_cases (
                    run_id         TEXT    NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
                    case_id        TEXT    NOT NULL,
                    position       INTEGER NOT NULL,
                    variables_json TEXT    NOT NULL,
                    expected       TEXT,
                    metadata_json  TEXT,
                    PRIMARY KEY (run_id, case_id)
                );

                CREATE TABLE responses (
                    id              INTEGER PRIMARY KEY,
                    run_id          TEXT    NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
                    variant         TEXT    NOT NULL,
                    case_id         TEXT    NOT NULL,
                    repeat_index    INTEGER NOT NULL CHECK (repeat_index >= 0),
                    idempotency_key TEXT    NOT NULL UNIQUE,
                    status          TEXT    NOT NULL CHECK (status IN ('ok', 'error')),
                    output          TEXT,
                    error_kind      TEXT,
                    error_message   TEXT,
                    input_tokens    INTEGER,
                    output_tokens   INTEGER,
                    cached_tokens   INTEGER,
                    latency_ms      REAL,
                    attempts        INTEGER NOT NULL CHECK (attempts >= 0),
                    finish_reason   TEXT,
                    request_id      TEXT,
                    cost_usd        REAL,
                    provider        TEXT    NOT NULL,
                    model           TEXT    NOT NULL,
                    request_hash    TEXT    NOT NULL,
                    from_cache      INTEGER NOT NULL CHECK (from_cache IN (0, 1)),
                    started_at      TEXT    NOT NULL,
                    finished_at     TEXT    NOT NULL,
                    -- An error never masquerades as an (empty) successful output.
                    CHECK ((status = 'ok' AND output IS NOT NULL AND error_kind IS NULL)
                        OR (status = 'error' AND output IS NULL AND error_kind IS NOT NULL)),
                    FOREIGN KEY (run_id, variant) REFERENCES run_variants (run_id, name) ON DELETE CASCADE,
                    FOREIGN KEY (run_id, case_id) REFERENCES run_cases (run_id, case_id) ON DELETE CASCADE
                );
                CREATE INDEX responses_by_run ON responses (run_id);
                """)
    }

    private static func createCache(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE response_cache (
                    cache_key     TEXT    NOT NULL PRIMARY KEY,
                    provider      TEXT    NOT NULL,
                    model         TEXT    NOT NULL,
                    output        TEXT    NOT NULL,
                    input_tokens  INTEGER,
                    output_tokens INTEGER,
                    cached_tokens INTEGER,
                    finish_reason TEXT,
                    request_id    TEXT,
                    created_at    TEXT    NOT NULL
                );
                """)
    }

    private static func createGrades(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE grades (
                    id               INTEGER PRIMARY KEY,
                    run_id           TEXT    NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
                    response_key     TEXT    NOT NULL
                        REFERENCES responses (idempotency_key) ON DELETE CASCADE,
                    grader           TEXT    NOT NULL,
                    config_hash      TEXT    NOT NULL,
                    score            REAL,
                    passed           INTEGER CHECK (passed IN (0, 1)),
                    reason           TEXT,
                    raw_judge_output TEXT,
                    pair_order       TEXT    CHECK (pair_order IN ('AB', 'BA')),
                    created_at       TEXT    NOT NULL
                );
                -- NULL pair_order (single-response graders) must collide with itself,
                -- which a plain UNIQUE constraint would not do.
                CREATE UNIQUE INDEX grades_identity
                    ON grades (response_key, grader, config_hash, ifnull(pair_order, ''));
                CREATE INDEX grades_by_run ON grades (run_id);
                """)
    }

    private static func createReviewVerdicts(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE review_verdicts (
                    id         INTEGER PRIMARY KEY,
                    run_id     TEXT    NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
                    case_id    TEXT    NOT NULL,
                    variant_a  TEXT    NOT NULL,
                    variant_b  TEXT    NOT NULL,
                    shown_left TEXT    NOT NULL,
                    verdict    TEXT    NOT NULL CHECK (verdict IN ('A', 'B', 'tie', 'skip')),
                    reviewer   TEXT    NOT NULL,
                    created_at TEXT    NOT NULL,
                    CHECK (variant_a <> variant_b),
                    CHECK (shown_left IN (variant_a, variant_b)),
                    UNIQUE (run_id, case_id, variant_a, variant_b, reviewer),
                    FOREIGN KEY (run_id, case_id) REFERENCES run_cases (run_id, case_id) ON DELETE CASCADE,
                    FOREIGN KEY (run_id, variant_a) REFERENCES run_variants (run_id, name) ON DELETE CASCADE,
                    FOREIGN KEY (run_id, variant_b) REFERENCES run_variants (run_id, name) ON DELETE CASCADE
                );
                """)
    }

    // MARK: - v2

    /// Indexes that let `promptlab report` read a million graded responses without
    /// sorting them or touching the table rows.
    ///
    /// - `grades_by_grader` covers the per-case sums of
    ///   ``SQLiteResultsStore/caseGrades(runID:grader:configHash:)``: one grader's grades of
    ///   one variant are a contiguous range of it (response keys start with `run|variant|`),
    ///   in case order, with every column the sums need.
    /// - `responses_by_variant` covers the per-variant counts and sums of
    ///   ``SQLiteResultsStore/variantUsage(runID:)``, and orders the latencies of a
    ///   variant's successful, uncached responses, so a percentile is one `LIMIT 2 OFFSET k` step.
    private static func createReportIndexes(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE INDEX grades_by_grader
                    ON grades (run_id, grader, config_hash, response_key, pair_order, score, passed);
                CREATE INDEX responses_by_variant
                    ON responses (run_id, variant, status, from_cache, latency_ms, input_tokens, output_tokens, cost_usd);
                """)
    }

    // MARK: - v3

    /// One row per run being executed: who holds it and until when (see ``RunLease``).
    private static func createRunLeases(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE run_leases (
                    run_id      TEXT    NOT NULL PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
                    token       TEXT    NOT NULL,
                    process_id  INTEGER NOT NULL,
                    host        TEXT    NOT NULL,
                    acquired_at TEXT    NOT NULL,
                    expires_at  TEXT    NOT NULL
                );
                """)
    }

    // MARK: - v4

    /// Live A/B traffic (see ``RolloutStore``): rollout state changes, first exposures, assignments
    /// and the metric values attached to them. Assignments and metric values repeat the rollout, phase,
    /// arm and unit so that the readout's per-unit sums read one covering index each.
    private static func createRollouts(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE rollout_events (
                    id               INTEGER PRIMARY KEY,
                    rollout          TEXT    NOT NULL,
                    action           TEXT    NOT NULL
                        CHECK (action IN ('start', 'ramp', 'pause', 'resume', 'stop', 'promote', 'auto_pause')),
                    status           TEXT    NOT NULL CHECK (status IN ('running', 'paused', 'stopped', 'promoted')),
                    phase            INTEGER NOT NULL CHECK (phase >= 1),
                    weights_json     TEXT    NOT NULL,
                    paused_arms_json TEXT    NOT NULL,
                    plan_json        TEXT,
                    actor            TEXT    NOT NULL,
                    reason           TEXT,
                    created_at       TEXT    NOT NULL,
                    CHECK ((action = 'start') = (plan_json IS NOT NULL))
                );
                CREATE INDEX rollout_events_by_rollout ON rollout_events (rollout, id);

                CREATE TABLE rollout_exposures (
                    rollout       TEXT    NOT NULL,
                    phase         INTEGER NOT NULL,
                    unit          TEXT    NOT NULL,
                    arm           TEXT    NOT NULL,
                    bucket        REAL    NOT NULL,
                    first_seen_at TEXT    NOT NULL,
                    PRIMARY KEY (rollout, phase, unit)
                ) WITHOUT ROWID;
                CREATE INDEX rollout_exposures_by_arm ON rollout_exposures (rollout, phase, arm, first_seen_at);

                CREATE TABLE rollout_assignments (
                    id            TEXT    NOT NULL PRIMARY KEY,
                    rollout       TEXT    NOT NULL,
                    phase         INTEGER NOT NULL,
                    unit          TEXT    NOT NULL,
                    arm           TEXT    NOT NULL,
                    version       INTEGER,
                    commit_sha    TEXT    NOT NULL,
                    kind          TEXT    NOT NULL CHECK (kind IN ('resolve', 'gateway')),
                    created_at    TEXT    NOT NULL,
                    status        TEXT    CHECK (status IN ('ok', 'error')),
                    latency_ms    REAL,
                    input_tokens  INTEGER,
                    output_tokens INTEGER,
                    cost_usd      REAL,
                    error_kind    TEXT,
                    CHECK ((kind = 'gateway') = (status IS NOT NULL))
                );
                CREATE INDEX rollout_assignments_by_arm
                    ON rollout_assignments (rollout, phase, arm, unit, kind, status, latency_ms, input_tokens, output_tokens, cost_usd);

                CREATE TABLE rollout_metric_values (
                    event_id      TEXT    NOT NULL PRIMARY KEY,
                    assignment_id TEXT    NOT NULL REFERENCES rollout_assignments (id) ON DELETE CASCADE,
                    rollout       TEXT    NOT NULL,
                    phase         INTEGER NOT NULL,
                    arm           TEXT    NOT NULL,
                    unit          TEXT    NOT NULL,
                    metric        TEXT    NOT NULL,
                    value         REAL    NOT NULL,
                    source        TEXT    NOT NULL CHECK (source IN ('feedback', 'grader')),
                    created_at    TEXT    NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX rollout_metric_values_by_arm ON rollout_metric_values (rollout, phase, metric, arm, unit, value);
                """)
    }
}
