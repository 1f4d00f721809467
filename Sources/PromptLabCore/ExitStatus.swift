/// Every exit status `promptlab` can end with, documented once.
///
/// The README's table, the CLI's `--help` and every front end read this catalogue, so the
/// numbers cannot drift apart. Codes are stable: new ones are added, old ones never change meaning.
public enum ExitStatus: Int32, Sendable, CaseIterable, Codable {
    /// The command did what it was asked.
    case success = 0
    /// Something failed that none of the codes below describes (an I/O, libgit2 or SQLite error),
    /// including "nothing to commit".
    case failure = 1
    /// The command line itself is wrong: an unknown option, a missing argument, a value out of range.
    case usage = 2
    /// Not inside a git repository, or no prompt root.
    case notARepository = 3
    /// Bad input: a malformed prompt or experiment file, an invalid name or label,
    /// a file over 1 MiB or not UTF-8, a value of the wrong type.
    case invalidInput = 4
    /// An unknown prompt, version, label, SHA, run or experiment.
    case notFound = 5
    /// Rendering failed: a missing variable or an unknown partial.
    case renderFailed = 6
    /// No commit author or reviewer name could be determined.
    case noAuthor = 7
    /// Another process changed the repository or the results at the same moment, or holds the lease
    /// of the run to execute; nothing was written.
    case conflict = 8
    /// The command would overwrite uncommitted work.
    case wouldLoseWork = 9
    /// `--fail-on-regression`: a variant is significantly worse than the control.
    case regression = 10
    /// A run stopped at its budget; `--resume` can finish it.
    case budgetReached = 11
    /// Every cell of a run failed (a wrong key, model or base URL, for instance): the run is recorded
    /// as `failed` and there is nothing to grade.
    case runFailed = 12
    /// Interrupted by Ctrl-C; a run can be finished with `--resume`.
    case interrupted = 130

    /// The process exit code.
    public var code: Int32 { rawValue }

    /// One line saying what the code means, as the README's table and `--help` print it.
    public var meaning: String {
        switch self {
        case .success: "success"
        case .failure: "failure (including \"nothing to commit\")"
        case .usage: "usage error: an unknown option, a missing argument or a value out of range"
        case .notARepository: "not inside a git repository"
        case .invalidInput:
            "invalid input: malformed prompt or experiment file, or a body check failed at commit (with `file:line:col`), "
                + "invalid name or label, file over 1 MiB or not UTF-8, a value of the wrong type"
        case .notFound: "unknown prompt, version, label, SHA, run or experiment"
        case .renderFailed: "rendering failed: missing variable or unknown partial"
        case .noAuthor: "no commit author (or reviewer name) configured"
        case .conflict:
            "another process updated the repository at the same moment, or is executing the same run; nothing was written"
        case .wouldLoseWork: "the command would overwrite uncommitted work (rollback without `--force`)"
        case .regression: "`run` or `report` with `--fail-on-regression`: a variant is significantly worse than the control"
        case .budgetReached: "`run` stopped by its budget (resumable)"
        case .runFailed: "`run`: every request failed, so the run is recorded as failed and nothing was graded"
        case .interrupted: "`run` or `grade` interrupted by Ctrl-C (resumable)"
        }
    }
}
