import Foundation

/// A results-store failure, described so that a person can act on it.
///
/// ``message`` is one line saying what went wrong and ``hint`` one line saying
/// what to do; the CLI prints both. SQLite and GRDB errors never escape the
/// store raw: they are translated into one of the ``Kind``s, and the original
/// SQLite message is kept in ``detail`` for `--verbose` output and bug reports.
///
/// Match a kind with a pattern:
///
/// ```swift
/// do { _ = try await store.run(id: id) }
/// catch StoreError.Kind.runNotFound { ... }
/// ```
public struct StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Families of failure.
    public enum Kind: Sendable, Hashable {
        /// The file exists but is not a SQLite database, or is another program's database.
        case notAPromptLabDatabase
        /// The database was written by a newer `promptlab` with a schema this version does not know.
        case newerSchema
        /// Another process held the database lock for longer than the busy timeout.
        case locked
        /// The file or its folder could not be created or opened.
        case cannotOpen
        /// The file is read-only (or on a read-only file system).
        case readOnly
        /// The disk is full.
        case diskFull
        /// SQLite reports the file as damaged, or a stored value cannot be read back.
        case corrupt
        /// No run has the given id.
        case runNotFound
        /// A run with the given id already exists.
        case runAlreadyExists
        /// The requested status change is not allowed (see ``RunStatus/canChange(to:)``).
        case invalidStatusTransition
        /// Another process holds the lease to execute the run.
        case leaseHeld
        /// A record contradicts the data already stored (an unknown variant, case or response).
        case invalidRecord
        /// Any other database failure.
        case failure
    }

    /// The family of failure.
    public var kind: Kind
    /// One line saying what went wrong.
    public var message: String
    /// One line saying what to do about it, when there is something to do.
    public var hint: String?
    /// The underlying SQLite message, for verbose output; not meant for the one-line report.
    public var detail: String?

    /// Creates an error.
    public init(_ kind: Kind, _ message: String, hint: String? = nil, detail: String? = nil) {
        self.kind = kind
        self.message = message
        self.hint = hint
        self.detail = detail
    }

    public var description: String { message }

    // MARK: - Common errors

    /// `results database at PATH is not a PromptLab database`.
    public static func notAPromptLabDatabase(path: String, detail: String? = nil) -> StoreError {
        StoreError(
            .notAPromptLabDatabase,
            "results database at \(path) is not a PromptLab database",
            hint: "move the file aside, or point promptlab at another results file",
            detail: detail)
    }

    /// `database at PATH is locked by another process`.
    public static func locked(path: String, detail: String? = nil) -> StoreError {
        StoreError(
            .locked,
            "database at \(path) is locked by another process",
            hint: "wait for the other promptlab command to finish, then try again",
            detail: detail)
    }

    /// `no run 'ID'`.
    public static func runNotFound(_ id: String) -> StoreError {
        StoreError(.runNotFound, "no run '\(id)'", hint: "see 'promptlab runs' for the recorded runs")
    }
}

extension StoreError: LocalizedError {
    /// The one-line ``message``, so that `localizedDescription` reads well too.
    public var errorDescription: String? { message }
}

extension StoreError.Kind {
    /// Lets `catch StoreError.Kind.runNotFound` match a ``StoreError`` by kind.
    public static func ~= (kind: StoreError.Kind, error: any Error) -> Bool {
        (error as? StoreError)?.kind == kind
    }
}
